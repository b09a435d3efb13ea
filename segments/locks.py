"""The segment lock: one row lock and one "segment gone" error for every writer.

Every service that changes a segment (building steps, logging) and every background job
that starts work on one takes the lock here, below the services, tasks and job starters
that use it: a rule every write respects, not orchestration. While a job is queued or
running on a segment (``jobs.services.active_job``), ``ensure_free`` refuses every other edit,
so the browser, commands, the admin and tasks all meet the same lock.
"""

from django.utils.translation import gettext as _

from interactions.models import LoggedSegment
from jobs import services as jobs
from jobs.models import Job

from .exceptions import SegmentError, SegmentGone
from .models import Segment

__all__ = [
    "SegmentGone",
    "already_logged",
    "busy",
    "ensure_free",
    "gone",
    "locked_segment",
    "select_segment",
]


def already_logged(segment_no: str) -> SegmentGone:
    """The error for a segment that was logged meanwhile."""
    return SegmentGone(
        _("Segment %(no)s has already been logged.") % {"no": segment_no},
        code="already_logged",
    )


def gone(segment_no: str) -> SegmentGone:
    """The error for a segment that is no longer there: logged meanwhile, or deleted."""
    if LoggedSegment.objects.filter(segment_no=segment_no).exists():
        return already_logged(segment_no)
    return SegmentGone(
        _("Segment %(no)s no longer exists.") % {"no": segment_no}, code="segment_missing"
    )


def busy(segment_no: str, job: Job | None) -> SegmentError:
    """The refusal while a background job works on the segment."""
    return SegmentError(
        _(
            "Segment %(no)s is locked while a background job works on it (%(job)s, started "
            "by %(user)s); try again when the job has finished."
        )
        % {
            "no": segment_no,
            "job": job.description if job else _("another job"),
            "user": (job.created_by if job and job.created_by else _("someone")),
        },
        code="segment_busy",
    )


def ensure_free(segment: Segment) -> None:
    """Refuse to touch ``segment`` while a job other than the running one works on it."""
    job = jobs.active_job(segment.no)
    if job is not None:
        raise busy(segment.no, job)


def select_segment(segment: Segment) -> Segment:
    """The segment's row, locked until the transaction ends, or ``gone`` if it is not there."""
    locked = Segment.objects.select_for_update().filter(pk=segment.pk).first()
    if locked is None:
        raise gone(segment.no)
    return locked


def locked_segment(segment: Segment) -> Segment:
    """The segment's row, locked, and free of background jobs other than the running one."""
    locked = select_segment(segment)
    ensure_free(locked)
    return locked
