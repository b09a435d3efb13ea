"""A letter as an email body (plain text and HTML), converted with mammoth once.

Converting a merged letter with mammoth takes most of a second; filling a prepared body
takes microseconds. The letter is written once with a numbered mark in place of each
field occurrence and converted; each contact's values then go where the marks came out,
escaped as mammoth escapes text. The result is the conversion of that contact's merged
letter, character for character (tests/interactions/test_email_bodies.py):

- mammoth drops empty text, paragraphs and formatting, so the shape of the output
  depends on which occurrences are empty: one conversion per such pattern (a document
  has few: an empty personal note, a missing second address line...);
- a line break in a value is ``<br />`` in the HTML and nothing in the raw text, a tab
  is a tab in both, as mammoth converts ``<w:br/>`` and ``<w:tab/>``.
"""

import io
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from xml.sax.saxutils import escape

import mammoth

from ._template import MARK, _Lookup, value_text
from .core import PreparedLetter, prepared

MARKED = re.compile(f"{MARK}(\\d+){MARK}")
LINE_BREAK = re.compile(r"\r\n|\r|\n")

#: Emptiness patterns kept per document (the oldest converted one goes first).
PATTERNS = 64

# Guards every change of a document's kept conversions (a web request may send an email
# while a worker delivers); converting runs outside it.
_LOCK = threading.Lock()


class _Converted:
    """One emptiness pattern's conversion: literal text with occurrence numbers between."""

    __slots__ = ("text", "html")

    def __init__(self, text: str, html: str):
        self.text = _split(text)
        self.html = _split(html)


def _split(converted: str) -> list:
    parts = MARKED.split(converted)
    # Odd positions are occurrence numbers.
    return [int(part) if index % 2 else part for index, part in enumerate(parts)]


def _html(text: str) -> str:
    return LINE_BREAK.sub("<br />", escape(text, {'"': "&quot;"}))


def _raw(text: str) -> str:
    return LINE_BREAK.sub("", text)


def _fill(parts: list, texts: list[str], convert) -> str:
    return "".join(part if isinstance(part, str) else convert(texts[part]) for part in parts)


def _conversions(letter: PreparedLetter) -> OrderedDict:
    kept = letter.__dict__.get("_email_bodies")
    if kept is None:
        kept = letter.__dict__["_email_bodies"] = OrderedDict()
    return kept


def email_body(document: bytes, values: Mapping[str, str]) -> tuple[str, str]:
    """The merged letter of ``values`` as an email body: (plain text, HTML).

    Equal to ``mammoth.extract_raw_text`` and ``mammoth.convert_to_html`` of
    ``render(document, values)``, but mammoth runs once per document and pattern of
    empty fields, not once per letter.
    """
    letter = prepared(document)
    lookup = _Lookup(values)
    texts = [value_text(item, lookup.get(item.name)) for item in letter.occurrences()]
    empty = frozenset(number for number, text in enumerate(texts) if not text)
    with _LOCK:
        kept = _conversions(letter)
        converted = kept.get(empty)
        if converted is not None:
            kept.move_to_end(empty)
    if converted is None:
        marked = letter.marked(empty)
        converted = _Converted(
            mammoth.extract_raw_text(io.BytesIO(marked)).value,
            mammoth.convert_to_html(io.BytesIO(marked)).value,
        )
        with _LOCK:
            kept[empty] = converted
            while len(kept) > PATTERNS:
                kept.popitem(last=False)
    return _fill(converted.text, texts, _raw), _fill(converted.html, texts, _html)
