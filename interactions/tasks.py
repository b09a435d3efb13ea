"""Background work of the ledger, run through ``django.tasks`` (ImmediateBackend by default)."""

from django.tasks import task

from . import delivery


@task()
def deliver_logged_segment(logged_segment_id: int, only_failed: bool = False) -> dict:
    """Send a logged segment's emails and build its print batch; returns the counts."""
    return delivery.deliver_logged_segment(logged_segment_id, only_failed=only_failed)
