"""Heartbeats of running jobs (issue 11, item 8): a job whose worker died is failed once
its heartbeat is JOB_HEARTBEAT_TIMEOUT_SECONDS old, which frees its segment and makes it
retryable; a live one is left alone; emails a lost delivery left pending are resent."""

import io
import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from interactions import delivery
from interactions.choices import DeliveryStatus
from interactions.models import InteractionLogEntry
from jobs import services as jobs
from jobs.models import Job
from segments import jobs as segment_jobs
from segments import services
from segments.exceptions import SegmentError
from segments.models import Segment
from tests.factories import ContactFactory

from .jobdata import letter_segment


@pytest.fixture
def running_log(manager, settings, tmp_path):
    """A manager's log job that a worker has claimed: running, the segment locked."""
    settings.MEDIA_ROOT = tmp_path
    settings.JOB_HEARTBEAT_TIMEOUT_SECONDS = 120.0  # as read from the environment
    segment = letter_segment(3, user=manager)
    job = segment_jobs.start_log(segment, user=manager)
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, started_at=timezone.now())
    return segment, job


def beat(job: Job, seconds_ago: float) -> None:
    Job.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=seconds_ago)
    )


@pytest.mark.django_db
def test_a_job_whose_heartbeat_is_old_is_failed_retryable_and_frees_its_segment(
    manager, running_log
):
    segment, job = running_log
    beat(job, 121)
    # No one looked at the job: the next edit of its segment finds the lock gone.
    line = services.add_line(segment, contact=ContactFactory(), user=manager)
    assert line.segment_id == segment.pk
    job.refresh_from_db()
    assert job.state == "failed"
    assert "no sign of life for 120 seconds" in job.error
    retried = jobs.retry(job, user=manager)
    assert (retried.state, retried.retry_of, retried.target) == ("queued", job, segment.no)


@pytest.mark.django_db
def test_a_job_with_a_fresh_heartbeat_is_not_touched(manager, running_log):
    segment, job = running_log
    beat(job, 100)
    assert jobs.fail_stale() == 0
    with pytest.raises(SegmentError, match=f"Segment {segment.no} is locked"):
        services.add_line(segment, contact=ContactFactory(), user=manager)
    with pytest.raises(jobs.JobError, match="has not failed"):
        jobs.retry(job, user=manager)
    job.refresh_from_db()
    assert (job.state, job.error, job.finished_at) == ("running", "", None)
    assert segment.lines.count() == 3


@pytest.mark.django_db
def test_polling_a_running_job_page_writes_nothing(manager_client, running_log):
    """The page polls every second: looking for stale jobs is a read, never a write."""
    _segment, job = running_log
    beat(job, 5)
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            response = manager_client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
            assert response.status_code == 200
    writes = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]
    assert writes == []
    job.refresh_from_db()
    assert job.state == "running"


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_moves_the_heartbeat_while_the_work_runs(settings, user):
    settings.JOB_HEARTBEAT_TIMEOUT_SECONDS = 0.4  # a beat every 0.1 s
    job = Job.objects.create(kind="k", description="d", task_path="t", created_by=user)
    seen = []

    def work(job, progress):
        started = Job.objects.get(pk=job.pk).heartbeat_at
        time.sleep(0.6)
        seen.append(Job.objects.get(pk=job.pk).heartbeat_at - started)
        # Longer than the timeout, yet alive: nothing marks it failed.
        assert jobs.fail_stale() == 0
        return jobs.Outcome(result={"ok": True})

    assert jobs.run(job.pk, work) == {"ok": True}
    assert seen[0] >= timedelta(seconds=0.3)
    job.refresh_from_db()
    assert job.state == "succeeded"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's table locks")
@pytest.mark.django_db(transaction=True)
def test_a_lock_the_work_holds_on_the_jobs_table_never_keeps_the_job_waiting(settings, user):
    """The work's transaction holds the jobs table (as the demo reset's TRUNCATE does): the
    heartbeat and the progress written from their own connections give up after a short
    wait instead of waiting for ever, and so does the work that waits for them."""
    from crm.tasks import outside_the_transaction

    settings.JOB_HEARTBEAT_TIMEOUT_SECONDS = 0.4
    job = Job.objects.create(kind="k", description="d", task_path="t", created_by=user, total=3)

    def work(job, progress):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {Job._meta.db_table} IN ACCESS EXCLUSIVE MODE")
            advance = outside_the_transaction(progress)
            for _ in range(3):
                advance(1)
            time.sleep(0.3)  # a beat or two meet the lock
        return jobs.Outcome(result={"ok": True})

    outcome = []

    def run():
        try:
            outcome.append(jobs.run(job.pk, work))
        finally:
            connections.close_all()  # this thread's connection

    runner = threading.Thread(target=run, daemon=True)
    runner.start()
    runner.join(timeout=60)
    assert not runner.is_alive(), "the job waited for ever for its own lock"
    assert outcome == [{"ok": True}]
    job.refresh_from_db()
    assert (job.state, job.done) == ("succeeded", 3)


# --- deliveries a lost worker left pending ---------------------------------------------------


@pytest.fixture
def pending_logged(manager, settings, tmp_path):
    """A segment logged for delivery whose delivery never ran: three emails pending."""
    settings.MEDIA_ROOT = tmp_path
    settings.JOB_HEARTBEAT_TIMEOUT_SECONDS = 120
    segment = letter_segment(3, user=manager)
    template = segment.interaction_template
    template.correspondence_type = "email"
    template.save()
    logged = services.log_segment(
        Segment.objects.get(pk=segment.pk), user=manager, deliver=True
    )  # the on-commit delivery never runs: the test transaction is not committed
    assert pending(logged) == 3
    return logged


def pending(logged) -> int:
    return InteractionLogEntry.objects.filter(
        logged_segment=logged, delivery_status=DeliveryStatus.PENDING
    ).count()


def later(minutes: int):
    """The clock of retry_deliveries, ``minutes`` ahead."""
    ahead = timezone.now() + timedelta(minutes=minutes)
    return mock.patch("interactions.delivery.timezone.now", return_value=ahead), ahead


@pytest.mark.django_db
def test_retry_deliveries_leaves_freshly_pending_emails_alone(pending_logged):
    call_command("retry_deliveries", stdout=io.StringIO())
    assert mail.outbox == []
    assert pending(pending_logged) == 3


@pytest.mark.django_db
def test_retry_deliveries_sends_emails_left_pending_by_a_lost_delivery(pending_logged):
    clock, _ahead = later(5)
    out = io.StringIO()
    with clock:
        call_command("retry_deliveries", stdout=out)
    assert len(mail.outbox) == 3
    assert f"Segment {pending_logged.segment_no}: 3 sent, 0 failed." in out.getvalue()
    assert pending(pending_logged) == 0
    assert set(
        InteractionLogEntry.objects.filter(logged_segment=pending_logged).values_list(
            "delivery_status", flat=True
        )
    ) == {DeliveryStatus.SENT}
    call_command("retry_deliveries", stdout=io.StringIO())
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_retry_deliveries_does_not_send_what_a_live_delivery_is_sending(manager, pending_logged):
    clock, ahead = later(5)
    delivering = Job.objects.create(
        kind=delivery.KIND_DELIVER,
        description="Deliver",
        task_path="",
        arguments={"logged_segment": pending_logged.pk},
        state=Job.State.RUNNING,
        heartbeat_at=ahead - timedelta(seconds=10),
        created_by=manager,
    )
    with clock:
        call_command("retry_deliveries", stdout=io.StringIO())
    assert mail.outbox == []
    assert pending(pending_logged) == 3

    # Its worker dies: once its heartbeat is too old, the emails are sent once.
    Job.objects.filter(pk=delivering.pk).update(heartbeat_at=ahead - timedelta(seconds=121))
    with clock:
        call_command("retry_deliveries", stdout=io.StringIO())
    assert len(mail.outbox) == 3
    delivering.refresh_from_db()
    assert delivering.state == "failed"


@pytest.mark.django_db
def test_retry_from_the_page_of_a_job_whose_worker_died(manager_client, manager, running_log):
    """The job page no longer answers "it has not failed": the stale job is failed first."""
    segment, job = running_log
    beat(job, 300)
    response = manager_client.post(reverse("jobs:job-retry", args=[job.pk]), follow=True)
    retried = Job.objects.get(retry_of=job)
    assert response.redirect_chain[-1][0] == retried.get_absolute_url()
    assert f"Job {job.pk} has been started again as job {retried.pk}." in (
        response.content.decode()
    )
    assert (retried.state, retried.target) == ("queued", segment.no)
