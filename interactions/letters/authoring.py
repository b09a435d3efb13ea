"""Writing new ``.docx`` documents with merge fields: built from text, and the starter."""

import io

import docx
from django.utils import translation
from django.utils.translation import gettext as _g
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from .catalogue import FIELD_MARK, MERGE_FIELDS, clean_text


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
