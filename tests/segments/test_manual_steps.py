"""Lines added and removed by hand (SPEC 4.1): undone by go back, replayed safely.

A manual step is stored with every option off, so reusing saved criteria never re-adds a
contact since excluded from segments nor adds a contact a second time.
"""

import pytest
from django.urls import reverse

from segments import services
from segments.models import SegmentLine
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(password=None)


def contact_nos(segment) -> list[str]:
    return list(
        SegmentLine.objects.filter(segment=segment)
        .order_by("line_no")
        .values_list("contact__no", flat=True)
    )


def test_a_manual_add_is_stored_with_every_option_off_and_marked_by_hand(user):
    segment = services.create_segment(user=user, description="By hand")
    excluded = ContactFactory(no="X1", exclude_from_segment=True)
    line = services.add_line(segment, contact=excluded, user=user)
    # The manual add itself adds the line, even for an excluded contact...
    assert contact_nos(segment) == ["X1"]
    action = line.added_by
    # ...but its action carries no option that a replay would reuse.
    assert (action.allow_existing, action.ignore_exclusion) == (False, False)
    assert (action.expand_companies, action.allow_related_companies) == (False, False)
    assert action.manual is True
    removal = services.remove_line(line, user=user)
    assert (removal.entire_companies, removal.manual) == (False, True)


def test_reusing_criteria_does_not_re_add_a_contact_excluded_since_the_manual_add(user):
    contact = ContactFactory(no="P1")
    source = services.create_segment(user=user, description="Source")
    services.add_line(source, contact=contact, user=user)
    saved = services.save_criteria(source, code="BYHAND", user=user)
    assert saved.actions.get().manual is True
    contact.exclude_from_segment = True  # the contact asked not to be contacted
    contact.save()
    target = services.create_segment(user=user, description="Target")
    done = services.reuse_criteria(target, saved="BYHAND", user=user)
    assert [action.added for action in done] == [0]
    assert contact_nos(target) == []


def test_reusing_criteria_on_a_segment_holding_the_contact_adds_no_duplicate(user):
    contact = ContactFactory(no="P1")
    source = services.create_segment(user=user, description="Source")
    services.add_line(source, contact=contact, user=user)
    services.save_criteria(source, code="BYHAND", user=user)
    target = services.create_segment(user=user, description="Target")
    services.add_contacts(target, criteria={"contact": {"no": ["P1"]}}, user=user)
    services.reuse_criteria(target, saved="BYHAND", user=user)
    assert contact_nos(target) == ["P1"]
    # Replaying on the source itself duplicates nothing either.
    services.reuse_criteria(source, saved="BYHAND", user=user)
    assert contact_nos(source) == ["P1"]


def test_go_back_still_undoes_a_manual_add_and_a_manual_remove(user):
    ContactFactory(no="P1", country="NO")
    segment = services.create_segment(user=user, description="Undo")
    services.add_contacts(segment, criteria={"contact": {"country": ["NO"]}}, user=user)
    excluded = ContactFactory(no="X1", exclude_from_segment=True)
    line = services.add_line(segment, contact=excluded, user=user, description="Mine")
    assert contact_nos(segment) == ["P1", "X1"]
    services.remove_line(line, user=user)
    assert contact_nos(segment) == ["P1"]
    services.go_back(segment, user=user)  # the removal
    restored = SegmentLine.objects.get(segment=segment, contact=excluded)
    assert (restored.line_no, restored.description) == (20000, "Mine")
    services.go_back(segment, user=user)  # the add
    assert contact_nos(segment) == ["P1"]
    assert list(segment.actions.values_list("seq", flat=True)) == [1]


def test_the_save_criteria_dialog_lists_the_steps_done_by_hand(staff_client, staff):
    ContactFactory(no="P1", country="NO")
    segment = services.create_segment(user=staff, description="Dialog")
    services.add_contacts(segment, criteria={"contact": {"country": ["NO"]}}, user=staff)
    line = services.add_line(segment, contact=ContactFactory(no="P2"), user=staff)
    services.remove_line(SegmentLine.objects.get(segment=segment, contact__no="P1"), user=staff)
    response = staff_client.get(reverse("segments:save-criteria", args=[segment.pk]))
    page = response.content.decode()
    assert list(response.context["manual_steps"]) == [line.added_by, segment.actions.get(seq=3)]
    assert "These steps were done by hand" in page
    assert "2. Add contacts: no. is P2 (by hand)" in page
    assert "3. Reduce contacts: no. is P1 (by hand)" in page
    assert "1. Add contacts" not in page


def test_the_save_criteria_dialog_lists_nothing_without_manual_steps(staff_client, staff):
    ContactFactory(no="P1", country="NO")
    segment = services.create_segment(user=staff, description="Dialog")
    services.add_contacts(segment, criteria={"contact": {"country": ["NO"]}}, user=staff)
    response = staff_client.get(reverse("segments:save-criteria", args=[segment.pk]))
    assert response.context["manual_steps"] == []
    assert 'id="save-criteria-manual-steps"' not in response.content.decode()
