"""A minimal zip reader and writer working on members' compressed bytes as stored."""

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ..exceptions import LetterError


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


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


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


def _inflate(info, compressed: bytes, method: int | None = None) -> bytes:
    method = info.compress_type if info is not None else method
    if method == zipfile.ZIP_STORED:
        return compressed
    return zlib.decompress(compressed, -15)
