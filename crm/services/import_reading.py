"""Reading a contact file row by row, never whole: CSV through ``csv.reader`` over the
decoded stream, XLSX through openpyxl's read-only mode.

A cell reads as the text the admin's export wrote: the apostrophe ``safe_cell`` put before
a formula-like value is removed (``read_cell``), numbers and booleans of a workbook become
their text. A file that cannot be read, at its start or halfway, raises ``SpreadsheetError``
with the same words as before (``crm.spreadsheets``).
"""

import codecs
import csv
import datetime
import io
from collections.abc import Iterator
from typing import BinaryIO

from django.utils.translation import gettext_lazy as _

from ..spreadsheets import UNREADABLE, SafeCSV, SafeXLSX, SpreadsheetError, check_xlsx_package

__all__ = [
    "FORMATS",
    "ContactFile",
    "check_upload",
    "count_rows",
    "file_format",
    "open_contact_file",
]

#: The file types an import takes, by suffix.
FORMATS = ("csv", "xlsx")

NOT_UTF8 = _("it is not UTF-8 text; save it as “CSV UTF-8”")


def file_format(name: str) -> str | None:
    """``csv`` or ``xlsx`` for a file name, None for any other type."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return suffix if suffix in FORMATS else None


def as_text(value) -> str:
    """A cell as the text an export wrote: formula quoting removed, numbers as written."""
    if value is None:
        return ""
    if isinstance(value, str):
        if value[:1] == "'" and value[1:2] in ("=", "+", "-", "@", "\t", "\r", "'"):
            return value[1:]
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


class ContactFile:
    """An open contact file: ``header`` (the column names) and ``rows()``, which yields
    (row number, cells as text) for each data row; row 1 is the first row under the header,
    as the import has always counted. Empty rows are skipped."""

    def __init__(self, handle: BinaryIO, kind: str):
        self.kind = kind
        self._handle = handle
        self._book = None
        try:
            if kind == "xlsx":
                self._rows = self._xlsx_rows()
            else:
                self._rows = self._csv_rows()
            header = next(self._rows, None)
        except SpreadsheetError:
            self.close()
            raise
        self.header = [as_text(name).strip() for name in header or []]

    def _unreadable(self) -> SpreadsheetError:
        message = SafeXLSX.unreadable if self.kind == "xlsx" else SafeCSV.unreadable
        return SpreadsheetError(message, code="unreadable")

    def _csv_rows(self) -> Iterator[list]:
        text = io.TextIOWrapper(self._handle, encoding="utf-8-sig", newline="")
        reader = csv.reader(text)
        try:
            yield from reader
        except UnicodeDecodeError:
            raise SpreadsheetError(NOT_UTF8, code="not_utf8") from None
        except csv.Error:
            raise self._unreadable() from None
        finally:
            text.detach()

    def _xlsx_rows(self) -> Iterator[tuple]:
        import openpyxl

        self._handle.seek(0)
        check_xlsx_package(self._handle)
        self._handle.seek(0)
        try:
            self._book = openpyxl.load_workbook(self._handle, read_only=True, data_only=True)
            yield from self._book.active.iter_rows(values_only=True)
        except UNREADABLE:
            raise self._unreadable() from None

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        number = 0
        xlsx = self.kind == "xlsx"
        for cells in self._rows:
            if xlsx:
                # A workbook's empty rows keep their number, as the import has counted them.
                number += 1
                cells = [as_text(value) for value in cells]
                if not any(cells):
                    continue
            else:
                if not cells:
                    continue
                number += 1
                if "'" in "".join(cells):
                    cells = [as_text(value) for value in cells]
            yield number, cells

    def close(self) -> None:
        rows = getattr(self, "_rows", None)
        if rows is not None:
            rows.close()  # its ``finally`` lets go of the file (the CSV's text wrapper)
        if self._book is not None:
            self._book.close()
            self._book = None


def open_contact_file(handle: BinaryIO, kind: str) -> ContactFile:
    """``handle`` (a binary file) as a contact file of type ``kind`` (``csv``, ``xlsx``)."""
    if kind not in FORMATS:
        raise SpreadsheetError(_("it is not a .csv or .xlsx file"), code="unsupported_type")
    return ContactFile(handle, kind)


def check_upload(handle: BinaryIO, kind: str) -> None:
    """Refuse a file that is not of its type before an import job is started for it: a
    workbook must be a sound zip whose first sheet opens, a CSV file must start as UTF-8
    text. Rows are checked by the import itself."""
    handle.seek(0)
    if kind == "csv":
        start = handle.read(64 * 1024)
        try:
            codecs.getincrementaldecoder("utf-8")().decode(start, final=False)
        except UnicodeDecodeError:
            raise SpreadsheetError(NOT_UTF8, code="not_utf8") from None
    else:
        contact_file = open_contact_file(handle, kind)
        contact_file.close()
    handle.seek(0)


def count_rows(handle: BinaryIO, kind: str) -> int:
    """How many rows the file has under its header (a workbook's own dimension when it
    states one), for a job's progress."""
    contact_file = open_contact_file(handle, kind)
    try:
        if contact_file._book is not None and contact_file._book.active.max_row:
            return max(contact_file._book.active.max_row - 1, 0)
        return sum(1 for _row in contact_file.rows())
    finally:
        contact_file.close()
