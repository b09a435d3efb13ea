"""Plain edits of a segment (services.segments, services.lines): the views' writes, locked."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from jobs.models import Job
from segments import services
from segments.exceptions import SegmentError, SegmentGone
from segments.models import RemovedLine, SavedCriteria, Segment, SegmentLine
from tests.factories import UserFactory

from .builders import add_line, loggable_segment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def user():
    return UserFactory(password=None)


def hold(segment: Segment) -> Job:
    """A background job working on ``segment``: every edit must wait for it."""
    return Job.objects.create(
        kind="segments.log", description="Log", target=segment.no, state="running"
    )


def test_the_header_is_saved_by_the_service_and_refused_while_a_job_holds_the_segment(user):
    segment = loggable_segment(1, description="Before")
    services.update_segment_header(
        segment, user=user, description="After", date=datetime.date(2026, 12, 24)
    )
    segment.refresh_from_db()
    assert (segment.description, segment.date) == ("After", datetime.date(2026, 12, 24))
    hold(segment)
    with pytest.raises(SegmentError, match=f"Segment {segment.no} is locked") as caught:
        services.update_segment_header(segment, user=user, description="Late")
    assert caught.value.code == "segment_busy"
    segment.refresh_from_db()
    assert segment.description == "After"


def test_the_header_refuses_unknown_fields_and_a_gone_segment(user):
    segment = loggable_segment(1, description="Before")
    with pytest.raises(SegmentError, match="A segment header has no field no"):
        services.update_segment_header(segment, user=user, no="X1")
    Segment.objects.filter(pk=segment.pk).delete()
    with pytest.raises(SegmentGone) as caught:
        services.update_segment_header(segment, user=user, description="After")
    assert caught.value.code == "segment_missing"


def test_a_line_document_is_not_stored_while_a_job_holds_the_segment(user):
    segment = loggable_segment(1)
    line = segment.lines.get()
    hold(segment)
    upload = SimpleUploadedFile("own.docx", b"not looked at by the service")
    with pytest.raises(SegmentError) as caught:
        services.set_line_document(line, upload=upload, user=user)
    assert caught.value.code == "segment_busy"
    line.refresh_from_db()
    assert line.document.name == ""
    assert not default_storage.exists("segments")  # nothing was stored


def test_a_replaced_line_document_is_deleted_after_the_commit(
    user, django_capture_on_commit_callbacks
):
    segment = loggable_segment(1)
    line = segment.lines.get()
    services.set_line_document(line, upload=SimpleUploadedFile("a.docx", b"a"), user=user)
    first = line.document.name
    with django_capture_on_commit_callbacks() as callbacks:
        services.set_line_document(line, upload=SimpleUploadedFile("b.docx", b"b"), user=user)
        assert default_storage.exists(first)  # not before the commit
    for callback in callbacks:
        callback()
    assert not default_storage.exists(first)
    line.refresh_from_db()
    assert default_storage.exists(line.document.name)


def test_deleting_a_segment_takes_its_unused_documents_and_respects_the_lock(
    user, django_capture_on_commit_callbacks
):
    segment = loggable_segment(2)
    first, second = segment.lines.order_by("line_no")
    own = default_storage.save("segments/own.docx", ContentFile(b"own"))
    shared = default_storage.save("segments/shared.docx", ContentFile(b"shared"))
    SegmentLine.objects.filter(pk=first.pk).update(document=own)
    SegmentLine.objects.filter(pk=second.pk).update(document=shared)
    other = loggable_segment(1)
    add_line(other, document=shared)
    job = hold(segment)
    with pytest.raises(SegmentError):
        services.delete_segment(segment, user=user)
    assert Segment.objects.filter(pk=segment.pk).exists()
    job.delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_segment(segment, user=user)
    assert not Segment.objects.filter(pk=segment.pk).exists()
    assert not SegmentLine.objects.filter(segment_id=segment.pk).exists()
    assert not RemovedLine.objects.filter(segment_id=segment.pk).exists()
    assert not default_storage.exists(own)
    assert default_storage.exists(shared)  # another segment's line still uses it


def test_saved_criteria_are_deleted_by_the_service(user):
    segment = services.create_segment(user=user)
    services.add_contacts(segment, criteria={"contact": {"country": "NO"}}, user=user)
    saved = services.save_criteria(segment, code="NORWAY", user=user)
    services.delete_saved_criteria(saved, user=user)
    assert not SavedCriteria.objects.filter(code="NORWAY").exists()
