"""Ledger services (SPEC 4.5): cancel, un-cancel, delete canceled, statistics."""

from decimal import Decimal

import pytest

from interactions import services
from interactions.exceptions import InteractionError
from interactions.models import InteractionLogEntry, LoggedSegment
from segments import services as segment_services
from segments.models import Segment
from tests.factories import InteractionTemplateFactory, UserFactory
from tests.segments.builders import add_line, loggable_segment

pytestmark = pytest.mark.django_db


def log(lines=3, **header) -> LoggedSegment:
    segment = loggable_segment(lines, **header)
    return segment_services.log_segment(segment, user=segment.created_by)


@pytest.fixture
def manager():
    return UserFactory(groups=["Marketing manager"])


def canceled_flags(logged):
    return list(logged.entries.order_by("entry_no").values_list("canceled", flat=True))


def test_cancel_and_uncancel_a_logged_segment_with_its_entries(manager):
    logged, other = log(3), log(2)
    assert services.set_logged_segment_canceled(logged, canceled=True, user=manager) == 3
    logged.refresh_from_db()
    assert logged.canceled is True
    assert canceled_flags(logged) == [True, True, True]
    assert canceled_flags(other) == [False, False]
    services.set_logged_segment_canceled(logged, canceled=False, user=manager)
    logged.refresh_from_db()
    assert logged.canceled is False
    assert canceled_flags(logged) == [False, False, False]


def test_cancel_and_uncancel_single_entries(manager):
    logged = log(3)
    first, second, _third = logged.entries.order_by("entry_no")
    assert services.set_entries_canceled([first, second], canceled=True, user=manager) == 2
    assert canceled_flags(logged) == [True, True, False]
    changed = services.set_entries_canceled(
        logged.entries.filter(pk=second.pk), canceled=False, user=manager
    )
    assert changed == 1
    assert canceled_flags(logged) == [True, False, False]
    # Entry numbers work as well as entries.
    services.set_entries_canceled([first.pk], canceled=False, user=manager)
    assert canceled_flags(logged) == [False, False, False]


def test_uncanceling_an_entry_of_a_canceled_logged_segment_is_refused(manager):
    logged = log(2)
    services.set_logged_segment_canceled(logged, canceled=True, user=manager)
    entry = logged.entries.order_by("entry_no").first()
    with pytest.raises(InteractionError) as raised:
        services.set_entries_canceled([entry], canceled=False, user=manager)
    assert raised.value.code == "logged_segment_canceled"
    assert raised.value.messages == [
        f"1 interaction log entry cannot be un-canceled because its logged segment is "
        f"canceled: {entry.pk} (logged segment {logged.segment_no}). Un-cancel the logged "
        "segment instead."
    ]
    assert canceled_flags(logged) == [True, True]


def test_a_refused_uncancel_changes_none_of_the_entries(manager):
    canceled_logged, open_logged = log(1), log(1)
    services.set_logged_segment_canceled(canceled_logged, canceled=True, user=manager)
    open_entry = open_logged.entries.get()
    services.set_entries_canceled([open_entry], canceled=True, user=manager)
    both = InteractionLogEntry.objects.all()
    with pytest.raises(InteractionError):
        services.set_entries_canceled(both, canceled=False, user=manager)
    assert set(both.values_list("canceled", flat=True)) == {True}


def test_delete_canceled_logged_segments_keeps_their_entries_unlinked(manager):
    canceled, kept = log(3), log(2)
    follow_up = segment_services.create_follow_up_segment(canceled, user=manager)
    services.set_logged_segment_canceled(canceled, canceled=True, user=manager)
    entries = list(canceled.entries.values_list("pk", flat=True))

    assert services.delete_canceled_logged_segments(user=manager) == 1

    assert list(LoggedSegment.objects.values_list("pk", flat=True)) == [kept.pk]
    remaining = InteractionLogEntry.objects.filter(pk__in=entries)
    assert remaining.count() == 3
    assert set(remaining.values_list("logged_segment", flat=True)) == {None}
    assert set(remaining.values_list("segment_no", flat=True)) == {canceled.segment_no}
    assert kept.entries.count() == 2
    assert Segment.objects.get(pk=follow_up.pk).follow_up_of is None


def test_delete_canceled_logged_segments_by_filter(manager):
    first, second = log(1), log(1)
    for logged in (first, second):
        services.set_logged_segment_canceled(logged, canceled=True, user=manager)
    deleted = services.delete_canceled_logged_segments(user=manager, segment_no=second.segment_no)
    assert deleted == 1
    assert list(LoggedSegment.objects.values_list("pk", flat=True)) == [first.pk]


def test_delete_canceled_logged_segments_by_a_filter_on_their_entries(manager):
    """A filter over the entries is decided before the entries are unlinked from them."""
    chosen, other = log(2), log(1)
    for logged in (chosen, other):
        services.set_logged_segment_canceled(logged, canceled=True, user=manager)
    contact = chosen.entries.order_by("entry_no").first().contact
    entries = list(chosen.entries.values_list("pk", flat=True))
    deleted = services.delete_canceled_logged_segments(user=manager, entries__contact=contact)
    assert deleted == 1
    assert list(LoggedSegment.objects.values_list("pk", flat=True)) == [other.pk]
    assert set(
        InteractionLogEntry.objects.filter(pk__in=entries).values_list("logged_segment", flat=True)
    ) == {None}
    assert other.entries.count() == 1


def test_delete_canceled_logged_segments_with_a_bad_filter_changes_nothing(manager):
    logged = log(1)
    services.set_logged_segment_canceled(logged, canceled=True, user=manager)
    with pytest.raises(InteractionError, match="cannot be filtered by colour"):
        services.delete_canceled_logged_segments(user=manager, colour="red")
    assert LoggedSegment.objects.filter(pk=logged.pk).exists()
    assert logged.entries.count() == 1


def test_statistics_per_template_and_group_exclude_canceled_entries(manager):
    letter = InteractionTemplateFactory(
        code="LETTER", unit_cost=Decimal("2.00"), unit_duration=Decimal("5")
    )
    call = InteractionTemplateFactory(
        code="CALL", group=letter.group, unit_cost=Decimal("10"), unit_duration=Decimal("15")
    )
    segment = loggable_segment(3, interaction_template=letter)
    add_line(segment, interaction_template=call)
    logged = segment_services.log_segment(segment, user=manager)
    services.set_entries_canceled(
        logged.entries.order_by("entry_no")[:1], canceled=True, user=manager
    )
    InteractionTemplateFactory(code="UNUSED")

    rows = {t.code: (t.interactions, t.cost, t.duration) for t in services.template_statistics()}
    assert rows == {
        "LETTER": (2, Decimal("4.00"), Decimal("10.00")),
        "CALL": (1, Decimal("10.00"), Decimal("15.00")),
        "UNUSED": (0, Decimal("0"), Decimal("0")),
    }
    group = services.group_statistics().get(pk=letter.group_id)
    assert (group.interactions, group.cost, group.duration) == (
        3,
        Decimal("14.00"),
        Decimal("25.00"),
    )
    narrowed = services.template_statistics(InteractionLogEntry.objects.filter(template=call)).get(
        code="LETTER"
    )
    assert (narrowed.interactions, narrowed.cost) == (0, Decimal("0"))


def test_active_and_canceled_counts_of_a_logged_segment(manager):
    logged, other = log(3), log(1)
    services.set_entries_canceled(
        logged.entries.order_by("entry_no")[:2], canceled=True, user=manager
    )
    assert services.logged_segment_counts(logged) == {"active": 1, "canceled": 2}
    counted = {
        row.pk: (row.active_entries, row.canceled_entries)
        for row in services.with_entry_counts(LoggedSegment.objects.all())
    }
    assert counted == {logged.pk: (1, 2), other.pk: (1, 0)}
