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
