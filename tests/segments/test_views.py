"""Segment pages: list, new segment, the worksheet, its lines and the criteria dialogs."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.models import Contact
from segments import services
from segments.criteria import describe_action
from segments.models import CriteriaAction, Segment, SegmentLine
from tests.factories import (
    ContactFactory,
    InteractionTemplateFactory,
    MailingGroupFactory,
    SalespersonFactory,
    SegmentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def contacts(count: int, **values) -> list[Contact]:
    return Contact.objects.bulk_create(ContactFactory.build_batch(count, **values))


def built_segment(user, lines: int = 3, **header) -> Segment:
    """A segment with ``lines`` lines added by one criteria action (country SE)."""
    header.setdefault("interaction_template", InteractionTemplateFactory(unit_cost=2))
    segment = services.create_segment(user=user, description="Spring mailing", **header)
    contacts(lines, country="SE")
    services.add_contacts(segment, criteria={"contact": {"country": ["SE"]}}, user=user)
    return segment


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


# --- permissions --------------------------------------------------------------------------------


def page_urls(segment, line) -> list[str]:
    return [
        reverse("segments:segment-list"),
        reverse("segments:segment-create"),
        reverse("segments:segment-detail", args=[segment.pk]),
        reverse("segments:criteria", args=[segment.pk, "add"]),
        reverse("segments:save-criteria", args=[segment.pk]),
        reverse("segments:reuse-criteria", args=[segment.pk]),
        reverse("segments:reuse-logged-segment", args=[segment.pk]),
        reverse("segments:export", args=[segment.pk]),
        reverse("segments:letters", args=[segment.pk]),
        reverse("segments:line-letter", args=[segment.pk, line.pk]),
        reverse("segments:line-edit", args=[segment.pk, line.pk, "description"]),
        reverse("segments:segment-delete", args=[segment.pk]),
        reverse("segments:saved-criteria-list"),
    ]


def test_anonymous_users_are_sent_to_the_login_page(client, staff):
    segment = built_segment(staff, lines=1)
    for url in page_urls(segment, segment.lines.get()):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def test_marketing_staff_may_open_every_segment_page(staff_client, staff):
    segment = built_segment(staff, lines=1)
    for url in page_urls(segment, segment.lines.get()):
        assert staff_client.get(url).status_code == 200, url


def test_the_mailing_group_dialog_is_for_managers(client, staff, manager):
    segment = built_segment(staff, lines=1)
    url = reverse("segments:apply-mailing-group", args=[segment.pk])
    client.force_login(staff)
    assert client.get(url).status_code == 403
    client.force_login(manager)
    assert client.get(url).status_code == 200


def test_a_user_without_a_role_gets_403_and_nothing_changes(client, staff):
    segment = built_segment(staff, lines=2)
    client.force_login(UserFactory(username="nobody"))
    assert client.get(reverse("segments:segment-detail", args=[segment.pk])).status_code == 403
    response = client.post(
        reverse("segments:criteria", args=[segment.pk, "refine"]), {"contact-country": "NO"}
    )
    assert response.status_code == 403
    assert segment.lines.count() == 2


def test_staff_cannot_log_and_does_not_see_the_log_button(staff_client, staff):
    segment = built_segment(staff, lines=1)
    assert staff_client.get(reverse("segments:log", args=[segment.pk])).status_code == 403
    assert staff_client.post(reverse("segments:log", args=[segment.pk])).status_code == 403
    page = staff_client.get(segment.get_absolute_url())
    assert 'id="log-button"' not in page.content.decode()
    assert Segment.objects.filter(pk=segment.pk).exists()


def test_writes_refuse_get(staff_client, staff):
    segment = built_segment(staff, lines=1)
    line = segment.lines.get()
    for url in [
        reverse("segments:go-back", args=[segment.pk]),
        reverse("segments:line-remove", args=[segment.pk, line.pk]),
        reverse("segments:line-reset", args=[segment.pk, line.pk, "description"]),
        reverse("segments:segment-header", args=[segment.pk]),
    ]:
        assert staff_client.get(url).status_code == 405, url
    assert segment.lines.count() == 1
    assert segment.actions.count() == 1


# --- segments list and new segment -----------------------------------------------------------


def test_segment_list_shows_counts_and_sorts_by_lines(staff_client, staff):
    small = built_segment(staff, lines=1)
    big = services.create_segment(user=staff, description="Big")
    contacts(4, country="DK")
    services.add_contacts(big, criteria={"contact": {"country": ["DK"]}}, user=staff)
    response = staff_client.get(reverse("segments:segment-list"), {"sort": "-lines"})
    rows = list(response.context["object_list"])
    assert [segment.pk for segment in rows] == [big.pk, small.pk]
    assert (rows[0].line_count, rows[0].action_count) == (4, 1)
    response = staff_client.get(reverse("segments:segment-list"), {"sort": "lines"})
    assert [segment.pk for segment in response.context["object_list"]] == [small.pk, big.pk]


def test_segment_list_query_count_is_flat(staff_client, staff):
    for _index in range(10):
        SegmentFactory(created_by=staff, interaction_template=InteractionTemplateFactory())
    few = queries_for(staff_client, reverse("segments:segment-list"))
    other = UserFactory(username="other")
    for index in range(190):
        SegmentFactory(
            created_by=other if index % 2 else staff,
            interaction_template=InteractionTemplateFactory(),
        )
    many = queries_for(staff_client, reverse("segments:segment-list"))
    assert few == many


def test_new_segment_is_created_with_a_message(staff_client, staff):
    template = InteractionTemplateFactory()
    response = staff_client.post(
        reverse("segments:segment-create"),
        {"description": "Autumn offer", "interaction_template": template.pk},
    )
    segment = Segment.objects.get(description="Autumn offer")
    assert response.status_code == 302
    assert response.url == segment.get_absolute_url()
    assert segment.interaction_template == template
    assert segment.created_by == staff
    assert texts(response) == [f"Segment {segment.no} has been created."]


def test_new_segment_form_errors_create_nothing(staff_client):
    response = staff_client.post(reverse("segments:segment-create"), {"description": "x" * 101})
    assert response.status_code == 200
    assert response.context["form"].errors["description"]
    assert not Segment.objects.exists()


# --- the worksheet ----------------------------------------------------------------------------


def test_segment_page_shows_effective_values_and_marks_overrides(staff_client, staff):
    template = InteractionTemplateFactory(description="Template text", unit_cost=3)
    segment = built_segment(staff, lines=2, interaction_template=template)
    segment.description = ""
    segment.save()
    first, second = segment.lines.order_by("line_no")
    SegmentLine.objects.filter(pk=first.pk).update(description="Own text", cost=Decimal("7.50"))
    response = staff_client.get(segment.get_absolute_url())
    html = response.content.decode()
    assert response.context["totals"].lines == 2
    assert response.context["totals"].cost == Decimal("10.50")
    lines = {line.pk: line for line in response.context["lines"]}
    assert lines[first.pk].effective_description == "Own text"
    assert lines[second.pk].effective_description == "Template text"
    assert f'id="line-{first.line_no}"' in html
    assert 'class="table-warning overridden"' in html
    assert html.count("overridden") >= 2
    # The blank header field shows what it inherits.
    assert 'placeholder="From the template: Template text"' in html


def test_segment_page_query_count_is_flat_and_at_most_15(staff_client, staff):
    """10 or 200 lines on the page, every column shown, subjects merged for each contact
    (issue 17): the same queries, the user's columns one of them."""
    from crm import services as crm_services
    from segments.views.base import WORKSHEET_COLUMNS, WORKSHEET_TABLE

    segment = built_segment(staff, lines=10, subject="News for «CompanyName»")
    crm_services.save_columns(
        staff, table=WORKSHEET_TABLE, columns=WORKSHEET_COLUMNS, offered=WORKSHEET_COLUMNS
    )
    MailingGroupFactory()
    url = f"{segment.get_absolute_url()}?per_page=250"
    staff_client.get(url)  # the session remembers the page size (written once)
    few = queries_for(staff_client, url)
    contacts(190, country="SE")
    services.add_contacts(segment, criteria={"contact": {"country": ["SE"]}}, user=staff)
    SegmentLine.objects.filter(segment=segment).update(description="Hello «City»", cost=1)
    assert segment.lines.count() == 200
    response = staff_client.get(url)
    assert len(response.context["lines"]) == 200
    assert response.content.decode().count('data-field="campaign_response"') == 200
    assert "«" not in response.content.decode().split('id="lines"')[1]
    many = queries_for(staff_client, url)
    assert few == many
    assert many <= 15


def test_segment_page_jumps_to_the_page_of_a_line(staff_client, staff):
    segment = built_segment(staff, lines=60)
    last = segment.lines.order_by("-line_no").first()
    response = staff_client.get(segment.get_absolute_url(), {"line": last.line_no})
    assert response.context["page_obj"].number == 2
    assert f'id="line-{last.line_no}"' in response.content.decode()


def test_header_is_saved_and_lines_inherit_it(staff_client, staff):
    segment = built_segment(staff, lines=1)
    salesperson = SalespersonFactory()
    response = staff_client.post(
        reverse("segments:segment-header", args=[segment.pk]),
        {
            "description": "Renamed",
            "date": "2026-12-01",
            "salesperson": salesperson.pk,
            "interaction_template": segment.interaction_template_id,
            "unit_cost": "4.00",
            "ignore_contact_correspondence_type": "unknown",
        },
    )
    assert response.status_code == 302
    assert texts(response) == [f"Segment {segment.no} has been saved."]
    segment.refresh_from_db()
    assert (segment.description, segment.unit_cost, segment.salesperson) == (
        "Renamed",
        Decimal("4.00"),
        salesperson,
    )
    line = SegmentLine.objects.with_effective_values().get(segment=segment)
    assert line.effective_cost == Decimal("4.00")
    assert line.effective_description == "Renamed"


def test_header_form_errors_are_shown_and_nothing_is_saved(staff_client, staff):
    segment = built_segment(staff, lines=1)
    response = staff_client.post(
        reverse("segments:segment-header", args=[segment.pk]),
        {"description": "Changed", "date": "2026-12-01", "unit_cost": "-1"},
    )
    assert response.status_code == 200
    assert "Unit cost cannot be negative." in response.content.decode()
    segment.refresh_from_db()
    assert segment.description == "Spring mailing"


# --- lines ------------------------------------------------------------------------------------


def test_line_value_is_edited_in_place_and_reset(staff_client, staff):
    segment = built_segment(staff, lines=1)
    line = segment.lines.get()
    edit = reverse("segments:line-edit", args=[segment.pk, line.pk, "description"])
    form = staff_client.get(edit, headers=HTMX)
    assert 'name="description"' in form.content.decode()
    row = staff_client.post(edit, {"description": "Personal"}, headers=HTMX)
    assert row.status_code == 200
    html = row.content.decode()
    assert html.lstrip().startswith(f'<tr id="line-{line.line_no}"')
    assert "Personal" in html and "overridden" in html
    line.refresh_from_db()
    assert line.description == "Personal"
    reset = reverse("segments:line-reset", args=[segment.pk, line.pk, "description"])
    row = staff_client.post(reset, headers=HTMX)
    line.refresh_from_db()
    assert line.description == ""
    assert "Spring mailing" in row.content.decode()
    assert "overridden" not in row.content.decode().split('data-field="description"')[1][:60]


def test_line_edit_without_htmx_redirects_with_a_message(staff_client, staff):
    segment = built_segment(staff, lines=1)
    line = segment.lines.get()
    response = staff_client.post(
        reverse("segments:line-edit", args=[segment.pk, line.pk, "cost"]), {"cost": "12.5"}
    )
    assert response.status_code == 302
    assert texts(response) == [f"Line {line.line_no} has been saved."]
    line.refresh_from_db()
    assert line.cost == Decimal("12.50")


def test_line_edit_errors_stay_in_the_cell_and_change_nothing(staff_client, staff):
    segment = built_segment(staff, lines=1)
    line = segment.lines.get()
    response = staff_client.post(
        reverse("segments:line-edit", args=[segment.pk, line.pk, "cost"]),
        {"cost": "-3"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "Cost cannot be negative." in response.content.decode()
    line.refresh_from_db()
    assert line.cost is None


def test_line_edit_while_a_job_holds_the_segment_says_so_and_changes_nothing(staff_client, staff):
    from jobs.models import Job

    segment = built_segment(staff, lines=1)
    line = segment.lines.get()
    Job.objects.create(kind="segments.log", description="Log", target=segment.no, state="running")
    for url, data in [
        (reverse("segments:line-edit", args=[segment.pk, line.pk, "cost"]), {"cost": "4"}),
        (reverse("segments:line-reset", args=[segment.pk, line.pk, "description"]), {}),
        (reverse("segments:line-note", args=[segment.pk, line.pk]), {"personal_note": "Hi"}),
    ]:
        response = staff_client.post(url, data)
        assert response.status_code == 302
        assert texts(response)[0].startswith(f"Segment {segment.no} is locked while")
    line.refresh_from_db()
    assert (line.cost, line.personal_note) == (None, "")


def test_unknown_line_field_is_404(staff_client, staff):
    segment = built_segment(staff, lines=1)
    line = segment.lines.get()
    url = reverse("segments:line-edit", args=[segment.pk, line.pk, "personal_notes"])
    assert staff_client.get(url).status_code == 404


def test_add_line_by_contact_number(staff_client, staff):
    segment = built_segment(staff, lines=1)
    contact = ContactFactory(country="FI")
    response = staff_client.post(
        reverse("segments:line-add", args=[segment.pk]), {"contact": contact.no.lower()}
    )
    assert response.status_code == 302
    line = segment.lines.get(contact=contact)
    assert texts(response) == [f"Line {line.line_no} for contact {contact.no} has been added."]


def test_add_line_with_unknown_contact_shows_the_error(staff_client, staff):
    segment = built_segment(staff, lines=1)
    response = staff_client.post(
        reverse("segments:line-add", args=[segment.pk]), {"contact": "NOPE42"}
    )
    assert response.status_code == 200
    assert "Contact NOPE42 does not exist." in response.content.decode()
    assert segment.lines.count() == 1
    assert segment.actions.count() == 1


def test_contact_search_suggests_contacts(staff_client):
    contact = ContactFactory(name="Zebediah Quill")
    response = staff_client.get(reverse("segments:contact-search"), {"contact": "zebed"})
    assert f'value="{contact.no}"' in response.content.decode()


def test_remove_line_and_go_back_restore_it(staff_client, staff):
    segment = built_segment(staff, lines=2)
    line = segment.lines.order_by("line_no").first()
    SegmentLine.objects.filter(pk=line.pk).update(description="Keep me")
    response = staff_client.post(reverse("segments:line-remove", args=[segment.pk, line.pk]))
    assert response.status_code == 302
    assert texts(response) == [
        f"Line {line.line_no} ({line.contact.name}) has been removed; Go back restores it."
    ]
    assert segment.lines.count() == 1
    response = staff_client.post(reverse("segments:go-back", args=[segment.pk]))
    assert "has been undone" in texts(response)[-1]
    restored = segment.lines.get(line_no=line.line_no)
    assert restored.description == "Keep me"


def test_go_back_without_actions_says_so(staff_client, staff):
    segment = services.create_segment(user=staff, description="Empty")
    response = staff_client.post(reverse("segments:go-back", args=[segment.pk]))
    assert response.status_code == 302
    assert texts(response) == [f"Segment {segment.no} has no action to go back from."]


# --- criteria dialogs -------------------------------------------------------------------------


def test_criteria_dialog_has_a_tab_per_source_and_the_options(staff_client, staff):
    segment = built_segment(staff, lines=1)
    response = staff_client.get(
        reverse("segments:criteria", args=[segment.pk, "add"]), headers=HTMX
    )
    html = response.content.decode()
    assert 'id="criteria-dialog"' in html
    assert "<html" not in html  # the modal's content only
    for source in ["contact", "mailing_group", "interaction", "business_relation"]:
        assert f'id="tab-{source}"' in html
    assert 'name="expand_companies"' in html
    assert 'name="contact-country"' in html


def test_preview_counts_the_lines_an_action_would_add(staff_client, staff):
    segment = built_segment(staff, lines=2)
    contacts(3, country="NO")
    response = staff_client.post(
        reverse("segments:criteria-preview", args=[segment.pk, "add"]),
        {"contact-country": "no"},
        headers=HTMX,
    )
    html = response.content.decode()
    assert 'id="preview-count"' in html
    assert "+3 lines" in html
    assert len(response.context["preview"].sample) == 3
    response = staff_client.post(
        reverse("segments:criteria-preview", args=[segment.pk, "refine"]),
        {"contact-country": "NO"},
        headers=HTMX,
    )
    assert "−2 lines" in response.content.decode()
    assert segment.lines.count() == 2


def test_preview_with_an_invalid_value_asks_for_a_correction(staff_client, staff):
    segment = built_segment(staff, lines=1)
    response = staff_client.post(
        reverse("segments:criteria-preview", args=[segment.pk, "add"]),
        {"contact-country": "NOR"},
        headers=HTMX,
    )
    html = response.content.decode()
    assert "Correct the filters marked in red." in html
    assert 'data-invalid="contact-country"' in html
    assert "Contacts, Country: " in html


def test_add_contacts_applies_with_a_message(staff_client, staff):
    segment = built_segment(staff, lines=1)
    group = MailingGroupFactory(code="NEWS")
    members = contacts(3, country="NO")
    for contact in members[:2]:
        contact.mailing_groups.add(group)
    response = staff_client.post(
        reverse("segments:criteria", args=[segment.pk, "add"]),
        {"contact-country": "NO", "mailing_group-mailing_group": "NEWS"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == segment.get_absolute_url()
    assert segment.lines.count() == 3
    action = segment.actions.order_by("-seq").first()
    assert texts(response) == [f"{describe_action(action)}: 2 lines added."]


def test_reduce_and_refine_apply(staff_client, staff):
    segment = built_segment(staff, lines=3)
    keep = segment.lines.order_by("line_no").first().contact
    staff_client.post(
        reverse("segments:criteria", args=[segment.pk, "refine"]), {"contact-no": keep.no}
    )
    assert list(segment.lines.values_list("contact", flat=True)) == [keep.pk]
    response = staff_client.post(
        reverse("segments:criteria", args=[segment.pk, "reduce"]), {"contact-no": keep.no}
    )
    assert response.status_code == 302
    assert not segment.lines.exists()
    assert texts(response)[-1].endswith("1 line removed.")


def test_invalid_criteria_show_form_errors_and_apply_nothing(staff_client, staff):
    segment = built_segment(staff, lines=1)
    response = staff_client.post(
        reverse("segments:criteria", args=[segment.pk, "add"]),
        {"contact-country": "NARNIA", "mailing_group-mailing_group": "MISSING"},
    )
    assert response.status_code == 200
    filtersets = response.context["filtersets"]
    assert filtersets["contact"].form.errors["country"]
    assert (
        "Mailing group MISSING does not exist."
        in filtersets["mailing_group"].form.errors["mailing_group"][0]
    )
    assert segment.lines.count() == 1
    assert CriteriaAction.objects.filter(segment=segment).count() == 1


def test_non_htmx_preview_button_renders_the_dialog_page(staff_client, staff):
    segment = built_segment(staff, lines=2)
    response = staff_client.post(
        reverse("segments:criteria", args=[segment.pk, "reduce"]),
        {"contact-country": "SE", "_preview": "1"},
    )
    assert response.status_code == 200
    assert "−2 lines" in response.content.decode()
    assert segment.lines.count() == 2


def test_unknown_criteria_action_is_404(staff_client, staff):
    segment = built_segment(staff, lines=1)
    assert staff_client.get(f"/segments/{segment.pk}/criteria/merge/").status_code == 404


def test_worksheet_totals_equal_the_sum_of_effective_values(staff, django_assert_num_queries):
    from django.db.models import Sum

    from segments.selectors import segment_totals

    segment = built_segment(staff, lines=4)
    segment.unit_duration = Decimal("3")
    segment.save()
    first, second, third, _fourth = segment.lines.order_by("line_no")
    SegmentLine.objects.filter(pk=first.pk).update(cost=Decimal("1.25"))
    SegmentLine.objects.filter(pk=second.pk).update(
        interaction_template=InteractionTemplateFactory(unit_cost=7, unit_duration=11)
    )
    SegmentLine.objects.filter(pk=third.pk).update(duration=Decimal("0"))
    expected = SegmentLine.objects.filter(segment=segment).with_effective_values()
    expected = expected.aggregate(cost=Sum("effective_cost"), duration=Sum("effective_duration"))
    with django_assert_num_queries(1):
        totals = segment_totals(segment)
    assert (totals.lines, totals.cost, totals.duration) == (
        4,
        expected["cost"],
        expected["duration"],
    )
    assert totals.cost == Decimal("1.25") + 7 + 2 + 2
    assert totals.duration == 3 + 11 + 0 + 3


def test_the_criteria_history_shows_a_step_that_changed_nothing(staff_client, staff):
    """Walk finding: a reduce that removed no line read "· marketing · date", no count."""
    segment = built_segment(staff, lines=2)
    services.reduce_contacts(segment, criteria={"contact": {"city": ["Nowhere"]}}, user=staff)
    html = staff_client.get(segment.get_absolute_url()).content.decode()
    step = html.split('class="border-bottom py-2 history-step" data-seq="2"', 1)[1].split("</li>")[
        0
    ]
    assert '<span class="text-danger history-removed">−0</span>' in step
    assert "history-added" not in step
    first = html.split('data-seq="1"', 1)[1].split("</li>")[0]
    assert '<span class="text-success history-added">+2</span>' in first
    assert segment.lines.count() == 2
