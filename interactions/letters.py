"""Word letters: merge fields, rendering, combined outputs and upload checks.

The only module that touches ``.docx`` internals: bytes and dicts in, bytes out, no ORM.

A letter is a ``.docx`` with Word ``MERGEFIELD``s (simple or complex fields). A document is
*prepared* once (docx-mailmerge2 finds and normalises its fields, each becomes a
placeholder run) and every letter is then a substitution into the prepared XML, written as
a zip that copies the template's unchanged members as their already-compressed bytes.
"""

import io
import re
from collections import OrderedDict

import docx
from django.utils import translation
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

MERGE_FIELDS: "OrderedDict[str, str]" = OrderedDict(
    [
        ("ContactNo", _("Contact number")),
        ("ContactName", _("Contact name")),
        ("CompanyName", _("Company name")),
        ("JobTitle", _("Job title")),
        ("Address", _("Address")),
        ("Address2", _("Address 2")),
        ("PostCode", _("Post code")),
        ("City", _("City")),
        ("County", _("County")),
        ("Country", _("Country")),
        ("MailingAddress", _("Mailing address (several lines, country only when abroad)")),
        ("Email", _("Email")),
        ("Phone", _("Phone")),
        ("MobilePhone", _("Mobile phone")),
        ("FormalSalutation", _("Formal salutation, in the letter's language")),
        ("InformalSalutation", _("Informal salutation, in the letter's language")),
        ("SalespersonName", _("Salesperson name")),
        ("SalespersonJobTitle", _("Salesperson job title")),
        ("SalespersonEmail", _("Salesperson email")),
        ("SalespersonPhone", _("Salesperson phone")),
        ("DocumentDate", _("Document date, in the letter's language")),
        ("Subject", _("Subject")),
        ("Description", _("Description")),
        ("SegmentNo", _("Segment number")),
        ("EntryNo", _("Interaction log entry number")),
        ("PersonalNote", _("Personal note of the segment line")),
        ("OurName", _("Our company name")),
        ("OurAddress", _("Our address")),
        ("OurPostCode", _("Our post code")),
        ("OurCity", _("Our city")),
        ("OurCountry", _("Our country")),
        ("OurPhone", _("Our phone")),
        ("OurEmail", _("Our email")),
        ("OurVatNo", _("Our VAT number")),
    ]
)

# Characters XML 1.0 forbids (and lone surrogates, which cannot be encoded): removed from
# every merged value, since python-docx and lxml refuse them and Word cannot open them.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
FIELD_MARK = re.compile(r"«([^«»\s]+)»")


def clean_text(value: str) -> str:
    """``value`` without the characters XML forbids."""
    return XML_FORBIDDEN.sub("", value)


# --- building documents -------------------------------------------------------------------


def _add_merge_field(paragraph, name: str) -> None:
    """Append a complex MERGEFIELD as Word's Insert Merge Field writes it."""

    def run_with(child):
        run = OxmlElement("w:r")
        run.append(child)
        paragraph._p.append(run)
        return run

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" MERGEFIELD {name} "
    run_with(instr)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    result = paragraph.add_run(f"«{name}»")
    result._r.get_or_add_rPr().append(OxmlElement("w:noProof"))
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _add_text(paragraph, text: str) -> None:
    """Append ``text``; each «FieldName» in it becomes a real merge field."""
    position = 0
    for match in FIELD_MARK.finditer(text):
        if match.start() > position:
            paragraph.add_run(clean_text(text[position : match.start()]))
        _add_merge_field(paragraph, match.group(1))
        position = match.end()
    if position < len(text):
        paragraph.add_run(clean_text(text[position:]))


def build_document(paragraphs: list[str]) -> bytes:
    """A new ``.docx`` with one paragraph per string; «FieldName» becomes a MERGEFIELD.

    A newline inside a string is a line break, a tab a tab stop.
    """
    document = docx.Document()
    for text in paragraphs:
        _add_text(document.add_paragraph(), text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def starter_document(language: str = "en") -> bytes:
    """A ``.docx`` holding every merge field with its description, in ``language``."""
    with translation.override(language):
        document = docx.Document()
        document.add_heading(_g("Merge fields"), level=1)
        document.add_paragraph(
            _g(
                "Each field below is a Word merge field. Copy the ones you need into your "
                "letter, or insert them with Mailings > Insert Merge Field."
            )
        )
        table = document.add_table(rows=1, cols=3)
        header = table.rows[0].cells
        header[0].text = _g("Field")
        header[1].text = _g("Description")
        header[2].text = _g("Merge field")
        for name, description in MERGE_FIELDS.items():
            cells = table.add_row().cells
            cells[0].text = name
            cells[1].text = str(description)
            _add_merge_field(cells[2].paragraphs[0], name)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
