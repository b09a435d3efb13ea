"""The erasure exception to the ledger's append-only triggers (SPEC 9).

``crm.services.erase_contact`` must blank an erased contact's personal data in its
interaction log entries: ``contact_name``, ``merge_data`` and the stored ``document`` and
``attachment``. The triggers of 0004 (with 0005's campaign columns) are recreated so that exactly these four columns may
change, and only on the entries of a contact for which ``interactions_ledger_maintenance``
holds a row with that ``contact_id``. Only ``interactions.ledger.erasure_bypass`` writes
such a row, inside the erasure's transaction, and deletes it again before the commit, so
no other connection ever sees it. A row without a ``contact_id`` (the flush bypass of
0004) still lets everything through; every other column stays frozen for the erasure.
"""

import importlib

from django.db import migrations

v1 = importlib.import_module("interactions.migrations.0004_ledger_triggers")
# The columns as campaigns left them (0005 adds the entries' campaign columns).
campaigns = importlib.import_module("interactions.migrations.0005_campaigns")

BYPASS, ENTRY, LOGGED = v1.BYPASS, v1.ENTRY, v1.LOGGED
#: What the erasure may blank on the entries of the erased contact.
ERASABLE = ["contact_name", "merge_data", "document", "attachment"]
ENTRY_FIXED = [column for column in campaigns.ENTRY_FIXED if column not in ERASABLE]


def _erasable(same):
    return (
        f"(({v1._unchanged(ERASABLE, same)}) OR EXISTS (SELECT 1 FROM {BYPASS} "
        "WHERE contact_id = OLD.contact_id))"
    )


SQLITE_SAME = v1.SQLITE_SAME
SQLITE_OPEN = f"NOT EXISTS (SELECT 1 FROM {BYPASS} WHERE contact_id IS NULL)"

SQLITE = [
    "DROP TRIGGER IF EXISTS interactions_entry_guard_update",
    "DROP TRIGGER IF EXISTS interactions_entry_guard_delete",
    "DROP TRIGGER IF EXISTS interactions_logged_guard_update",
    "DROP TRIGGER IF EXISTS interactions_logged_guard_delete",
    f"ALTER TABLE {BYPASS} ADD COLUMN contact_id bigint NULL",
    f"""CREATE TRIGGER interactions_entry_guard_update BEFORE UPDATE ON {ENTRY}
    FOR EACH ROW WHEN {SQLITE_OPEN} AND NOT (
        {v1._unchanged(ENTRY_FIXED, SQLITE_SAME)} AND {_erasable(SQLITE_SAME)}
        AND {v1._unlinked_from_canceled(SQLITE_SAME)}
    )
    BEGIN SELECT RAISE(ABORT, '{v1.ENTRY_MESSAGE}'); END""",
    f"""CREATE TRIGGER interactions_entry_guard_delete BEFORE DELETE ON {ENTRY}
    FOR EACH ROW WHEN {SQLITE_OPEN}
    BEGIN SELECT RAISE(ABORT, '{v1.ENTRY_MESSAGE}'); END""",
    f"""CREATE TRIGGER interactions_logged_guard_update BEFORE UPDATE ON {LOGGED}
    FOR EACH ROW WHEN {SQLITE_OPEN} AND NOT ({v1._unchanged(v1.LOGGED_FIXED, SQLITE_SAME)})
    BEGIN SELECT RAISE(ABORT, '{v1.LOGGED_MESSAGE}'); END""",
    f"""CREATE TRIGGER interactions_logged_guard_delete BEFORE DELETE ON {LOGGED}
    FOR EACH ROW WHEN {SQLITE_OPEN} AND NOT OLD.canceled
    BEGIN SELECT RAISE(ABORT, '{v1.LOGGED_MESSAGE}'); END""",
]
SQLITE_BACK = [
    *v1.SQLITE_DROP[:4],
    f"ALTER TABLE {BYPASS} DROP COLUMN contact_id",
    *campaigns.NEW["sqlite"][1:],
]

PG_SAME = v1.PG_SAME
PG_OPEN = f"EXISTS (SELECT 1 FROM {BYPASS} WHERE contact_id IS NULL)"


def _pg_function(name, body):
    return f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        {body}
    END;
    $$"""


POSTGRESQL = [
    f"ALTER TABLE {BYPASS} ADD COLUMN contact_id bigint NULL",
    _pg_function(
        "interactions_entry_guard",
        f"""IF {PG_OPEN} THEN
            RETURN COALESCE(NEW, OLD);
        END IF;
        IF TG_OP = 'UPDATE'
            AND {v1._unchanged(ENTRY_FIXED, PG_SAME)}
            AND {_erasable(PG_SAME)}
            AND {v1._unlinked_from_canceled(PG_SAME)} THEN
            RETURN NEW;
        END IF;
        {v1.PG_RAISE.format(message=v1.ENTRY_MESSAGE)};""",
    ),
    _pg_function(
        "interactions_logged_guard",
        f"""IF {PG_OPEN} THEN
            RETURN COALESCE(NEW, OLD);
        END IF;
        IF TG_OP = 'UPDATE' AND {v1._unchanged(v1.LOGGED_FIXED, PG_SAME)} THEN
            RETURN NEW;
        END IF;
        IF TG_OP = 'DELETE' AND OLD.canceled THEN
            RETURN OLD;
        END IF;
        {v1.PG_RAISE.format(message=v1.LOGGED_MESSAGE)};""",
    ),
    _pg_function(
        "interactions_ledger_truncate_guard",
        f"""IF {PG_OPEN} THEN
            RETURN NULL;
        END IF;
        {v1.PG_RAISE.format(message="The ledger is append-only: it cannot be truncated.")};""",
    ),
]
POSTGRESQL_BACK = [
    *[
        statement
        for statement in campaigns.NEW["postgresql"]
        if "CREATE OR REPLACE FUNCTION" in statement
    ],
    f"ALTER TABLE {BYPASS} DROP COLUMN contact_id",
]


class Migration(migrations.Migration):
    dependencies = [
        ("interactions", "0005_campaigns"),
    ]

    operations = [
        migrations.RunPython(
            v1._run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            v1._run({"sqlite": SQLITE_BACK, "postgresql": POSTGRESQL_BACK}),
        ),
    ]
