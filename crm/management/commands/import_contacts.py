"""``manage.py import_contacts FILE [--dry-run]``: the admin's contact import, from a shell."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from crm.services.import_reading import file_format
from crm.services.importing import import_contacts
from crm.spreadsheets import SpreadsheetError


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
        kind = file_format(path.name)
        if kind is None:
            raise CommandError(
                _("%(file)s: unsupported file type; use a .csv or .xlsx file.") % {"file": file}
            )
        try:
            handle = path.open("rb")
        except OSError as error:
            raise CommandError(
                _("%(file)s cannot be read: %(error)s") % {"file": file, "error": error.strerror}
            ) from None
        try:
            with handle:
                report = import_contacts(handle, kind, dry_run=dry_run)
        except SpreadsheetError as error:
            raise CommandError(
                _("%(file)s cannot be imported: %(error)s.")
                % {"file": file, "error": " ".join(error.messages)}
            ) from None
        if report.errors:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("%(file)s: %(count)d problem(s); nothing was imported.")
                % {"file": file, "count": len(report.errors)}
            )
        summary = _("%(new)d new, %(update)d updated, %(skip)d unchanged") % {
            "new": report.new,
            "update": report.updated,
            "skip": report.unchanged,
        }
        if dry_run:
            self.stdout.write(_("Dry run, nothing imported: %(summary)s.") % {"summary": summary})
        else:
            self.stdout.write(
                self.style.SUCCESS(_("Imported contacts: %(summary)s.") % {"summary": summary})
            )
