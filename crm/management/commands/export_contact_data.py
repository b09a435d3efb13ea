"""``manage.py export_contact_data NO [OUTPUT]``: the subject access zip of SPEC 9."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from crm.models import Contact
from crm.services import export_contact_data


class Command(BaseCommand):
    help = _(
        "Write everything held about one contact (contact.json, entries.csv, letters/) as a "
        "zip file, for a subject access request."
    )

    def add_arguments(self, parser):
        parser.add_argument("no", help=_("The contact's number, e.g. CT000123."))
        parser.add_argument(
            "output",
            nargs="?",
            default="-",
            help=_("Where to write the zip; '-' or nothing writes it to standard output."),
        )

    def handle(self, *args, no, output, **options):
        contact = Contact.objects.filter(no=no.strip().upper()).first()
        if contact is None:
            raise CommandError(_("There is no contact %(no)s.") % {"no": no})
        if output == "-":
            stream = getattr(self.stdout, "buffer", None) or sys.stdout.buffer
            export_contact_data(contact, stream)
            stream.flush()
            return
        try:
            with open(output, "wb") as stream:
                export_contact_data(contact, stream)
        except OSError as error:
            raise CommandError(
                _("%(file)s cannot be written: %(error)s")
                % {"file": output, "error": error.strerror}
            ) from None
        self.stderr.write(
            _("Wrote the personal data of %(no)s to %(file)s.") % {"no": contact.no, "file": output}
        )
