"""Logging builds its INSERT ... SELECT from what the segment's lines override (issue 16):
an override no line sets is not computed or joined for every line, a date every line
shares is written out once per language; the entries are those of the full rules."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.models import CompanyInformation
from interactions import letters
from segments import services
from segments.exceptions import LoggingError
from segments.merge import merge_values
from segments.models import SegmentLine
from tests.factories import (
    ContactFactory,
    InteractionTemplateFactory,
    InteractionTemplateLanguageFactory,
    SalespersonFactory,
    SalutationFormulaFactory,
    SegmentFactory,
)

pytestmark = pytest.mark.django_db

LETTER = ["«MailingAddress»", "«DocumentDate»", "«FormalSalutation»", "«SalespersonName»"]
COLUMNS = {
    "language": "effective_language",
    "date": "effective_date",
    "subject": "effective_subject",
    "description": "effective_description",
    "salesperson_id": "effective_salesperson",
    "template_id": "effective_template",
    "document": "effective_document",
    "correspondence_type": "effective_correspondence_type",
    "cost": "effective_cost",
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def template_with_letters(code: str, default_language: str = "en"):
    template = InteractionTemplateFactory(
        code=code, default_language=default_language, correspondence_type="hard_copy"
    )
    for language in ("en", "nb"):
        InteractionTemplateLanguageFactory(
            template=template,
            language=language,
            subject=f"{code} {language}",
            document=ContentFile(letters.build_document(LETTER), name=f"{code}-{language}.docx"),
        )
    return template


@pytest.fixture
def segment(user):
    CompanyInformation(name="Cronus AS", country="NO").save()
    return SegmentFactory(
        interaction_template=template_with_letters("OFFER"),
        salesperson=None,
        date=datetime.date(2026, 11, 28),
        created_by=user,
    )


def add(segment, n, **line):
    formula = SalutationFormulaFactory(language="nb", formal="Kjære {first_name}")
    SalutationFormulaFactory(salutation=formula.salutation, language="en", formal="Dear {surname}")
    contact = ContactFactory(
        salutation=formula.salutation,
        language="nb" if n % 2 else "en",
        salesperson=SalespersonFactory(name=f"Seller {n}"),
    )
    return SegmentLine.objects.create(segment=segment, line_no=n * 10000, contact=contact, **line)


def expected(segment) -> list[dict]:
    """Per line, what the full rules give (every override read from every line)."""
    rows = merge_values(SegmentLine.objects.filter(segment=segment).with_effective_values())
    return list(rows.order_by("line_no").values("merge_data", *COLUMNS.values()))


def logged(segment, user) -> tuple[list, str]:
    with CaptureQueriesContext(connection) as queries:
        logged = services.log_segment(segment, user=user)
    (insert,) = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith('INSERT INTO "interactions_interactionlogentry"')
    ]
    entries = logged.entries.order_by("entry_no").values("merge_data", *COLUMNS)
    return list(entries), insert


def assert_same(entries: list[dict], full: list[dict]):
    assert len(entries) == len(full)
    for entry, line in zip(entries, full, strict=True):
        for column, effective in COLUMNS.items():
            assert entry[column] == line[effective], (column, entry, line)
        # The entry keeps the letter's fields, with the values the full merge gives.
        assert entry["merge_data"] == {
            name: line["merge_data"][name] for name in entry["merge_data"]
        }
        assert set(entry["merge_data"]) == {
            "MailingAddress",
            "DocumentDate",
            "FormalSalutation",
            "SalespersonName",
        }


def test_overrides_no_line_sets_are_neither_computed_nor_joined(segment, user):
    for n in range(1, 5):
        add(segment, n)
    full = expected(segment)

    entries, insert = logged(segment, user)

    assert_same(entries, full)
    assert [entry["language"] for entry in entries] == ["nb", "en", "nb", "en"]
    assert entries[0]["merge_data"]["DocumentDate"] == "28. november 2026"
    assert entries[1]["merge_data"]["SalespersonName"] == "Seller 2"
    # No line overrides its language, template, salesperson or date: the statement reads
    # none of them, and the shared date is written out once per language.
    for column in ("language", "interaction_template_id", "salesperson_id", "date"):
        assert f'"segments_segmentline"."{column}"' not in insert
    assert "'28 November 2026'" in insert and "'28. november 2026'" in insert
    # Nor the header's language and salesperson, known from the segment's row, nor its
    # copies per language: it has none.
    assert '"segments_segment"."language"' not in insert
    assert '"segments_segment"."salesperson_id"' not in insert
    assert "segments_segmentlanguage" not in insert


def test_lines_that_override_keep_their_values_and_the_others_inherit(segment, user):
    other = template_with_letters("THANKS", default_language="nb")
    add(segment, 1)
    add(segment, 2, language="nb", date=datetime.date(2026, 1, 5))
    add(segment, 3, interaction_template=other, description="Own")
    add(segment, 4, salesperson=SalespersonFactory(name="Line seller"), subject="Hello")
    add(segment, 5, correspondence_type="email", cost=7)
    full = expected(segment)

    entries, insert = logged(segment, user)

    assert_same(entries, full)
    assert entries[1]["merge_data"]["DocumentDate"] == "5. januar 2026"
    assert entries[2]["template_id"] == other.pk
    assert entries[2]["subject"] == "THANKS nb"
    assert entries[3]["merge_data"]["SalespersonName"] == "Line seller"
    assert entries[0]["merge_data"]["SalespersonName"] == "Seller 1"
    assert '"segments_segmentline"."language"' in insert


def test_the_checks_before_logging_join_no_version_unless_delivering(segment, user):
    add(segment, 1)
    add(segment, 2, language="nb")
    with CaptureQueriesContext(connection) as queries:
        services.validate_segment(segment)
    checks = " ".join(query["sql"] for query in queries.captured_queries)
    assert "interactions_interactiontemplatelanguage" not in checks
    assert "segments_segmentlanguage" not in checks
    # Delivering checks each line's letter, which depends on its language.
    SegmentLine.objects.filter(line_no=10000).update(correspondence_type="email")
    segment.interaction_template.languages.update(document="")
    with pytest.raises(LoggingError) as raised:
        services.validate_segment(segment, deliver=True)
    assert [problem.code for problem in raised.value.problems] == ["no_letter"]
    assert raised.value.problems[0].line_nos == (10000, 20000)
