"""Word letters: merge fields, rendering, combined outputs and upload checks.

The only module that touches ``.docx`` internals: bytes and dicts in, bytes out, no ORM.

A letter is a ``.docx`` with Word ``MERGEFIELD``s (simple or complex fields). A document is
*prepared* once (docx-mailmerge2 finds and normalises its fields, each becomes a
placeholder run) and every letter is then a substitution into the prepared XML, written as
a zip that copies the template's unchanged members as their already-compressed bytes.
"""

import copy
import hashlib
import io
import posixpath
import re
import shutil
import struct
import subprocess
import tempfile
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from xml.sax.saxutils import escape

import docx
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree
from mailmerge import MailMerge

from .exceptions import LetterError

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


# --- upload checks ------------------------------------------------------------------------

MAIN_DOCX = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MAX_MEMBERS = 300
MAX_RATIO = 100


NOT_DOCX = _(
    "The file is not a Word document (.docx). Save it in Word as "
    '"Word Document (*.docx)" and upload it again.'
)
MACROS = _(
    "The document contains macros (.docm). Save it as a plain Word "
    "Document (*.docx), without macros, and upload it again."
)
# Parts are parsed without DTDs, entities or network access, and with lxml's size guards.
SAFE_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)


def _unsafe_name(name: str) -> bool:
    """A member name that would escape a folder if unpacked: absolute, ``..``, drive."""
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0] or "\x00" in name


def check_upload(fileobj, size: int) -> None:
    """Refuse anything but a plain, readable ``.docx`` letter; the one check of every upload.

    Checked before anything else reads the file: size, a real zip, no zip bomb, no
    encryption, no macros, no unsafe member names, every member's CRC, every XML part
    well-formed without DTDs, a ``word/document.xml``, and merge fields that can be read
    (``prepare``, the same code every letter is rendered with). Raises LetterError saying
    why. Limits come from LETTER_MAX_UPLOAD_BYTES and LETTER_MAX_UNCOMPRESSED_BYTES.
    """
    max_upload = settings.LETTER_MAX_UPLOAD_BYTES
    max_total = settings.LETTER_MAX_UNCOMPRESSED_BYTES
    if size > max_upload:
        raise LetterError(
            _("The file is %(size)s; documents may be at most %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(max_upload)},
        )
    start = fileobj.tell() if hasattr(fileobj, "tell") else 0
    try:
        data = fileobj.read(max_upload + 1)
    finally:
        if hasattr(fileobj, "seek"):
            fileobj.seek(start)
    if len(data) > max_upload:
        raise LetterError(
            _("The file is %(size)s; documents may be at most %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(len(data)), "limit": filesizeformat(max_upload)},
        )
    _check_package(data, max_total)
    prepared(data)  # the merge fields, parsed as every letter will be (and kept for it)


def _check_package(data: bytes, max_total: int) -> None:
    """The zip and XML checks of ``check_upload``."""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        # An OLE compound file (CDFV2): what Word writes for a password-protected document.
        raise LetterError(
            _(
                "The document is encrypted or password-protected. Remove the "
                "password in Word and upload it again."
            ),
            code="encrypted",
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        if data.startswith(b"PK\x03\x04"):
            # A zip, but its end or its directory is cut off or overwritten.
            raise LetterError(
                _("The document is damaged and cannot be read."), code="damaged"
            ) from None
        raise LetterError(NOT_DOCX, code="not_docx") from None
    part = ""
    try:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise LetterError(
                _("The document has too many parts (%(count)s) to be a letter."),
                code="too_many_parts",
                params={"count": len(infos)},
            )
        total = sum(info.file_size for info in infos)
        if total > max_total:
            raise LetterError(
                _("The document unpacks to %(size)s; at most %(limit)s is allowed."),
                code="too_large_unpacked",
                params={"size": filesizeformat(total), "limit": filesizeformat(max_total)},
            )
        for info in infos:
            if info.flag_bits & 0x1:
                raise LetterError(
                    _(
                        "The document is encrypted or password-protected. Remove the "
                        "password in Word and upload it again."
                    ),
                    code="encrypted",
                )
            if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise LetterError(
                    _(
                        "The document is compressed suspiciously much (a zip bomb?) and "
                        "was not opened."
                    ),
                    code="zip_bomb",
                )
            if _unsafe_name(info.filename):
                raise LetterError(
                    _("The document has a part with an unsafe name (%(part)s)."),
                    code="unsafe_name",
                    params={"part": clean_text(info.filename)[:100]},
                )
        names = {name.lower() for name in archive.namelist()}
        if any(name.endswith(("vbaproject.bin", "vbadata.xml")) for name in names):
            raise LetterError(MACROS, code="macros")
        content_types = (
            archive.read("[Content_Types].xml") if "[content_types].xml" in names else b""
        )
        if b"macroEnabled" in content_types:
            raise LetterError(MACROS, code="macros")
        if MAIN_DOCX not in content_types:
            raise LetterError(NOT_DOCX, code="not_docx")
        if "word/document.xml" not in archive.namelist():
            raise LetterError(
                _("The document has no main text part (word/document.xml)."),
                code="no_main_part",
            )
        for info in infos:
            part = info.filename
            content = archive.read(info)  # checks the CRC
            if part.lower().endswith((".xml", ".rels")):
                _check_xml(part, content)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, RuntimeError, zlib.error):
        if part:
            raise LetterError(
                _("The document is damaged: its part %(part)s cannot be read."),
                code="damaged",
                params={"part": clean_text(part)[:100]},
            ) from None
        raise LetterError(
            _("The document is damaged and cannot be read."), code="damaged"
        ) from None
    finally:
        archive.close()


def _check_xml(part: str, content: bytes) -> None:
    """``content`` is well-formed XML without a DTD (no entities, no billion laughs)."""
    if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
        raise LetterError(
            _(
                "The document's part %(part)s declares a DTD or entities, which Word never "
                "writes; it was not opened."
            ),
            code="dtd",
            params={"part": clean_text(part)[:100]},
        )
    try:
        etree.fromstring(content, SAFE_PARSER)
    except etree.XMLSyntaxError as error:
        raise LetterError(
            _("The document is damaged: its part %(part)s is not valid XML (%(error)s)."),
            code="bad_xml",
            params={"part": clean_text(part)[:100], "error": clean_text(str(error))[:200]},
        ) from None


# --- preparing a document -----------------------------------------------------------------

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


@dataclass(frozen=True)
class _Member:
    """A zip member as stored: its header values and its compressed bytes."""

    name: bytes
    flags: int
    method: int
    dos_time: int
    dos_date: int
    crc: int
    compressed: bytes
    size: int


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
        plan = self.__dict__.get("_ready")
        if plan is None:
            plan = self.__dict__["_ready"] = self._plan()
        lookup = _Lookup(values)
        chunks = []
        central = []
        offset = 0
        pack = struct.Struct("<I").pack
        for templated, blob, before, after in plan:
            if templated is not None:
                member = _deflated(templated, member_xml(templated, lookup))
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


def _value_xml(item: Field, value, line_break: bytes, tab: bytes) -> bytes:
    if value is None:
        text = f"«{item.name}»"
    else:
        text = clean_text(str(value))
        if not text:
            return b""
        if item.case == "upper":
            text = text.upper()
        elif item.case == "lower":
            text = text.lower()
        elif item.case == "caps":
            text = text.title()
        elif item.case == "firstcap":
            text = text[:1].upper() + text[1:]
        text = item.before + text + item.after
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


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


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


# A minimal zip writer: enough for a .docx, which never needs zip64 (members and the whole
# letter stay far below 4 GB; uploads are capped by LETTER_MAX_UNCOMPRESSED_BYTES).
def _local_header(member: _Member) -> bytes:
    return (
        struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            20,
            member.flags,
            member.method,
            member.dos_time,
            member.dos_date,
            member.crc,
            len(member.compressed),
            member.size,
            len(member.name),
            0,
        )
        + member.name
    )


def _central_header(member: _Member, offset: int) -> bytes:
    return (
        struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            member.flags,
            member.method,
            member.dos_time,
            member.dos_date,
            member.crc,
            len(member.compressed),
            member.size,
            len(member.name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        + member.name
    )


def _end_record(count: int, size: int, offset: int) -> bytes:
    return struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, size, offset, 0)


def _dos_time(date_time) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


def _raw_members(document: bytes) -> dict[str, tuple[zipfile.ZipInfo, bytes]]:
    """Every member of the zip with its compressed bytes exactly as stored."""
    view = memoryview(document)
    members = {}
    with zipfile.ZipFile(io.BytesIO(document)) as archive:
        for info in archive.infolist():
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise LetterError(
                    _("The document uses a compression Word does not write; save it again."),
                    code="damaged",
                )
            name_len, extra_len = struct.unpack_from("<HH", document, info.header_offset + 26)
            start = info.header_offset + 30 + name_len + extra_len
            members[info.filename] = (info, bytes(view[start : start + info.compress_size]))
    return members


def _stored(info: zipfile.ZipInfo, compressed: bytes) -> _Member:
    name = info.filename.encode()
    dos_time, dos_date = _dos_time(info.date_time)
    return _Member(
        name,
        0x800 if not name.isascii() else 0,
        info.compress_type,
        dos_time,
        dos_date,
        info.CRC,
        compressed,
        info.file_size,
    )


def _placeholder_run(field_obj, index: int):
    """The run that stands for one merge field: the field's formatting, one text."""
    run = etree.Element(f"{{{W_NS}}}r")
    props = None
    candidates = [*field_obj._show_elements, *field_obj._instr_elements]
    if field_obj._all_elements and field_obj._all_elements[0].tag == f"{{{W_NS}}}fldSimple":
        candidates = list(field_obj._all_elements[0].iter(f"{{{W_NS}}}r"))
    for element in candidates:
        props = element.find(f"{{{W_NS}}}rPr") if element.tag == f"{{{W_NS}}}r" else None
        if props is not None:
            break
    if props is not None:
        run.append(copy.deepcopy(props))
    text = etree.SubElement(run, f"{{{W_NS}}}t")
    text.set(XML_SPACE, "preserve")
    text.text = f"{MARK}{index}{MARK}"
    return run


# Switches of a MERGEFIELD that take a value, and those that stand alone.
VALUE_SWITCHES = {"\\b", "\\f", "\\*", "\\#", "\\@"}
FLAG_SWITCHES = {"\\m", "\\v"}
FIELD_NAME = re.compile(r"^\w[\w .-]*$")


def _malformed(tokens: list[str], problem: str) -> LetterError:
    return LetterError(
        _("The merge field “%(field)s” is malformed: %(problem)s"),
        code="malformed_field",
        params={"field": clean_text(" ".join(tokens))[:100], "problem": problem},
    )


def _switches(tokens: list[str]) -> list[tuple[str, str]]:
    """A MERGEFIELD's (switch, value) pairs; anything Word would not accept is an error."""
    switches = []
    options = list(tokens[2:])
    while options:
        token = options.pop(0)
        flag = token[:2]
        if flag in FLAG_SWITCHES and len(token) == 2:
            switches.append((flag, ""))
        elif flag in VALUE_SWITCHES:
            if token[2:]:
                switches.append((flag, token[2:]))
            elif options and options[0][:2] not in VALUE_SWITCHES | FLAG_SWITCHES:
                switches.append((flag, options.pop(0)))
            else:
                raise _malformed(
                    tokens, _("the switch %(switch)s has no value.") % {"switch": flag}
                )
        else:
            raise _malformed(
                tokens,
                _("“%(text)s” is not a switch Word knows.") % {"text": clean_text(token)[:40]},
            )
    return switches


def _field_of(field_obj) -> Field:
    tokens = list(field_obj.instr_tokens)
    name = field_obj.name or ""
    if not FIELD_NAME.match(name):
        raise _malformed(
            tokens,
            _("“%(name)s” is not a field name.") % {"name": clean_text(name)[:40]},
        )
    before = after = case = ""
    for flag, option in _switches(tokens):
        if flag == "\\b":
            before = clean_text(option)
        elif flag == "\\f":
            after = clean_text(option)
        elif flag == "\\*" and option.lower() in CASE_SWITCHES:
            case = option.lower()
    canonical = _CANONICAL.get(name.lower())
    return Field(canonical or name, before, after, case)


_CANONICAL = {name.lower(): name for name in MERGE_FIELDS}


def _restore(element, field_obj) -> None:
    """Put a field the merge does not fill back as it was (IF, NEXT, nested fields)."""
    parent = element.getparent()
    position = parent.index(element)
    parent.remove(element)
    for offset, original in enumerate(field_obj.get_field_without_filled_elements()):
        parent.insert(position + offset, original)


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
    try:
        merge = MailMerge(io.BytesIO(document))
    except (ValueError, etree.XMLSyntaxError, KeyError, AssertionError) as error:
        raise LetterError(
            _("The document's merge fields cannot be read: %(error)s"),
            code="broken_fields",
            params={"error": error},
        ) from None
    try:
        fieldmap = merge.merge_data._merge_field_map
        templated: dict[str, _Templated] = {}
        for info in merge.docx.get_parts():
            root = info["part"].getroot()
            w_prefix = next((p for p, ns in root.nsmap.items() if ns == W_NS), "w") or "w"
            fields = []
            for element in list(root.iter("MergeField")):
                field_obj = fieldmap[element.get("merge_key")]
                tokens = field_obj.instr_tokens
                if tokens and tokens[0] == "MERGEFIELD" and field_obj.name:
                    run = _placeholder_run(field_obj, len(fields))
                    element.getparent().replace(element, run)
                    fields.append(_field_of(field_obj))
                else:
                    _restore(element, field_obj)
            for _round in range(50):
                leftovers = list(root.iter("MergeField"))
                if not leftovers:
                    break
                for element in leftovers:
                    _restore(element, fieldmap[element.get("merge_key")])
            if not fields and info["zi"].filename != "word/document.xml":
                continue
            xml = etree.tostring(
                info["part"], xml_declaration=True, encoding="UTF-8", standalone=True
            )
            pieces = MARK_RE.split(xml)
            order = [int(number) for number in pieces[1::2]]
            if order != list(range(len(fields))):
                raise LetterError(
                    _("The document's merge fields cannot be read."), code="broken_fields"
                )
            zinfo = info["zi"]
            dos_time, dos_date = _dos_time(zinfo.date_time)
            p = w_prefix
            templated[zinfo.filename] = _Templated(
                zinfo.filename.encode(),
                0,
                dos_time,
                dos_date,
                pieces[0::2],
                fields,
                f'</{p}:t><{p}:br/><{p}:t xml:space="preserve">'.encode(),
                f'</{p}:t><{p}:tab/><{p}:t xml:space="preserve">'.encode(),
            )
        settings_parts = merge.docx.get_parts("settings")
        fixed_settings = {}
        for info in settings_parts:
            root = info["part"].getroot()
            data_source = root.find(f"{{{W_NS}}}mailMerge")
            if data_source is not None:
                # The merged letter is plain text; a data source link would make Word ask
                # for it (and run its SQL) on opening.
                root.remove(data_source)
                fixed_settings[info["zi"].filename] = etree.tostring(
                    info["part"], xml_declaration=True, encoding="UTF-8", standalone=True
                )
    finally:
        merge.docx.close()

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


_CACHE: OrderedDict[bytes, PreparedLetter] = OrderedDict()
_CACHE_SIZE = 32
_LAST: tuple[bytes, PreparedLetter] | None = None


def prepared(document: bytes) -> PreparedLetter:
    """The prepared form of ``document``, kept for the documents used most recently."""
    global _LAST
    if _LAST is not None and _LAST[0] is document:
        # The same bytes object again (a loop over one template's letters): no hashing.
        return _LAST[1]
    key = hashlib.blake2b(document, digest_size=20).digest()
    letter = _CACHE.get(key)
    if letter is None:
        letter = prepare(document)
        _CACHE[key] = letter
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(key)
    _LAST = (document, letter)
    return letter


def forget_prepared() -> None:
    """Drop every prepared document: only tests and bench/letters.py call this, to start
    cold; the application never needs to (the cache is keyed by the document's content)."""
    global _LAST
    _CACHE.clear()
    _LAST = None


# --- the core API ---------------------------------------------------------------------------


def fields(document: bytes) -> list[str]:
    """The merge fields ``document`` uses, in order of first use."""
    return prepared(document).field_names


def render(document: bytes, values: Mapping[str, str]) -> bytes:
    """One merged letter: every merge field replaced by its value.

    A field without a value in ``values`` stays visible as «FieldName».
    """
    return prepared(document).render(values)


def template_report(document: bytes) -> dict[str, list[str]]:
    """The document's merge fields: ``known`` ones and ``unknown`` ones (likely typos)."""
    names = fields(document)
    return {
        "fields": names,
        "known": [name for name in names if name in MERGE_FIELDS],
        "unknown": [name for name in names if name not in MERGE_FIELDS],
    }


# --- outputs of many letters ----------------------------------------------------------------

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


def _inflate(info, compressed: bytes, method: int | None = None) -> bytes:
    method = info.compress_type if info is not None else method
    if method == zipfile.ZIP_STORED:
        return compressed
    return zlib.decompress(compressed, -15)


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


# --- PDF through LibreOffice ----------------------------------------------------------------


def libreoffice() -> str | None:
    """The LibreOffice program that converts to PDF, or None when none is installed."""
    configured = settings.LIBREOFFICE_BINARY
    if configured:
        return shutil.which(configured)
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_available() -> bool:
    """Whether letters can be converted to PDF on this server."""
    return libreoffice() is not None


def to_pdf(source, out) -> None:
    """Convert a ``.docx`` (bytes or a path) to PDF, written to the file object ``out``."""
    program = libreoffice()
    if program is None:
        raise LetterError(
            _("PDF is not available: LibreOffice is not installed on the server."),
            code="no_pdf",
        )
    timeout = settings.LETTER_PDF_TIMEOUT
    with tempfile.TemporaryDirectory(prefix="letters-pdf-") as folder:
        docx_path = Path(folder) / "letters.docx"
        if isinstance(source, bytes | bytearray):
            docx_path.write_bytes(source)
        else:
            shutil.copyfile(source, docx_path)
        # A private profile per conversion: concurrent conversions would otherwise fight
        # over the user's LibreOffice profile lock.
        command = [
            program,
            f"-env:UserInstallation=file://{folder}/profile",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            folder,
            str(docx_path),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise LetterError(
                _("Converting the letters to PDF took longer than %(seconds)s seconds."),
                code="pdf_timeout",
                params={"seconds": timeout},
            ) from None
        pdf_path = docx_path.with_suffix(".pdf")
        if not pdf_path.exists():
            raise LetterError(
                _("LibreOffice could not convert the letters to PDF."), code="pdf_failed"
            )
        with pdf_path.open("rb") as pdf:
            shutil.copyfileobj(pdf, out, 2**20)
