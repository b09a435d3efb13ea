"""Segments with lines for the logging tests, made with the ORM (one row per line).

Lines are created directly rather than through the building services so that each test
chooses exactly which values a line overrides.
"""

import datetime

from crm.models import Contact
from segments.models import LINE_NO_STEP, SegmentLine
from tests.factories import (
    ContactFactory,
    InteractionTemplateFactory,
    SalespersonFactory,
    SegmentFactory,
)


def add_line(segment, contact=None, **overrides) -> SegmentLine:
    """Append a line for ``contact`` (a new person when omitted) with ``overrides``."""
    last = segment.lines.order_by("-line_no").values_list("line_no", flat=True).first() or 0
    return SegmentLine.objects.create(
        segment=segment,
        line_no=last + LINE_NO_STEP,
        contact=contact or ContactFactory(),
        **overrides,
    )


def loggable_segment(lines: int = 3, **header):
    """A segment that can be logged: description, template, salesperson, ``lines`` lines."""
    if "interaction_template" not in header:
        header["interaction_template"] = InteractionTemplateFactory()
    if "salesperson" not in header:
        header["salesperson"] = SalespersonFactory()
    header.setdefault("date", datetime.date(2026, 11, 28))
    segment = SegmentFactory(**header)
    contacts = Contact.objects.bulk_create(ContactFactory.build_batch(lines))
    SegmentLine.objects.bulk_create(
        SegmentLine(segment=segment, line_no=(index + 1) * LINE_NO_STEP, contact=contact)
        for index, contact in enumerate(contacts)
    )
    return segment
