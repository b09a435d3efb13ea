"""Confirmations with a summary before irreversible or large actions (issue 17), the
"Undo" offered after removing a line, and what a follow-up segment starts with.

Each summary is one aggregate query (``segments.summaries``) and uses the rule the
action itself applies: the opted-out figure is the consent condition logging refuses
lines by. The actions keep their POST endpoints: a script that posts without looking at
the confirmation works as before.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.choices import CorrespondenceType
from crm.models import Contact
from interactions.models import LoggedSegment
from segments import services, summaries
from segments.exceptions import SegmentError
from segments.forms import OPTION_HELP, CriteriaOptionsForm
from segments.models import CriteriaActionType, Segment
from tests.factories import (
    CampaignFactory,
    ContactFactory,
    InteractionTemplateFactory,
    MailingGroupFactory,
    SalespersonFactory,
)

from .builders import add_line, loggable_segment

pytestmark = pytest.mark.django_db


def one_query(function, *args):
    with CaptureQueriesContext(connection) as captured:
        result = function(*args)
    assert len(captured) == 1, [query["sql"] for query in captured]
    return result


@pytest.fixture
def mixed_segment():
    """Six lines: 3 email (one opted out of email), 2 hard copy (one opted out of letters,
    one of email only, which a letter does not mind), one email line overriding its cost;
    plus one privacy-blocked email line. Unit cost 3.00 from the template."""
    template = InteractionTemplateFactory(
        unit_cost=Decimal("3.00"), correspondence_type=CorrespondenceType.EMAIL
    )
    segment = loggable_segment(0, interaction_template=template)
    add_line(segment)
    add_line(segment, ContactFactory(email_opt_out=True))
    add_line(segment, cost=Decimal("10.50"))
    add_line(segment, correspondence_type=CorrespondenceType.HARD_COPY)
    add_line(
        segment,
        ContactFactory(letter_opt_out=True),
        correspondence_type=CorrespondenceType.HARD_COPY,
    )
    add_line(
        segment,
        ContactFactory(email_opt_out=True),
        correspondence_type=CorrespondenceType.HARD_COPY,
    )
    add_line(segment, ContactFactory(privacy_blocked=True))
    return segment


# --- log ----------------------------------------------------------------------------------------


def test_the_log_summary_counts_lines_channels_cost_and_refusals_in_one_query(mixed_segment):
    summary = one_query(summaries.log_summary, mixed_segment)
    assert summary == summaries.LogSummary(
        lines=7,
        emails=4,
        letters=3,
        cost=Decimal("28.50"),  # 6 × 3.00 + 10.50
        opted_out=2,
        privacy_blocked=1,
    )
    assert str(summary) == (
        "7 lines · 4 emails, 3 letters · cost 28.50 · 2 opted out · 1 privacy blocked"
    )
    # The same rule logging refuses lines by.
    problems = {p.code: p.count for p in services.segment_problems(mixed_segment)}
    assert problems["opted_out"] == summary.opted_out
    assert problems["privacy_blocked"] == summary.privacy_blocked


def test_the_log_summary_formats_large_figures_and_says_singulars():
    summary = summaries.LogSummary(
        lines=1, emails=1, letters=0, cost=Decimal("2820"), opted_out=0, privacy_blocked=0
    )
    assert str(summary) == "1 line · 1 email, 0 letters · cost 2,820.00 · 0 opted out"
    big = summaries.LogSummary(
        lines=940, emails=702, letters=236, cost=Decimal("2820"), opted_out=14, privacy_blocked=0
    )
    assert str(big) == (
        "940 lines · 702 emails, 236 letters, 2 without a correspondence type · "
        "cost 2,820.00 · 14 opted out"
    )


def test_the_log_dialog_shows_the_summary_and_logs_only_when_posted(manager_client, manager):
    segment = loggable_segment(3, interaction_template=InteractionTemplateFactory(unit_cost=2))
    url = reverse("segments:log", args=[segment.pk])
    html = manager_client.get(url).content.decode()
    assert 'id="log-summary-figures"' in html
    assert "3 lines · 3 emails, 0 letters · cost 6.00 · 0 opted out" in html
    assert Segment.objects.filter(pk=segment.pk).exists()
    assert not LoggedSegment.objects.exists()
    # The POST alone (a script) logs as before.
    response = manager_client.post(url, {})
    assert response.status_code == 302
    assert LoggedSegment.objects.get(segment_no=segment.no).entries.count() == 3


def test_the_log_dialog_warns_of_refused_lines_before_the_attempt(manager_client, mixed_segment):
    html = manager_client.get(reverse("segments:log", args=[mixed_segment.pk])).content.decode()
    assert 'id="log-summary-refused"' in html
    assert "Logging refuses 3 lines" in html


# --- delete a segment ---------------------------------------------------------------------------


def test_the_delete_confirmation_counts_lines_and_steps(manager_client, manager):
    segment = services.create_segment(user=manager, description="To delete")
    ContactFactory.create_batch(4, country="DK")
    services.add_contacts(segment, criteria={"contact": {"country": ["DK"]}}, user=manager)
    services.remove_line(segment.lines.order_by("line_no").first(), user=manager)
    assert one_query(summaries.delete_summary, segment) == summaries.DeleteSummary(3, 2)
    url = reverse("segments:segment-delete", args=[segment.pk])
    html = manager_client.get(url).content.decode()
    assert "3 lines and 2 criteria steps are deleted with it." in html
    assert Segment.objects.filter(pk=segment.pk).exists()
    assert manager_client.post(url).status_code == 302
    assert not Segment.objects.filter(pk=segment.pk).exists()


# --- cancel a logged segment --------------------------------------------------------------------


def test_canceling_a_logged_segment_asks_first_with_its_entry_count(manager_client, manager):
    from interactions import services as ledger

    segment = loggable_segment(4)
    logged = services.log_segment(segment, user=manager)
    ledger.set_entries_canceled(
        [logged.entries.order_by("entry_no").first()], canceled=True, user=manager
    )
    url = reverse("interactions:logged-segment-cancel", args=[logged.pk])
    detail = manager_client.get(logged.get_absolute_url()).content.decode()
    assert f'href="{url}"' in detail  # the button opens the confirmation
    html = manager_client.get(url).content.decode()
    assert 'data-active="3"' in html
    assert "3 interaction log entries" in html
    assert "1 entry is canceled already." in html
    logged.refresh_from_db()
    assert not logged.canceled
    # Confirmed (or posted by a script as before): canceled with its entries.
    response = manager_client.post(url, {"canceled": "true"})
    assert response.status_code == 302
    logged.refresh_from_db()
    assert logged.canceled
    assert not logged.entries.filter(canceled=False).exists()


def test_the_cancel_confirmation_needs_the_cancel_permission(staff_client, manager):
    logged = services.log_segment(loggable_segment(1), user=manager)
    response = staff_client.get(reverse("interactions:logged-segment-cancel", args=[logged.pk]))
    assert response.status_code == 403


# --- apply a mailing group with old assignments removed ----------------------------------------


def test_the_mailing_group_summary_says_who_loses_their_assignment(manager_client, manager):
    segment = services.create_segment(user=manager, description="Group")
    on_segment = ContactFactory.create_batch(3, country="DK")
    services.add_contacts(segment, criteria={"contact": {"country": ["DK"]}}, user=manager)
    group = MailingGroupFactory(code="OLD")
    outsiders = ContactFactory.create_batch(4, country="FI")
    for contact in [*outsiders, on_segment[0]]:
        contact.mailing_groups.add(group)
    summary = one_query(summaries.mailing_group_summary, segment, group)
    assert summary == summaries.MailingGroupSummary(assignments=5, kept=1, added=3)
    assert summary.lost == 4
    response = manager_client.post(
        reverse("segments:apply-mailing-group", args=[segment.pk]),
        {"mailing_group": group.pk, "delete_old_assignments": "on"},
    )
    html = response.content.decode()
    assert 'data-lost="4"' in html
    assert "4 contacts lose their assignment to OLD" in html
    assert "1 is on this segment and keeps it" in html
    assert "3 contacts of this segment are in the group afterwards." in html
    assert Contact.objects.filter(mailing_groups=group).count() == 5  # nothing changed yet


# --- remove a line: Undo instead of a confirmation ----------------------------------------------


def test_removing_a_line_offers_undo_of_exactly_that_step(staff_client, staff):
    segment = services.create_segment(user=staff, description="Undo")
    ContactFactory.create_batch(3, country="DK")
    services.add_contacts(segment, criteria={"contact": {"country": ["DK"]}}, user=staff)
    line = segment.lines.order_by("line_no").first()
    response = staff_client.post(reverse("segments:line-remove", args=[segment.pk, line.pk]))
    assert response.url == f"{segment.get_absolute_url()}?undo=2"
    page = staff_client.get(response.url).content.decode()
    assert 'id="undo-step"' in page and 'name="seq" value="2"' in page
    assert segment.lines.count() == 2
    # Without ?undo the page offers nothing extra.
    assert 'id="undo-step"' not in staff_client.get(segment.get_absolute_url()).content.decode()
    staff_client.post(reverse("segments:go-back", args=[segment.pk]), {"seq": "2"})
    assert segment.lines.count() == 3
    assert segment.lines.filter(contact=line.contact_id, line_no=line.line_no).exists()


def test_undo_of_a_step_that_is_no_longer_the_latest_undoes_nothing(staff):
    segment = services.create_segment(user=staff, description="Stale undo")
    ContactFactory.create_batch(2, country="DK")
    services.add_contacts(segment, criteria={"contact": {"country": ["DK"]}}, user=staff)
    services.remove_line(segment.lines.order_by("line_no").first(), user=staff)
    ContactFactory(country="SE")
    services.add_contacts(segment, criteria={"contact": {"country": ["SE"]}}, user=staff)
    with pytest.raises(SegmentError, match="Step 2 is no longer the latest step"):
        services.go_back(segment, user=staff, seq=2)
    assert segment.actions.count() == 3
    assert segment.lines.count() == 2


# --- criteria options explain themselves --------------------------------------------------------


def test_every_option_of_every_criteria_dialog_has_help_text():
    for action in CriteriaActionType:
        form = CriteriaOptionsForm(action=action)
        assert form.fields, action
        for name, field in form.fields.items():
            assert str(field.help_text).strip(), f"{action}: {name} has no help text"
            assert field.help_text is OPTION_HELP[name]


# --- the follow-up segment ----------------------------------------------------------------------


def test_a_follow_up_copies_template_correspondence_type_salesperson_and_campaign():
    campaign = CampaignFactory()
    anna = SalespersonFactory(code="ANNA")
    template = InteractionTemplateFactory(code="NEWSL")
    segment = loggable_segment(
        3,
        interaction_template=template,
        salesperson=anna,
        campaign=campaign,
        correspondence_type=CorrespondenceType.HARD_COPY,
        ignore_contact_correspondence_type=True,  # the contacts prefer email
    )
    # Whoever logs it has a salesperson of their own: the follow-up does not take it.
    logger = segment.created_by
    SalespersonFactory(code="ME", user=logger)
    logged = services.log_segment(segment, user=logger, create_follow_up=True)
    follow_up = Segment.objects.get(follow_up_of=logged)
    assert follow_up.interaction_template == template
    assert follow_up.salesperson == anna
    assert follow_up.campaign == campaign
    assert follow_up.correspondence_type == CorrespondenceType.HARD_COPY
    assert follow_up.lines.count() == 3
    # Editable like any segment.
    other = InteractionTemplateFactory(code="REMIND")
    services.update_segment_header(
        follow_up, user=logger, interaction_template=other, correspondence_type=""
    )
    follow_up.refresh_from_db()
    assert follow_up.interaction_template == other
    assert follow_up.correspondence_type == ""


def test_a_follow_up_leaves_blank_what_the_lines_did_not_share():
    """Lines with each contact's own salesperson: the follow-up keeps them each their
    own, not the salesperson of the user who creates it."""
    segment = loggable_segment(0, salesperson=None)
    for code in ("AA", "BB"):
        add_line(segment, ContactFactory(salesperson=SalespersonFactory(code=code)))
    add_line(
        segment,
        ContactFactory(email="", salesperson=SalespersonFactory(code="CC")),
        correspondence_type=CorrespondenceType.EMAIL,
    )
    logger = segment.created_by
    SalespersonFactory(code="ME", user=logger)
    logged = services.log_segment(segment, user=logger)
    header = services.follow_up_header(logged)
    assert "salesperson" not in header and "campaign" not in header
    assert header["interaction_template"] == segment.interaction_template
    follow_up = services.create_follow_up_segment(logged, user=logger)
    assert follow_up.salesperson is None
    assert follow_up.interaction_template == segment.interaction_template


def test_the_follow_up_header_is_one_query_whatever_the_entries():
    segment = loggable_segment(5, date=datetime.date(2026, 11, 28))
    logged = services.log_segment(segment, user=segment.created_by)
    with CaptureQueriesContext(connection) as captured:
        services.follow_up_header(logged)
    # One aggregate, and one small read per copied value (template, salesperson).
    assert len(captured) == 3


def test_the_confirmation_pages_query_counts_do_not_grow_with_the_segment(manager_client):
    counts = []
    for size in (2, 20):
        segment = loggable_segment(size)
        urls = [
            reverse("segments:log", args=[segment.pk]),
            reverse("segments:segment-delete", args=[segment.pk]),
        ]
        counts.append([_queries(manager_client, url) for url in urls])
    assert counts[0] == counts[1]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)
