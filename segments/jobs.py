"""Long segment work as background jobs, and the lock a job holds on its segment.

A segment with more lines than ``SEGMENT_BACKGROUND_THRESHOLD`` is logged, merged into
letters and rebuilt from saved criteria by a task (``segments.tasks``) instead of inside
the request. While such a job is queued or running, ``ensure_free`` refuses every edit of
the segment and a second log; the building and logging services call it, so the browser,
commands and the admin all meet the same lock.
"""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from crm import jobs
from crm.models import Job
from interactions import letters
from interactions.models import LoggedSegment

from .exceptions import LoggingError, SegmentError
from .models import SavedCriteria, Segment, SegmentLine

__all__ = [
    "LETTER_KINDS",
    "ensure_free",
    "is_large",
    "start_letters",
    "start_log",
    "start_reuse_criteria",
]

KIND_LOG = "segments.log"
KIND_LETTERS = "segments.letters"
KIND_REUSE = "segments.reuse_criteria"

#: The letter outputs a job can build: kind -> file extension.
LETTER_KINDS = {"zip": "zip", "docx": "docx", "pdf": "pdf"}


def threshold() -> int:
    return settings.SEGMENT_BACKGROUND_THRESHOLD


def is_large(segment: Segment) -> bool:
    """More lines than the threshold: reads at most threshold + 1 line ids."""
    limit = threshold()
    return (
        SegmentLine.objects.filter(segment_id=segment.pk)
        .order_by()
        .values("pk")[limit : limit + 1]
        .exists()
    )


def _busy(segment_no: str, job: Job | None) -> SegmentError:
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
        raise _busy(segment.no, job)


def _locked(segment: Segment) -> Segment:
    """The segment's row, locked until the job is recorded, and free of other jobs."""
    locked = Segment.objects.select_for_update().filter(pk=segment.pk).first()
    if locked is None:
        if LoggedSegment.objects.filter(segment_no=segment.no).exists():
            raise LoggingError(
                _("Segment %(no)s has already been logged.") % {"no": segment.no},
                code="already_logged",
            )
        raise SegmentError(
            _("Segment %(no)s no longer exists.") % {"no": segment.no}, code="segment_missing"
        )
    ensure_free(locked)
    return locked


def _start(segment: Segment, **kwargs) -> Job:
    try:
        return jobs.start(target=segment.no, **kwargs)
    except jobs.JobBusy:
        raise _busy(segment.no, jobs.active_job(segment.no)) from None


@transaction.atomic
def start_log(
    segment: Segment, *, user, deliver: bool = False, create_follow_up: bool = False
) -> Job:
    """Check the segment now (every problem at once), then log it in a job."""
    # Imported here: the services call ensure_free, so they import this module.
    from . import tasks
    from .services import validate_segment

    locked = _locked(segment)
    validate_segment(locked, deliver=deliver)
    return _start(
        locked,
        kind=KIND_LOG,
        description=_("Log segment %(no)s") % {"no": locked.no},
        task=tasks.log_segment,
        arguments={
            "segment": locked.pk,
            "user": user.pk,
            "deliver": deliver,
            "create_follow_up": create_follow_up,
        },
        user=user,
        total=locked.lines.count(),
    )


@transaction.atomic
def start_letters(segment: Segment, *, kind: str, user) -> Job:
    """Build every line's letter (zip, combined docx or PDF) into a file, in a job."""
    from . import tasks

    if kind not in LETTER_KINDS:
        raise SegmentError(
            _("There is no letters output %(kind)s; choose zip, docx or pdf.") % {"kind": kind},
            code="unknown_output",
        )
    if kind == "pdf" and not letters.pdf_available():
        raise SegmentError(
            _("PDF is not available: LibreOffice is not installed on the server."),
            code="no_pdf",
        )
    locked = _locked(segment)
    total = locked.lines.count()
    if not total:
        raise SegmentError(
            _("Segment %(no)s has no lines, so there are no letters.") % {"no": locked.no},
            code="no_lines",
        )
    return _start(
        locked,
        kind=KIND_LETTERS,
        description=_("Letters of segment %(no)s (%(kind)s)") % {"no": locked.no, "kind": kind},
        task=tasks.build_letters,
        arguments={"segment": locked.pk, "kind": kind},
        user=user,
        total=total,
    )


@transaction.atomic
def start_reuse_criteria(segment: Segment, *, saved: SavedCriteria | str, user) -> Job:
    """Replay saved criteria on the segment in a job."""
    from . import tasks

    if isinstance(saved, str):
        found = SavedCriteria.objects.filter(code=saved.strip().upper()).first()
        if found is None:
            raise SegmentError(
                _("Saved criteria %(code)s do not exist.") % {"code": saved},
                code="saved_criteria_missing",
            )
        saved = found
    locked = _locked(segment)
    return _start(
        locked,
        kind=KIND_REUSE,
        description=_("Reuse criteria %(code)s on segment %(no)s")
        % {"code": saved.code, "no": locked.no},
        task=tasks.reuse_criteria,
        arguments={"segment": locked.pk, "saved": saved.pk, "user": user.pk},
        user=user,
        total=saved.actions.count(),
    )
