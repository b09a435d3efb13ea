"""A prepared part: literal XML pieces with a merge field between each two, and filling it.

Shared by the docx-mailmerge2 adapter (which produces parts) and the renderers.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .catalogue import clean_text

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
MARK = "\ue000"
MARK_RE = re.compile(MARK.encode() + rb"(\d+)" + MARK.encode())
CASE_SWITCHES = {"upper", "lower", "caps", "firstcap"}


@dataclass(frozen=True)
class Field:
    """One merge field occurrence: its name and the switches that shape its value."""

    name: str
    before: str = ""
    after: str = ""
    case: str = ""


@dataclass
class _Templated:
    """A part with merge fields: literal XML pieces with a field between each two."""

    name: bytes
    flags: int
    dos_time: int
    dos_date: int
    pieces: list[bytes]
    fields: list[Field]
    line_break: bytes
    tab: bytes


class _Lookup:
    """Values by field name; Word matches merge field names regardless of case."""

    __slots__ = ("values", "folded")

    def __init__(self, values: Mapping[str, str]):
        self.values = values
        self.folded = None

    def get(self, name: str):
        value = self.values.get(name)
        if value is None:
            if self.folded is None:
                self.folded = {str(k).lower(): v for k, v in self.values.items()}
            value = self.folded.get(name.lower())
        return value


def value_text(item: Field, value) -> str:
    """The text a field occurrence shows for ``value`` (None: no value, the field shows
    as «FieldName»); empty when the value is, its before/after text dropped with it."""
    if value is None:
        return f"«{item.name}»"
    text = clean_text(str(value))
    if not text:
        return ""
    if item.case == "upper":
        text = text.upper()
    elif item.case == "lower":
        text = text.lower()
    elif item.case == "caps":
        text = text.title()
    elif item.case == "firstcap":
        text = text[:1].upper() + text[1:]
    return item.before + text + item.after


def _value_xml(item: Field, value, line_break: bytes, tab: bytes) -> bytes:
    text = value_text(item, value)
    if not text:
        return b""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    data = text.encode()
    if b"\n" in data or b"\r" in data:
        data = re.sub(rb"\r\n|\r|\n", line_break, data)
    if b"\t" in data:
        data = data.replace(b"\t", tab)
    return data


def member_xml(member: _Templated, lookup: _Lookup) -> bytes:
    pieces = member.pieces
    out = [pieces[0]]
    for index, item in enumerate(member.fields, 1):
        out.append(_value_xml(item, lookup.get(item.name), member.line_break, member.tab))
        out.append(pieces[index])
    return b"".join(out)


def marked_xml(member: _Templated, start: int, empty: frozenset[int]) -> bytes:
    """``member`` with its field occurrences numbered from ``start`` as MARK n MARK, the
    ones in ``empty`` left empty: the shape of every letter whose values are empty there."""
    pieces = member.pieces
    out = [pieces[0]]
    for index in range(1, len(pieces)):
        number = start + index - 1
        if number not in empty:
            out.append(f"{MARK}{number}{MARK}".encode())
        out.append(pieces[index])
    return b"".join(out)
