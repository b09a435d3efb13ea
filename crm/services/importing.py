"""Importing contacts from a CSV or XLSX file: ``manage.py import_contacts`` and the
admin's import (a job, ``crm.tasks.import_contacts``).

The file streams through once: each row is checked as it is read (``import_rules``) and
the good rows are written set-based in batches (``import_writing``): one statement per
table per batch. Every batch is written inside one transaction, so the import is all or
nothing: when any row is bad (or on a dry run) the transaction rolls back at the end,
after every bad row has been found. Memory stays flat: a batch at a time, and the
contact numbers already seen (a file holds each contact once) in a temporary table.

A row whose no. names an existing contact changes that contact (the file's columns only;
a row that changes nothing is counted unchanged); a row without a no. is a new contact
that takes the next number of the contact series, reserved in one step at the end (after
every number the file types by hand is known, so none is handed out twice). The consent
columns record consent events with source ``import`` where they change a flag. One audit
row counts the import.
"""

from array import array
from dataclasses import dataclass, field
from itertools import islice
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

import audit

from ..choices import ConsentSource, ContactType
from ..models import (
    COMPANY_CHANGE_GUARDS,
    ConsentEvent,
    Contact,
    NumberSeries,
    ensure_series,
    refresh_segment_sort_keys,
)
from ..numbering import reserve_codes
from .import_reading import open_contact_file
from .import_rules import CONSENT_COLUMNS, GROUP_COLUMNS, ParsedRow, RowChecker
from .import_writing import IdAllocator, contact_columns, contact_row, insert_rows, quote

__all__ = ["BATCH", "ImportReport", "RowError", "import_contacts"]

#: Rows per batch: one statement per table per batch.
BATCH = 2000
#: Rows per ``IN (...)`` list of a look-up.
LOOKUP = 2000
SEEN = "crm_import_seen_no"
PLACEHOLDER = "\x01"  # a new contact's no. until the series numbers it (never typed: a
#                       control character is refused in every cell)


@dataclass(frozen=True, slots=True)
class RowError:
    """A bad row: its number (1 is the first row under the header), the column, why."""

    row: int
    column: str
    message: str

    def __str__(self):
        if self.column:
            return _("Row %(row)s, %(field)s: %(message)s") % {
                "row": self.row,
                "field": self.column,
                "message": self.message,
            }
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class ImportReport:
    """What an import did, or would have done (a dry run), or found wrong."""

    dry_run: bool = False
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    consent_events: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def imported(self) -> bool:
        return not self.errors and not self.dry_run

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "rows": self.rows,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "consent_events": self.consent_events,
            "imported": self.imported,
            "errors": [[error.row, error.column, error.message] for error in self.errors],
        }


def import_contacts(
    handle: BinaryIO,
    kind: str,
    *,
    user=None,
    dry_run: bool = False,
    progress=None,
    batch: int = BATCH,
) -> ImportReport:
    """Import the contacts of ``handle`` (a binary file of type ``kind``: csv or xlsx).

    Returns the report; when it has errors (or on a dry run) nothing was written. A file
    that cannot be read raises ``SpreadsheetError``, and nothing is written either.
    ``progress(rows)`` is called after each batch.
    """
    report = ImportReport(dry_run=dry_run)
    contact_file = open_contact_file(handle, kind)
    try:
        with transaction.atomic():
            importer = _Importer(contact_file.header, user=user, report=report)
            pending = []
            for number, cells in contact_file.rows():
                pending.append((number, cells))
                if len(pending) >= batch:
                    importer.write_batch(pending)
                    if progress:
                        progress(len(pending))
                    pending = []
            if pending:
                importer.write_batch(pending)
                if progress:
                    progress(len(pending))
            importer.finish()
            if report.errors or dry_run:
                transaction.set_rollback(True)
    finally:
        contact_file.close()
    report.errors.sort(key=lambda error: error.row)
    return report


def _chunks(items: list, size: int = LOOKUP):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _one_of(column: str, values: list) -> tuple[str, list]:
    """``column`` is one of ``values``: SQL and parameters. One array parameter on
    PostgreSQL (a list of thousands of placeholders costs the driver more than the query)."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


class _SeenNumbers:
    """The contact numbers the file has had so far, with their first row: a temporary
    table, so a million numbers cost no memory."""

    def __init__(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {quote(SEEN)}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {quote(SEEN)} "
                "(no varchar(255) PRIMARY KEY, row_no integer)"
            )

    def first_rows(self, numbers: list[str]) -> dict[str, int]:
        found = {}
        with connection.cursor() as cursor:
            for chunk in _chunks(numbers):
                where, params = _one_of("no", chunk)
                cursor.execute(f"SELECT no, row_no FROM {quote(SEEN)} WHERE {where}", params)
                found.update(cursor.fetchall())
        return found

    def add(self, rows: dict[str, int]) -> None:
        insert_rows(SEEN, ["no", "row_no"], list(rows.items()))

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {quote(SEEN)}")


class _Importer:
    """One import's state between batches (a transaction is open around all of them)."""

    def __init__(self, header: list[str], *, user, report: ImportReport):
        self.checker = RowChecker(header)
        self.user = user if user is not None and user.is_authenticated else None
        self.report = report
        self.attnames, self.columns, self.defaults = contact_columns()
        self.started = timezone.now()
        self.now = connection.ops.adapt_datetimefield_value(self.started)  # for raw rows
        self.note = _("Contact import")
        self.ids = IdAllocator()
        self.placeholders = array("q")  # ids of new contacts that take a series number
        # The series row first: on SQLite the write lock, everywhere the numbers' order.
        ensure_series("CONTACT")
        NumberSeries.objects.filter(code="CONTACT").update(last_no=F("last_no"))
        self.seen = _SeenNumbers()
        self.table = Contact._meta.db_table
        self.through = {
            name: (
                Contact._meta.get_field(name).remote_field.through._meta.db_table,
                f"{Contact._meta.get_field(name).m2m_reverse_field_name()}_id",
            )
            for name in GROUP_COLUMNS
            if name in self.checker.has
        }

    def error(self, number: int, column: str, message: str) -> None:
        self.report.errors.append(RowError(number, column, message))

    # --- reading a batch ---------------------------------------------------------------

    def _check(self, pending) -> list[ParsedRow]:
        checker = self.checker
        numbered = [(number, checker.number_of(cells), cells) for number, cells in pending]
        local: dict[str, int] = {}
        earlier = self.seen.first_rows(list({no for _n, no, _c in numbered if no}))
        parsed = []
        for number, no, cells in numbered:
            errors = checker.control_characters(cells)
            if no:
                first = earlier.get(no) or local.get(no)
                if first is None:
                    local[no] = number
                else:
                    errors.append(
                        (
                            "no",
                            _(
                                "Rows %(first)s and %(row)s have the same no. “%(no)s”; a "
                                "file may hold each contact once."
                            )
                            % {"first": first, "row": number, "no": no},
                        )
                    )
            if not errors:
                row, errors = checker.check(number, no, cells)
            for column, message in errors:
                self.error(number, column, message)
            if not errors:
                parsed.append(row)
        self.seen.add(local)
        self.report.rows += len(pending)
        return parsed

    def _select(self, columns: list[str], where: str, values: list) -> list[tuple]:
        """Rows of the contact table whose ``where`` column is one of ``values``."""
        found = []
        names = ", ".join(quote(column) for column in columns)
        with connection.cursor() as cursor:
            for chunk in _chunks(values):
                condition, params = _one_of(where, chunk)
                cursor.execute(f"SELECT {names} FROM {quote(self.table)} WHERE {condition}", params)
                found += cursor.fetchall()
        return found

    def _existing(self, parsed: list[ParsedRow]) -> dict[str, dict]:
        numbers = [row.no for row in parsed if row.no]
        attnames = self.attnames
        found = {}
        for values in self._select(list(self.columns), quote("no"), numbers):
            contact = dict(zip(attnames, values, strict=True))
            found[contact["no"]] = contact
        return found

    def _memberships(self, ids: list[int]) -> dict[str, dict[int, set]]:
        current = {name: {} for name in self.through}
        for name, (_table, target) in self.through.items():
            through = Contact._meta.get_field(name).remote_field.through
            for chunk in _chunks(ids):
                pairs = through.objects.filter(contact_id__in=chunk).values_list(
                    "contact_id", target
                )
                for contact_id, pk in pairs:
                    current[name].setdefault(contact_id, set()).add(pk)
        return current

    def _companies(self, parsed: list[ParsedRow]) -> dict[str, tuple[int, str]]:
        wanted = list({row.company for row in parsed if row.company and not row.is_company})
        rows = self._select(["no", "id", "name", "type"], quote("no"), wanted)
        return {no: (pk, name) for no, pk, name, kind in rows if kind == ContactType.COMPANY}

    # --- writing a batch ---------------------------------------------------------------

    def write_batch(self, pending) -> None:
        parsed = self._check(pending)
        existing = self._existing(parsed)
        companies = self._companies(parsed)
        members = self._memberships([values["id"] for values in existing.values()])
        ids = iter(self.ids.block(len(parsed) - len(existing)))
        inserts, updates, renamed = [], [], []
        links = {name: [] for name in self.through}
        unlink = {name: [] for name in self.through}
        events = []
        for row in parsed:
            old = existing.get(row.no)
            values = {**(old or self.defaults), **row.values}
            is_company = values["type"] == ContactType.COMPANY
            if is_company:
                company_no = row.no
                values["company_id"] = old["id"] if old is not None else None
            elif row.company is not None:
                company_no = row.company
                if not row.company:
                    values["company_id"], values["company_name"] = None, ""
                elif row.company in companies:
                    values["company_id"], values["company_name"] = companies[row.company]
                else:
                    self.error(
                        row.number,
                        "company",
                        _("There is no company contact with no. “%(value)s”.")
                        % {"value": row.company},
                    )
                    continue
            else:
                company_no = ""
            if old is not None and not self._may_change(row, old, values, is_company):
                continue
            contact_id = old["id"] if old is not None else next(ids)
            values["id"] = contact_id
            if is_company:
                values["company_id"] = contact_id
                companies[row.no] = (contact_id, values["name"])
            changed_events = [
                (flag, wanted)
                for flag, wanted in row.consent.items()
                if wanted != (old[flag] if old is not None else False)
            ]
            for flag, wanted in changed_events:
                values[flag] = wanted
                events.append(
                    (
                        contact_id,
                        CONSENT_COLUMNS[flag].value,
                        not wanted,
                        ConsentSource.IMPORT.value,
                        self.note,
                        self.user.pk if self.user else None,
                        self.now,
                    )
                )
            if old is None:
                values["no"] = row.no
                if not row.no:
                    values["no"] = f"{PLACEHOLDER}{row.number}"
                    self.placeholders.append(contact_id)
                values["created_at"] = values["updated_at"] = self.now
                inserts.append(contact_row(values, company_no=company_no))
                for name, pks in row.groups.items():
                    links[name] += [(contact_id, pk) for pk in pks]
                self.report.new += 1
                continue
            group_changes = {
                name: pks
                for name, pks in row.groups.items()
                if pks != members[name].get(contact_id, set())
            }
            if is_company:
                values["company_name"] = values["name"]
            if not changed_events and not group_changes and self._same(old, values):
                self.report.unchanged += 1
                continue
            values["updated_at"] = self.now
            updates.append(contact_row(values, company_no=company_no))
            for name, pks in group_changes.items():
                unlink[name].append(contact_id)
                links[name] += [(contact_id, pk) for pk in pks]
            if is_company and old["name"] != values["name"]:
                renamed.append((values["name"], contact_id, contact_id))
            self.report.updated += 1
        self._write(inserts, updates, renamed, links, unlink, events)

    def _same(self, old: dict, values: dict) -> bool:
        # The company's name is a copy kept in step with the company (a renamed company
        # changes it), not a change of the row.
        return all(
            old[name] == values[name]
            for name in self.attnames
            if name not in ("updated_at", "company_name")
        )

    def _may_change(self, row: ParsedRow, old: dict, values: dict, is_company: bool) -> bool:
        """A person cannot be their own company, nor change company while an app above
        refuses it (a segment line)."""
        if not is_company and values.get("company_id") == old["id"]:
            self.error(row.number, "company", _("A person cannot be their own company."))
            return False
        if old["type"] == ContactType.PERSON and values.get("company_id") != old["company_id"]:
            contact = Contact(
                **{name: values[name] for name in self.attnames if name in values},
            )
            contact.pk = old["id"]
            try:
                for guard in COMPANY_CHANGE_GUARDS:
                    guard(contact)
            except ValidationError as error:
                for message in error.messages:
                    self.error(row.number, "company", message)
                return False
        return True

    def _write(self, inserts, updates, renamed, links, unlink, events) -> None:
        insert_rows(self.table, self.columns, inserts)
        with connection.cursor() as cursor:
            if updates:
                columns = [c for c in self.columns if c not in ("id", "no", "created_at")]
                keep = [i for i, c in enumerate(self.columns) if c in columns]
                where = self.columns.index("id")
                assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
                cursor.executemany(
                    f"UPDATE {quote(self.table)} SET {assignments} WHERE {quote('id')} = %s",
                    [[row[i] for i in keep] + [row[where]] for row in updates],
                )
            if renamed:
                cursor.executemany(
                    f"UPDATE {quote(self.table)} SET {quote('company_name')} = %s "
                    f"WHERE {quote('company_id')} = %s AND {quote('id')} <> %s",
                    renamed,
                )
            for name, ids in unlink.items():
                table = self.through[name][0]
                for chunk in _chunks(ids):
                    condition, params = _one_of(quote("contact_id"), chunk)
                    cursor.execute(f"DELETE FROM {quote(table)} WHERE {condition}", params)
        for name, pairs in links.items():
            table, target = self.through[name]
            insert_rows(table, ["contact_id", target], pairs)
        insert_rows(
            ConsentEvent._meta.db_table,
            ["contact_id", "channel", "granted", "source", "note", "created_by_id", "created_at"],
            events,
        )
        self.report.consent_events += len(events)

    # --- the end -----------------------------------------------------------------------

    def finish(self) -> None:
        self.seen.drop()
        if self.report.errors:
            return
        if self.placeholders:
            self._number_new_contacts()
        # The rows were written around Contact.save: their segment sort keys, and those of
        # the persons of a company the file renamed, are computed here in one UPDATE.
        refresh_segment_sort_keys(
            Contact._base_manager.filter(
                Q(updated_at__gte=self.started) | Q(company__updated_at__gte=self.started)
            )
        )
        audit.record(
            self.user,
            audit.Action.CONTACTS_IMPORTED,
            None,
            count=self.report.new + self.report.updated,
            new=self.report.new,
            updated=self.report.updated,
            consent_events=self.report.consent_events,
        )

    def _number_new_contacts(self) -> None:
        """The new contacts without a no. take the series' next numbers, in file order."""
        codes = reserve_codes("CONTACT", Contact, len(self.placeholders))
        pairs = zip(self.placeholders, codes, strict=True)
        with connection.cursor() as cursor:
            while chunk := list(islice(pairs, 10_000)):
                if connection.vendor == "postgresql":
                    cursor.execute(
                        f"UPDATE {quote(self.table)} AS c SET {quote('no')} = v.no "
                        "FROM unnest(%s::bigint[], %s::text[]) AS v(id, no) WHERE c.id = v.id",
                        [[pk for pk, _code in chunk], [code for _pk, code in chunk]],
                    )
                else:
                    cursor.executemany(
                        f"UPDATE {quote(self.table)} SET {quote('no')} = %s "
                        f"WHERE {quote('id')} = %s",
                        [(code, pk) for pk, code in chunk],
                    )
