"""interactions.letters: merging Word-made documents, bad values, uploads, outputs."""

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest

from interactions import letters
from interactions.exceptions import LetterError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "letters"

VALUES = {
    "ContactName": "anne hansen",
    "City": "OSLO",
    "OurName": "Cronus AS",
    "MailingAddress": "Anne Hansen\nStorgata 1\n0150 Oslo",
    "DocumentDate": "28 November 2026",
    "JobTitle": "sales MANAGER",
    "CompanyName": "Acme",
    "PersonalNote": "",
}


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def paragraphs(document: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(document)).paragraphs]


def test_simple_fields_are_merged():
    letter = letters.render(fixture("simple_fields.docx"), VALUES)
    assert paragraphs(letter) == [
        "Dear anne hansen,",
        "Your city: OSLO. Our name: Cronus AS",
        "Unknown: «Nmae»",
    ]


def test_simple_field_keeps_its_formatting():
    letter = letters.render(fixture("simple_fields.docx"), VALUES)
    runs = docx.Document(io.BytesIO(letter)).paragraphs[1].runs
    city = next(run for run in runs if run.text == "OSLO")
    assert city.bold is True


def test_complex_fields_are_merged_and_other_fields_kept():
    letter = letters.render(fixture("complex_fields.docx"), VALUES)
    assert paragraphs(letter) == [
        "Dear anne hansen,",
        "Anne Hansen\nStorgata 1\n0150 Oslo",
        "Date: 28 November 2026 Page 1",
    ]
    xml = zipfile.ZipFile(io.BytesIO(letter)).read("word/document.xml")
    assert b"MERGEFIELD" not in xml
    assert b" PAGE " in xml


def test_instruction_split_across_runs_is_merged():
    document = fixture("split_instruction.docx")
    assert letters.fields(document) == ["ContactName", "City"]
    assert paragraphs(letters.render(document, VALUES)) == ["Hello anne hansen from OSLO."]


def test_switches_shape_the_value():
    letter = letters.render(fixture("switches.docx"), VALUES)
    assert paragraphs(letter) == [
        "Name: ANNE HANSEN",
        "Lower: oslo",
        "Caps: Sales Manager",
        "Company, at Acme (company).",
        "Note:|",
    ]


def test_text_before_and_after_only_with_a_value():
    letter = letters.render(
        fixture("switches.docx"), {**VALUES, "CompanyName": "", "PersonalNote": "call me"}
    )
    assert paragraphs(letter)[3:] == ["Company.", "Note: PS: call me|"]


def test_fields_in_order_of_first_use():
    assert letters.fields(fixture("simple_fields.docx")) == [
        "ContactName",
        "City",
        "OurName",
        "Nmae",
    ]


def test_data_source_link_is_removed_from_the_letter():
    document = fixture("complex_fields.docx")
    assert b"mailMerge" in zipfile.ZipFile(io.BytesIO(document)).read("word/settings.xml")
    letter = letters.render(document, VALUES)
    assert b"mailMerge" not in zipfile.ZipFile(io.BytesIO(letter)).read("word/settings.xml")


def test_letter_is_a_valid_zip_with_every_member():
    document = fixture("complex_fields.docx")
    letter = letters.render(document, VALUES)
    with zipfile.ZipFile(io.BytesIO(letter)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == zipfile.ZipFile(io.BytesIO(document)).namelist()


def test_same_values_render_identical_bytes():
    document = fixture("switches.docx")
    assert letters.render(document, VALUES) == letters.render(document, dict(VALUES))


def test_field_names_match_regardless_of_case():
    document = letters.build_document(["«contactname» / «CITY»"])
    assert letters.fields(document) == ["ContactName", "City"]
    assert paragraphs(letters.render(document, VALUES)) == ["anne hansen / OSLO"]


# --- bad values -------------------------------------------------------------------------

FORBIDDEN = "".join(chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
FORBIDDEN += "\ufffe\uffff\ud800"


def test_every_forbidden_character_is_removed_and_the_rest_kept_literally():
    value = "A" + FORBIDDEN + "&<>\"' 😀 Z"
    letter = letters.render(letters.build_document(["[«ContactName»]"]), {"ContactName": value})
    assert paragraphs(letter) == ["[A&<>\"' 😀 Z]"]


def test_tabs_and_newlines_become_tabs_and_line_breaks():
    letter = letters.render(
        letters.build_document(["«ContactName»"]), {"ContactName": "a\tb\r\nc\rd\ne"}
    )
    assert paragraphs(letter) == ["a\tb\nc\nd\ne"]
    xml = zipfile.ZipFile(io.BytesIO(letter)).read("word/document.xml")
    assert xml.count(b"<w:br/>") == 3
    assert b"<w:tab/>" in xml


@pytest.mark.parametrize(
    "value",
    [
        "«City»",
        "</w:t></w:r><w:r><w:t>injected",
        "]]><!-- x -->",
        "\ue0000\ue000",
        "MERGEFIELD City",
        '<?xml version="1.0"?><w:document/>',
    ],
)
def test_a_value_never_changes_the_document(value):
    document = letters.build_document(["«ContactName» lives in «City»."])
    letter = letters.render(document, {"ContactName": value, "City": "Oslo"})
    assert paragraphs(letter) == [f"{value} lives in Oslo."]
    body = docx.Document(io.BytesIO(letter)).element.body
    assert len(body.findall(".//{*}p")) == 1


def test_unknown_field_stays_visible_and_is_reported():
    document = letters.build_document(["«ContactName» «Nmae»"])
    assert paragraphs(letters.render(document, {"ContactName": "X"})) == ["X «Nmae»"]
    report = letters.template_report(document)
    assert report["known"] == ["ContactName"]
    assert report["unknown"] == ["Nmae"]


# --- building documents -------------------------------------------------------------------


def test_build_document_makes_real_merge_fields():
    document = letters.build_document(["Dear «FormalSalutation»,", "«PersonalNote»"])
    assert letters.fields(document) == ["FormalSalutation", "PersonalNote"]
    xml = zipfile.ZipFile(io.BytesIO(document)).read("word/document.xml")
    assert xml.count(b'w:fldCharType="begin"') == 2
    assert b"MERGEFIELD FormalSalutation" in xml


def test_starter_document_holds_every_field_with_its_description():
    document = letters.starter_document("en")
    assert letters.fields(document) == list(letters.MERGE_FIELDS)
    table = docx.Document(io.BytesIO(document)).tables[0]
    rows = {row.cells[0].text: row.cells[1].text for row in table.rows[1:]}
    assert rows["MailingAddress"] == str(letters.MERGE_FIELDS["MailingAddress"])
    assert len(rows) == len(letters.MERGE_FIELDS) == 35


# --- upload checks ------------------------------------------------------------------------


def check(data: bytes):
    letters.check_upload(io.BytesIO(data), len(data))


def zip_of(members: dict[str, bytes], **kwargs) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def members_of(document: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(document)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_plain_docx_is_accepted_and_the_file_rewound():
    data = fixture("complex_fields.docx")
    upload = io.BytesIO(data)
    letters.check_upload(upload, len(data))
    assert upload.tell() == 0


def test_oversized_upload_is_rejected(settings):
    settings.LETTER_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(LetterError, match="documents may be at most"):
        check(fixture("complex_fields.docx"))


def test_renamed_pdf_is_rejected():
    with pytest.raises(LetterError, match=r"not a Word document \(.docx\)"):
        check(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF")


def test_docm_is_rejected():
    members = members_of(fixture("complex_fields.docx"))
    members["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0macro"
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml"
    )
    with pytest.raises(LetterError, match="contains macros"):
        check(zip_of(members))


def test_zip_that_is_not_a_word_document_is_rejected():
    with pytest.raises(LetterError, match="not a Word document"):
        check(zip_of({"[Content_Types].xml": b"<Types/>", "readme.txt": b"hi"}))


def test_encrypted_member_is_rejected():
    data = bytearray(fixture("complex_fields.docx"))
    # Set the "encrypted" flag bit on every central directory entry, as a password-
    # protected zip has it.
    for match in re.finditer(rb"PK\x01\x02", bytes(data)):
        data[match.start() + 8] |= 0x1
    with pytest.raises(LetterError, match="encrypted"):
        check(bytes(data))


def test_zip_bomb_is_rejected():
    members = members_of(fixture("complex_fields.docx"))
    members["word/media/padding.xml"] = b"\0" * (20 * 2**20)
    with pytest.raises(LetterError, match="zip bomb"):
        check(zip_of(members))


def test_too_large_unpacked_is_rejected(settings):
    settings.LETTER_MAX_UNCOMPRESSED_BYTES = 10_000
    with pytest.raises(LetterError, match="unpacks to"):
        check(fixture("complex_fields.docx"))


# --- outputs ------------------------------------------------------------------------------


def test_zip_of_letters_holds_one_docx_per_letter():
    document = fixture("complex_fields.docx")
    out = io.BytesIO()
    count = letters.write_zip(
        out, ((f"{n} Person {n}.docx", document, {"ContactName": f"Person {n}"}) for n in range(3))
    )
    assert count == 3
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == [f"{n} Person {n}.docx" for n in range(3)]
        assert paragraphs(archive.read("2 Person 2.docx"))[0] == "Dear Person 2,"


def test_combined_docx_has_a_section_per_letter_from_different_documents():
    english = fixture("complex_fields.docx")
    norwegian = letters.build_document(["Hei «ContactName»,"])
    out = io.BytesIO()
    items = [(english if n % 2 else norwegian, {"ContactName": f"P{n}"}) for n in range(5)]
    assert letters.write_combined(out, items) == 5
    combined = docx.Document(io.BytesIO(out.getvalue()))
    assert len(combined.sections) == 5
    texts = [p.text for p in combined.paragraphs if p.text]
    assert texts[0] == "Hei P0," and texts[1] == "Dear P1,"
    assert [t for t in texts if t.startswith(("Hei", "Dear"))] == [
        "Hei P0,",
        "Dear P1,",
        "Hei P2,",
        "Dear P3,",
        "Hei P4,",
    ]


def test_combining_nothing_is_an_error():
    with pytest.raises(LetterError, match="no letters"):
        letters.write_combined(io.BytesIO(), [])


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.mark.once
@pytest.mark.skipif(not letters.pdf_available(), reason="LibreOffice is not installed")
def test_pdf_has_one_page_per_letter():
    combined = io.BytesIO()
    document = fixture("complex_fields.docx")
    letters.write_combined(combined, [(document, {"ContactName": f"P{n}"}) for n in range(3)])
    pdf = io.BytesIO()
    letters.to_pdf(combined.getvalue(), pdf)
    assert pdf.getvalue().startswith(b"%PDF")
    assert pdf_pages(pdf.getvalue()) == 3


def test_pdf_without_libreoffice_says_so(settings):
    settings.LIBREOFFICE_BINARY = "no-such-libreoffice"
    assert letters.pdf_available() is False
    with pytest.raises(LetterError, match="LibreOffice is not installed"):
        letters.to_pdf(b"x", io.BytesIO())


def test_safe_filename_strips_path_and_control_characters():
    assert letters.safe_filename("10000 A/B\\C:\x00D?.") == "10000 A B C D"
