"""letters.email_body: the merged letter converted by mammoth, with mammoth run once per
document and pattern of empty fields instead of once per letter."""

import io
import random
from unittest import mock

import docx
import mammoth
import pytest

from interactions import letters
from interactions.letters import emails

PARAGRAPHS = [
    "Dear «ContactName»,",
    "«MailingAddress»",
    "«PersonalNote»",
    "Tab\t«CompanyName»\tend «City»«PostCode»",
    "Unknown: «NoSuchField»",
]

# Pieces of hostile values: markup, entities, quotes, line ends of every kind, tabs,
# characters XML forbids, non-BMP characters, runs of spaces.
PIECES = ["a", " ", "  ", "\n", "\r\n", "\r", "\t", "&", "<", ">", '"', "'", "\x07"]
PIECES += ["Æ", "😀", "]]>", "&amp;", "\ufffe", "<script>", "x"]


def styled(document: bytes) -> bytes:
    """``document`` with bold and italic runs, fields included, so mammoth nests and
    collapses formatting around them."""
    parsed = docx.Document(io.BytesIO(document))
    for i, paragraph in enumerate(parsed.paragraphs):
        for j, run in enumerate(paragraph.runs):
            run.bold = (i + j) % 2 == 0
            run.italic = i % 3 == 0
    out = io.BytesIO()
    parsed.save(out)
    return out.getvalue()


def reference(document: bytes, values: dict) -> tuple[str, str]:
    """What delivery sent before: mammoth over the merged letter."""
    letter = letters.render(document, values)
    return (
        mammoth.extract_raw_text(io.BytesIO(letter)).value,
        mammoth.convert_to_html(io.BytesIO(letter)).value,
    )


@pytest.mark.parametrize("kind", ["plain", "styled", "starter"])
def test_email_body_equals_the_conversion_of_the_merged_letter(kind):
    document = letters.build_document(PARAGRAPHS)
    if kind == "styled":
        document = styled(document)
    elif kind == "starter":
        document = letters.starter_document()
    chance = random.Random(16)
    for _round in range(5):
        values = {
            name: "".join(chance.choice(PIECES) for _ in range(chance.randint(0, 4)))
            for name in letters.MERGE_FIELDS
        }
        assert letters.email_body(document, values) == reference(document, values), values


def test_mammoth_runs_once_per_pattern_of_empty_fields():
    document = letters.build_document(["Dear «ContactName»,", "«PersonalNote»"])
    letters.forget_prepared()
    with mock.patch.object(
        emails.mammoth, "convert_to_html", wraps=mammoth.convert_to_html
    ) as convert:
        bodies = [
            letters.email_body(document, {"ContactName": f"N{n}", "PersonalNote": note})
            for n in range(20)
            for note in ["", f"note {n} & <more>"]
        ]
    assert convert.call_count == 2
    assert bodies[0] == ("Dear N0,\n\n\n\n", "<p>Dear N0,</p>")
    assert bodies[1] == (
        "Dear N0,\n\nnote 0 & <more>\n\n",
        "<p>Dear N0,</p><p>note 0 &amp; &lt;more&gt;</p>",
    )


def test_a_document_keeps_a_bounded_number_of_conversions(monkeypatch):
    monkeypatch.setattr(emails, "PATTERNS", 2)
    document = letters.build_document(["«ContactName»", "«City»", "«Email»"])
    letters.forget_prepared()
    for values in [{}, {"City": ""}, {"Email": ""}, {"City": "", "Email": ""}]:
        letters.email_body(document, {"ContactName": "A", "City": "B", "Email": "C"} | values)
    assert len(letters.prepared(document).__dict__["_email_bodies"]) == 2
