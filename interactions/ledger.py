"""The one bypass of the ledger's database triggers: emptying whole tables.

Migration ``interactions.0004_ledger_triggers`` makes the database itself refuse every
UPDATE and DELETE of interaction log entries and logged segments that no documented
service does. Two things legitimately empty the ledger: Django's ``flush`` (which the
test suite runs between transactional tests: ``DELETE`` on SQLite, ``TRUNCATE`` on
PostgreSQL) and ``seed_demo --reset``. Both build their statements with the database's
``ops.sql_flush``; ``install_flush_bypass`` wraps it so that a flush that includes a ledger
table first inserts a row into ``interactions_ledger_maintenance`` and deletes it again
at the end. Flush runs its statements in one transaction, so no other connection ever
sees the row. Nothing else writes that table: the services never use the bypass.
"""

from django.db import connections

BYPASS_TABLE = "interactions_ledger_maintenance"
LEDGER_TABLES = frozenset({"interactions_interactionlogentry", "interactions_loggedsegment"})


def flush_statements(statements: list[str], tables, quote) -> list[str]:
    """``statements`` (a flush of ``tables``) wrapped in the bypass when they empty the ledger."""
    if not statements or not LEDGER_TABLES.intersection(tables):
        return statements
    table = quote(BYPASS_TABLE)
    return [
        f"INSERT INTO {table} (reason) VALUES ('flush');",
        *statements,
        f"DELETE FROM {table};",
    ]


def _wrap(ops_class) -> None:
    if getattr(ops_class.sql_flush, "ledger_bypass", False):
        return
    original = ops_class.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = original(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        return flush_statements(statements, tables, self.quote_name)

    sql_flush.ledger_bypass = True
    sql_flush.__doc__ = original.__doc__
    ops_class.sql_flush = sql_flush


def install_flush_bypass() -> None:
    """Wrap ``sql_flush`` of every configured database's backend (idempotent)."""
    for alias in connections:
        _wrap(type(connections[alias].ops))


class erasure_bypass:
    """Let the triggers accept the erasure of one contact's entries (SPEC 9).

    Migration ``0006_ledger_erasure`` lets ``contact_name``, ``merge_data``, ``document``
    and ``attachment`` change on the entries of a contact while
    ``interactions_ledger_maintenance`` holds a row with its ``contact_id``. Only the
    erasure scrubber (``interactions.services.erasure``), which ``erase_contact`` calls in
    its transaction, uses this; the row is gone again before that transaction commits.
    """

    def __init__(self, contact_id: int, using: str = "default"):
        self.contact_id = int(contact_id)
        self.using = using

    def _execute(self, sql: str) -> None:
        connection = connections[self.using]
        if not connection.in_atomic_block:
            raise RuntimeError("The erasure bypass is only opened inside a transaction.")
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.contact_id])

    def __enter__(self):
        table = connections[self.using].ops.quote_name(BYPASS_TABLE)
        self._execute(f"INSERT INTO {table} (reason, contact_id) VALUES ('erasure', %s)")
        return self

    def __exit__(self, exc_type, *exc_info):
        if exc_type is not None:
            return False  # the transaction rolls back, and the row with it
        table = connections[self.using].ops.quote_name(BYPASS_TABLE)
        self._execute(f"DELETE FROM {table} WHERE contact_id = %s")
        return False
