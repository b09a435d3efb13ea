"""The contact's segment sort key: the order segment lines are numbered in, as one text.

New segment lines are numbered in the Business Central order: company name, company no.,
type (companies before persons), name, then the contact's id. Sorting on those four
columns needs the company's number from another row (a self-join) and a four-column
text sort; the contact stores the four instead as one key, ``Contact.segment_sort_key``,
indexed, so the order is one column.

Each part is written with its ``\\x01`` doubled to ``\\x01\\x02`` and ends with
``\\x01\\x01``: nothing in a part sorts below the end of a part, so comparing two keys
code point by code point compares the parts one after the other, a shorter part first,
exactly as ``ORDER BY company_name, company no., type, name`` does in code point order
(SQLite's BINARY collation; the key's column is "C" on PostgreSQL). A person without a
company has a blank company no.

Whoever writes a contact's company name, type or name (or a company's no.) keeps the
key: ``Contact.save`` does for itself and the persons of a company it saves; set-based
writers call ``segment_sort_key`` per row or ``refresh_segment_sort_keys`` afterwards.
"""

from django.db.models import (
    F,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce, Concat, Replace

__all__ = [
    "PART_END",
    "refresh_segment_sort_keys",
    "segment_sort_key",
    "segment_sort_key_expression",
]

_MARK = "\x01"
_ESCAPED = "\x01\x02"
#: What ends each part of the key: sorts below anything a part can hold.
PART_END = "\x01\x01"


def segment_sort_key(company_name: str, company_no: str | None, type: str, name: str) -> str:
    """The sort key of a contact with these values (``company_no``: its company's no.).

    For a company, ``company_name`` is its own name and ``company_no`` its own no.; for a
    person, its company's; for a person without a company, blank and ``None`` (or blank).
    """
    return "".join(
        (part or "").replace(_MARK, _ESCAPED) + PART_END
        for part in (company_name, company_no, type, name)
    )


def segment_sort_key_expression(company_name, company_no, type, name):
    """``segment_sort_key`` as a database expression over four expressions (set-based)."""
    parts = []
    for part in (company_name, company_no, type, name):
        text = Coalesce(part, Value(""), output_field=TextField())
        escaped = Replace(text, Value(_MARK), Value(_ESCAPED), output_field=TextField())
        parts += [escaped, Value(PART_END, output_field=TextField())]
    return Concat(*parts, output_field=TextField())


def refresh_segment_sort_keys(contacts: QuerySet) -> int:
    """Recompute the key of every contact in ``contacts`` from its stored values: one
    ``UPDATE``, the company's no. read by a correlated subquery. Returns how many rows."""
    company_no = Subquery(
        contacts.model._base_manager.filter(pk=OuterRef("company_id")).values("no")[:1]
    )
    return contacts.update(
        segment_sort_key=segment_sort_key_expression(
            F("company_name"), company_no, F("type"), F("name")
        )
    )
