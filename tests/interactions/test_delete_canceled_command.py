"""``manage.py delete_canceled_logged_segments``."""

import io

import pytest
from django.core.management import CommandError, call_command

from interactions import services
from interactions.models import InteractionLogEntry, LoggedSegment
from segments import services as segment_services
from tests.segments.builders import loggable_segment

pytestmark = pytest.mark.django_db


def log(no):
    segment = loggable_segment(2, no=no)
    return segment_services.log_segment(segment, user=segment.created_by)


def run(*args):
    out = io.StringIO()
    call_command("delete_canceled_logged_segments", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_deletes_only_canceled_logged_segments_and_keeps_their_entries():
    canceled, kept = log("SEG00001"), log("SEG00002")
    services.set_logged_segment_canceled(canceled, canceled=True, user=None)
    assert run("--dry-run") == "1 canceled logged segment would be deleted.\n"
    assert LoggedSegment.objects.count() == 2
    assert run() == "1 canceled logged segment deleted.\n"
    assert list(LoggedSegment.objects.values_list("segment_no", flat=True)) == ["SEG00002"]
    assert InteractionLogEntry.objects.count() == 4
    assert InteractionLogEntry.objects.filter(logged_segment=None).count() == 2
    assert kept.entries.count() == 2


def test_segment_and_date_filters():
    first, second = log("SEG00001"), log("SEG00002")
    for logged in (first, second):
        services.set_logged_segment_canceled(logged, canceled=True, user=None)
    assert run("--before", "2000-01-01") == "0 canceled logged segments deleted.\n"
    assert run("--segment", "SEG00002") == "1 canceled logged segment deleted.\n"
    assert list(LoggedSegment.objects.values_list("segment_no", flat=True)) == ["SEG00001"]


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="yesterday is not a date; write it as YYYY-MM-DD."):
        run("--before", "yesterday")
