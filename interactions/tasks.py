"""Background work of the ledger, run through ``django.tasks`` (ImmediateBackend by default)."""

from django.db.models import Q
from django.tasks import task
from django.urls import reverse
from django.utils.translation import gettext as _

from jobs import services as jobs

from . import delivery
from .choices import DeliveryStatus
from .models import LoggedSegment


@task()
def deliver_logged_segment(logged_segment_id: int, only_failed: bool = False) -> dict:
    """Send a logged segment's emails and build its print batch; returns the counts.

    The delivery is recorded as a job (jobs.services), so its progress and outcome show on
    the job pages like any other background work.
    """
    logged = LoggedSegment.objects.get(pk=logged_segment_id)
    waiting = Q(delivery_status=DeliveryStatus.FAILED if only_failed else DeliveryStatus.PENDING)
    job = jobs.record(
        kind=delivery.KIND_DELIVER,
        arguments={"logged_segment": logged_segment_id},
        description=_("Deliver logged segment %(no)s") % {"no": logged.segment_no},
        user=logged.created_by,
        total=logged.entries.filter(waiting).count(),
    )

    def work(job, progress):
        counts = delivery.deliver_logged_segment(logged_segment_id, only_failed=only_failed)
        progress.advance(job.total)
        return jobs.Outcome(
            result=counts,
            url=reverse("interactions:logged-segment-detail", args=[logged_segment_id]),
        )

    return jobs.run(job.pk, work)


@task()
def deliver_entry(entry_no: int) -> dict:
    """Send the email of one single interaction logged with ``deliver``."""
    return delivery.send_entry_email(entry_no)
