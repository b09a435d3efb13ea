"""``manage.py import_contacts FILE [--dry-run]``: the admin's contact import, from a shell."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from crm.resources import ContactResource, row_errors
from crm.spreadsheets import SafeCSV, SafeXLSX, SpreadsheetError

# The admin's import formats: the same reading, the same rules, the same messages.
FORMATS = {".csv": SafeCSV, ".xlsx": SafeXLSX}


class Command(BaseCommand):
    help = _(
        "Import contacts from a CSV or XLSX file with the columns of the admin's contact "
        "export. Every row is checked first; if any row is invalid nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("A .csv (UTF-8) or .xlsx file."))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Check the file and report what would change, without importing."),
        )

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        file_format = FORMATS.get(path.suffix.lower())
        if file_format is None:
            raise CommandError(
                _("%(file)s: unsupported file type; use a .csv or .xlsx file.") % {"file": file}
            )
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("%(file)s cannot be read: %(error)s") % {"file": file, "error": error.strerror}
            ) from None
        try:
            dataset = file_format().create_dataset(raw)
        except SpreadsheetError as error:
            raise CommandError(
                _("%(file)s cannot be imported: %(error)s.")
                % {"file": file, "error": " ".join(error.messages)}
            ) from None

        result = ContactResource().import_data(dataset, dry_run=dry_run)
        problems = row_errors(result)
        if problems:
            for line in problems:
                self.stderr.write(line)
            raise CommandError(
                _("%(file)s: %(count)d problem(s); nothing was imported.")
                % {"file": file, "count": len(problems)}
            )
        totals = result.totals
        summary = _("%(new)d new, %(update)d updated, %(skip)d unchanged") % {
            "new": totals["new"],
            "update": totals["update"],
            "skip": totals["skip"],
        }
        if dry_run:
            self.stdout.write(_("Dry run, nothing imported: %(summary)s.") % {"summary": summary})
        else:
            self.stdout.write(
                self.style.SUCCESS(_("Imported contacts: %(summary)s.") % {"summary": summary})
            )
