"""The database itself keeps the ledger append-only (migration 0004_ledger_triggers).

Every write that goes around the models and querysets (``_base_manager``, a forced
update, ``delete_rows``, plain SQL) is refused by a trigger on SQLite and PostgreSQL
alike; what the documented services change still goes through. Run on both databases:
``scripts/with-postgres.sh .venv/bin/python -m pytest tests/interactions/test_ledger_triggers.py``.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from interactions import services
from interactions.ledger import BYPASS_TABLE, LEDGER_TABLES, erasure_bypass
from interactions.models import InteractionLogEntry, LoggedSegment, ReadOnlyRecordError
from segments.sql import delete_rows
from tests.factories import ContactFactory, UserFactory
from tests.ledger_data import log_entry, logged_segment

pytestmark = pytest.mark.django_db

#: What the services may change (SPEC 2, 4.5, 7); every other column is frozen.
ENTRY_CHANGEABLE = {
    "canceled",
    "delivery_status",
    "delivery_error",
    "evaluation",
    "attempt_failed",
    "logged_segment_id",
}
LOGGED_CHANGEABLE = {"canceled", "print_batch"}


@pytest.fixture
def user():
    return UserFactory(password=None)


@pytest.fixture
def logged(user):
    return logged_segment(user)


@pytest.fixture
def entry(user, logged):
    return log_entry(ContactFactory(), user, logged_segment=logged, merge_data={"A": "1"})


def refused(write) -> None:
    """``write`` fails in the database and changes nothing."""
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        write()


def snapshot(model, pk) -> dict:
    return model._base_manager.filter(pk=pk).values().get()


def bypass_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {BYPASS_TABLE}")
        return cursor.fetchone()[0]


# --- refused -----------------------------------------------------------------------------


def test_base_manager_updates_of_frozen_entry_columns_are_refused(entry, user):
    other = ContactFactory()
    before = snapshot(InteractionLogEntry, entry.pk)
    rows = InteractionLogEntry._base_manager.filter(pk=entry.pk)
    for values in [
        {"description": "Rewritten history"},
        {"contact_name": "Someone else"},
        {"cost": Decimal("0")},
        {"duration": Decimal("0")},
        {"date": datetime.date(2020, 1, 1)},
        {"contact": other},
        {"contact_company": other},
        {"segment_no": "SEG00000"},
        {"subject": "Other"},
        {"language": "nb"},
        {"correspondence_type": "email"},
        {"information_flow": "inbound"},
        {"initiated_by": "them"},
        {"merge_data": {"A": "2"}},
        {"document": "entries/forged.docx"},
        {"created_by": UserFactory(password=None, username="forger")},
        {"created_at": datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)},
        {"canceled": True, "description": "Canceled and rewritten"},
    ]:
        refused(lambda values=values: rows.update(**values))
    # The key itself cannot move either.
    refused(lambda: rows.update(entry_no=entry.pk + 1000))
    assert snapshot(InteractionLogEntry, entry.pk) == before


def test_deleting_entries_below_the_orm_is_refused(entry, logged):
    refused(lambda: InteractionLogEntry._base_manager.filter(pk=entry.pk).delete())
    refused(lambda: delete_rows(InteractionLogEntry.objects.filter(pk=entry.pk)))
    # Not even entries of a canceled logged segment: only the header may go.
    services.set_logged_segment_canceled(logged, canceled=True, user=None)
    refused(lambda: delete_rows(InteractionLogEntry.objects.all()))
    assert InteractionLogEntry.objects.filter(pk=entry.pk).exists()


def test_a_forced_update_of_an_instance_is_refused(entry, logged, user):
    forged = InteractionLogEntry(
        entry_no=entry.entry_no,
        contact=entry.contact,
        contact_name="Rewritten",
        date=datetime.date(2020, 1, 1),
        description="Rewritten history",
        created_by=user,
    )
    # The model refuses a forced update; save_base goes around it, the database does not.
    with pytest.raises(ReadOnlyRecordError):
        forged.save(force_insert=False, force_update=True)
    refused(lambda: forged.save_base(force_update=True))
    forged_header = LoggedSegment(
        entry_no=logged.entry_no, segment_no="SEG99999", description="Other", created_by=user
    )
    with pytest.raises(ReadOnlyRecordError):
        forged_header.save(force_insert=False, force_update=True)
    refused(lambda: forged_header.save_base(force_update=True))
    assert InteractionLogEntry.objects.get(pk=entry.pk).description == "Spring offer"
    assert LoggedSegment.objects.get(pk=logged.pk).segment_no == "SEG90001"


def test_plain_sql_is_refused(entry, logged):
    def execute(sql, params):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    table = InteractionLogEntry._meta.db_table
    refused(lambda: execute(f"UPDATE {table} SET cost = %s", [0]))
    refused(lambda: execute(f"DELETE FROM {table}", []))
    header = LoggedSegment._meta.db_table
    refused(lambda: execute(f"UPDATE {header} SET description = %s", ["Other"]))
    refused(lambda: execute(f"DELETE FROM {header}", []))
    assert InteractionLogEntry.objects.get(pk=entry.pk).cost == Decimal("2.00")


def test_logged_segment_frozen_columns_and_deletion_are_refused(logged, user):
    before = snapshot(LoggedSegment, logged.pk)
    rows = LoggedSegment._base_manager.filter(pk=logged.pk)
    for values in [
        {"segment_no": "SEG99999"},
        {"description": "Other"},
        {"criteria": [{"action": "add"}]},
        {"send_as_attachment": True},
        {"created_by": UserFactory(password=None, username="forger")},
        {"created_at": datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)},
        {"canceled": True, "description": "Canceled and rewritten"},
    ]:
        refused(lambda values=values: rows.update(**values))
    refused(lambda: rows.delete())  # not canceled
    refused(lambda: delete_rows(LoggedSegment.objects.filter(pk=logged.pk)))
    assert snapshot(LoggedSegment, logged.pk) == before


def test_entries_leave_only_a_canceled_logged_segment(entry, logged, user):
    rows = InteractionLogEntry._base_manager.filter(pk=entry.pk)
    refused(lambda: rows.update(logged_segment=None))  # its logged segment is active
    other = logged_segment(user, segment_no="SEG90002")
    refused(lambda: rows.update(logged_segment=other))  # never moved to another
    services.set_logged_segment_canceled(logged, canceled=True, user=user)
    refused(lambda: rows.update(logged_segment=other))
    assert InteractionLogEntry.objects.get(pk=entry.pk).logged_segment_id == logged.pk


@pytest.mark.postgres
def test_truncating_the_ledger_is_refused_on_postgresql(entry):
    def truncate():
        with connection.cursor() as cursor:
            # TRUNCATE waits for no deferred foreign-key check of this transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {InteractionLogEntry._meta.db_table} CASCADE")

    refused(truncate)
    assert InteractionLogEntry.objects.filter(pk=entry.pk).exists()


def test_every_frozen_column_is_in_the_triggers():
    """A column added to a ledger model must be added to the triggers too."""
    for model, changeable in [
        (InteractionLogEntry, ENTRY_CHANGEABLE),
        (LoggedSegment, LOGGED_CHANGEABLE),
    ]:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT group_concat(sql, ' ') FROM sqlite_master "
                    "WHERE type = 'trigger' AND tbl_name = %s",
                    [model._meta.db_table],
                )
                same = "NEW.{0} IS OLD.{0}"
            else:
                cursor.execute(
                    "SELECT string_agg(pg_get_functiondef(t.tgfoid), ' ') FROM pg_trigger t "
                    "WHERE t.tgrelid = %s::regclass AND NOT t.tgisinternal",
                    [model._meta.db_table],
                )
                same = "NEW.{0} IS NOT DISTINCT FROM OLD.{0}"
            definition = cursor.fetchone()[0]
        columns = {field.column for field in model._meta.concrete_fields}
        assert changeable <= columns
        for column in sorted(columns - changeable):
            assert same.format(column) in definition, (model.__name__, column)
        for column in sorted(changeable - {"logged_segment_id"}):
            assert same.format(column) not in definition, (model.__name__, column)


# --- allowed -----------------------------------------------------------------------------


def test_the_services_still_change_what_they_may(entry, logged, user):
    services.set_entries_canceled([entry], canceled=True, user=user)
    services.set_entries_canceled([entry], canceled=False, user=user)
    services.set_logged_segment_canceled(logged, canceled=True, user=user)
    services.set_logged_segment_canceled(logged, canceled=False, user=user)
    InteractionLogEntry.objects.filter(pk=entry.pk).record_status(
        delivery_status="failed", delivery_error="Mailbox full"
    )
    LoggedSegment.objects.filter(pk=logged.pk).record_status(print_batch="print_batches/x.docx")
    # Notes (SPEC 7) set the evaluation and attempt failed.
    InteractionLogEntry._base_manager.filter(pk=entry.pk).update(
        evaluation="positive", attempt_failed=True
    )
    stored = InteractionLogEntry.objects.get(pk=entry.pk)
    assert (stored.canceled, stored.delivery_status, stored.delivery_error) == (
        False,
        "failed",
        "Mailbox full",
    )
    assert (stored.evaluation, stored.attempt_failed) == ("positive", True)
    assert LoggedSegment.objects.get(pk=logged.pk).print_batch == "print_batches/x.docx"

    services.set_logged_segment_canceled(logged, canceled=True, user=user)
    assert services.delete_canceled_logged_segments(user=user) == 1
    assert not LoggedSegment.objects.exists()
    stored = InteractionLogEntry.objects.get(pk=entry.pk)
    assert (stored.logged_segment_id, stored.description) == (None, "Spring offer")
    assert bypass_rows() == 0  # the services never open the bypass


@pytest.mark.django_db(transaction=True)
def test_flush_and_seed_demo_reset_empty_the_ledger_through_the_one_bypass(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = UserFactory(password=None)
    log_entry(ContactFactory(), user, logged_segment=logged_segment(user))

    from crm.demo import wipe_demo_data

    wipe_demo_data()
    assert not InteractionLogEntry.objects.exists() and not LoggedSegment.objects.exists()
    assert bypass_rows() == 0

    user = UserFactory(password=None, username="again")
    log_entry(ContactFactory(), user, logged_segment=logged_segment(user))
    call_command("flush", interactive=False, verbosity=0)
    assert not InteractionLogEntry.objects.exists() and not LoggedSegment.objects.exists()
    assert bypass_rows() == 0
    # The triggers are back on once the flush is done.
    user = UserFactory(password=None, username="third")
    entry = log_entry(ContactFactory(), user)
    refused(lambda: InteractionLogEntry._base_manager.filter(pk=entry.pk).delete())
    assert {InteractionLogEntry._meta.db_table, LoggedSegment._meta.db_table} == LEDGER_TABLES


# --- the erasure exception (SPEC 9, migration 0006_ledger_erasure) -----------------------

#: What ``erase_contact`` may blank on the entries of the contact it erases.
ERASABLE = {"contact_name", "merge_data", "document", "attachment"}


def test_the_erasure_changes_only_its_columns_of_only_that_contact(entry, user, logged):
    other = log_entry(ContactFactory(), user, logged_segment=logged, merge_data={"A": "1"})
    rows = InteractionLogEntry._base_manager
    with transaction.atomic(), erasure_bypass(entry.contact_id):
        rows.filter(pk=entry.pk).update(contact_name="", merge_data={}, document="", attachment="")
        for pk, values in [
            (entry.pk, {"description": "Rewritten"}),
            (entry.pk, {"cost": Decimal("0")}),
            (entry.pk, {"date": datetime.date(2020, 1, 1)}),
            (entry.pk, {"contact_id": other.contact_id}),
            (other.pk, {"contact_name": ""}),
            (other.pk, {"merge_data": {}}),
        ]:
            refused(lambda pk=pk, values=values: rows.filter(pk=pk).update(**values))
        refused(lambda: rows.filter(pk=entry.pk).delete())
        refused(lambda: LoggedSegment._base_manager.filter(pk=logged.pk).update(description=""))
        assert bypass_rows() == 1
    assert bypass_rows() == 0
    erased, kept = rows.get(pk=entry.pk), rows.get(pk=other.pk)
    assert (erased.contact_name, erased.merge_data, erased.description) == ("", {}, "Spring offer")
    assert (kept.contact_name, kept.merge_data) == (other.contact_name, {"A": "1"})
    # Outside the erasure the same change is refused again.
    refused(lambda: rows.filter(pk=other.pk).update(contact_name=""))


@pytest.mark.django_db(transaction=True)
def test_the_erasure_bypass_opens_only_inside_a_transaction(entry):
    with pytest.raises(RuntimeError, match="inside a transaction"):
        erasure_bypass(entry.contact_id).__enter__()
    assert bypass_rows() == 0


def test_the_erasure_columns_stay_frozen_for_everyone_else(entry):
    rows = InteractionLogEntry._base_manager
    for column in sorted(ERASABLE):
        value = {} if column == "merge_data" else "changed"
        refused(
            lambda column=column, value=value: rows.filter(pk=entry.pk).update(**{column: value})
        )
