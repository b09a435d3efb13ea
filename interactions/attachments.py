"""Checks on a file attached to an interaction log entry: its size and its type by content.

The type is read from the file's first bytes, never from its name or the browser's
content type: a PDF, an image (PNG, JPEG, GIF, TIFF, WebP), plain text, or a Word or
Excel document (a zip with the Office structure). Anything else (a program, a script, an
unknown format) is refused.
"""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

__all__ = ["attachment_problems", "sniff"]

SIGNATURES = [
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
]
OFFICE_MAIN_PARTS = {
    "docx": b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
MAX_MEMBERS = 2000
HEAD = 4096


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still text.
        return error.start >= len(head) - 3
    return True


def _office_kind(fileobj) -> str | None:
    """``docx`` or ``xlsx`` for a well-formed Office document without macros, else None."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_MEMBERS:
                return None
            names = {info.filename.lower() for info in infos}
            if any(name.endswith("vbaproject.bin") for name in names):
                return None
            if "[content_types].xml" not in names:
                return None
            content_types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, RuntimeError, ValueError):
        return None
    if b"macroEnabled" in content_types:
        return None
    for kind, part in OFFICE_MAIN_PARTS.items():
        if part in content_types:
            return kind
    return None


def sniff(fileobj) -> str | None:
    """The attachment's type by its content (``pdf``, ``png``, ... ``txt``), or None."""
    start = fileobj.tell() if hasattr(fileobj, "tell") else 0
    try:
        head = fileobj.read(HEAD)
        for signature, kind in SIGNATURES:
            if head.startswith(signature):
                return kind
        if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            return "webp"
        if head.startswith(b"PK\x03\x04"):
            fileobj.seek(start)
            return _office_kind(fileobj)
        if head and _is_text(head):
            return "txt"
        return None
    finally:
        fileobj.seek(start)


def attachment_problems(attachment) -> list[ValidationError]:
    """What is wrong with an uploaded ``attachment`` (a Django File); empty when it is fine."""
    limit = settings.INTERACTION_ATTACHMENT_MAX_BYTES
    size = attachment.size
    name = getattr(attachment, "name", "") or _("the attachment")
    if not size:
        return [
            ValidationError(
                _("The attachment %(name)s is empty."),
                code="attachment_empty",
                params={"name": name},
            )
        ]
    if size > limit:
        return [
            ValidationError(
                _("The attachment %(name)s is %(size)s; attachments may be at most %(limit)s."),
                code="attachment_too_large",
                params={
                    "name": name,
                    "size": filesizeformat(size),
                    "limit": filesizeformat(limit),
                },
            )
        ]
    if sniff(attachment) is None:
        return [
            ValidationError(
                _(
                    "The attachment %(name)s is not a file type that can be kept: attach a "
                    "PDF, an image (PNG, JPEG, GIF, TIFF, WebP), plain text, or a Word or "
                    "Excel document without macros."
                ),
                code="attachment_type",
                params={"name": name},
            )
        ]
    return []
