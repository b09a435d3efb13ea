"""Set-based writing for the contact import: one statement per table per batch.

On PostgreSQL rows go in by ``COPY``, elsewhere by one ``executemany`` of a prepared
``INSERT``. ``contact_row`` is the one place that turns an imported contact's values into
its table row (a column computed from others, such as a stored sort key, is filled there).
"""

import functools
import operator
from collections.abc import Iterable, Sequence

from django.db import connection

from ..choices import ContactType
from ..models import Contact

__all__ = ["contact_columns", "contact_row", "insert_rows", "new_ids", "quote"]


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


@functools.cache
def contact_columns() -> tuple[tuple[str, ...], tuple[str, ...], dict]:
    """The contact's attribute names in table order, their columns, and each one's default
    as the import stores it."""
    fields = Contact._meta.concrete_fields
    defaults = {f.attname: f.get_default() for f in fields if not f.primary_key}
    return (
        tuple(f.attname for f in fields),
        tuple(f.column for f in fields),
        defaults,
    )


@functools.cache
def _getter():
    return operator.itemgetter(*contact_columns()[0])


def _row_of(values: dict) -> tuple:
    return _getter()(values)


def contact_row(values: dict, *, company_no: str = "") -> tuple:
    """A contact's table row from its values by attribute name (every column present).

    ``company_no`` is the no. of the contact's company (its own for a company), for columns
    derived from it.
    """
    if values["type"] == ContactType.COMPANY:
        values["company_name"] = values["name"]
    return _row_of(values)


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``: COPY or executemany."""
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", rows)


class IdAllocator:
    """Contact ids handed out before the rows are written, so memberships and consent
    events can point at them without reading anything back.

    PostgreSQL: a block of the id sequence per batch (no lock). SQLite: the import's write
    transaction (BEGIN IMMEDIATE) excludes every other writer, so ids follow the highest.
    """

    def __init__(self):
        self._next = None

    def block(self, count: int) -> list[int]:
        if count <= 0:
            return []
        table = Contact._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, count],
                )
                return sorted(row[0] for row in cursor.fetchall())
            if self._next is None:
                # The highest id ever given (AUTOINCREMENT never hands out a deleted one).
                cursor.execute(
                    f"SELECT MAX({quote('id')}) FROM {quote(table)} UNION ALL "
                    "SELECT seq FROM sqlite_sequence WHERE name = %s",
                    [table],
                )
                self._next = max((row[0] or 0 for row in cursor.fetchall()), default=0) + 1
        first, self._next = self._next, self._next + count
        return list(range(first, self._next))


def new_ids() -> IdAllocator:
    return IdAllocator()
