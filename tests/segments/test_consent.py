"""Consent in the segment tool (SPEC 9): privacy blocked, left out, refused at logging."""

import pytest

from crm.choices import CorrespondenceType
from crm.models import Contact
from segments import services
from segments.exceptions import LoggingError
from segments.models import SegmentLine
from tests.factories import ContactFactory, SegmentFactory, UserFactory, manager_user

from .builders import add_line, loggable_segment

pytestmark = pytest.mark.django_db

OSLO = {"contact": {"city": ["Oslo"]}}


def test_ignore_exclusion_never_brings_in_a_privacy_blocked_contact():
    segment = SegmentFactory()
    blocked = ContactFactory(privacy_blocked=True)
    blocked_and_excluded = ContactFactory(privacy_blocked=True, exclude_from_segment=True)
    excluded = ContactFactory(exclude_from_segment=True)
    services.add_contacts(
        segment,
        criteria=OSLO,
        ignore_exclusion=True,
        expand_companies=True,
        allow_existing=True,
        user=segment.created_by,
    )
    on_segment = set(segment.lines.values_list("contact", flat=True))
    assert excluded.pk in on_segment
    assert blocked.pk not in on_segment and blocked_and_excluded.pk not in on_segment


def test_preview_counts_who_is_left_out_and_why(django_assert_max_num_queries):
    segment = SegmentFactory()
    existing = ContactFactory()
    services.add_line(segment, contact=existing, user=segment.created_by)
    ContactFactory.create_batch(2)  # added
    ContactFactory.create_batch(3, exclude_from_segment=True)
    ContactFactory(privacy_blocked=True)
    ContactFactory(privacy_blocked=True, exclude_from_segment=True)  # one reason: privacy
    ContactFactory(city="Bergen", privacy_blocked=True)  # does not match

    with django_assert_max_num_queries(4):
        shown = services.preview(segment, action="add", criteria=OSLO)
    assert shown.added == 2
    assert shown.left_out == {"excluded": 3, "privacy_blocked": 2, "already_on_segment": 1}
    assert (
        shown.left_out_shown
        == "6 left out: 3 excluded, 2 privacy blocked, 1 already on the segment"
    )

    shown = services.preview(
        segment, action="add", criteria=OSLO, ignore_exclusion=True, allow_existing=True
    )
    assert shown.added == 3 + 3
    assert shown.left_out == {"excluded": 0, "privacy_blocked": 2, "already_on_segment": 0}
    # The preview and the step agree.
    action = services.add_contacts(
        segment, criteria=OSLO, ignore_exclusion=True, allow_existing=True, user=segment.created_by
    )
    assert action.added == 6
    assert services.preview(segment, action="reduce", criteria=OSLO).left_out == {
        "excluded": 0,
        "privacy_blocked": 0,
        "already_on_segment": 0,
    }


def test_the_criteria_dialog_shows_who_is_left_out(client):
    user = manager_user()
    segment = SegmentFactory(created_by=user)
    ContactFactory.create_batch(2, exclude_from_segment=True)
    ContactFactory(privacy_blocked=True)
    ContactFactory()
    client.force_login(user)
    response = client.post(
        f"/segments/{segment.pk}/criteria/add/preview/", {"contact-city": "Oslo"}
    )
    assert "3 left out: 2 excluded, 1 privacy blocked" in response.content.decode()


def consent_segment():
    """Lines whose contacts opted out of one channel, on email and hard-copy lines."""
    segment = loggable_segment(0, description="Consent")
    email_out = ContactFactory()
    letter_out = ContactFactory()
    blocked = ContactFactory(privacy_blocked=True)
    Contact.objects.filter(pk=email_out.pk).update(email_opt_out=True)
    Contact.objects.filter(pk=letter_out.pk).update(letter_opt_out=True)
    email, hard_copy = CorrespondenceType.EMAIL, CorrespondenceType.HARD_COPY
    lines = {
        "email_out_by_email": add_line(segment, email_out, correspondence_type=email),
        "email_out_by_letter": add_line(segment, email_out, correspondence_type=hard_copy),
        "letter_out_by_letter": add_line(segment, letter_out, correspondence_type=hard_copy),
        "letter_out_by_email": add_line(segment, letter_out, correspondence_type=email),
        "blocked": add_line(segment, blocked, correspondence_type=hard_copy),
        "fine": add_line(segment, correspondence_type=email),
    }
    return segment, lines


def test_an_opted_out_contacts_line_is_refused_for_its_channel_only():
    segment, lines = consent_segment()
    problems = {p.code: p for p in services.segment_problems(segment)}
    assert set(problems) == {"opted_out", "privacy_blocked"}
    assert problems["opted_out"].line_nos == (
        lines["email_out_by_email"].line_no,
        lines["letter_out_by_letter"].line_no,
    )
    assert problems["privacy_blocked"].line_nos == (lines["blocked"].line_no,)
    with pytest.raises(LoggingError, match="opted out of the line's channel"):
        services.log_segment(segment, user=UserFactory())
    assert segment.lines.count() == 6


def test_remove_these_lines_is_one_reduce_step_that_go_back_restores():
    segment, lines = consent_segment()
    user = segment.created_by
    before = list(
        segment.lines.order_by("line_no").values("line_no", "contact", "correspondence_type")
    )
    action = services.remove_refused_lines(segment, user=user)
    assert (action.action, action.removed, action.manual) == ("reduce", 3, True)
    kept = set(segment.lines.values_list("pk", flat=True))
    assert kept == {
        lines[name].pk for name in ("email_out_by_letter", "letter_out_by_email", "fine")
    }
    assert services.segment_problems(segment) == []
    services.go_back(segment, user=user)
    assert (
        list(segment.lines.order_by("line_no").values("line_no", "contact", "correspondence_type"))
        == before
    )


def test_the_log_page_offers_to_remove_the_refused_lines(client):
    segment, lines = consent_segment()
    user = manager_user()
    client.force_login(user)
    response = client.post(f"/segments/{segment.pk}/log/", {})
    assert 'id="remove-refused-lines"' in response.content.decode()
    response = client.post(f"/segments/{segment.pk}/remove-refused-lines/", follow=True)
    assert "3 lines whose contacts refuse their channel have been removed" in (
        response.content.decode()
    )
    assert SegmentLine.objects.filter(segment=segment).count() == 3


def test_reusing_a_logged_segment_leaves_out_privacy_blocked_contacts():
    segment = loggable_segment(3, description="First")
    user = UserFactory()
    logged = services.log_segment(segment, user=user)
    blocked = logged.entries.order_by("entry_no").first().contact
    Contact.objects.filter(pk=blocked.pk).update(privacy_blocked=True)
    again = SegmentFactory()
    action = services.reuse_logged_segment(again, logged=logged, user=user)
    assert action.added == 2
    assert not again.lines.filter(contact=blocked).exists()
