"""Job services: long operations as ``django.tasks`` tasks, with progress and an outcome.

A job is created in the caller's transaction and its task is enqueued once that commits.
The task calls ``run(job_id, work)``: ``run`` claims the job once (a second delivery of
the same task finds it no longer queued and does nothing), hands ``work`` a ``Progress``
that writes at most ``PROGRESS_WRITES`` times, and records the outcome or the error.
While the work runs, a heartbeat thread moves the job's ``heartbeat_at`` every quarter of
``JOB_HEARTBEAT_TIMEOUT_SECONDS`` (the work itself may sit in one long statement). A worker
that dies (SIGKILL, a lost machine) stops beating: ``fail_stale`` marks its job failed
once the timeout has passed, which frees its target and makes it retryable.
"""

import contextlib
import threading
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .models import Job

__all__ = [
    "JobBusy",
    "JobError",
    "Outcome",
    "Progress",
    "active_job",
    "current_job",
    "fail_stale",
    "record",
    "register_restart",
    "retry",
    "run",
    "start",
    "visible_jobs",
    "waiting_at_most",
]

#: The most progress writes one job makes between its start and its end.
PROGRESS_WRITES = 20

#: The job the running task works for: its own lock must not stop it.
current_job: ContextVar[int | None] = ContextVar("current_job", default=None)

#: kind -> ``restart(job, *, user) -> Job``: starts a failed job's work again through
#: the very checks that start it (permission, the object's state), filled by the app
#: that owns the kind (``jobs`` imports none of them).
_restarts: dict[str, Callable[..., Job]] = {}


class JobError(ValidationError):
    """A job cannot be started or retried."""


class JobBusy(JobError):
    """Another job is already working on the same target."""


@dataclass
class Outcome:
    """What a finished job hands back: data, a link to the result, a stored file."""

    result: dict = field(default_factory=dict)
    url: str = ""
    file: str = ""


class Progress:
    """Counts work done and writes it to the job every 1/PROGRESS_WRITES of the total."""

    def __init__(self, job: Job):
        self.job_id = job.pk
        self.total = job.total
        self.done = 0
        self._next = self._step()

    def _step(self) -> int:
        return max(1, -(-self.total // PROGRESS_WRITES))

    def set_total(self, total: int) -> None:
        self.total = total
        self._next = self.done + self._step()
        self._write(total=total)

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.done >= self._next:
            self._next = self.done + self._step()
            self._write()

    def _write(self, **fields) -> None:
        Job.objects.filter(pk=self.job_id).update(
            done=self.done, heartbeat_at=timezone.now(), **fields
        )


@contextlib.contextmanager
def waiting_at_most(seconds: float):
    """A transaction whose statements give up after waiting ``seconds`` for a lock.

    For the small writes a job makes on a connection of its own (the heartbeat, progress)
    while its work holds locks in one long transaction: on PostgreSQL a lock the work
    holds on the job's table (a ``TRUNCATE`` in it, say) would otherwise keep the writer,
    and so the work waiting for the writer, waiting for ever. SQLite's busy timeout
    already bounds the wait. The caller skips the write on the DatabaseError raised.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = {max(1, int(seconds * 1000))}")
        yield


def heartbeat_timeout() -> timedelta:
    return timedelta(seconds=settings.JOB_HEARTBEAT_TIMEOUT_SECONDS)


class Heartbeat:
    """Moves a running job's heartbeat from a thread of its own until stopped.

    A thread, not the work: logging a segment is one transaction and one long INSERT, and
    nothing it writes is visible before it commits. The beat is one small UPDATE on its
    own connection every quarter of the timeout; a dead process beats no more.
    """

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.interval = max(heartbeat_timeout().total_seconds() / 4, 0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name=f"job-{job_id}-heartbeat", daemon=True
        )

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                # The work's own transaction may hold the job's row (a progress write
                # inside it) or, on SQLite, the write lock past the busy timeout: skip
                # the beat rather than wait, as the work may be waiting for this thread.
                # The next beat tries again (the timeout is four beats).
                with contextlib.suppress(DatabaseError), waiting_at_most(self.interval):
                    unlocked = Job.objects.select_for_update(skip_locked=True).filter(
                        pk=self.job_id, state=Job.State.RUNNING
                    )
                    Job.objects.filter(pk__in=unlocked.values("pk")).update(
                        heartbeat_at=timezone.now()
                    )
        finally:
            connections.close_all()  # this thread's connections only


def _enqueue(job_id: int, task_path: str) -> None:
    result = import_string(task_path).enqueue(job_id)
    Job.objects.filter(pk=job_id).update(task_result_id=str(result.id))


def start(
    *,
    kind: str,
    description: str,
    task,
    arguments: dict,
    user,
    target: str = "",
    total: int = 0,
    retry_of: Job | None = None,
) -> Job:
    """Record a queued job and enqueue ``task(job_id)`` once the transaction commits.

    Raises JobBusy when another active job works on ``target``.
    """
    task_path = task if isinstance(task, str) else task.module_path
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind,
                description=description,
                target=target,
                task_path=task_path,
                arguments=arguments,
                total=total,
                created_by=user,
                retry_of=retry_of,
            )
    except IntegrityError:
        raise JobBusy(
            _("%(target)s is busy: another job is already working on it.") % {"target": target},
            code="busy",
        ) from None
    transaction.on_commit(partial(_enqueue, job.pk, task_path))
    return job


def record(
    *,
    kind: str,
    description: str,
    user,
    total: int = 0,
    target: str = "",
    arguments: dict | None = None,
) -> Job:
    """A queued job for work that is already running in a task (it is not enqueued again,
    and cannot be retried from the job page)."""
    return Job.objects.create(
        kind=kind,
        description=description,
        target=target,
        task_path="",
        arguments=arguments or {},
        total=total,
        created_by=user,
    )


def _finish(job_id: int, state: str, **fields) -> None:
    now = timezone.now()
    Job.objects.filter(pk=job_id).update(state=state, finished_at=now, heartbeat_at=now, **fields)


def run(job_id: int, work: Callable[[Job, Progress], Outcome]) -> dict:
    """Run ``work`` for a queued job, recording progress and the outcome; returns the result.

    A job that is no longer queued (already run, or failed meanwhile) is left alone.
    """
    fail_stale()
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started_at=now, heartbeat_at=now
    )
    if not claimed:
        state = Job.objects.filter(pk=job_id).values_list("state", flat=True).first()
        return {"skipped": True, "state": state}
    job = Job.objects.get(pk=job_id)
    progress = Progress(job)
    token = current_job.set(job.pk)
    try:
        with Heartbeat(job.pk):
            outcome = work(job, progress)
    except ValidationError as error:
        # A refusal may carry its report for the job page (the import's bad rows).
        _finish(
            job.pk,
            Job.State.FAILED,
            error=" ".join(error.messages),
            done=progress.done,
            result=getattr(error, "job_result", None) or {},
        )
        raise
    except Exception as error:
        # Any other failure is a bug or an outage: record it for the job page in words the
        # user can act on, then let the task backend keep the traceback.
        _finish(
            job.pk,
            Job.State.FAILED,
            done=progress.done,
            error=_(
                "The job stopped on an unexpected error (%(error)s); nothing was changed. "
                "Retry it, or ask an administrator to look at the worker's log."
            )
            % {"error": type(error).__name__},
        )
        raise
    finally:
        current_job.reset(token)
    _finish(
        job.pk,
        Job.State.SUCCEEDED,
        done=max(progress.done, progress.total),
        result=outcome.result,
        result_url=outcome.url,
        file=outcome.file,
    )
    return outcome.result


def _stale_error() -> str:
    return _(
        "The worker running this job stopped without finishing it (no sign of life for "
        "%(seconds)s seconds). Its work was rolled back and nothing was changed; retry it."
    ) % {"seconds": f"{settings.JOB_HEARTBEAT_TIMEOUT_SECONDS:g}"}


def fail_stale(*, now=None) -> int:
    """Mark running jobs without a heartbeat for JOB_HEARTBEAT_TIMEOUT_SECONDS failed;
    returns how many.

    Their worker has died: its transaction has rolled back, so nothing was changed. The
    usual answer, "none", costs one indexed read and no write, so pages polled every
    second may call it.
    """
    now = now or timezone.now()
    stale = Job.objects.filter(state=Job.State.RUNNING, heartbeat_at__lt=now - heartbeat_timeout())
    if not stale.exists():
        return 0
    # The UPDATE checks the heartbeat again: a job that beat meanwhile is left running.
    return stale.update(state=Job.State.FAILED, finished_at=now, error=_stale_error())


def register_restart(kind: str, restart: Callable[..., Job]) -> None:
    """Let failed jobs of ``kind`` be retried by ``restart(job, *, user)``."""
    _restarts[kind] = restart


@transaction.atomic
def retry(job: Job, *, user) -> Job:
    """Start a failed job again as a new job with the same work.

    The work is started exactly as a first start would: ``user``'s current permissions
    and the object's current state are checked again (a role lost meanwhile, a segment
    logged or deleted meanwhile refuse it). Raises JobError, or the work's own
    ValidationError naming what stops it.
    """
    if job.state != Job.State.FAILED:
        raise JobError(
            _("Job %(id)s has not failed (it is %(state)s); only a failed job can be retried.")
            % {"id": job.pk, "state": job.get_state_display().lower()},
            code="not_failed",
        )
    if job.created_by_id != user.pk:
        raise JobError(
            _("Job %(id)s was started by someone else; only its starter can retry it.")
            % {"id": job.pk},
            code="not_starter",
        )
    restart = _restarts.get(job.kind)
    if not job.task_path or restart is None:
        raise JobError(
            _("Job %(id)s (%(description)s) cannot be retried from here.")
            % {"id": job.pk, "description": job.description},
            code="not_retryable",
        )
    return restart(job, user=user)


def active_job(target: str) -> Job | None:
    """The queued or running job on ``target`` other than the one running this code.

    A running job whose heartbeat has stopped is failed here, so its target is free
    again without waiting for anyone to look at the job.
    """
    if not target:
        return None
    jobs = Job.objects.filter(target=target, state__in=Job.ACTIVE).select_related("created_by")
    running = current_job.get()
    if running is not None:
        jobs = jobs.exclude(pk=running)
    job = jobs.first()
    if (
        job is not None
        and job.state == Job.State.RUNNING
        and job.heartbeat_at < timezone.now() - heartbeat_timeout()
        and fail_stale()
    ):
        return jobs.first()
    return job


def visible_jobs(user):
    """The jobs ``user`` may see: their own; administrators see every job."""
    jobs = Job.objects.select_related("created_by")
    if user.is_staff:
        return jobs
    return jobs.filter(created_by=user)
