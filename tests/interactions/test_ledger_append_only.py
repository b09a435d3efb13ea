"""The ledger stays append-only also for a new instance that carries an existing key."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from interactions.models import InteractionLogEntry, LoggedSegment, ReadOnlyRecordError
from tests.factories import ContactFactory
from tests.ledger_data import log_entry, logged_segment

pytestmark = pytest.mark.django_db


def test_saving_a_new_entry_with_an_existing_entry_no_does_not_overwrite_it(user):
    """Django saves an instance with a given key as an UPDATE when the row exists; a
    ledger row must be inserted or refused, never rewritten that way."""
    contact = ContactFactory()
    entry = log_entry(contact, user)
    forged = InteractionLogEntry(
        entry_no=entry.entry_no,
        contact=contact,
        contact_name="Rewritten",
        date=datetime.date(2020, 1, 1),
        description="Rewritten history",
        created_by=user,
    )
    with pytest.raises((IntegrityError, ReadOnlyRecordError)), transaction.atomic():
        forged.save()
    stored = InteractionLogEntry.objects.get(pk=entry.pk)
    assert (stored.contact_name, stored.description) == (contact.name, "Spring offer")
    assert stored.date == datetime.date(2026, 3, 1)


def test_saving_a_new_logged_segment_with_an_existing_key_does_not_overwrite_it(user):
    logged = logged_segment(user)
    forged = LoggedSegment(
        entry_no=logged.entry_no, segment_no="SEG99999", description="Other", created_by=user
    )
    with pytest.raises((IntegrityError, ReadOnlyRecordError)), transaction.atomic():
        forged.save()
    stored = LoggedSegment.objects.get(pk=logged.pk)
    assert (stored.segment_no, stored.description) == ("SEG90001", "Spring mailing")


@pytest.mark.parametrize("model", [InteractionLogEntry, LoggedSegment])
def test_bulk_create_refuses_to_update_on_conflict(model, user):
    """``bulk_create(update_conflicts=True)`` is an upsert: an update by another door."""
    logged = logged_segment(user)
    entry = log_entry(ContactFactory(), user, logged_segment=logged)
    row = entry if model is InteractionLogEntry else logged
    row.description = "Rewritten history"
    with pytest.raises(ReadOnlyRecordError, match="append-only"):
        model.objects.bulk_create(
            [row],
            update_conflicts=True,
            unique_fields=["entry_no"],
            update_fields=["description"],
        )
    assert model.objects.get(pk=row.pk).description in ("Spring offer", "Spring mailing")
