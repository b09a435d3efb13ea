"""A worker killed (SIGKILL) in the middle of logging 100,000 lines on PostgreSQL.

Its transaction rolls back: the segment stays unlogged and intact, the job stays
"running" until its heartbeat is JOB_HEARTBEAT_TIMEOUT_SECONDS old, then it is failed, its
segment is free again, and a retry logs the segment exactly once.
"""

import os
import signal
import time

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from interactions.models import InteractionLogEntry, LoggedSegment
from jobs import services as jobs
from jobs.models import Job
from segments import jobs as segment_jobs
from segments.exceptions import SegmentError
from segments.models import Segment
from segments.roles import MANAGER
from tests.factories import (
    InteractionTemplateFactory,
    SalespersonFactory,
    SegmentFactory,
    UserFactory,
)

from .workers import start_worker

LINES = 100_000
#: Seconds without a heartbeat before the killed worker's job counts as lost (short here).
HEARTBEAT_TIMEOUT = 5
INSERTING = """SELECT pid FROM pg_stat_activity WHERE datname = current_database()
    AND state = 'active' AND query LIKE 'INSERT INTO "interactions_interactionlogentry"%%'"""


def big_segment(user) -> Segment:
    """A loggable segment of LINES lines: contacts and lines by INSERT ... SELECT."""
    segment = SegmentFactory(
        interaction_template=InteractionTemplateFactory(),
        salesperson=SalespersonFactory(),
        date=timezone.localdate(),
        created_by=user,
    )
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO crm_contact (no, type, name, first_name, middle_name, surname,
                initials, job_title, company_name, address, address_2, post_code, city,
                county, country, phone, mobile_phone, email, home_page, language,
                correspondence_type, exclude_from_segment, privacy_blocked, created_at,
                updated_at)
            SELECT 'F' || i, 'person', 'Person ' || i, 'First', '', 'Sur' || i, '', '', '',
                'Street ' || i, '', '0150', 'Oslo', '', 'NO', '', '', 'p' || i || '@x.no', '',
                'en', '', false, false, %s, %s
            FROM generate_series(1, %s) AS i""",
            [now, now, LINES],
        )
        cursor.execute(
            """INSERT INTO segments_segmentline (segment_id, line_no, contact_id,
                description, subject, language, correspondence_type, information_flow,
                initiated_by, evaluation, personal_note, document)
            SELECT %s, ROW_NUMBER() OVER (ORDER BY id) * 10000, id, '', '', '', '', '', '',
                '', '', ''
            FROM crm_contact WHERE no LIKE 'F%%'""",
            [segment.pk],
        )
    return segment


def wait_for(query: str, params=(), *, present: bool, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            row = cursor.fetchone()
        if bool(row) == present:
            return row
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {query!r} present={present}")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_logging_leaves_the_segment_intact_and_a_retry_logs_once(
    settings, tmp_path
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MEDIA_ROOT = tmp_path
    settings.JOB_HEARTBEAT_TIMEOUT_SECONDS = HEARTBEAT_TIMEOUT
    user = UserFactory(groups=[MANAGER])
    segment = big_segment(user)
    assert segment.lines.count() == LINES
    with transaction.atomic():
        job = segment_jobs.start_log(segment, user=user)

    worker = start_worker(JOB_HEARTBEAT_TIMEOUT_SECONDS=str(HEARTBEAT_TIMEOUT))
    try:
        # Kill it in the middle of the one INSERT ... SELECT of the 100,000 entries.
        backend_pid = wait_for(INSERTING, present=True)[0]
        assert Job.objects.get(pk=job.pk).state == "running"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == -signal.SIGKILL

    # Its last heartbeat is recent: the job still holds the segment (every edit and a
    # second log meet ensure_free) and cannot be retried yet.
    assert jobs.fail_stale() == 0
    with pytest.raises(SegmentError, match="locked"):
        segment_jobs.ensure_free(segment)
    with pytest.raises(jobs.JobError, match="has not failed"):
        jobs.retry(job, user=user)

    # The server ends the dead client's session (once its statement ends: slow on a busy
    # machine) and rolls its transaction back.
    wait_for(
        "SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend_pid], present=False, timeout=180
    )

    assert Segment.objects.filter(pk=segment.pk).exists()
    assert segment.lines.count() == LINES
    assert not LoggedSegment.objects.filter(segment_no=segment.no).exists()
    assert not InteractionLogEntry.objects.filter(segment_no=segment.no).exists()

    # No heartbeat for the timeout: the segment is free again without anyone running
    # fail_stale, and the job is failed and retryable.
    last_beat = Job.objects.get(pk=job.pk).heartbeat_at
    time.sleep(max(0, (last_beat - timezone.now()).total_seconds() + HEARTBEAT_TIMEOUT + 0.2))
    segment_jobs.ensure_free(segment)
    job.refresh_from_db()
    assert job.state == "failed" and "stopped without finishing" in job.error
    assert job.heartbeat_at == last_beat

    with transaction.atomic():
        retried = jobs.retry(job, user=user)
    settings.JOB_HEARTBEAT_TIMEOUT_SECONDS = 120
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    retried.refresh_from_db()
    assert retried.state == "succeeded", retried.error
    assert (retried.done, retried.total) == (LINES, LINES)
    assert LoggedSegment.objects.filter(segment_no=segment.no).count() == 1
    logged = LoggedSegment.objects.get(segment_no=segment.no)
    assert InteractionLogEntry.objects.filter(logged_segment=logged).count() == LINES
    assert InteractionLogEntry.objects.filter(segment_no=segment.no).count() == LINES
    assert not Segment.objects.filter(pk=segment.pk).exists()
    job.refresh_from_db()
    assert job.state == "failed"  # the killed attempt never runs again
