"""The ledger is append-only: no update or delete through an instance or a queryset."""

import pytest

from interactions.models import InteractionLogEntry, LoggedSegment, ReadOnlyRecordError
from tests.factories import ContactFactory
from tests.ledger_data import log_entry, logged_segment

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(user):
    return logged_segment(user)


@pytest.fixture
def entry(user, logged):
    return log_entry(ContactFactory(), user, logged_segment=logged)


def test_an_entry_refuses_save_and_delete(entry):
    entry.description = "Rewritten history"
    with pytest.raises(ReadOnlyRecordError, match="append-only"):
        entry.save()
    with pytest.raises(ReadOnlyRecordError, match="append-only"):
        entry.delete()
    stored = InteractionLogEntry.objects.get(pk=entry.pk)
    assert stored.description == "Spring offer"


def test_a_logged_segment_refuses_save_and_delete(logged):
    logged.description = "Other"
    with pytest.raises(ReadOnlyRecordError):
        logged.save()
    with pytest.raises(ReadOnlyRecordError):
        logged.delete()
    assert LoggedSegment.objects.get(pk=logged.pk).description == "Spring mailing"


@pytest.mark.parametrize("model", [InteractionLogEntry, LoggedSegment])
def test_querysets_refuse_update_bulk_update_and_delete(model, entry):
    rows = model.objects.all()
    with pytest.raises(ReadOnlyRecordError):
        rows.update(description="Other")
    with pytest.raises(ReadOnlyRecordError):
        rows.filter(pk__gt=0).update(canceled=True)
    with pytest.raises(ReadOnlyRecordError):
        rows.bulk_update(list(rows), ["description"])
    with pytest.raises(ReadOnlyRecordError):
        rows.delete()
    with pytest.raises(ReadOnlyRecordError):
        model.objects.filter(pk__gt=0).delete()
    assert model.objects.count() == 1
    assert model.objects.filter(canceled=True).count() == 0


def test_deleting_the_contact_or_user_cannot_cascade_into_the_ledger(entry):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        entry.contact.delete()
    with pytest.raises(ProtectedError):
        entry.created_by.delete()
    assert InteractionLogEntry.objects.filter(pk=entry.pk).exists()


def test_record_status_changes_only_the_status_fields(entry, logged):
    changed = InteractionLogEntry.objects.filter(pk=entry.pk).record_status(
        canceled=True, delivery_status="sent"
    )
    assert changed == 1
    entry.refresh_from_db()
    assert (entry.canceled, entry.delivery_status) == (True, "sent")
    assert LoggedSegment.objects.filter(pk=logged.pk).record_status(canceled=True) == 1


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (InteractionLogEntry, {"cost": 0}),
        (InteractionLogEntry, {"canceled": True, "description": "sneaky"}),
        (LoggedSegment, {"segment_no": "SEG99999"}),
        (LoggedSegment, {"delivery_status": "sent"}),
    ],
)
def test_record_status_refuses_other_fields(model, values, entry):
    with pytest.raises(ReadOnlyRecordError, match="cannot change"):
        model.objects.all().record_status(**values)
    entry.refresh_from_db()
    assert entry.canceled is False
    assert entry.cost == 2
    assert LoggedSegment.objects.get().segment_no == "SEG90001"
