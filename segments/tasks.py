"""Background work on segments, run through ``django.tasks``: each task takes a job id.

The job (``jobs.models.Job``) holds the arguments as ids; the task loads the rows, calls
the service, and ``jobs.services.run`` records progress and the outcome.
"""

import tempfile

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.storage import default_storage
from django.tasks import task
from django.urls import reverse

from jobs import services as jobs

from . import outputs, services
from .locks import gone
from .models import SavedCriteria, Segment
from .outputs import LETTER_KINDS

WRITERS = {
    "zip": outputs.write_zip,
    "docx": outputs.write_combined,
    "pdf": outputs.write_pdf,
}


def _segment(job) -> Segment:
    segment = Segment.objects.filter(pk=job.arguments["segment"]).first()
    if segment is not None:
        return segment
    raise gone(job.target)


def _user(job):
    return get_user_model()._default_manager.get(pk=job.arguments["user"])


def _log(job, progress) -> jobs.Outcome:
    segment = _segment(job)
    progress.set_total(segment.lines.count())
    logged = services.log_segment(
        segment,
        user=_user(job),
        deliver=job.arguments.get("deliver", False),
        create_follow_up=job.arguments.get("create_follow_up", False),
    )
    entries = logged.entries.count()
    progress.advance(entries)
    follow_up = Segment.objects.filter(follow_up_of=logged).values_list("no", flat=True).first()
    return jobs.Outcome(
        result={
            "logged_segment": logged.pk,
            "segment_no": logged.segment_no,
            "entries": entries,
            "follow_up": follow_up,
        },
        url=reverse("interactions:logged-segment-detail", args=[logged.pk]),
    )


def _letters(job, progress) -> jobs.Outcome:
    segment = _segment(job)
    kind = job.arguments["kind"]
    with tempfile.TemporaryFile() as out:
        count = WRITERS[kind](segment, out, progress=progress.advance)
        out.seek(0)
        # Through the storage API, so every web instance can serve it (shared media).
        name = default_storage.save(
            f"jobs/{job.pk}/{segment.no}.{LETTER_KINDS[kind]}", File(out, name=segment.no)
        )
    return jobs.Outcome(
        result={"letters": count, "kind": kind, "segment_no": segment.no},
        url=reverse("jobs:job-download", args=[job.pk]),
        file=name,
    )


def _reuse(job, progress) -> jobs.Outcome:
    segment = _segment(job)
    saved = SavedCriteria.objects.get(pk=job.arguments["saved"])
    done = services.reuse_criteria(segment, saved=saved, user=_user(job))
    progress.advance(len(done))
    return jobs.Outcome(
        result={
            "actions": len(done),
            "added": sum(action.added for action in done),
            "removed": sum(action.removed for action in done),
        },
        url=segment.get_absolute_url(),
    )


@task()
def log_segment(job_id: int) -> dict:
    """Log the job's segment (``services.log_segment``) in one transaction."""
    return jobs.run(job_id, _log)


@task()
def build_letters(job_id: int) -> dict:
    """Merge every line's letter into a zip, a combined .docx or a PDF in storage."""
    return jobs.run(job_id, _letters)


@task()
def reuse_criteria(job_id: int) -> dict:
    """Replay saved criteria on the job's segment (``services.reuse_criteria``)."""
    return jobs.run(job_id, _reuse)
