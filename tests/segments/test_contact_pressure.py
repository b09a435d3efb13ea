"""Contact pressure (SPEC 9): the interaction source's ``min_count`` and ``within_days``."""

import datetime
from unittest import mock

import pytest

from segments import services
from segments.criteria import parse_criteria
from segments.exceptions import SegmentError
from tests.factories import ContactFactory, SegmentFactory, UserFactory
from tests.ledger_data import log_entry

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)
PRESSURE = {"interaction": {"min_count": [3], "within_days": [30]}}


def contacted(contact, user, *days_ago):
    for days in days_ago:
        log_entry(contact, user, date=TODAY - datetime.timedelta(days=days))


@pytest.fixture
def people():
    user = UserFactory()
    pressed, spread, few = ContactFactory(), ContactFactory(), ContactFactory()
    contacted(pressed, user, 0, 10, 30)
    contacted(spread, user, 1, 5, 31, 60)  # only two within 30 days
    contacted(few, user, 2, 3)
    return {"pressed": pressed, "spread": spread, "few": few, "user": user}


def matched(criteria) -> set:
    return set(parse_criteria(criteria).contacts.values_list("pk", flat=True))


def on(day):
    """Run as if today were ``day`` (the criteria read the local date)."""
    return mock.patch("django.utils.timezone.localdate", return_value=day)


def test_min_count_and_within_days_find_the_over_contacted(people):
    with on(TODAY):
        assert matched(PRESSURE) == {people["pressed"].pk}
        assert matched({"interaction": {"min_count": [2], "within_days": [30]}}) == {
            people[name].pk for name in ("pressed", "spread", "few")
        }
        assert matched({"interaction": {"min_count": ["4"]}}) == {people["spread"].pk}
        assert matched({"interaction": {"within_days": [1]}}) == {
            people["pressed"].pk,
            people["spread"].pk,
        }
        assert matched({"interaction": {"within_days": [0]}}) == {people["pressed"].pk}


def test_reducing_by_pressure_counts_from_the_day_the_action_runs(people):
    segment = SegmentFactory()
    user = people["user"]
    with on(TODAY):
        services.add_contacts(segment, criteria={"contact": {"city": ["Oslo"]}}, user=user)
        action = services.reduce_contacts(segment, criteria=PRESSURE, user=user)
        assert action.removed == 1
        services.save_criteria(segment, code="PRESSURE", description="Pressure", user=user)
    # A month later nobody has had three interactions in the last 30 days.
    later = SegmentFactory()
    with on(datetime.date(2027, 1, 15)):
        services.reuse_criteria(later, saved="PRESSURE", user=user)
    assert later.lines.count() == 3


def test_pressure_values_are_checked():
    with pytest.raises(SegmentError, match="min_count"):
        parse_criteria({"interaction": {"min_count": ["0"]}})
    with pytest.raises(SegmentError, match="within_days"):
        parse_criteria({"interaction": {"within_days": ["soon"]}})
