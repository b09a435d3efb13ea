"""A segment's letters (SPEC 4.3): which document per line, previews and streamed outputs.

Values come from ``segments.merge`` (one SQL query for all lines), documents from storage;
``interactions.letters`` does the Word work. Outputs are streamed line by line, so memory
stays flat however many lines a segment has.
"""

import tempfile
from collections.abc import Iterator

from django.db.models import Case, Count, IntegerField, Sum, TextField, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.utils.translation import gettext as _

from interactions import letters
from interactions.delivery import DocumentCache, letter_values

from .exceptions import SegmentError
from .merge import merge_expressions, merge_values
from .models import Segment, SegmentLine

__all__ = [
    "LETTER_KINDS",
    "line_document",
    "preview",
    "template_report",
    "write_combined",
    "write_pdf",
    "write_zip",
]

CHUNK = 1000

#: The letter outputs a job can build: kind -> file extension.
LETTER_KINDS = {"zip": "zip", "docx": "docx", "pdf": "pdf"}


def _no_document(row: dict, segment_no: str) -> SegmentError:
    if not row["effective_language"]:
        # No language means no template either: naming a language would only show "-".
        return SegmentError(
            _(
                "Line %(line_no)s of segment %(no)s (%(contact)s) has no letter: it has no "
                "interaction template, and neither the line nor the segment has a document."
            ),
            code="no_document",
            params={"line_no": row["line_no"], "no": segment_no, "contact": row["contact__name"]},
        )
    return SegmentError(
        _(
            "Line %(line_no)s of segment %(no)s (%(contact)s) has no letter: neither the "
            "line, the segment nor its interaction template has a document in "
            "%(language)s or in the template's default language."
        ),
        code="no_document",
        params={
            "line_no": row["line_no"],
            "no": segment_no,
            "contact": row["contact__name"],
            "language": row["effective_language"],
        },
    )


def _rows(lines) -> Iterator[dict]:
    """Each line's number, contact name, document name and merge values: one query."""
    return (
        merge_values(lines.with_effective_values())
        .order_by("line_no")
        .values(
            "line_no",
            "contact__name",
            "contact_id",
            "effective_language",
            "effective_document",
            "merge_data",
            "segment__no",
        )
        .iterator(chunk_size=CHUNK)
    )


def _letters(lines, progress=None) -> Iterator[tuple[dict, bytes, dict]]:
    """(row, document, values) per line, in line order; the first line without a
    document stops with an error naming it. ``progress(1)`` is called per letter."""
    documents = DocumentCache()
    for row in _rows(lines):
        if not row["effective_document"]:
            raise _no_document(row, row["segment__no"])
        values = letter_values(row["merge_data"], contact_id=row["contact_id"])
        yield row, documents.get(row["effective_document"]), values
        if progress is not None:
            progress(1)


def line_document(line: SegmentLine) -> bytes:
    """The document ``line``'s letter is made from: personalised, the segment's copy in the
    line's language, the template's in that language, else in its default language.

    The application reads it through ``preview`` and the letter writers; the tests use
    this to check which document won."""
    row = (
        SegmentLine.objects.filter(pk=line.pk)
        .with_effective_values()
        .values("line_no", "contact__name", "effective_language", "effective_document")
        .get()
    )
    if not row["effective_document"]:
        raise _no_document(row, line.segment.no)
    return DocumentCache(1).get(row["effective_document"])


def preview(line: SegmentLine) -> bytes:
    """The letter of one line, as the contact will get it."""
    _row, document, values = next(_letters(SegmentLine.objects.filter(pk=line.pk)))
    return letters.render(document, values)


def _ensure_lines(segment: Segment) -> None:
    if not segment.lines.exists():
        raise SegmentError(
            _("Segment %(no)s has no lines, so there are no letters."),
            code="no_lines",
            params={"no": segment.no},
        )


def write_zip(segment: Segment, out, progress=None) -> int:
    """Stream a zip of one ``.docx`` per line ("<line no> <contact name>.docx") to ``out``."""
    _ensure_lines(segment)
    items = (
        (
            letters.safe_filename(f"{row['line_no']} {row['contact__name']}") + ".docx",
            document,
            values,
        )
        for row, document, values in _letters(segment.lines.all(), progress)
    )
    return letters.write_zip(out, items)


def write_combined(segment: Segment, out, progress=None) -> int:
    """Stream one ``.docx`` with every line's letter, each from a new page, to ``out``."""
    _ensure_lines(segment)
    items = (
        (document, values) for _row, document, values in _letters(segment.lines.all(), progress)
    )
    return letters.write_combined(out, items)


def write_pdf(segment: Segment, out, progress=None) -> int:
    """Stream one PDF of every line's letter to ``out`` (needs LibreOffice)."""
    if not letters.pdf_available():
        raise SegmentError(
            _("PDF is not available: LibreOffice is not installed on the server."),
            code="no_pdf",
        )
    with tempfile.NamedTemporaryFile(suffix=".docx") as combined:
        count = write_combined(segment, combined, progress)
        combined.flush()
        letters.to_pdf(combined.name, out)
    return count


def template_report(segment: Segment, document: bytes) -> dict:
    """What a document would do to ``segment``: its fields, known and unknown, and per
    known field how many lines would get an empty value (one aggregate query)."""
    report = letters.template_report(document)
    expressions = merge_expressions()
    counted = [name for name in report["known"] if name in expressions]
    lines = segment.lines.with_effective_values()
    empty = {
        name: Sum(
            Case(
                When(
                    Exact(Coalesce(expressions[name], Value(""), output_field=TextField()), ""),
                    then=Value(1),
                ),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        for name in counted
    }
    totals = lines.aggregate(lines=Count("pk"), **empty)
    report["lines"] = totals.pop("lines")
    report["empty"] = {name: totals[name] or 0 for name in counted}
    if "EntryNo" in report["known"]:
        # The entry number exists only once the segment is logged.
        report["empty"]["EntryNo"] = 0
    if "UnsubscribeUrl" in report["known"]:
        # Every contact has its link, made when the letter is rendered.
        report["empty"]["UnsubscribeUrl"] = 0
    return report
