"""Segments for the job tests: loggable, with a Word letter in English."""

import datetime

from django.core.files.base import ContentFile

from crm.models import CompanyInformation, Contact
from interactions import letters
from segments.models import LINE_NO_STEP, SegmentLine
from tests.factories import (
    ContactFactory,
    InteractionTemplateFactory,
    InteractionTemplateLanguageFactory,
    SalespersonFactory,
    SegmentFactory,
)

LETTER = ["Dear «ContactName»,", "«DocumentDate»", "«City»"]


def letter_segment(lines: int, *, user, document: bool = True):
    """A segment of ``lines`` lines that can be logged and merged (English letter)."""
    CompanyInformation(name="Cronus AS", country="NO").save()
    template = InteractionTemplateFactory(default_language="en")
    InteractionTemplateLanguageFactory(
        template=template,
        language="en",
        subject="Offer",
        document=ContentFile(letters.build_document(LETTER), name="en.docx") if document else "",
    )
    segment = SegmentFactory(
        interaction_template=template,
        salesperson=SalespersonFactory(),
        date=datetime.date(2026, 11, 28),
        created_by=user,
    )
    contacts = Contact.objects.bulk_create(ContactFactory.build_batch(lines, language="en"))
    SegmentLine.objects.bulk_create(
        SegmentLine(segment=segment, line_no=(index + 1) * LINE_NO_STEP, contact=contact)
        for index, contact in enumerate(contacts)
    )
    return segment
