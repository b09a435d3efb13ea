"""The campaign pages (SPEC 8): list, campaign page with figures and chart data, create
and edit through the services, a new segment for the campaign, and a flat query count."""

import datetime
import json

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.models import Contact
from interactions.models import Campaign, CampaignEntry, InteractionLogEntry, LoggedSegment
from segments.models import Segment
from tests.factories import (
    CampaignFactory,
    ContactFactory,
    InteractionTemplateFactory,
    SalespersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def logged_for(campaign, *, segments: int, user, responses: int = 0) -> None:
    """``segments`` logged segments of the campaign, one target entry each, and
    ``responses`` single-interaction responses: a few bulk inserts."""
    contacts = Contact.objects.bulk_create(ContactFactory.build_batch(segments))
    logged = LoggedSegment.objects.bulk_create(
        LoggedSegment(
            segment_no=f"SEG{campaign.pk}{n:05d}", description=f"Mail {n}", created_by=user
        )
        for n in range(segments)
    )
    entries = CampaignEntry.objects.bulk_create(
        CampaignEntry(
            campaign=campaign,
            logged_segment=segment,
            segment_no=segment.segment_no,
            description=segment.description,
            date=datetime.date(2027, 3, 1),
            created_by=user,
        )
        for segment in logged
    )
    InteractionLogEntry.objects.bulk_create(
        InteractionLogEntry(
            contact=contact,
            contact_name=contact.name,
            logged_segment=segment,
            segment_no=segment.segment_no,
            date=datetime.date(2027, 3, 1) + datetime.timedelta(days=7 * (n % 3)),
            description="Invitation",
            cost=2,
            duration=5,
            campaign=campaign,
            campaign_entry=entry,
            campaign_target=True,
            created_by=user,
        )
        for n, (contact, segment, entry) in enumerate(zip(contacts, logged, entries, strict=True))
    )
    for contact in contacts[:responses]:
        entry = CampaignEntry.objects.create(
            campaign=campaign, date=datetime.date(2027, 3, 20), created_by=user
        )
        InteractionLogEntry.objects.create(
            contact=contact,
            contact_name=contact.name,
            date=datetime.date(2027, 3, 20),
            description="Reply",
            campaign=campaign,
            campaign_entry=entry,
            campaign_response=True,
            created_by=user,
        )


def test_the_list_shows_campaigns_with_their_figures_and_filters_by_status(staff_client, staff):
    spring = CampaignFactory(description="Spring fair", status="active")
    CampaignFactory(description="Autumn fair", status="planned")
    logged_for(spring, segments=4, user=staff, responses=1)
    response = staff_client.get(reverse("campaigns:campaign-list"))
    assert response.status_code == 200
    rows = {campaign.no: campaign for campaign in response.context["object_list"]}
    assert (rows[spring.no].interactions, rows[spring.no].targets, rows[spring.no].responses) == (
        5,
        4,
        1,
    )
    assert "Spring fair" in response.content.decode()
    active = staff_client.get(reverse("campaigns:campaign-list"), {"status": "active"})
    assert [campaign.no for campaign in active.context["object_list"]] == [spring.no]


def test_staff_create_a_campaign_numbered_from_the_series(staff_client, staff):
    response = staff_client.post(
        reverse("campaigns:campaign-create"),
        {
            "no": "",
            "description": "Spring fair 2027",
            "starting_date": "2027-03-01",
            "ending_date": "2027-04-30",
            "status": "planned",
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response.url == campaign.get_absolute_url()
    assert texts(response) == ["Campaign CP00001 has been created."]
    assert (campaign.no, campaign.description, campaign.created_by) == (
        "CP00001",
        "Spring fair 2027",
        staff,
    )


def test_a_campaign_ending_before_it_starts_is_refused_and_nothing_saved(staff_client):
    response = staff_client.post(
        reverse("campaigns:campaign-create"),
        {
            "description": "Backwards",
            "starting_date": "2027-04-30",
            "ending_date": "2027-03-01",
            "status": "planned",
        },
    )
    assert response.status_code == 200
    assert "The ending date cannot be before the starting date." in response.content.decode()
    assert not Campaign.objects.exists()


def test_a_refused_edit_says_why_once_and_does_not_offer_a_blank_number(staff_client):
    """The walk saw the date error twice on the edit page (the template's own alert and
    crispy's), under a number field that said "leave blank" though it cannot change."""
    campaign = CampaignFactory(
        description="Spring fair", starting_date=datetime.date(2027, 3, 1), ending_date=None
    )
    response = staff_client.post(
        reverse("campaigns:campaign-update", args=[campaign.pk]),
        {
            "description": "Spring fair",
            "starting_date": "2027-03-01",
            "ending_date": "2027-02-01",
            "status": "planned",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("The ending date cannot be before the starting date.") == 1
    assert "Leave blank for the next number" not in page
    campaign.refresh_from_db()
    assert campaign.ending_date is None
    new = staff_client.get(reverse("campaigns:campaign-create")).content.decode()
    assert "Leave blank for the next number" in new


def test_staff_edit_a_campaign_but_not_its_number(staff_client):
    campaign = CampaignFactory(description="Spring fair")
    response = staff_client.post(
        reverse("campaigns:campaign-update", args=[campaign.pk]),
        {"no": "OTHER", "description": "Spring fair 2027", "status": "active"},
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.no, campaign.description, campaign.status) == (
        "CP00001",
        "Spring fair 2027",
        "active",
    )


def test_a_user_without_a_role_cannot_see_or_create_campaigns(client):
    client.force_login(UserFactory())
    campaign = CampaignFactory()
    assert client.get(reverse("campaigns:campaign-list")).status_code == 403
    assert client.get(campaign.get_absolute_url()).status_code == 403
    assert (
        client.post(reverse("campaigns:campaign-create"), {"status": "planned"}).status_code == 403
    )
    assert Campaign.objects.count() == 1


def test_the_campaign_page_shows_figures_chart_data_and_the_same_table(staff_client, staff):
    campaign = CampaignFactory(status="active")
    logged_for(campaign, segments=4, user=staff, responses=2)
    response = staff_client.get(campaign.get_absolute_url())
    html = response.content.decode()
    statistics = response.context["statistics"]
    assert (statistics["targets"], statistics["responses"], statistics["response_rate"]) == (
        4,
        2,
        0.5,
    )
    assert '<dd class="col-5 text-end" id="stat-response-rate">50.0 %</dd>' in html
    chart = json.loads(
        html.split('id="campaign-chart-data" type="application/json">')[1].split("<")[0]
    )
    assert chart["labels"] == ["2027-03-01", "2027-03-08", "2027-03-15"]
    # Weeks: 1 March (segments 0 and 3), 8 March (1), 15 March (2, and the two replies).
    assert chart["datasets"][0]["data"] == [2, 1, 3]
    assert chart["datasets"][1]["data"] == [0, 0, 2]
    assert 'id="campaign-chart"' in html and "vendor/chartjs/chart.umd.min.js" in html
    for label, interactions, responses in zip(
        chart["labels"], chart["datasets"][0]["data"], chart["datasets"][1]["data"], strict=True
    ):
        row = html.split(f'data-week="{label}">')[1].split("</tr>")[0]
        assert row.endswith(
            f'<td class="text-end">{interactions}</td><td class="text-end">{responses}</td>'
        )
    assert "Log response" in html and f"campaign={campaign.pk}" in html


def test_single_interactions_on_the_campaign_page_show_their_own_figures(staff_client, staff):
    """The walk saw the demo's responses listed with blank interactions, cost and
    duration: a single interaction's campaign entry counts its own entries."""
    campaign = CampaignFactory(status="active")
    logged_for(campaign, segments=2, user=staff, responses=1)
    contact = ContactFactory()
    reply = InteractionLogEntry.objects.create(
        contact=contact,
        contact_name=contact.name,
        date=datetime.date(2027, 3, 21),
        description="Call back",
        cost=3,
        duration=4,
        campaign=campaign,
        campaign_entry=CampaignEntry.objects.create(
            campaign=campaign, date=datetime.date(2027, 3, 21), created_by=staff
        ),
        campaign_response=True,
        created_by=staff,
    )
    rows = {
        entry.pk: entry.figures
        for entry in staff_client.get(campaign.get_absolute_url()).context["logged_page"]
    }
    assert rows[reply.campaign_entry_id] == {"interactions": 1, "cost": 3, "duration": 4}
    segment_entry = CampaignEntry.objects.exclude(segment_no="").first()
    assert (rows[segment_entry.pk]["interactions"], rows[segment_entry.pk]["cost"]) == (1, 2)
    other = InteractionLogEntry.objects.filter(campaign_response=True).exclude(pk=reply.pk).get()
    assert rows[other.campaign_entry_id] == {"interactions": 1, "cost": 0, "duration": 0}


def test_new_segment_for_this_campaign_creates_a_segment_of_the_campaign(staff_client):
    campaign = CampaignFactory(description="Spring fair")
    page = staff_client.get(campaign.get_absolute_url()).content.decode()
    assert "New segment for this campaign" in page
    response = staff_client.post(
        reverse("segments:segment-create"),
        {"campaign": campaign.pk, "description": campaign.description},
    )
    segment = Segment.objects.get()
    assert response.status_code == 302 and response.url == segment.get_absolute_url()
    assert (segment.campaign, segment.description) == (campaign, "Spring fair")
    page = staff_client.get(campaign.get_absolute_url())
    assert list(page.context["segments_page"].object_list) == [segment]


def test_the_campaign_page_runs_the_same_queries_for_10_and_1000_logged_segments(
    staff_client, staff
):
    # A first page fills the per-process caches (content types), whatever ran before.
    staff_client.get(CampaignFactory().get_absolute_url())
    counts = []
    for size in (10, 1000):
        campaign = CampaignFactory()
        logged_for(campaign, segments=size, user=staff, responses=3)
        Segment.objects.bulk_create(
            Segment(no=f"S{campaign.pk}-{n}", campaign=campaign, created_by=staff)
            for n in range(size // 10)
        )
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(campaign.get_absolute_url())
        assert response.status_code == 200
        assert response.context["statistics"]["interactions"] == size + 3
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_log_response_from_the_contact_card_is_prefilled_and_logs_a_response(staff_client, staff):
    campaign = CampaignFactory(status="active")
    logged_for(campaign, segments=1, user=staff)
    contact = InteractionLogEntry.objects.get(campaign=campaign).contact
    card = staff_client.get(contact.get_absolute_url()).content.decode()
    link = f"?contact={contact.pk}&amp;campaign={campaign.pk}&amp;campaign_response=on"
    assert link in card
    form = staff_client.get(
        reverse("interactions:log-interaction"),
        {"contact": contact.pk, "campaign": campaign.pk, "campaign_response": "on"},
    ).context["form"]
    assert (form["campaign"].value(), form["campaign_response"].value()) == (
        str(campaign.pk),
        "on",
    )
    template = InteractionTemplateFactory(correspondence_type="hard_copy")
    response = staff_client.post(
        reverse("interactions:log-interaction"),
        {
            "contact": contact.pk,
            "template": template.pk,
            "salesperson": SalespersonFactory().pk,
            "campaign": campaign.pk,
            "campaign_response": "on",
            "action": "log",
        },
    )
    assert response.status_code == 302
    reply = InteractionLogEntry.objects.filter(campaign=campaign).latest("entry_no")
    assert (reply.contact, reply.campaign_response, reply.campaign_entry.campaign) == (
        contact,
        True,
        campaign,
    )
    page = staff_client.get(campaign.get_absolute_url())
    assert page.context["statistics"]["response_rate"] == 1.0


def test_log_response_on_the_campaign_page_keeps_the_campaign_through_the_contact_search(
    staff_client,
):
    campaign = CampaignFactory()
    contact = ContactFactory(name="Ingrid Berg")
    search = staff_client.get(
        reverse("interactions:log-interaction"),
        {"campaign": campaign.pk, "campaign_response": "on", "q": "Ingrid"},
    ).content.decode()
    assert f'name="campaign" value="{campaign.pk}"' in search
    assert f"contact={contact.pk}" in search and f"campaign={campaign.pk}" in search


def test_logged_segments_and_entries_show_their_campaign(staff_client, staff):
    campaign = CampaignFactory(description="Spring fair")
    logged_for(campaign, segments=1, user=staff)
    entry = InteractionLogEntry.objects.get(campaign=campaign)
    page = staff_client.get(entry.logged_segment.get_absolute_url()).content.decode()
    assert (
        f'<a href="{campaign.get_absolute_url()}">{campaign.no}</a>'
        in page.split('id="logged-segment-campaigns"')[1][:300]
    )
    page = staff_client.get(entry.get_absolute_url()).content.decode()
    shown = page.split('id="entry-campaign"')[1][:400]
    assert campaign.no in shown and "Spring fair" in shown and "Target" in shown


def test_creating_and_changing_a_campaign_is_in_its_history(staff_client, staff):
    from audit.models import AuditEntry

    staff_client.post(
        reverse("campaigns:campaign-create"), {"description": "Spring fair", "status": "planned"}
    )
    campaign = Campaign.objects.get()
    staff_client.post(
        reverse("campaigns:campaign-update", args=[campaign.pk]),
        {"description": "Spring fair", "status": "active"},
    )
    rows = list(
        AuditEntry.objects.filter(object_id=str(campaign.pk))
        .order_by("pk")
        .values_list("action", "details", "user")
    )
    assert rows == [
        ("campaign_created", {}, staff.pk),
        (
            "campaign_changed",
            {"fields": ["status"]},
            staff.pk,
        ),
    ]
    page = staff_client.get(campaign.get_absolute_url()).content.decode()
    assert "Campaign changed" in page
