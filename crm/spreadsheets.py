"""Spreadsheet cells that open as text, never as a formula; the one writer of CSV and XLSX.

Every export of the app goes through ``safe_cell``: the segment export, the interaction
log entry export and the admin's contact export (the ``SafeCSV`` and ``SafeXLSX`` formats
of django-import-export). A cell that a spreadsheet would run as a formula gets a leading
apostrophe; importing a file (``import_contacts`` and the admin's import use the same
formats) removes exactly that apostrophe again, so an export imports back unchanged.
"""

import csv
import io
import zipfile
import zlib
from decimal import Decimal
from xml.etree import ElementTree

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export.formats.base_formats import CSV, XLSX
from lxml import etree
from openpyxl.utils.exceptions import InvalidFileException

# A cell starting with one of these runs as a formula in Excel or LibreOffice Calc.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Text starting with the apostrophe itself is quoted too, so reading a file back can tell
# the apostrophe the export added from one that was in the data.
QUOTED_START = (*FORMULA_START, "'")

# An .xlsx is a zip: refuse one that unpacks to far more than a contact list needs.
XLSX_MAX_MEMBERS = 1000
XLSX_MAX_UNCOMPRESSED = 500 * 2**20
XLSX_MAX_RATIO = 200


class SpreadsheetError(ValidationError):
    """A file offered for import cannot be read; the message says why."""


def safe_cell(value):
    """``value`` as a cell: text that looks like a formula is quoted with an apostrophe."""
    if isinstance(value, str) and value.startswith(QUOTED_START):
        return "'" + value
    if isinstance(value, Decimal):
        return str(value)
    return value


def safe_row(row) -> list:
    return [safe_cell(value) for value in row]


def read_cell(value):
    """The value ``safe_cell`` wrote: the quoting apostrophe removed, nothing else."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(QUOTED_START):
        return value[1:]
    return value


def check_xlsx_package(data) -> None:
    """A zip that openpyxl may open: not too many parts, no zip bomb. ``data`` is the
    file's bytes or a seekable binary file (the streaming import reads no more than the
    zip's directory)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise SpreadsheetError(_("it is not an Excel workbook (.xlsx)"), code="not_xlsx") from None
    if len(infos) > XLSX_MAX_MEMBERS:
        raise SpreadsheetError(_("it has too many parts to be a workbook"), code="too_many_parts")
    if sum(info.file_size for info in infos) > XLSX_MAX_UNCOMPRESSED:
        raise SpreadsheetError(_("it unpacks to too much data"), code="too_large_unpacked")
    for info in infos:
        if info.flag_bits & 0x1:
            raise SpreadsheetError(_("it is encrypted"), code="encrypted")
        if info.file_size > 2**20 and info.file_size > XLSX_MAX_RATIO * max(info.compress_size, 1):
            raise SpreadsheetError(
                _("it is compressed suspiciously much (a zip bomb?)"), code="zip_bomb"
            )


def _unquoted(dataset: tablib.Dataset) -> tablib.Dataset:
    out = tablib.Dataset(headers=[read_cell(header) for header in dataset.headers or []])
    for row in dataset:
        out.append([read_cell(value) for value in row])
    return out


# How tablib, csv, openpyxl and the XML parsers under it fail on a damaged or foreign file.
UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    csv.Error,
    ElementTree.ParseError,
    etree.LxmlError,
    InvalidFileException,
    KeyError,
    IndexError,
    TypeError,
    ValueError,
    OSError,
    EOFError,
    StopIteration,
)


class _FormulaSafe:
    """A django-import-export format whose export is quoted by ``safe_cell`` and whose
    import undoes exactly that quoting; a file it cannot read is a SpreadsheetError."""

    def export_data(self, dataset, **kwargs):
        safe = tablib.Dataset(headers=dataset.headers)
        for row in dataset:
            safe.append(safe_row(row))
        return super().export_data(safe, **kwargs)

    def _escape_formulae(self, dataset):
        # django-import-export's own escaping deletes a leading "=" and changes the data;
        # export_data has already quoted every formula-like cell instead.
        return None

    def create_dataset(self, in_stream, **kwargs):
        try:
            dataset = self._read(in_stream, **kwargs)
        except UNREADABLE:
            raise SpreadsheetError(self.unreadable, code="unreadable") from None
        return _unquoted(dataset)


class SafeCSV(_FormulaSafe, CSV):
    unreadable = _("it is not a CSV file")

    # Read as bytes (the admin too), so a file that is not UTF-8 gets this class's message.
    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def _read(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            try:
                in_stream = in_stream.decode(self.encoding or "utf-8-sig")
            except UnicodeDecodeError:
                raise SpreadsheetError(
                    _("it is not UTF-8 text; save it as “CSV UTF-8”"), code="not_utf8"
                ) from None
        return CSV.create_dataset(self, in_stream, **kwargs)


class SafeXLSX(_FormulaSafe, XLSX):
    unreadable = _("it is damaged or not an Excel workbook (.xlsx)")

    def _read(self, in_stream, **kwargs):
        if isinstance(in_stream, str):
            in_stream = in_stream.encode()
        check_xlsx_package(bytes(in_stream))
        return XLSX.create_dataset(self, in_stream)


FORMATS = [SafeCSV, SafeXLSX]
