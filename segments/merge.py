"""Merge-field values of segment lines (SPEC 4.3), computed in SQL.

``merge_values(lines)`` annotates a queryset of segment lines with ``merge_data``: one JSON
object holding every merge field of ``interactions.letters.MERGE_FIELDS`` as a string,
built by the database (``JSONObject``). Logging copies it into each interaction log
entry's ``merge_data`` in the same ``INSERT ... SELECT``; previews and outputs read it
the same way, so what is previewed is what is logged.

``EntryNo`` is the one field not in ``merge_data``: the entry number exists only after the
insert, so the letters code adds it at render time from the entry's ``entry_no`` (and
leaves it empty in previews of unlogged lines).

Logging keeps less: ``snapshot_values`` annotates only what each entry's letter can use
(``interactions.merge.snapshot``), from the fields of the documents the segment's lines
can be merged from (``letter_documents``).
"""

from django.db import models
from django.db.models import F, Q, Value

from crm.choices import CorrespondenceType
from interactions.merge import MERGE_DATA_FIELDS, document_fields, merge_data, snapshot
from interactions.merge import merge_expressions as _merge_expressions
from interactions.models import InteractionTemplateLanguage

from .effective import LINE_SOURCES, annotate_effective_values, effective_salesperson_value
from .models import Segment, SegmentLanguage, SegmentLine

__all__ = [
    "MERGE_DATA_FIELDS",
    "letter_documents",
    "merge_expressions",
    "merge_values",
    "snapshot_values",
]

TEXT = models.CharField()


def _line_sources(sources=LINE_SOURCES) -> dict:
    return {
        "contact": "contact__",
        "salesperson": lambda field: effective_salesperson_value(field, TEXT, sources),
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


def letter_documents(segment: Segment) -> set[str]:
    """Every document a line of ``segment`` can be merged from (SPEC 4.2): the lines'
    personalised ones, the segment's copies, and those of the templates the segment and
    its lines name, in every language. Three queries; the lines are read without joins."""
    lines = SegmentLine.objects.filter(segment=segment).order_by()
    names = set()
    templates = {segment.interaction_template_id}
    for template, document in lines.values_list("interaction_template_id", "document").distinct():
        templates.add(template)
        names.add(document)
    names.update(SegmentLanguage.objects.filter(segment=segment).values_list("document", flat=True))
    names.update(
        InteractionTemplateLanguage.objects.filter(template__in=templates - {None})
        .order_by()
        .values_list("document", flat=True)
    )
    return names - {""}


def snapshot_values(lines, segment: Segment, *, deliver: bool, sources=LINE_SOURCES):
    """``lines`` (with effective values from ``sources``) annotated with ``merge_data`` as
    logging keeps it: only the fields each line's letter can use
    (``interactions.merge.snapshot``); with ``deliver``, an email line also what its
    message reads."""
    delivered = Q(effective_correspondence_type=CorrespondenceType.EMAIL) if deliver else None
    # No line with a date of its own: every letter is dated the segment's date.
    shared_date = isinstance(sources.line("date"), Value) and segment.date is not None
    return lines.annotate(
        merge_data=snapshot(
            document_fields(letter_documents(segment)),
            delivered=delivered,
            attached=segment.send_as_attachment,
            date=Value(segment.date) if shared_date else None,
            **_line_sources(sources),
        )
    )
