"""The core of letters: a document prepared once, then ``fields`` and ``render``.

A document is *prepared* once (docx-mailmerge2 finds and normalises its fields, each
becomes a placeholder run) and every letter is then a substitution into the prepared XML,
written as a zip that copies the template's unchanged members as their compressed bytes.
"""

import hashlib
import struct
import threading
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from django.utils.translation import gettext_lazy as _
from lxml import etree

from ..exceptions import LetterError
from . import _mailmerge
from ._template import MARK, _Lookup, _Templated, marked_xml, member_xml
from ._zip import (
    _central_header,
    _deflate,
    _end_record,
    _local_header,
    _Member,
    _raw_members,
    _stored,
)
from .catalogue import FIELD_MARK, MERGE_FIELDS, clean_text


@dataclass
class PreparedLetter:
    """A document prepared once; ``render`` fills it for one set of values."""

    members: list = dataclass_field(default_factory=list)
    main: _Templated | None = None
    rels: bytes = b""
    content_types: bytes = b""
    raw: dict = dataclass_field(default_factory=dict)

    @property
    def field_names(self) -> list[str]:
        """Merge field names in order of first use (main document, then headers...)."""
        seen = {}
        for member in self.members:
            if isinstance(member, _Templated):
                for item in member.fields:
                    seen.setdefault(item.name, None)
        return list(seen)

    def _plan(self) -> list:
        """Per member: its ready local header and data, or the templated part; and the
        central directory entry split around its offset. Built once per document."""
        plan = []
        for member in self.members:
            if isinstance(member, _Templated):
                plan.append((member, None, None, None))
                continue
            central = _central_header(member, 0)
            plan.append(
                (None, _local_header(member) + member.compressed, central[:42], central[46:])
            )
        return plan

    def render(self, values: Mapping[str, str]) -> bytes:
        """The merged letter as ``.docx`` bytes."""
        lookup = _Lookup(values)
        return self._write(lambda templated: member_xml(templated, lookup))

    def occurrences(self) -> list:
        """Every field occurrence of the templated parts, in the order ``marked`` numbers
        them (part by part, each part's fields in order)."""
        return [
            item
            for member in self.members
            if isinstance(member, _Templated)
            for item in member.fields
        ]

    def marked(self, empty: frozenset[int]) -> bytes:
        """The letter with occurrence n written as MARK n MARK (see ``occurrences``), and
        the occurrences in ``empty`` empty: converted once, then filled per contact."""
        numbered = {}
        count = 0
        for member in self.members:
            if isinstance(member, _Templated):
                numbered[id(member)] = count
                count += len(member.fields)
        return self._write(lambda templated: marked_xml(templated, numbered[id(templated)], empty))

    def _write(self, xml_of) -> bytes:
        """The ``.docx`` bytes with each templated part's XML from ``xml_of(part)``."""
        plan = self.__dict__.get("_ready")
        if plan is None:
            plan = self.__dict__["_ready"] = self._plan()
        chunks = []
        central = []
        offset = 0
        pack = struct.Struct("<I").pack
        for templated, blob, before, after in plan:
            if templated is not None:
                member = _deflated(templated, xml_of(templated))
                header = _local_header(member)
                chunks.append(header)
                chunks.append(member.compressed)
                central.append(_central_header(member, offset))
                offset += len(header) + len(member.compressed)
            else:
                chunks.append(blob)
                central.append(before + pack(offset) + after)
                offset += len(blob)
        chunks.extend(central)
        chunks.append(_end_record(len(central), sum(map(len, central)), offset))
        return b"".join(chunks)


def _deflated(member: _Templated, xml: bytes) -> _Member:
    return _Member(
        member.name,
        member.flags,
        zipfile.ZIP_DEFLATED,
        member.dos_time,
        member.dos_date,
        zlib.crc32(xml),
        _deflate(xml),
        len(xml),
    )


def prepare(document: bytes) -> PreparedLetter:
    """Parse ``document`` once: its fields become placeholders, everything else is kept.

    A document that cannot be read (a damaged zip or part, a malformed merge field) is a
    LetterError saying why, never another exception: previews and outputs report it.
    """
    try:
        return _prepare(document)
    except LetterError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, struct.error):
        raise LetterError(
            _("The document is damaged and cannot be read."), code="damaged"
        ) from None
    except (ValueError, IndexError, AttributeError, AssertionError, etree.LxmlError) as error:
        raise LetterError(
            _("The document's merge fields cannot be read: %(error)s"),
            code="broken_fields",
            params={"error": clean_text(str(error))[:200]},
        ) from None


def _prepare(document: bytes) -> PreparedLetter:
    if MARK in document.decode("latin-1"):
        raise LetterError(
            _("The document contains characters reserved for merging; it cannot be used."),
            code="reserved",
        )
    raw = _raw_members(document)
    templated, fixed_settings = _mailmerge.templated_parts(document)
    prepared = PreparedLetter()
    for name, (info, compressed) in raw.items():
        if name in templated:
            prepared.members.append(templated[name])
        elif name in fixed_settings:
            xml = fixed_settings[name]
            member = _stored(info, _deflate(xml))
            prepared.members.append(
                _Member(
                    member.name,
                    member.flags,
                    zipfile.ZIP_DEFLATED,
                    member.dos_time,
                    member.dos_date,
                    zlib.crc32(xml),
                    member.compressed,
                    len(xml),
                )
            )
        else:
            prepared.members.append(_stored(info, compressed))
        prepared.raw[name] = (info, compressed)
    prepared.main = templated.get("word/document.xml")
    if prepared.main is None:
        raise LetterError(_("The document has no main text part."), code="not_docx")
    return prepared


class PreparedCache:
    """The prepared form of the documents used most recently, shared by every thread.

    Keyed by a hash of the document's content, so a changed document is prepared anew and
    the application never needs to clear it. A gthread or ASGI server uses it from several
    threads at once: one lock guards every change of the LRU order. Preparing runs outside
    the lock (two threads may prepare the same document once each; both results are equal).
    """

    def __init__(self, size: int = 32):
        self.size = size
        self._lock = threading.Lock()
        self._letters: OrderedDict[bytes, PreparedLetter] = OrderedDict()
        # The document used last, by identity: replaced whole, so reading it needs no lock.
        self._last: tuple[bytes, PreparedLetter] | None = None

    def get(self, document: bytes) -> PreparedLetter:
        """The prepared form of ``document``, prepared now if it is not kept."""
        last = self._last
        if last is not None and last[0] is document:
            # The same bytes object again (a loop over one template's letters): no hashing.
            return last[1]
        key = hashlib.blake2b(document, digest_size=20).digest()
        with self._lock:
            letter = self._letters.get(key)
            if letter is not None:
                self._letters.move_to_end(key)
        if letter is None:
            letter = prepare(document)
            with self._lock:
                self._letters[key] = letter
                while len(self._letters) > self.size:
                    self._letters.popitem(last=False)
        self._last = (document, letter)
        return letter

    def clear(self) -> None:
        with self._lock:
            self._letters.clear()
            self._last = None


CACHE = PreparedCache(32)


def prepared(document: bytes) -> PreparedLetter:
    """The prepared form of ``document``, kept for the documents used most recently."""
    return CACHE.get(document)


def forget_prepared() -> None:
    """Drop every prepared document: only tests and bench/letters.py call this, to start
    cold; the application never needs to (the cache is keyed by the document's content)."""
    CACHE.clear()


# --- the core API ---------------------------------------------------------------------------


def fields(document: bytes) -> list[str]:
    """The merge fields ``document`` uses, in order of first use."""
    return prepared(document).field_names


def render(document: bytes, values: Mapping[str, str]) -> bytes:
    """One merged letter: every merge field replaced by its value.

    A field without a value in ``values`` stays visible as «FieldName».
    """
    return prepared(document).render(values)


def merge_text(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each «FieldName» replaced by its value, as a letter's fields are:
    names match without regard to case, values lose the characters XML forbids, and a
    field without a value stays visible as «FieldName» (a subject or a description as
    the contact will read it)."""
    if "«" not in text:
        return text
    lookup = _Lookup(values)

    def value(match) -> str:
        found = lookup.get(match.group(1))
        return match.group(0) if found is None else clean_text(str(found))

    return FIELD_MARK.sub(value, text)


def template_report(document: bytes) -> dict[str, list[str]]:
    """The document's merge fields: ``known`` ones and ``unknown`` ones (likely typos)."""
    names = fields(document)
    return {
        "fields": names,
        "known": [name for name in names if name in MERGE_FIELDS],
        "unknown": [name for name in names if name not in MERGE_FIELDS],
    }
