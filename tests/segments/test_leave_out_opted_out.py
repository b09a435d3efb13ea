"""*Leave out opted-out contacts* (issue 14): an add that skips the contacts logging would
refuse for the channel their new line would get; off by default in the services (SPEC 9),
ticked at first in the criteria dialog."""

import itertools
import re

import pytest

from crm.choices import CorrespondenceType
from crm.models import Contact
from segments import services
from segments.models import CriteriaAction, SavedCriteriaAction
from tests.api.conftest import token_client
from tests.factories import (
    ContactFactory,
    InteractionTemplateFactory,
    SalespersonFactory,
    SegmentFactory,
    manager_user,
)

pytestmark = pytest.mark.django_db

OSLO = {"contact": {"city": ["Oslo"]}}
EMAIL, HARD_COPY = CorrespondenceType.EMAIL, CorrespondenceType.HARD_COPY


def opted_out(**flags) -> Contact:
    """A contact of Oslo with the given opt-out flags (and any other contact fields)."""
    opt_outs = {name: flags.pop(name) for name in list(flags) if name.endswith("_opt_out")}
    contact = ContactFactory(**flags)
    Contact.objects.filter(pk=contact.pk).update(**opt_outs)
    return contact


def segment_for(channel: str, **header):
    template = InteractionTemplateFactory(correspondence_type=channel)
    return SegmentFactory(interaction_template=template, salesperson=SalespersonFactory(), **header)


def contacts_on(segment) -> set[int]:
    return set(segment.lines.values_list("contact", flat=True))


def test_off_by_default_the_opted_out_contact_is_added_and_logging_refuses_it():
    segment = segment_for(EMAIL)
    out = opted_out(email_opt_out=True)
    action = services.add_contacts(segment, criteria=OSLO, user=segment.created_by)
    assert action.leave_out_opted_out is False
    assert contacts_on(segment) == {out.pk}
    assert {p.code for p in services.segment_problems(segment)} == {"opted_out"}


def test_with_the_option_the_contact_opted_out_of_the_segments_channel_is_left_out():
    segment = segment_for(EMAIL)
    email_out = opted_out(email_opt_out=True)
    letter_out = opted_out(letter_opt_out=True)
    phone_out = opted_out(phone_opt_out=True)
    fine = ContactFactory()
    action = services.add_contacts(
        segment, criteria=OSLO, leave_out_opted_out=True, user=segment.created_by
    )
    assert action.added == 3
    assert contacts_on(segment) == {letter_out.pk, phone_out.pk, fine.pk}
    assert email_out.pk not in contacts_on(segment)
    stored = CriteriaAction.objects.get(pk=action.pk)
    assert stored.leave_out_opted_out is True
    assert stored.description == "Add contacts: city is Oslo; leave out opted-out contacts"
    assert services.segment_problems(segment) == []


def test_an_email_opt_out_does_not_leave_a_contact_out_of_a_letter_segment():
    segment = segment_for(HARD_COPY)
    email_out = opted_out(email_opt_out=True)
    letter_out = opted_out(letter_opt_out=True)
    services.add_contacts(segment, criteria=OSLO, leave_out_opted_out=True, user=segment.created_by)
    assert contacts_on(segment) == {email_out.pk}
    assert letter_out.pk not in contacts_on(segment)


def test_the_channel_is_the_one_logging_computes_for_every_header_and_contact():
    """Over every combination of header channel, its "ignore", the template's and the
    contact's own channel: the contacts the option leaves out are exactly those whose line
    logging refuses as opted out when they are added without it."""
    contacts = [
        opted_out(correspondence_type=own, email_opt_out=email, letter_opt_out=letter)
        for own, email, letter in itertools.product(
            ["", EMAIL, HARD_COPY], [False, True], [False, True]
        )
    ]
    # The hard-copy header mirrors the email one; "" and None fall back to the template.
    refused_in_all = 0
    for template_channel, ignore_template, header_channel, header_ignores in itertools.product(
        [EMAIL, HARD_COPY], [False, True], ["", EMAIL], [None, False, True]
    ):
        template = InteractionTemplateFactory(
            correspondence_type=template_channel,
            ignore_contact_correspondence_type=ignore_template,
        )
        segment = SegmentFactory(
            interaction_template=template,
            salesperson=SalespersonFactory(),
            correspondence_type=header_channel,
            ignore_contact_correspondence_type=header_ignores,
        )
        case = (template_channel, ignore_template, header_channel, header_ignores)
        services.add_contacts(segment, criteria=OSLO, user=segment.created_by)
        refused = {p.code: p for p in services.segment_problems(segment)}.get("opted_out")
        refused_contacts = set(
            segment.lines.filter(line_no__in=refused.line_nos if refused else []).values_list(
                "contact", flat=True
            )
        )
        assert refused is None or refused.count == len(refused_contacts), case
        services.go_back(segment, user=segment.created_by)
        services.add_contacts(
            segment, criteria=OSLO, leave_out_opted_out=True, user=segment.created_by
        )
        left_out = {c.pk for c in contacts} - contacts_on(segment)
        assert left_out == refused_contacts, case
        assert services.segment_problems(segment) == [], case
        refused_in_all += len(refused_contacts)
    assert refused_in_all > 24  # not vacuous: every combination refuses some contacts


def test_preview_counts_the_opted_out_only_when_the_option_is_given(
    django_assert_max_num_queries,
):
    segment = segment_for(EMAIL)
    services.add_line(segment, contact=ContactFactory(), user=segment.created_by)
    services.add_line(segment, contact=opted_out(email_opt_out=True), user=segment.created_by)
    ContactFactory.create_batch(2)  # added
    ContactFactory(exclude_from_segment=True)
    opted_out(email_opt_out=True, exclude_from_segment=True)  # counted as excluded
    opted_out(email_opt_out=True, privacy_blocked=True)  # counted as privacy blocked
    opted_out(email_opt_out=True)
    opted_out(email_opt_out=True)
    opted_out(letter_opt_out=True)  # added: the segment writes emails

    plain = services.preview(segment, action="add", criteria=OSLO)
    assert plain.left_out == {"excluded": 2, "privacy_blocked": 1, "already_on_segment": 2}
    assert plain.added == 5

    with django_assert_max_num_queries(4):
        shown = services.preview(segment, action="add", criteria=OSLO, leave_out_opted_out=True)
    assert shown.added == 3
    # The opted-out contact already on the segment counts once, as opted out.
    assert shown.left_out == {
        "privacy_blocked": 1,
        "excluded": 2,
        "opted_out": 3,
        "already_on_segment": 1,
    }
    assert shown.left_out_shown == (
        "7 left out: 2 excluded, 1 privacy blocked, 3 opted out, 1 already on the segment"
    )
    assert "leave out opted-out contacts" in shown.description
    action = services.add_contacts(
        segment, criteria=OSLO, leave_out_opted_out=True, user=segment.created_by
    )
    assert action.added == shown.added


def test_go_back_and_a_later_step_keep_the_option():
    segment = segment_for(EMAIL)
    out = opted_out(email_opt_out=True)
    first = services.add_contacts(
        segment, criteria=OSLO, leave_out_opted_out=True, user=segment.created_by
    )
    ContactFactory(city="Bergen")
    services.add_contacts(
        segment, criteria={"contact": {"city": ["Bergen"]}}, user=segment.created_by
    )
    services.go_back(segment, user=segment.created_by)
    kept = segment.actions.get()
    assert (kept.pk, kept.leave_out_opted_out) == (first.pk, True)
    assert out.pk not in contacts_on(segment) and segment.lines.count() == first.added
    services.go_back(segment, user=segment.created_by)
    assert not segment.lines.exists()


def test_saved_criteria_keep_the_option_and_replay_it():
    source = segment_for(EMAIL)
    out = opted_out(email_opt_out=True)
    fine = ContactFactory()
    services.add_contacts(source, criteria=OSLO, leave_out_opted_out=True, user=source.created_by)
    saved = services.save_criteria(source, code="NOOPTOUT", user=source.created_by)
    assert SavedCriteriaAction.objects.get(saved=saved).leave_out_opted_out is True

    target = segment_for(EMAIL)
    [replayed] = services.reuse_criteria(target, saved="NOOPTOUT", user=target.created_by)
    assert CriteriaAction.objects.get(pk=replayed.pk).leave_out_opted_out is True
    assert contacts_on(target) == {fine.pk}
    assert out.pk not in contacts_on(target)


def test_the_api_takes_the_option_for_add_and_preview():
    user = manager_user()
    api = token_client(user)
    segment = segment_for(EMAIL)
    out = opted_out(email_opt_out=True)
    fine = ContactFactory()
    url = f"/api/v1/segments/{segment.no}/"

    preview = api.post(url + "preview/", {"action": "add", "criteria": OSLO})
    assert preview.status_code == 200, preview.content
    assert preview.json()["left_out"] == {
        "privacy_blocked": 0,
        "excluded": 0,
        "already_on_segment": 0,
    }
    preview = api.post(
        url + "preview/", {"action": "add", "criteria": OSLO, "leave_out_opted_out": True}
    )
    assert preview.json()["added"] == 1 and preview.json()["left_out"]["opted_out"] == 1

    added = api.post(url + "add/", {"criteria": OSLO, "leave_out_opted_out": True})
    assert added.status_code == 201, added.content
    assert added.json()["leave_out_opted_out"] is True and added.json()["added"] == 1
    assert contacts_on(segment) == {fine.pk}
    assert out.pk not in contacts_on(segment)
    history = api.get(url + "actions/").json()["results"]
    assert [a["leave_out_opted_out"] for a in history] == [True]

    refused = api.post(url + "reduce/", {"criteria": OSLO, "leave_out_opted_out": True})
    assert refused.status_code == 400


def test_the_dialog_ticks_the_option_at_first_and_explains_it(client):
    user = manager_user()
    segment = segment_for(EMAIL, created_by=user)
    client.force_login(user)
    page = client.get(f"/segments/{segment.pk}/criteria/add/").content.decode()
    [checkbox] = re.findall(r'<input[^>]*name="leave_out_opted_out"[^>]*>', page)
    assert "checked" in checkbox
    assert "Leave out contacts who opted out of this segment's channel" in page
    assert "they would be refused at logging" in page
    reduce_page = client.get(f"/segments/{segment.pk}/criteria/reduce/").content.decode()
    assert "leave_out_opted_out" not in reduce_page

    opted_out(email_opt_out=True)
    ContactFactory(exclude_from_segment=True)
    ContactFactory(privacy_blocked=True)
    ContactFactory()
    preview_url = f"/segments/{segment.pk}/criteria/add/preview/"
    ticked = client.post(preview_url, {"contact-city": "Oslo", "leave_out_opted_out": "on"})
    assert "3 left out: 1 excluded, 1 privacy blocked, 1 opted out" in ticked.content.decode()
    unticked = client.post(preview_url, {"contact-city": "Oslo"})
    assert "2 left out: 1 excluded, 1 privacy blocked" in unticked.content.decode()
    assert "opted out" not in unticked.content.decode().split('id="preview-left-out"')[1][:200]

    client.post(
        f"/segments/{segment.pk}/criteria/add/",
        {"contact-city": "Oslo", "leave_out_opted_out": "on"},
    )
    assert segment.lines.count() == 1
    assert segment.actions.get().leave_out_opted_out is True
