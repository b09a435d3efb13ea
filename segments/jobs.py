"""Long segment work as background jobs, and the lock a job holds on its segment.

A segment with more lines than ``SEGMENT_BACKGROUND_THRESHOLD`` is logged, merged into
letters and rebuilt from saved criteria by a task (``segments.tasks``) instead of inside
the request. While such a job is queued or running, ``ensure_free`` (``segments.locks``)
refuses every edit of the segment and a second log; the building and logging services
call it, so the browser, commands and the admin all meet the same lock.

``ensure_may_start`` is the one place that decides whether a user may start a kind of
work; the ``start_*`` functions call it, and so does a retry (``restart``), which starts
the failed job's work again through the same ``start_*`` function.
"""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from interactions import letters
from jobs import services as jobs
from jobs.models import Job

from . import services, tasks
from .exceptions import SegmentError
from .locks import busy, ensure_free, locked_segment
from .models import SavedCriteria, Segment, SegmentLine
from .outputs import LETTER_KINDS
from .selectors import saved_criteria_by_code

__all__ = [
    "LETTER_KINDS",
    "ensure_free",
    "ensure_may_start",
    "is_large",
    "restart",
    "start_letters",
    "start_log",
    "start_reuse_criteria",
]

KIND_LOG = "segments.log"
KIND_LETTERS = "segments.letters"
KIND_REUSE = "segments.reuse_criteria"

#: kind -> the permission its page asks for, and the refusal naming the segment.
PERMISSIONS = {
    KIND_LOG: (
        "segments.log_segment",
        gettext_lazy("Your role does not allow logging segments; segment %(no)s was not logged."),
    ),
    KIND_LETTERS: (
        "segments.view_segment",
        gettext_lazy(
            "Your role does not allow viewing segments; the letters of segment %(no)s were "
            "not built."
        ),
    ),
    KIND_REUSE: (
        "segments.change_segment",
        gettext_lazy(
            "Your role does not allow changing segments; no criteria were applied to "
            "segment %(no)s."
        ),
    ),
}


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


def ensure_may_start(kind: str, segment: Segment, *, user) -> None:
    """Refuse ``user`` the ``kind`` of work on ``segment`` unless their role allows it now."""
    permission, refusal = PERMISSIONS[kind]
    if not user.has_perm(permission):
        raise SegmentError(refusal % {"no": segment.no}, code="not_permitted")


def _start(segment: Segment, **kwargs) -> Job:
    try:
        return jobs.start(target=segment.no, **kwargs)
    except jobs.JobBusy:
        raise busy(segment.no, jobs.active_job(segment.no)) from None


@transaction.atomic
def start_log(
    segment: Segment,
    *,
    user,
    deliver: bool = False,
    create_follow_up: bool = False,
    retry_of: Job | None = None,
) -> Job:
    """Check the segment now (every problem at once), then log it in a job."""
    ensure_may_start(KIND_LOG, segment, user=user)
    locked = locked_segment(segment)
    services.validate_segment(locked, deliver=deliver)
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
        retry_of=retry_of,
        total=locked.lines.count(),
    )


@transaction.atomic
def start_letters(segment: Segment, *, kind: str, user, retry_of: Job | None = None) -> Job:
    """Build every line's letter (zip, combined docx or PDF) into a file, in a job."""
    ensure_may_start(KIND_LETTERS, segment, user=user)
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
    locked = locked_segment(segment)
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
        retry_of=retry_of,
        total=total,
    )


@transaction.atomic
def start_reuse_criteria(
    segment: Segment, *, saved: SavedCriteria | str, user, retry_of: Job | None = None
) -> Job:
    """Replay saved criteria on the segment in a job."""
    ensure_may_start(KIND_REUSE, segment, user=user)
    saved = saved_criteria_by_code(saved)
    locked = locked_segment(segment)
    return _start(
        locked,
        kind=KIND_REUSE,
        description=_("Reuse criteria %(code)s on segment %(no)s")
        % {"code": saved.code, "no": locked.no},
        task=tasks.reuse_criteria,
        arguments={"segment": locked.pk, "saved": saved.pk, "user": user.pk},
        user=user,
        retry_of=retry_of,
        total=saved.actions.count(),
    )


def restart(job: Job, *, user) -> Job:
    """Start a failed segment job's work again, through the function that started it.

    The segment is looked up afresh: one logged or deleted meanwhile refuses the retry,
    as does a role that no longer allows the work.
    """
    arguments = job.arguments
    # Only the id and number: locked_segment reads the row itself, or names it as gone.
    segment = Segment(pk=arguments.get("segment"), no=job.target)
    if job.kind == KIND_LOG:
        return start_log(
            segment,
            user=user,
            deliver=arguments.get("deliver", False),
            create_follow_up=arguments.get("create_follow_up", False),
            retry_of=job,
        )
    if job.kind == KIND_LETTERS:
        return start_letters(segment, kind=arguments.get("kind", ""), user=user, retry_of=job)
    ensure_may_start(KIND_REUSE, segment, user=user)
    saved = SavedCriteria.objects.filter(pk=arguments.get("saved")).first()
    if saved is None:
        raise SegmentError(
            _("The saved criteria job %(id)s applied to segment %(no)s no longer exist.")
            % {"id": job.pk, "no": job.target},
            code="saved_criteria_missing",
        )
    return start_reuse_criteria(segment, saved=saved, user=user, retry_of=job)
