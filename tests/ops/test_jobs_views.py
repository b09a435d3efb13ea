"""Job pages (progress bar polled by htmx), segment pages routing large work to jobs, and
the progress the commands show."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from interactions.models import LoggedSegment
from jobs.models import Job
from segments.models import Segment
from tests.factories import UserFactory

from .jobdata import letter_segment

pytestmark = pytest.mark.django_db


def make_job(user, **fields):
    values = {"kind": "segments.log", "description": "Log segment SEG00042", "task_path": "x.y"}
    return Job.objects.create(created_by=user, **{**values, **fields})


def test_a_running_job_page_shows_its_progress_and_polls_the_partial(staff_client, staff):
    job = make_job(staff, state="running", done=30, total=120, target="SEG00042")
    response = staff_client.get(job.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" in page and "Log segment SEG00042" in page
    # A native <progress> (an inline width would need 'unsafe-inline' in the CSP).
    assert 'value="25" max="100"' in page and "style=" not in page
    assert f'hx-get="{job.get_absolute_url()}"' in page
    assert 'hx-trigger="every 1s"' in page

    partial = staff_client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert "<html" not in body and 'id="job-progress"' in body
    assert "30 of 120" in body and 'hx-trigger="every 1s"' in body


def test_a_finished_job_stops_polling_and_links_its_result(staff_client, staff):
    job = make_job(staff, state="succeeded", done=5, total=5, result_url="/interactions/x/")
    body = staff_client.get(job.get_absolute_url(), headers={"HX-Request": "true"}).content
    body = body.decode()
    assert "hx-trigger" not in body
    assert 'href="/interactions/x/"' in body and 'value="100" max="100"' in body


def test_a_failed_job_shows_its_error_and_a_retry_button(staff_client, staff):
    job = make_job(staff, state="failed", error="Segment SEG00042 cannot be logged: no lines.")
    body = staff_client.get(job.get_absolute_url()).content.decode()
    assert "Segment SEG00042 cannot be logged: no lines." in body
    assert reverse("jobs:job-retry", args=[job.pk]) in body


def test_a_stale_running_job_is_failed_when_its_page_is_viewed(staff_client, staff, settings):
    settings.JOB_HEARTBEAT_TIMEOUT_SECONDS = 60
    job = make_job(staff, state="running", heartbeat_at=timezone.now() - timedelta(minutes=5))
    body = staff_client.get(job.get_absolute_url()).content.decode()
    job.refresh_from_db()
    assert job.state == "failed"
    assert "stopped without finishing" in body


def test_other_users_jobs_are_not_found(staff_client):
    job = make_job(UserFactory(), state="running")
    assert staff_client.get(job.get_absolute_url()).status_code == 404
    assert staff_client.get(reverse("jobs:job-list")).status_code == 200


def test_logging_a_large_segment_from_the_page_starts_a_job(
    manager_client, manager, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    settings.SEGMENT_BACKGROUND_THRESHOLD = 2
    segment = letter_segment(3, user=manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(reverse("segments:log", args=[segment.pk]), {})
    job = Job.objects.get(target=segment.no)
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    job.refresh_from_db()  # ImmediateBackend: it ran when the request committed
    assert (job.state, job.done, job.total) == ("succeeded", 3, 3)
    assert LoggedSegment.objects.filter(segment_no=segment.no).exists()


def test_small_segments_are_still_logged_in_the_request(manager_client, manager, settings):
    settings.SEGMENT_BACKGROUND_THRESHOLD = 5
    segment = letter_segment(3, user=manager)
    manager_client.post(reverse("segments:log", args=[segment.pk]), {})
    assert LoggedSegment.objects.filter(segment_no=segment.no).exists()
    assert not Job.objects.exists()


def test_letters_of_a_large_segment_are_built_by_a_job(
    staff_client, staff, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    settings.SEGMENT_BACKGROUND_THRESHOLD = 2
    segment = letter_segment(3, user=staff)
    url = reverse("segments:letters-download", args=[segment.pk, "zip"])
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url)
    job = Job.objects.get(target=segment.no)
    assert response.url == job.get_absolute_url()
    job.refresh_from_db()
    assert job.state == "succeeded" and job.file
    download = staff_client.get(job.result_url)
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"


def test_edits_from_the_page_wait_while_a_job_works_on_the_segment(staff_client, staff):
    segment = letter_segment(2, user=staff)
    make_job(staff, state="running", target=segment.no)
    response = staff_client.post(reverse("segments:go-back", args=[segment.pk]), follow=True)
    assert f"Segment {segment.no} is locked while a background job works on it" in (
        response.content.decode()
    )
    assert Segment.objects.filter(pk=segment.pk).exists()


def test_the_jobs_command_shows_progress_bars(user):
    make_job(user, state="running", done=50, total=100, description="Letters of SEG00001")
    make_job(user, state="succeeded", done=7, total=7, description="Log segment SEG00002")
    out = io.StringIO()
    call_command("jobs", stdout=out)
    assert f"[{'#' * 15}{'.' * 15}]  50%  50/100" in out.getvalue()
    assert "SEG00002" not in out.getvalue()
    out = io.StringIO()
    call_command("jobs", "--all", stdout=out)
    assert f"[{'#' * 30}] 100%  7/7" in out.getvalue()


def test_jobs_watch_ends_with_the_result_or_the_error(user):
    done = make_job(user, state="succeeded", done=2, total=2, result_url="/r/")
    out = io.StringIO()
    call_command("jobs", watch=done.pk, stdout=out)
    assert "100%" in out.getvalue() and "Result: /r/" in out.getvalue()
    failed = make_job(user, state="failed", error="Segment SEG00009 has no lines.")
    with pytest.raises(CommandError, match="SEG00009 has no lines"):
        call_command("jobs", watch=failed.pk, stdout=io.StringIO())


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_log_segments_draws_a_progress_bar_on_a_terminal(user):
    first = letter_segment(2, user=user)
    second = letter_segment(2, user=user)
    err = Terminal()
    call_command("log_segments", first.no, second.no, stdout=io.StringIO(), stderr=err)
    assert "\r[" + "#" * 15 + "." * 15 + "] 1/2" in err.getvalue()
    assert "\r[" + "#" * 30 + "] 2/2" in err.getvalue()
