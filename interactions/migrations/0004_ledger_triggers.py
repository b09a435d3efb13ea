"""Database triggers that keep the ledger append-only below the ORM (SPEC section 2).

The models and querysets refuse changes, but ``_base_manager.update()``, a forced
``save(force_update=True)``, ``delete_rows`` or plain SQL go around them. These triggers
refuse, on SQLite and PostgreSQL alike, every UPDATE and DELETE of interaction log
entries and logged segments except what the documented services do (SPEC 4.5, 7):

- an entry may change only ``canceled``, ``delivery_status``, ``delivery_error``,
  ``evaluation`` and ``attempt_failed``, and lose its ``logged_segment`` only while that
  logged segment is canceled (``delete_canceled_logged_segments`` unlinks them first);
- a logged segment may change only ``canceled`` and ``print_batch``, and only a canceled
  one may be deleted;
- entries are never deleted (nor, on PostgreSQL, either table truncated).

The one bypass: while ``interactions_ledger_maintenance`` holds a row, the triggers let
everything through. Only ``interactions.ledger.flush_statements`` writes it, around the
statements of Django's flush (the test suite between transactional tests) and of
``seed_demo --reset``; it inserts and deletes the row in the flush's own transaction, so
no other connection ever sees it.

The column lists are frozen here: a later migration adding a column to a ledger table
must recreate these triggers with it (and on SQLite, a migration that rebuilds a ledger
table drops its triggers: recreate them) through ``sqlite_statements`` and
``postgresql_statements``, as 0005_campaigns does. ``tests/interactions/test_ledger_triggers.py``
checks every column of the models.
"""

from django.db import migrations
from django.db.utils import NotSupportedError

BYPASS = "interactions_ledger_maintenance"
ENTRY = "interactions_interactionlogentry"
LOGGED = "interactions_loggedsegment"

ENTRY_FIXED = [
    "entry_no",
    "contact_id",
    "contact_company_id",
    "contact_name",
    "segment_no",
    "date",
    "description",
    "subject",
    "template_id",
    "group_id",
    "language",
    "correspondence_type",
    "cost",
    "duration",
    "information_flow",
    "initiated_by",
    "salesperson_id",
    "merge_data",
    "document",
    "attachment",
    "created_by_id",
    "created_at",
]
LOGGED_FIXED = [
    "entry_no",
    "segment_no",
    "description",
    "criteria",
    "send_as_attachment",
    "created_by_id",
    "created_at",
]

ENTRY_MESSAGE = (
    "Interaction log entries are append-only: only canceled, delivery status, delivery "
    "error, evaluation and attempt failed may change, and an entry is never deleted."
)
LOGGED_MESSAGE = (
    "Logged segments are append-only: only canceled and the print batch may change, and "
    "only a canceled logged segment may be deleted."
)


def _unchanged(columns, same):
    return " AND ".join(same.format(column=column) for column in columns)


def _unlinked_from_canceled(same):
    # Unlinked only from a canceled logged segment, as delete_canceled_logged_segments does.
    return (
        f"({same.format(column='logged_segment_id')} OR (NEW.logged_segment_id IS NULL AND "
        f"EXISTS (SELECT 1 FROM {LOGGED} WHERE entry_no = OLD.logged_segment_id "
        "AND canceled)))"
    )


SQLITE_SAME = "NEW.{column} IS OLD.{column}"
SQLITE_OPEN = f"NOT EXISTS (SELECT 1 FROM {BYPASS})"


def sqlite_statements(entry_fixed, logged_fixed):
    """The SQLite triggers freezing ``entry_fixed`` and ``logged_fixed`` (column names)."""
    return [
        f"CREATE TABLE IF NOT EXISTS {BYPASS} (reason varchar(100) NOT NULL)",
        f"""CREATE TRIGGER interactions_entry_guard_update BEFORE UPDATE ON {ENTRY}
        FOR EACH ROW WHEN {SQLITE_OPEN} AND NOT (
            {_unchanged(entry_fixed, SQLITE_SAME)} AND {_unlinked_from_canceled(SQLITE_SAME)}
        )
        BEGIN SELECT RAISE(ABORT, '{ENTRY_MESSAGE}'); END""",
        f"""CREATE TRIGGER interactions_entry_guard_delete BEFORE DELETE ON {ENTRY}
        FOR EACH ROW WHEN {SQLITE_OPEN}
        BEGIN SELECT RAISE(ABORT, '{ENTRY_MESSAGE}'); END""",
        f"""CREATE TRIGGER interactions_logged_guard_update BEFORE UPDATE ON {LOGGED}
        FOR EACH ROW WHEN {SQLITE_OPEN} AND NOT ({_unchanged(logged_fixed, SQLITE_SAME)})
        BEGIN SELECT RAISE(ABORT, '{LOGGED_MESSAGE}'); END""",
        f"""CREATE TRIGGER interactions_logged_guard_delete BEFORE DELETE ON {LOGGED}
        FOR EACH ROW WHEN {SQLITE_OPEN} AND NOT OLD.canceled
        BEGIN SELECT RAISE(ABORT, '{LOGGED_MESSAGE}'); END""",
    ]


SQLITE = sqlite_statements(ENTRY_FIXED, LOGGED_FIXED)

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS interactions_entry_guard_update",
    "DROP TRIGGER IF EXISTS interactions_entry_guard_delete",
    "DROP TRIGGER IF EXISTS interactions_logged_guard_update",
    "DROP TRIGGER IF EXISTS interactions_logged_guard_delete",
    f"DROP TABLE IF EXISTS {BYPASS}",
]

PG_SAME = "NEW.{column} IS NOT DISTINCT FROM OLD.{column}"
PG_OPEN = f"EXISTS (SELECT 1 FROM {BYPASS})"
PG_RAISE = "RAISE EXCEPTION '{message}' USING ERRCODE = 'integrity_constraint_violation'"


def postgresql_statements(entry_fixed, logged_fixed):
    """The PostgreSQL triggers freezing ``entry_fixed`` and ``logged_fixed``."""
    return [
        f"CREATE TABLE IF NOT EXISTS {BYPASS} (reason varchar(100) NOT NULL)",
        f"""CREATE OR REPLACE FUNCTION interactions_entry_guard() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF {PG_OPEN} THEN
                RETURN COALESCE(NEW, OLD);
            END IF;
            IF TG_OP = 'UPDATE'
                AND {_unchanged(entry_fixed, PG_SAME)}
                AND {_unlinked_from_canceled(PG_SAME)} THEN
                RETURN NEW;
            END IF;
            {PG_RAISE.format(message=ENTRY_MESSAGE)};
        END;
        $$""",
        f"""CREATE OR REPLACE FUNCTION interactions_logged_guard() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF {PG_OPEN} THEN
                RETURN COALESCE(NEW, OLD);
            END IF;
            IF TG_OP = 'UPDATE' AND {_unchanged(logged_fixed, PG_SAME)} THEN
                RETURN NEW;
            END IF;
            IF TG_OP = 'DELETE' AND OLD.canceled THEN
                RETURN OLD;
            END IF;
            {PG_RAISE.format(message=LOGGED_MESSAGE)};
        END;
        $$""",
        f"""CREATE OR REPLACE FUNCTION interactions_ledger_truncate_guard() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF {PG_OPEN} THEN
                RETURN NULL;
            END IF;
            {PG_RAISE.format(message="The ledger is append-only: it cannot be truncated.")};
        END;
        $$""",
        f"""CREATE TRIGGER interactions_entry_guard BEFORE UPDATE OR DELETE ON {ENTRY}
        FOR EACH ROW EXECUTE FUNCTION interactions_entry_guard()""",
        f"""CREATE TRIGGER interactions_logged_guard BEFORE UPDATE OR DELETE ON {LOGGED}
        FOR EACH ROW EXECUTE FUNCTION interactions_logged_guard()""",
        f"""CREATE TRIGGER interactions_entry_truncate_guard BEFORE TRUNCATE ON {ENTRY}
        FOR EACH STATEMENT EXECUTE FUNCTION interactions_ledger_truncate_guard()""",
        f"""CREATE TRIGGER interactions_logged_truncate_guard BEFORE TRUNCATE ON {LOGGED}
        FOR EACH STATEMENT EXECUTE FUNCTION interactions_ledger_truncate_guard()""",
    ]


POSTGRESQL = postgresql_statements(ENTRY_FIXED, LOGGED_FIXED)

POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS interactions_entry_guard ON {ENTRY}",
    f"DROP TRIGGER IF EXISTS interactions_logged_guard ON {LOGGED}",
    f"DROP TRIGGER IF EXISTS interactions_entry_truncate_guard ON {ENTRY}",
    f"DROP TRIGGER IF EXISTS interactions_logged_truncate_guard ON {LOGGED}",
    "DROP FUNCTION IF EXISTS interactions_entry_guard()",
    "DROP FUNCTION IF EXISTS interactions_logged_guard()",
    "DROP FUNCTION IF EXISTS interactions_ledger_truncate_guard()",
    f"DROP TABLE IF EXISTS {BYPASS}",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise NotSupportedError(
                f"No ledger triggers for {schema_editor.connection.vendor}; "
                "the project runs on SQLite and PostgreSQL."
            )
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("interactions", "0003_single_interactions"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        ),
    ]
