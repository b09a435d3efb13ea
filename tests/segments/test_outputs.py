"""segments.outputs: which document per line, previews, zip/combined/PDF, template report."""

import datetime
import io
import re
import zipfile

import docx
import pytest
from django.core.files.base import ContentFile

from crm.models import CompanyInformation
from interactions import delivery, letters
from interactions.models import InteractionLogEntry
from segments import outputs, services
from segments.exceptions import SegmentError
from segments.models import SegmentLanguage, SegmentLine
from tests.factories import (
    ContactFactory,
    InteractionTemplateFactory,
    InteractionTemplateLanguageFactory,
    SalespersonFactory,
    SalutationFormulaFactory,
    SegmentFactory,
)

ENGLISH = ["Dear «ContactName»,", "«DocumentDate»", "«PersonalNote»", "EN «City»"]
NORWEGIAN = ["Kjære «ContactName»,", "«DocumentDate»", "«PersonalNote»", "NB «City»"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def text_of(document: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(document)).paragraphs]


@pytest.fixture
def template(db):
    template = InteractionTemplateFactory(default_language="en")
    for language, paragraphs in [("en", ENGLISH), ("nb", NORWEGIAN)]:
        InteractionTemplateLanguageFactory(
            template=template,
            language=language,
            subject=f"Subject {language}",
            document=ContentFile(letters.build_document(paragraphs), name=f"{language}.docx"),
        )
    return template


@pytest.fixture
def segment(template, user):
    CompanyInformation(name="Cronus AS", country="NO").save()
    return SegmentFactory(
        interaction_template=template,
        salesperson=SalespersonFactory(),
        date=datetime.date(2026, 11, 28),
        created_by=user,
    )


def add(segment, n, **contact):
    return SegmentLine.objects.create(
        segment=segment, line_no=n * 10000, contact=ContactFactory(**contact)
    )


def test_norwegian_contact_gets_the_norwegian_letter_and_date(segment):
    line = add(segment, 1, name="Kari Nordmann", language="nb", city="Bergen")
    assert text_of(outputs.preview(line)) == [
        "Kjære Kari Nordmann,",
        "28. november 2026",
        "",
        "NB Bergen",
    ]


def test_english_contact_gets_the_english_letter_and_date(segment):
    line = add(segment, 1, name="Ann Smith", language="en", city="Leeds")
    assert text_of(outputs.preview(line))[:2] == ["Dear Ann Smith,", "28 November 2026"]


def test_language_without_document_falls_back_to_the_templates_default(segment):
    line = add(segment, 1, name="Hans Muster", language="de")
    assert text_of(outputs.preview(line))[0] == "Dear Hans Muster,"


def test_personal_note_is_merged(segment):
    line = add(segment, 1, language="en")
    line.personal_note = "See you at the fair!\nBring a friend."
    line.save()
    assert text_of(outputs.preview(line))[2] == "See you at the fair!\nBring a friend."


def test_personalised_line_document_wins_and_removing_it_returns_to_shared(segment):
    line = add(segment, 1, name="Ann Smith", language="en")
    line.document.save("mine.docx", ContentFile(letters.build_document(["Only «ContactName»"])))
    assert text_of(outputs.preview(line)) == ["Only Ann Smith"]
    line.document = ""
    line.save()
    assert text_of(outputs.preview(line))[0] == "Dear Ann Smith,"


def test_segments_edited_copy_wins_over_the_template(segment):
    copy = letters.build_document(["Edited for «ContactName»"])
    SegmentLanguage.objects.create(
        segment=segment, language="en", document=ContentFile(copy, name="copy.docx")
    )
    line = add(segment, 1, name="Ann Smith", language="en")
    assert text_of(outputs.preview(line)) == ["Edited for Ann Smith"]
    assert outputs.line_document(line) == copy


def test_line_without_any_document_is_a_clear_error(segment, user):
    bare = SegmentFactory(
        interaction_template=InteractionTemplateFactory(), created_by=user, no="SEGBARE"
    )
    line = add(bare, 3, name="Ann Smith")
    with pytest.raises(SegmentError, match="Line 30000 of segment SEGBARE .Ann Smith. has no"):
        outputs.preview(line)


def test_a_line_without_a_template_says_so_instead_of_naming_language_dash(user):
    """Walk finding: a follow-up segment (no template) answered "... has a document in -
    or in the template's default language" when its letters were downloaded."""
    bare = SegmentFactory(interaction_template=None, created_by=user, no="SEGNT")
    add(bare, 1, name="Ann Smith", language="")
    expected = (
        "Line 10000 of segment SEGNT (Ann Smith) has no letter: it has no interaction "
        "template, and neither the line nor the segment has a document."
    )
    for write in (outputs.write_zip, outputs.write_combined):
        out = io.BytesIO()
        with pytest.raises(SegmentError) as raised:
            write(bare, out)
        assert raised.value.messages == [expected]
    assert bare.lines.count() == 1


def test_zip_holds_one_named_letter_per_line(segment):
    for n, name in enumerate(["Ann Smith", "Kari Nordmann", "Bob/Jones"], 1):
        add(segment, n, name=name, language="nb" if n == 2 else "en")
    out = io.BytesIO()
    assert outputs.write_zip(segment, out) == 3
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == [
            "10000 Ann Smith.docx",
            "20000 Kari Nordmann.docx",
            "30000 Bob Jones.docx",
        ]
        assert text_of(archive.read("20000 Kari Nordmann.docx"))[0] == "Kjære Kari Nordmann,"


def test_combined_docx_has_one_section_per_line_with_each_name(segment):
    names = ["Ann Smith", "Kari Nordmann", "Per Hansen", "Bob Jones"]
    for n, name in enumerate(names, 1):
        add(segment, n, name=name, language="nb" if n % 2 == 0 else "en")
    out = io.BytesIO()
    assert outputs.write_combined(segment, out) == 4
    combined = docx.Document(io.BytesIO(out.getvalue()))
    assert len(combined.sections) == 4
    greetings = [p.text for p in combined.paragraphs if p.text.startswith(("Dear", "Kjære"))]
    assert greetings == [
        "Dear Ann Smith,",
        "Kjære Kari Nordmann,",
        "Dear Per Hansen,",
        "Kjære Bob Jones,",
    ]


def test_outputs_of_a_segment_without_lines_are_refused(segment):
    with pytest.raises(SegmentError, match="has no lines"):
        outputs.write_zip(segment, io.BytesIO())


def test_output_queries_do_not_grow_with_lines(segment, django_assert_max_num_queries):
    for n in range(1, 31):
        add(segment, n, language="en" if n % 2 else "nb")
    with django_assert_max_num_queries(4):
        outputs.write_zip(segment, io.BytesIO())


@pytest.mark.once
@pytest.mark.skipif(not letters.pdf_available(), reason="LibreOffice is not installed")
def test_combined_pdf_has_a_page_per_line(segment):
    for n in range(1, 4):
        add(segment, n, language="en" if n % 2 else "nb")
    out = io.BytesIO()
    assert outputs.write_pdf(segment, out) == 3
    assert len(re.findall(rb"/Type\s*/Page[^s]", out.getvalue())) == 3


def test_template_report_counts_empty_values_per_field(segment):
    add(segment, 1, job_title="CEO", phone="")
    add(segment, 2, job_title="", phone="")
    add(segment, 3, job_title="", phone="123")
    document = letters.build_document(["«JobTitle» «Phone» «ContactName» «Nmae» «EntryNo»"])
    report = outputs.template_report(segment, document)
    assert report["known"] == ["JobTitle", "Phone", "ContactName", "EntryNo"]
    assert report["unknown"] == ["Nmae"]
    assert report["lines"] == 3
    assert report["empty"] == {"JobTitle": 2, "Phone": 2, "ContactName": 0, "EntryNo": 0}


def test_formal_salutation_in_the_letters_language(segment):
    formula = SalutationFormulaFactory(language="nb", formal="Kjære {first_name} {surname}")
    line = add(segment, 1, language="nb", first_name="Kari", surname="Nordmann")
    line.contact.salutation = formula.salutation
    line.contact.save()
    document = letters.build_document(["«FormalSalutation»"])
    line.document.save("s.docx", ContentFile(document))
    assert text_of(outputs.preview(line)) == ["Kjære Kari Nordmann"]


def test_a_logged_letter_stays_identical_after_the_template_gets_a_new_document(
    segment, template, user
):
    """The entry keeps the document it was merged from, not a link to today's template."""
    add(segment, 1, name="Ann Smith", language="en")
    sent = outputs.preview(segment.lines.get())
    logged = services.log_segment(segment, user=user)
    entry = InteractionLogEntry.objects.get(logged_segment=logged)
    version = template.languages.get(language="en")
    version.document = ContentFile(letters.build_document(["Changed «ContactName»"]), "v2.docx")
    version.save()
    assert text_of(delivery.entry_letter(entry)) == text_of(sent)
    assert text_of(sent)[0] == "Dear Ann Smith,"


def test_logged_entry_letter_is_rendered_again_identically(segment, user):
    line = add(segment, 1, name="Ann Smith", language="en", correspondence_type="hard_copy")
    line.document.save("mine.docx", ContentFile(letters.build_document(["«ContactName»"])))
    add(segment, 2, name="Kari Nordmann", language="nb")
    previews = [outputs.preview(line) for line in segment.lines.order_by("line_no")]
    logged = services.log_segment(segment, user=user)
    entries = list(InteractionLogEntry.objects.filter(logged_segment=logged).order_by("pk"))
    assert [text_of(delivery.entry_letter(e)) for e in entries] == [text_of(p) for p in previews]
    assert delivery.entry_letter(entries[0]) == delivery.entry_letter(entries[0])
    entry_no_document = letters.build_document(["No «EntryNo»"])
    assert letters.render(entry_no_document, {"EntryNo": str(entries[1].entry_no)})


def test_template_report_counts_every_merge_field_including_the_personal_note(segment):
    """Regression: PersonalNote's expression is a TextField; coalescing it with a bare
    Value("") raised FieldError (mixed types), so the Letters page answered 500."""
    line = add(segment, 1)
    line.personal_note = "Thanks for coming by"
    line.save()
    add(segment, 2)
    document = letters.build_document([f"«{name}»" for name in letters.MERGE_FIELDS])
    report = outputs.template_report(segment, document)
    assert report["lines"] == 2
    assert report["empty"]["PersonalNote"] == 1
    assert set(report["empty"]) == set(report["known"])
