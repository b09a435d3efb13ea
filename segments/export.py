"""The CSV export of a segment (SPEC 4.1 ``export_contacts``): one row per line.

``segments.services`` re-exports ``export_contacts``, where SPEC 4.1 names it.
"""

import csv
from typing import IO

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst

from crm.models import Contact
from crm.spreadsheets import safe_row

from .models import Segment, SegmentLine

__all__ = ["EXPORT_COLUMNS", "export_contacts", "field_label"]

#: The columns of the export, in order: (heading field, path from the line).
EXPORT_COLUMNS = (
    ("line_no", "line_no"),
    ("no", "contact__no"),
    ("type", "contact__type"),
    ("name", "contact__name"),
    ("company", "contact__company__no"),
    ("company_name", "contact__company_name"),
    ("first_name", "contact__first_name"),
    ("middle_name", "contact__middle_name"),
    ("surname", "contact__surname"),
    ("job_title", "contact__job_title"),
    ("address", "contact__address"),
    ("address_2", "contact__address_2"),
    ("post_code", "contact__post_code"),
    ("city", "contact__city"),
    ("county", "contact__county"),
    ("country", "contact__country"),
    ("phone", "contact__phone"),
    ("mobile_phone", "contact__mobile_phone"),
    ("email", "contact__email"),
    ("language", "contact__language"),
    ("correspondence_type", "contact__correspondence_type"),
)


def export_contacts(segment: Segment, stream: IO[str]) -> int:
    """Write the segment as CSV to a text stream, one row per line; returns the rows.

    Rows are streamed from the database in chunks, so memory stays flat.
    """
    writer = csv.writer(stream)
    writer.writerow(
        [
            field_label(SegmentLine if name == "line_no" else Contact, name)
            for name, _path in EXPORT_COLUMNS
        ]
    )
    rows = (
        SegmentLine.objects.filter(segment=segment)
        .order_by("line_no")
        .values_list(*(path for _name, path in EXPORT_COLUMNS))
    )
    count = 0
    for row in rows.iterator(chunk_size=2000):
        writer.writerow(safe_row(row))
        count += 1
    return count


def field_label(model, name: str) -> str:
    """The field's verbose name as a heading or in an error, or ``name`` if no such field."""
    try:
        return str(capfirst(model._meta.get_field(name).verbose_name))
    except FieldDoesNotExist:
        return name
