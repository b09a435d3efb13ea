"""Outputs of many letters: a zip of one ``.docx`` each, or one combined ``.docx``."""

import posixpath
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from xml.sax.saxutils import escape

from django.utils.translation import gettext_lazy as _
from lxml import etree

from ..exceptions import LetterError
from ._template import W_NS, _Lookup, _Templated, member_xml
from ._zip import _inflate
from .catalogue import clean_text
from .core import PreparedLetter, prepared, render

# Namespaces Word declares on its document root; a combined letter declares every one, so
# the body of a letter made from another document keeps the prefixes it uses.
WORD_NAMESPACES = {
    b"wpc": b"http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas",
    b"mc": b"http://schemas.openxmlformats.org/markup-compatibility/2006",
    b"o": b"urn:schemas-microsoft-com:office:office",
    b"r": b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    b"m": b"http://schemas.openxmlformats.org/officeDocument/2006/math",
    b"v": b"urn:schemas-microsoft-com:vml",
    b"wp14": b"http://schemas.microsoft.com/office/word/2010/wordprocessingDrawing",
    b"wp": b"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    b"w10": b"urn:schemas-microsoft-com:office:word",
    b"w": W_NS.encode(),
    b"w14": b"http://schemas.microsoft.com/office/word/2010/wordml",
    b"w15": b"http://schemas.microsoft.com/office/word/2012/wordml",
    b"wpg": b"http://schemas.microsoft.com/office/word/2010/wordprocessingGroup",
    b"wpi": b"http://schemas.microsoft.com/office/word/2010/wordprocessingInk",
    b"wne": b"http://schemas.microsoft.com/office/word/2006/wordml",
    b"wps": b"http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    b"a": b"http://schemas.openxmlformats.org/drawingml/2006/main",
    b"pic": b"http://schemas.openxmlformats.org/drawingml/2006/picture",
}
BODY_OPEN = re.compile(rb"<(?:\w+:)?body\b[^>]*>")
REL_ATTR = re.compile(rb'(\br:(?:id|embed|link|pict)=")([^"]+)(")')
HEADER_FOOTER_REF = re.compile(rb"<w:(?:header|footer)Reference\b[^>]*/>")
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"


def safe_filename(name: str) -> str:
    """``name`` usable as a file name in a zip on every system."""
    name = re.sub(r'[\x00-\x1f\x7f<>:"/\\|?*]+', " ", clean_text(name)).strip(" .")
    return name[:150] or "letter"


def write_zip(out, letters: Iterable[tuple[str, bytes, Mapping[str, str]]]) -> int:
    """Stream a zip of one ``.docx`` per (file name, document, values); returns the count.

    Letters are already compressed, so they are stored as they are; memory stays flat.
    """
    count = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, document, values in letters:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            archive.writestr(info, render(document, values))
            count += 1
    return count


class _Combined:
    """The letters' bodies, one section each, written to a temporary file."""

    def __init__(self, archive: zipfile.ZipFile, body):
        self.archive = archive
        self.base: PreparedLetter | None = None
        self.first_values = None
        self.body = body
        self.pending_section = b""
        self.imports: dict[int, dict[bytes, bytes]] = {}
        self.new_rels: list[bytes] = []
        self.new_overrides: list[bytes] = []
        self.count = 0

    @staticmethod
    def _bounds(letter: PreparedLetter) -> tuple[int, int, bytes]:
        """Where the body starts in the first piece, where the final section starts."""
        pieces = letter.main.pieces
        opening = BODY_OPEN.search(pieces[0])
        last = pieces[-1]
        tail = last.rfind(b"<w:sectPr")
        if tail == -1:
            tail = last.rfind(b"</w:body>")
        close = last.rfind(b"</w:body>")
        return opening.end(), len(last) - tail, last[tail:close]

    def _relations(self, letter: PreparedLetter) -> dict[bytes, bytes]:
        """Copy what another document's body refers to (pictures, links) into the base."""
        if id(letter) in self.imports:
            return self.imports[id(letter)]
        mapping = {}
        rels = letter.raw.get("word/_rels/document.xml.rels")
        types = letter.raw.get("[Content_Types].xml")
        if rels is not None and types is not None:
            root = etree.fromstring(_inflate(*rels))
            overrides = etree.fromstring(_inflate(*types))
            defaults = {
                item.get("Extension", "").lower(): item.get("ContentType")
                for item in overrides.iter(f"{{{CT_NS}}}Default")
            }
            parts = {
                item.get("PartName"): item.get("ContentType")
                for item in overrides.iter(f"{{{CT_NS}}}Override")
            }
            for rel in root.iter(f"{{{PKG_RELS}}}Relationship"):
                kind = rel.get("Type", "")
                if kind.endswith(("/header", "/footer", "/styles", "/settings", "/theme")):
                    continue
                new_id = f"rIdL{len(self.new_rels) + 1}"
                target = rel.get("Target", "")
                mode = rel.get("TargetMode", "")
                if mode != "External":
                    path = posixpath.normpath(posixpath.join("word", target))
                    if path not in letter.raw:
                        continue
                    target = f"media/letter{len(self.new_rels) + 1}-{posixpath.basename(path)}"
                    self.archive.writestr(f"word/{target}", _inflate(*letter.raw[path]))
                    content_type = parts.get(f"/{path}") or defaults.get(
                        posixpath.splitext(path)[1].lstrip(".").lower()
                    )
                    content_type = escape(content_type or "application/octet-stream")
                    self.new_overrides.append(
                        f'<Override PartName="/word/{escape(target)}" '
                        f'ContentType="{content_type}"/>'.encode()
                    )
                self.new_rels.append(
                    f'<Relationship Id="{new_id}" Type="{escape(kind)}" '
                    f'Target="{escape(target)}"'
                    f"{' TargetMode="External"' if mode == 'External' else ''}/>".encode()
                )
                mapping[rel.get("Id").encode()] = new_id.encode()
        self.imports[id(letter)] = mapping
        return mapping

    def add(self, document: bytes, values: Mapping[str, str]) -> None:
        letter = prepared(document)
        if self.base is None:
            self.base, self.first_values = letter, values
        start, tail_len, section = self._bounds(letter)
        xml = member_xml(letter.main, _Lookup(values))
        body = xml[start : len(xml) - tail_len]
        if letter is not self.base:
            mapping = self._relations(letter)
            body = REL_ATTR.sub(lambda m: m[1] + mapping.get(m[2], m[2]) + m[3], body)
            # Its header and footer parts are not copied: the letter keeps the base's.
            section = HEADER_FOOTER_REF.sub(b"", section)
        if self.pending_section:
            # Word's own merge separates letters the same way: a section break (next page)
            # carrying the previous letter's page setup.
            self.body.write(b"<w:p><w:pPr>" + self.pending_section + b"</w:pPr></w:p>")
        self.body.write(body)
        self.pending_section = section
        self.count += 1

    def finish(self) -> None:
        base = self.base
        lookup = _Lookup(self.first_values)
        start, tail_len, _section = self._bounds(base)
        head = base.main.pieces[0][:start]
        declared = set(re.findall(rb"xmlns:(\w+)=", head))
        extra = b"".join(
            b' xmlns:%s="%s"' % (prefix, uri)
            for prefix, uri in WORD_NAMESPACES.items()
            if prefix not in declared
        )
        head = re.sub(rb"(<(?:\w+:)?document\b)", lambda m: m[1] + extra, head, count=1)
        with self.archive.open("word/document.xml", "w", force_zip64=True) as target:
            target.write(head)
            self.body.seek(0)
            shutil.copyfileobj(self.body, target, 2**20)
            target.write(self.pending_section + b"</w:body></w:document>")
        for member in base.members:
            name = member.name.decode()
            if name == "word/document.xml":
                continue
            if isinstance(member, _Templated):
                data = member_xml(member, lookup)
            else:
                data = _inflate(None, member.compressed, member.method)
            if name == "word/_rels/document.xml.rels" and self.new_rels:
                data = data.replace(
                    b"</Relationships>", b"".join(self.new_rels) + b"</Relationships>"
                )
            elif name == "[Content_Types].xml" and self.new_overrides:
                data = data.replace(b"</Types>", b"".join(self.new_overrides) + b"</Types>")
            self.archive.writestr(name, data, zipfile.ZIP_DEFLATED)


def write_combined(out, letters: Iterable[tuple[bytes, Mapping[str, str]]]) -> int:
    """Stream one ``.docx`` holding every (document, values) letter, each from a new page.

    Returns the number of letters. Memory stays flat: bodies go through a temporary file.
    """
    with (
        tempfile.TemporaryFile() as body,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive,
    ):
        combined = _Combined(archive, body)
        for document, values in letters:
            combined.add(document, values)
        if not combined.count:
            raise LetterError(_("There are no letters to combine."), code="empty")
        combined.finish()
    return combined.count
