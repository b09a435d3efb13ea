"""The one check of every uploaded letter document (size, zip, XML, macros, fields)."""

import io
import zipfile
import zlib

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from lxml import etree

from ..exceptions import LetterError
from .catalogue import clean_text
from .core import prepared

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
