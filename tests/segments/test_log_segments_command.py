"""``manage.py log_segments``: one transaction per segment, a line each, exit status."""

import io

import pytest
from django.core.management import CommandError, call_command

from interactions.models import InteractionLogEntry, LoggedSegment
from segments.models import Segment
from tests.factories import UserFactory

from .builders import loggable_segment

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("log_segments", *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error.returncode, str(error)
    return out.getvalue(), err.getvalue(), 0, ""


@pytest.fixture
def good():
    return loggable_segment(2, no="SEG00001")


@pytest.fixture
def bad():
    return loggable_segment(1, no="SEG00002", interaction_template=None)


def test_logs_the_given_segments_with_a_line_each(good):
    other = loggable_segment(3, no="SEG00003")
    out, err, status, _ = run("SEG00001", "SEG00003")
    first, third = LoggedSegment.objects.order_by("segment_no")
    assert out.splitlines() == [
        f"SEG00001: logged as logged segment {first.pk} (2 entries)",
        f"SEG00003: logged as logged segment {third.pk} (3 entries)",
    ]
    assert (err, status) == ("", 0)
    assert not Segment.objects.filter(pk__in=[good.pk, other.pk]).exists()


def test_a_failure_is_reported_the_others_are_logged_and_the_exit_status_is_1(good, bad):
    out, err, status, message = run("--all")
    assert out.splitlines() == [
        f"SEG00001: logged as logged segment {LoggedSegment.objects.get().pk} (2 entries)",
        "SEG00002: not logged",
    ]
    assert err.splitlines() == [
        "Segment SEG00002 cannot be logged: 1 line has no interaction template (line 10000).",
        "  - 1 line has no interaction template (line 10000)",
    ]
    assert status == 1
    assert message == "1 of 2 segments could not be logged."
    assert Segment.objects.filter(pk=bad.pk).exists()
    assert bad.lines.count() == 1


def test_dry_run_validates_and_writes_nothing(good, bad):
    out, err, status, _ = run("--all", "--dry-run")
    assert out.splitlines() == ["SEG00001: can be logged (2 lines)", "SEG00002: not logged"]
    assert "SEG00002 cannot be logged" in err
    assert status == 1
    assert LoggedSegment.objects.count() == InteractionLogEntry.objects.count() == 0
    assert Segment.objects.count() == 2
    out, err, status, _ = run("SEG00001", "--dry-run")
    assert (out, err, status) == ("SEG00001: can be logged (2 lines)\n", "", 0)


def test_follow_up_and_user_options(good):
    logger = UserFactory(username="logger")
    out, _err, status, _ = run("SEG00001", "--follow-up", "--user", "logger")
    logged = LoggedSegment.objects.get()
    follow_up = Segment.objects.get(follow_up_of=logged)
    assert out == (
        f"SEG00001: logged as logged segment {logged.pk} (2 entries); "
        f"follow-up segment {follow_up.no}\n"
    )
    assert status == 0
    assert logged.created_by == logger
    assert set(logged.entries.values_list("created_by", flat=True)) == {logger.pk}


def test_unknown_segments_and_bad_arguments_change_nothing(good):
    _out, _err, status, message = run("SEG00001", "SEG09999")
    assert (status, message) == (1, "No such segment: SEG09999.")
    _out, _err, status, message = run()
    assert (status, message) == (1, "Give segment numbers or --all, not both and not neither.")
    _out, _err, status, message = run("SEG00001", "--user", "nobody")
    assert (status, message) == (1, "No such user: nobody.")
    assert LoggedSegment.objects.count() == 0
