"""Long segment work as jobs on the database task backend: results, progress, the lock."""

import io
import zipfile

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from interactions.models import InteractionLogEntry, LoggedSegment
from jobs import services as jobs
from jobs.models import Job
from segments import jobs as segment_jobs
from segments import services
from segments.exceptions import SegmentError
from segments.models import CriteriaAction, SavedCriteria, SavedCriteriaAction, Segment
from segments.roles import MANAGER
from tests.factories import ContactFactory, UserFactory

from .jobdata import letter_segment

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def worker_settings(settings, tmp_path):
    settings.TASKS = DATABASE_TASKS
    settings.MEDIA_ROOT = tmp_path
    settings.SEGMENT_BACKGROUND_THRESHOLD = 5
    return settings


def run_worker():
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_a_large_log_is_queued_locks_the_segment_and_the_worker_logs_it(worker_settings):
    user = UserFactory(groups=[MANAGER])
    segment = letter_segment(12, user=user)
    with transaction.atomic():
        job = segment_jobs.start_log(segment, user=user)
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.target) == ("queued", 0, 12, segment.no)
    task_row = DBTaskResult.objects.get(pk=job.task_result_id)
    assert task_row.task_path == "segments.tasks.log_segment"
    assert task_row.args_kwargs["args"] == [job.pk]

    # While the job waits, every interface meets the lock: edits and a second log.
    with pytest.raises(SegmentError, match=f"Segment {segment.no} is locked") as caught:
        services.add_line(segment, contact=ContactFactory(), user=user)
    assert caught.value.code == "segment_busy"
    with pytest.raises(SegmentError, match="locked"):
        services.log_segment(segment, user=user)
    with pytest.raises(SegmentError, match="locked"):
        segment_jobs.start_log(segment, user=user)
    assert segment.lines.count() == 12
    assert not CriteriaAction.objects.filter(segment=segment).exists()

    run_worker()

    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.error) == ("succeeded", 12, 12, "")
    logged = LoggedSegment.objects.get(segment_no=segment.no)
    assert job.result["entries"] == 12 and job.result["logged_segment"] == logged.pk
    assert job.result_url == reverse("interactions:logged-segment-detail", args=[logged.pk])
    assert InteractionLogEntry.objects.filter(logged_segment=logged).count() == 12
    assert not Segment.objects.filter(pk=segment.pk).exists()
    assert job.started_at <= job.finished_at
    assert DBTaskResult.objects.get(pk=job.task_result_id).status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_a_letter_build_runs_on_the_worker_with_a_bounded_number_of_progress_writes(
    worker_settings, client
):
    user = UserFactory(groups=[MANAGER])
    segment = letter_segment(120, user=user)
    with transaction.atomic():
        job = segment_jobs.start_letters(segment, kind="zip", user=user)
    with CaptureQueriesContext(connection) as queries:
        run_worker()
    job_writes = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "crm_job"')]
    # claim + at most PROGRESS_WRITES progress writes + the outcome (+ the stale sweep).
    assert len(job_writes) <= jobs.PROGRESS_WRITES + 3
    assert len(job_writes) >= 10  # progress really was reported along the way

    job.refresh_from_db()
    assert (job.state, job.done, job.total) == ("succeeded", 120, 120)
    assert job.result == {"letters": 120, "kind": "zip", "segment_no": segment.no}
    assert job.file.name.endswith(f"{segment.no}.zip")
    # The segment is free again once the job has finished.
    services.add_line(segment, contact=ContactFactory(), user=user)

    client.force_login(user)
    response = client.get(job.result_url)
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert len(archive.namelist()) == 120
    assert all(name.endswith(".docx") for name in archive.namelist())

    client.force_login(UserFactory())
    assert client.get(job.result_url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_failed_job_keeps_its_error_changes_nothing_and_can_be_retried(worker_settings):
    user = UserFactory(groups=[MANAGER])
    segment = letter_segment(8, user=user, document=False)
    with transaction.atomic():
        job = segment_jobs.start_letters(segment, kind="docx", user=user)
    run_worker()
    job.refresh_from_db()
    assert job.state == "failed"
    assert "has no letter" in job.error and segment.no in job.error
    assert not job.file
    assert segment.lines.count() == 8

    # Give the template its letter, then retry: a new job with the same work succeeds.
    from django.core.files.base import ContentFile

    from interactions import letters

    language = segment.interaction_template.languages.get(language="en")
    language.document = ContentFile(letters.build_document(["Hi «ContactName»"]), name="x.docx")
    language.save()
    with transaction.atomic():
        retried = jobs.retry(job, user=user)
    run_worker()
    retried.refresh_from_db()
    assert (retried.state, retried.retry_of_id, retried.done) == ("succeeded", job.pk, 8)
    with pytest.raises(jobs.JobError, match="only a failed job can be retried"):
        jobs.retry(retried, user=user)


@pytest.mark.django_db(transaction=True)
def test_reuse_criteria_on_a_large_segment_runs_as_a_job(worker_settings):
    user = UserFactory(groups=[MANAGER])
    segment = letter_segment(6, user=user)
    ContactFactory.create_batch(3, city="Bergen")
    saved = SavedCriteria.objects.create(code="BERGEN", description="Bergen", created_by=user)
    SavedCriteriaAction.objects.create(
        saved=saved, seq=1, action="add", criteria={"contact": {"city": ["Bergen"]}}
    )
    with transaction.atomic():
        job = segment_jobs.start_reuse_criteria(segment, saved="bergen", user=user)
    run_worker()
    job.refresh_from_db()
    assert job.state == "succeeded", job.error
    assert job.result == {"actions": 1, "added": 3, "removed": 0}
    assert segment.lines.count() == 9


@pytest.mark.django_db
def test_the_immediate_backend_runs_the_job_inline_after_commit(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    user = UserFactory(groups=[MANAGER])
    segment = letter_segment(3, user=user)
    with django_capture_on_commit_callbacks(execute=True):
        job = segment_jobs.start_log(segment, user=user)
    job.refresh_from_db()
    assert job.state == "succeeded" and job.done == 3
    assert LoggedSegment.objects.filter(segment_no=segment.no).count() == 1


@pytest.mark.django_db
def test_invalid_segments_are_refused_before_a_job_is_queued(manager):
    user = manager
    segment = letter_segment(2, user=user)
    segment.description = ""
    segment.save()
    with pytest.raises(SegmentError, match="cannot be logged"):
        segment_jobs.start_log(segment, user=user)
    with pytest.raises(SegmentError, match="no letters output xls"):
        segment_jobs.start_letters(segment, kind="xls", user=user)
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_is_large_compares_with_the_threshold(settings, user):
    settings.SEGMENT_BACKGROUND_THRESHOLD = 3
    segment = letter_segment(3, user=user)
    assert not segment_jobs.is_large(segment)
    services.add_line(segment, contact=ContactFactory(), user=user)
    assert segment_jobs.is_large(segment)


@pytest.mark.django_db
def test_a_running_job_without_a_sign_of_life_is_failed_after_the_timeout(settings, user):
    settings.JOB_HEARTBEAT_TIMEOUT_SECONDS = 60
    from datetime import timedelta

    from django.utils import timezone

    old = timezone.now() - timedelta(seconds=61)
    stale = Job.objects.create(
        kind="k", description="d", task_path="t", state="running", heartbeat_at=old, target="S1"
    )
    alive = Job.objects.create(kind="k", description="d", task_path="t", state="running")
    assert jobs.fail_stale() == 1
    stale.refresh_from_db()
    alive.refresh_from_db()
    assert stale.state == "failed" and "stopped without finishing" in stale.error
    assert alive.state == "running"
    assert jobs.active_job("S1") is None


@pytest.mark.django_db
def test_two_active_jobs_on_one_target_are_refused_by_the_database(user):
    jobs.start(kind="k", description="d", task="x.y", arguments={}, user=user, target="SEG1")
    with pytest.raises(jobs.JobBusy, match="SEG1 is busy"):
        jobs.start(kind="k", description="d", task="x.y", arguments={}, user=user, target="SEG1")
