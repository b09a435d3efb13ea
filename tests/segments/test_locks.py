"""One lock and one "segment gone" error (segments.locks) for services, jobs and tasks."""

from types import SimpleNamespace

import pytest

from jobs.models import Job
from segments import services, tasks
from segments.exceptions import LoggingError, SegmentError, SegmentGone
from segments.models import Segment

from .builders import loggable_segment

pytestmark = pytest.mark.django_db


def test_logging_a_deleted_segment_says_so_with_the_code_every_writer_uses():
    segment = loggable_segment(1)
    Segment.objects.filter(pk=segment.pk).delete()
    with pytest.raises(SegmentGone) as raised:
        services.log_segment(segment, user=segment.created_by)
    assert raised.value.messages == [f"Segment {segment.no} no longer exists."]
    assert raised.value.code == "segment_missing"
    # Still a LoggingError and a SegmentError: callers that caught those keep working.
    assert isinstance(raised.value, LoggingError)
    assert isinstance(raised.value, SegmentError)


def test_a_building_step_on_a_logged_segment_names_it_as_logged():
    segment = loggable_segment(1)
    services.log_segment(segment, user=segment.created_by)
    with pytest.raises(SegmentGone) as raised:
        services.add_contacts(segment, criteria={"contact": {}}, user=segment.created_by)
    assert raised.value.code == "already_logged"
    assert raised.value.messages == [f"Segment {segment.no} has already been logged."]
    assert not Segment.objects.filter(pk=segment.pk).exists()


def test_a_task_for_a_segment_logged_meanwhile_raises_the_same_error():
    segment = loggable_segment(1)
    services.log_segment(segment, user=segment.created_by)
    job = SimpleNamespace(arguments={"segment": segment.pk}, target=segment.no)
    with pytest.raises(SegmentGone) as raised:
        tasks._segment(job)
    assert raised.value.code == "already_logged"
    assert not Job.objects.exists()
