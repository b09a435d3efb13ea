"""Merge-field values of segment lines (SPEC 4.3), computed in SQL.

``merge_values(lines)`` annotates a queryset of segment lines with ``merge_data``: one JSON
object holding every merge field of ``interactions.letters.MERGE_FIELDS`` as a string,
built by the database (``JSONObject``). Logging copies it into each interaction log
entry's ``merge_data`` in the same ``INSERT ... SELECT``; previews and outputs read it
the same way, so what is previewed is what is logged.

``EntryNo`` is the one field not in ``merge_data``: the entry number exists only after the
insert, so the letters code adds it at render time from the entry's ``entry_no`` (and
leaves it empty in previews of unlogged lines).
"""

from django.db import models
from django.db.models import F

from interactions.merge import MERGE_DATA_FIELDS, merge_data
from interactions.merge import merge_expressions as _merge_expressions

from .effective import annotate_effective_values, effective_salesperson_value

__all__ = ["MERGE_DATA_FIELDS", "merge_expressions", "merge_values"]

TEXT = models.CharField()


def _line_sources() -> dict:
    return {
        "contact": "contact__",
        "salesperson": lambda field: effective_salesperson_value(field, TEXT),
        "segment_no": F("segment__no"),
        "personal_note": F("personal_note"),
    }


def merge_expressions() -> dict:
    """Merge field name -> SQL expression over segment lines with effective values."""
    return _merge_expressions(**_line_sources())


def merge_values(lines):
    """``lines`` annotated with ``merge_data``: every merge field's value, as strings."""
    if "effective_language" not in lines.query.annotations:
        lines = annotate_effective_values(lines)
    return lines.annotate(merge_data=merge_data(**_line_sources()))
