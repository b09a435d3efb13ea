"""Campaigns on the worksheet and when logging (SPEC 8): the effective campaign, target
and response of a line, and the campaign entries logging writes, set-based."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interactions.models import Campaign, CampaignEntry, InteractionLogEntry
from segments import services
from segments.models import SegmentLine
from tests.factories import (
    CampaignFactory,
    ContactFactory,
    InteractionTemplateFactory,
    UserFactory,
)

from .builders import add_line, loggable_segment

pytestmark = pytest.mark.django_db


def effective(line) -> tuple:
    row = (
        SegmentLine.objects.filter(pk=line.pk)
        .with_effective_values()
        .values("effective_campaign", "effective_campaign_target", "effective_campaign_response")
        .get()
    )
    return tuple(row.values())


def test_campaign_objects_create_fills_the_number_from_the_series():
    first = Campaign.objects.create(description="Spring fair 2027")
    second = Campaign.objects.create(description="Autumn fair 2027")
    typed = Campaign.objects.create(no="FAIR", description="Typed by hand")
    assert (first.no, second.no, typed.no) == ("CP00001", "CP00002", "FAIR")
    assert first.status == "planned"


def test_effective_campaign_is_line_else_segment_else_the_lines_template():
    from_template, from_segment, from_line, other = CampaignFactory.create_batch(4)
    header_template = InteractionTemplateFactory(campaign=from_template)
    line_template = InteractionTemplateFactory(campaign=other)
    segment = loggable_segment(0, interaction_template=header_template)
    inherits = add_line(segment)
    own_template = add_line(segment, interaction_template=line_template)
    overrides = add_line(segment, campaign=from_line, campaign_target=False, campaign_response=True)
    # No segment campaign: the line's template's (the line's own template first).
    assert effective(inherits) == (from_template.pk, False, False)
    assert effective(own_template) == (other.pk, False, False)
    assert effective(overrides) == (from_line.pk, False, True)

    segment.campaign, segment.campaign_target = from_segment, True
    segment.save()
    assert effective(inherits) == (from_segment.pk, True, False)
    assert effective(own_template) == (from_segment.pk, True, False)
    # The line's "no" wins over the segment's "yes".
    assert effective(overrides) == (from_line.pk, False, True)


def test_logging_writes_one_campaign_entry_per_campaign_shared_by_its_lines():
    spring, fair = CampaignFactory.create_batch(2)
    segment = loggable_segment(
        4, campaign=spring, campaign_target=True, date=datetime.date(2027, 3, 1)
    )
    lines = list(segment.lines.order_by("line_no"))
    SegmentLine.objects.filter(pk=lines[2].pk).update(campaign=fair, campaign_response=True)
    # A line whose own template has no campaign still takes the segment's.
    SegmentLine.objects.filter(pk=lines[3].pk).update(
        interaction_template=InteractionTemplateFactory()
    )
    logged = services.log_segment(segment, user=segment.created_by)

    campaign_entries = {entry.campaign_id: entry for entry in logged.campaign_entries.all()}
    assert set(campaign_entries) == {spring.pk, fair.pk}
    for entry in campaign_entries.values():
        assert (entry.segment_no, entry.description, entry.date, entry.canceled) == (
            segment.no,
            segment.description,
            datetime.date(2027, 3, 1),
            False,
        )
    rows = list(
        logged.entries.order_by("entry_no").values_list(
            "campaign", "campaign_entry", "campaign_target", "campaign_response"
        )
    )
    spring_entry, fair_entry = campaign_entries[spring.pk].pk, campaign_entries[fair.pk].pk
    assert rows == [
        (spring.pk, spring_entry, True, False),
        (spring.pk, spring_entry, True, False),
        (fair.pk, fair_entry, True, True),
        (spring.pk, spring_entry, True, False),
    ]


def test_a_segment_without_campaign_writes_no_campaign_entry_nor_flags():
    segment = loggable_segment(2, campaign_target=True)
    logged = services.log_segment(segment, user=segment.created_by)
    assert not CampaignEntry.objects.exists()
    assert set(logged.entries.values_list("campaign", "campaign_entry", "campaign_target")) == {
        (None, None, False)
    }


def test_campaigns_add_no_query_per_line():
    counts = []
    for size in (3, 300):
        first, second = CampaignFactory.create_batch(2)
        segment = loggable_segment(size, campaign=first)
        SegmentLine.objects.filter(
            pk__in=segment.lines.order_by("line_no").values("pk")[: size // 3]
        ).update(campaign=second)
        with CaptureQueriesContext(connection) as queries:
            logged = services.log_segment(segment, user=UserFactory())
        assert logged.campaign_entries.count() == 2
        assert InteractionLogEntry.objects.filter(logged_segment=logged).count() == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- pages --------------------------------------------------------------------------------


def test_header_form_and_line_overrides_show_and_set_the_campaign(staff_client, staff):
    show_every_worksheet_column(staff)
    campaign, other = CampaignFactory.create_batch(2)
    segment = loggable_segment(1, description="Spring mailing", created_by=staff)
    line = segment.lines.get()
    response = staff_client.post(
        reverse("segments:segment-header", args=[segment.pk]),
        {
            "description": "Spring mailing",
            "date": "2026-12-01",
            "salesperson": segment.salesperson_id,
            "interaction_template": segment.interaction_template_id,
            "ignore_contact_correspondence_type": "unknown",
            "campaign": campaign.pk,
            "campaign_target": "true",
            "campaign_response": "unknown",
        },
    )
    assert response.status_code == 302
    segment.refresh_from_db()
    assert (segment.campaign, segment.campaign_target, segment.campaign_response) == (
        campaign,
        True,
        None,
    )
    page = staff_client.get(segment.get_absolute_url()).content.decode()
    assert 'name="campaign"' in page and 'name="campaign_target"' in page
    cell = page.split('data-field="campaign"')[1][:800]
    assert campaign.no in cell and "overridden" not in cell

    edit = reverse("segments:line-edit", args=[segment.pk, line.pk, "campaign"])
    row = staff_client.post(edit, {"campaign": other.pk}, headers={"HX-Request": "true"})
    assert row.status_code == 200
    assert other.no in row.content.decode().split('data-field="campaign"')[1][:800]
    response_edit = reverse("segments:line-edit", args=[segment.pk, line.pk, "campaign_response"])
    staff_client.post(response_edit, {"campaign_response": "true"})
    line.refresh_from_db()
    assert (line.campaign, line.campaign_response) == (other, True)
    assert effective(line) == (other.pk, True, True)
    staff_client.post(reverse("segments:line-reset", args=[segment.pk, line.pk, "campaign"]))
    line.refresh_from_db()
    assert line.campaign is None
    assert effective(line) == (campaign.pk, True, True)


# --- criteria -----------------------------------------------------------------------------


def test_targets_of_a_campaign_who_have_not_responded_is_one_add_and_one_reduce(staff):
    """SPEC 8: add the targets of CP00003, reduce those who responded."""
    CampaignFactory.create_batch(2)
    fair, other = CampaignFactory.create_batch(2)
    assert fair.no == "CP00003"
    responded, silent, not_target, elsewhere = (
        ContactFactory(no=no) for no in ("RESP", "SILENT", "NOTARGET", "ELSEWHERE")
    )
    invitation = loggable_segment(0, campaign=fair, campaign_target=True)
    for contact in (responded, silent):
        add_line(invitation, contact)
    add_line(invitation, not_target, campaign_target=False)
    services.log_segment(invitation, user=staff)
    reply = loggable_segment(0, campaign=fair, campaign_response=True)
    add_line(reply, responded)
    services.log_segment(reply, user=staff)
    elsewhere_segment = loggable_segment(0, campaign=other, campaign_target=True)
    add_line(elsewhere_segment, elsewhere)
    services.log_segment(elsewhere_segment, user=staff)

    segment = services.create_segment(user=staff, description="Reminder")
    added = services.add_contacts(
        segment,
        criteria={"interaction": {"campaign": ["CP00003"], "campaign_target": True}},
        user=staff,
    )
    reduced = services.reduce_contacts(
        segment,
        criteria={"interaction": {"campaign": ["cp00003"], "campaign_response": True}},
        user=staff,
    )
    assert (added.added, reduced.removed) == (2, 1)
    assert list(segment.lines.values_list("contact__no", flat=True)) == ["SILENT"]


def test_an_unknown_campaign_in_criteria_is_refused_by_name(staff):
    segment = services.create_segment(user=staff, description="Reminder")
    with pytest.raises(ValidationError, match="CP09999"):
        services.add_contacts(
            segment, criteria={"interaction": {"campaign": ["CP09999"]}}, user=staff
        )
    assert not segment.lines.exists() and not segment.actions.exists()


def show_every_worksheet_column(user):
    """The campaign columns are not among the worksheet's default ones: show them all."""
    from crm.services import save_columns
    from segments.views.base import WORKSHEET_COLUMNS, WORKSHEET_TABLE

    save_columns(user, table=WORKSHEET_TABLE, columns=WORKSHEET_COLUMNS, offered=WORKSHEET_COLUMNS)
