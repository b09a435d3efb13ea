"""``manage.py delete_canceled_logged_segments [--before DATE] [--segment SEG ...]``."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from interactions import services
from interactions.exceptions import InteractionError
from interactions.models import LoggedSegment


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("%(value)s is not a date; write it as YYYY-MM-DD.") % {"value": value}
        ) from None


class Command(BaseCommand):
    help = _("Delete canceled logged segments. Their interaction log entries stay, unlinked.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--before", help=_("Only logged segments created before this date (YYYY-MM-DD).")
        )
        parser.add_argument(
            "--segment",
            action="append",
            default=[],
            metavar="SEG",
            help=_("Only this segment number (repeatable)."),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Say how many; delete nothing.")
        )

    def handle(self, *args, **options):
        filters = {}
        if options["before"]:
            filters["created_at__date__lt"] = _date(options["before"])
        if options["segment"]:
            filters["segment_no__in"] = options["segment"]
        if options["dry_run"]:
            count = LoggedSegment.objects.filter(canceled=True, **filters).count()
            self.stdout.write(
                ngettext(
                    "%(count)d canceled logged segment would be deleted.",
                    "%(count)d canceled logged segments would be deleted.",
                    count,
                )
                % {"count": count}
            )
            return
        try:
            count = services.delete_canceled_logged_segments(user=None, **filters)
        except InteractionError as error:
            raise CommandError(error.messages[0]) from None
        self.stdout.write(
            ngettext(
                "%(count)d canceled logged segment deleted.",
                "%(count)d canceled logged segments deleted.",
                count,
            )
            % {"count": count}
        )
