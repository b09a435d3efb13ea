"""A retry starts the failed job's work exactly as a first start would: the starter's
current role and the segment's current state are checked again (issue 11, item 1)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from interactions.models import InteractionLogEntry, LoggedSegment
from jobs import services as jobs
from jobs.models import Job
from segments import jobs as segment_jobs
from segments.exceptions import SegmentError
from segments.models import Segment
from segments.roles import MANAGER, STAFF
from tests.factories import UserFactory

from .jobdata import letter_segment

pytestmark = pytest.mark.django_db


def failed(job: Job) -> Job:
    Job.objects.filter(pk=job.pk).update(state=Job.State.FAILED, error="worker lost")
    job.refresh_from_db()
    return job


@pytest.fixture
def started_log(manager, settings, tmp_path):
    """A manager's log job on a loggable segment, failed (its worker was lost)."""
    settings.MEDIA_ROOT = tmp_path
    segment = letter_segment(3, user=manager)
    return segment, failed(segment_jobs.start_log(segment, user=manager))


def test_a_manager_moved_to_staff_cannot_retry_their_log_job(
    client, manager, started_log, django_capture_on_commit_callbacks
):
    """The exact attack: the role that allowed logging is gone, so the retry logs nothing."""
    segment, job = started_log
    manager.groups.set([Group.objects.get(name=STAFF)])
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("jobs:job-retry", args=[job.pk]), follow=True)
    page = response.content.decode()
    assert (
        f"Your role does not allow logging segments; segment {segment.no} was not logged." in page
    )
    assert Job.objects.count() == 1
    assert not LoggedSegment.objects.filter(segment_no=segment.no).exists()
    assert not InteractionLogEntry.objects.exists()
    assert Segment.objects.get(pk=segment.pk).lines.count() == 3


def test_the_service_refuses_the_retry_with_a_not_permitted_error(manager, started_log):
    segment, job = started_log
    manager.groups.clear()
    user = type(manager).objects.get(pk=manager.pk)  # a fresh permission cache
    with pytest.raises(SegmentError) as caught:
        jobs.retry(job, user=user)
    assert caught.value.code == "not_permitted"
    assert Job.objects.count() == 1


def test_a_retry_of_a_segment_logged_meanwhile_is_refused(
    manager_client, manager, started_log, django_capture_on_commit_callbacks
):
    segment, job = started_log
    from segments import services

    services.log_segment(Segment.objects.get(pk=segment.pk), user=manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(reverse("jobs:job-retry", args=[job.pk]), follow=True)
    assert f"Segment {segment.no} has already been logged." in response.content.decode()
    assert Job.objects.count() == 1
    assert LoggedSegment.objects.filter(segment_no=segment.no).count() == 1


def test_a_retry_of_a_deleted_segment_is_refused(manager, started_log):
    segment, job = started_log
    Segment.objects.filter(pk=segment.pk).delete()
    with pytest.raises(SegmentError, match=f"Segment {segment.no} no longer exists."):
        jobs.retry(job, user=manager)
    assert Job.objects.count() == 1


def test_a_manager_who_keeps_the_role_retries_and_the_segment_is_logged_once(
    manager_client, manager, started_log, django_capture_on_commit_callbacks
):
    segment, job = started_log
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(reverse("jobs:job-retry", args=[job.pk]))
    retried = Job.objects.get(retry_of=job)
    assert response.url == retried.get_absolute_url()
    retried.refresh_from_db()
    assert retried.state == "succeeded", retried.error
    assert retried.arguments["user"] == manager.pk
    assert LoggedSegment.objects.filter(segment_no=segment.no).count() == 1


def test_only_the_starter_may_retry(manager, started_log):
    _segment, job = started_log
    other = UserFactory(username="other-manager", groups=[MANAGER])
    with pytest.raises(jobs.JobError) as caught:
        jobs.retry(job, user=other)
    assert caught.value.code == "not_starter"


def test_a_staff_letters_job_is_retried_with_the_staff_role(staff, settings, tmp_path):
    """Letters need only the staff role: the check is per kind of work, as on the page."""
    settings.MEDIA_ROOT = tmp_path
    segment = letter_segment(2, user=staff)
    job = failed(segment_jobs.start_letters(segment, kind="zip", user=staff))
    retried = jobs.retry(job, user=staff)
    assert (retried.kind, retried.retry_of, retried.target) == (
        segment_jobs.KIND_LETTERS,
        job,
        segment.no,
    )
    staff.groups.clear()
    staff = type(staff).objects.get(pk=staff.pk)
    with pytest.raises(SegmentError, match="Your role does not allow viewing segments"):
        segment_jobs.start_letters(segment, kind="zip", user=staff)


def test_a_job_of_an_unknown_kind_cannot_be_retried(user):
    job = Job.objects.create(
        kind="other.work", description="d", task_path="x.y", state="failed", created_by=user
    )
    with pytest.raises(jobs.JobError, match="cannot be retried from here"):
        jobs.retry(job, user=user)
