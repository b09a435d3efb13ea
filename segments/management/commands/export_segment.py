"""``manage.py export_segment SEG00001 [--output file.csv]``: a segment's contacts as CSV."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from segments import services
from segments.models import Segment


class Command(BaseCommand):
    help = "Export a segment's contacts as CSV, one row per line."

    def add_arguments(self, parser):
        parser.add_argument("segment", help="The segment number, e.g. SEG00001.")
        parser.add_argument(
            "--output",
            "-o",
            help="The CSV file to write (default: standard output).",
        )

    def handle(self, *args, segment, output=None, **options):
        found = Segment.objects.filter(no=segment.strip().upper()).first()
        if found is None:
            raise CommandError(_("Segment %(no)s does not exist.") % {"no": segment})
        if output:
            try:
                with open(output, "w", newline="", encoding="utf-8") as stream:
                    rows = services.export_contacts(found, stream)
            except OSError as error:
                raise CommandError(
                    _("Cannot write %(file)s: %(error)s") % {"file": output, "error": error}
                ) from None
            self.stderr.write(
                _("Exported %(rows)s lines of segment %(no)s to %(file)s.")
                % {"rows": rows, "no": found.no, "file": output}
            )
        else:
            services.export_contacts(found, self.stdout)
