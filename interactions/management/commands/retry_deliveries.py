"""``manage.py retry_deliveries [SEGMENT_NO ...]``: send failed emails again, and the
pending ones a delivery lost with its worker left behind."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _

from interactions import delivery
from interactions.models import LoggedSegment

from ...choices import DeliveryStatus


class Command(BaseCommand):
    help = (
        "Send again the emails whose delivery failed, and those still pending long after a "
        "delivery whose worker was lost, for all or the given logged segments."
    )

    def add_arguments(self, parser):
        parser.add_argument("segment_nos", nargs="*", help="Segment numbers (default: all).")

    def handle(self, *args, **options):
        segment_nos = options["segment_nos"]
        stale = delivery.stale_pending()
        logged_segments = LoggedSegment.objects.filter(
            Q(entries__delivery_status=DeliveryStatus.FAILED) | Q(pk__in=stale)
        ).distinct()
        if segment_nos:
            unknown = set(segment_nos) - set(
                LoggedSegment.objects.filter(segment_no__in=segment_nos).values_list(
                    "segment_no", flat=True
                )
            )
            if unknown:
                raise CommandError(
                    _("No logged segment %(nos)s.") % {"nos": ", ".join(sorted(unknown))}
                )
            logged_segments = logged_segments.filter(segment_no__in=segment_nos)
        still_failed = 0
        for logged in logged_segments.order_by("entry_no"):
            counts = delivery.send_emails(logged, only_failed=True, also_pending=logged.pk in stale)
            still_failed += counts["failed"]
            self.stdout.write(
                _("Segment %(no)s: %(sent)s sent, %(failed)s failed.")
                % {"no": logged.segment_no, **counts}
            )
        if still_failed:
            raise CommandError(
                _("%(count)s emails failed again; see their delivery errors.")
                % {"count": still_failed}
            )
