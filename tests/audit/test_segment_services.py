"""Every segment service that changes state writes exactly one audit row (issue 12)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEntry
from interactions.models import LoggedSegment
from segments import jobs, services
from segments.exceptions import SegmentError
from segments.models import SavedCriteria, Segment, SegmentLanguage
from tests.factories import ContactFactory, MailingGroupFactory, UserFactory
from tests.segments.builders import loggable_segment

from .helpers import last_pk, the_row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user():
    return UserFactory(username="kari", first_name="Kari", last_name="Nordmann")


@pytest.fixture
def norway():
    return ContactFactory.create_batch(3, country="NO")


@pytest.fixture
def segment(user, norway):
    segment = services.create_segment(user=user, description="Spring")
    services.add_contacts(segment, criteria={"contact": {"country": "NO"}}, user=user)
    return segment


def test_create_segment(user):
    before = last_pk()
    segment = services.create_segment(user=user, description="Spring")
    row = the_row(before, user=user, action="segment_created", obj=segment)
    assert row.object_repr == f"{segment.no} Spring"


def test_update_segment_header_names_the_changed_fields(user, segment):
    before = last_pk()
    services.update_segment_header(segment, user=user, description="Autumn", subject="Spring")
    row = the_row(before, user=user, action="header_changed", obj=segment)
    assert row.details == {"fields": ["description", "subject"]}


@pytest.mark.parametrize(
    ("service", "action", "details"),
    [
        ("add_contacts", "criteria_added", {"step": 2, "added": 1}),
        ("reduce_contacts", "criteria_reduced", {"step": 2, "removed": 1}),
        ("refine_contacts", "criteria_refined", {"step": 2, "removed": 3}),
    ],
)
def test_criteria_steps(user, segment, service, action, details):
    ContactFactory(country="SE", city="Malmö")
    before = last_pk()
    criteria = {"contact": {"country": "SE"}}
    if service == "reduce_contacts":
        criteria = {"contact": {"no": [segment.lines.order_by("line_no")[0].contact.no]}}
    getattr(services, service)(segment, criteria=criteria, user=user)
    assert the_row(before, user=user, action=action, obj=segment).details == details


def test_go_back(user, segment):
    before = last_pk()
    services.go_back(segment, user=user)
    row = the_row(before, user=user, action="went_back", obj=segment)
    assert row.details == {"step": 1, "removed": 3, "restored": 0}


def test_add_line_and_remove_line(user, segment):
    contact = ContactFactory(no="CT900001")
    before = last_pk()
    line = services.add_line(segment, contact=contact, user=user)
    row = the_row(before, user=user, action="line_added", obj=segment)
    assert row.details == {"line": line.line_no, "contact": "CT900001"}
    before = last_pk()
    services.remove_line(line, user=user)
    row = the_row(before, user=user, action="line_removed", obj=segment)
    assert row.details == {"line": line.line_no, "contact": "CT900001"}


def test_set_line_values_and_reset_line_value(user, segment):
    line = segment.lines.order_by("line_no")[0]
    before = last_pk()
    services.set_line_values(line, user=user, description="Own", subject="Hello")
    row = the_row(before, user=user, action="line_changed", obj=segment)
    assert row.details == {"line": line.line_no, "fields": ["description", "subject"]}
    before = last_pk()
    services.reset_line_value(line, field="description", user=user)
    row = the_row(before, user=user, action="line_reset", obj=segment)
    assert row.details == {"line": line.line_no, "field": "description"}


def test_line_documents(user, segment):
    line = segment.lines.order_by("line_no")[0]
    before = last_pk()
    services.set_line_document(line, upload=SimpleUploadedFile("own.docx", b"x"), user=user)
    assert the_row(before, user=user, action="document_changed", obj=segment).details == {
        "line": line.line_no
    }
    before = last_pk()
    services.remove_line_document(line, user=user)
    assert the_row(before, user=user, action="document_removed", obj=segment).details == {
        "line": line.line_no
    }


def test_segment_language_versions(user, segment):
    version = SegmentLanguage(segment=segment, language="nb", subject="Hei")
    before = last_pk()
    services.save_segment_language(version, user=user)
    row = the_row(before, user=user, action="language_saved", obj=segment)
    assert row.details == {"language": "nb"}
    before = last_pk()
    services.delete_segment_language(version, user=user)
    row = the_row(before, user=user, action="language_deleted", obj=segment)
    assert row.details == {"language": "nb"}


def test_save_criteria_reuse_criteria_and_delete_saved_criteria(user, segment, norway):
    before = last_pk()
    saved = services.save_criteria(segment, code="NORWAY", description="Norway", user=user)
    row = the_row(before, user=user, action="criteria_saved", obj=saved)
    assert row.details == {"segment": segment.no, "steps": 1}
    other = services.create_segment(user=user, description="Other")
    before = last_pk()
    services.reuse_criteria(other, saved=saved, user=user)
    # One row for the whole replay, not one per replayed step.
    row = the_row(before, user=user, action="criteria_reused", obj=other)
    assert row.details == {"saved_criteria": "NORWAY", "steps": 1, "added": 3, "removed": 0}
    before = last_pk()
    services.delete_saved_criteria(saved, user=user)
    row = the_row(before, user=user, action="saved_criteria_deleted", obj=saved)
    assert row.object_repr == "NORWAY Norway"
    assert not SavedCriteria.objects.exists()


def test_reuse_logged_segment(user, segment):
    logged = services.log_segment(loggable_segment(2), user=user)
    before = last_pk()
    services.reuse_logged_segment(segment, logged=logged, user=user)
    row = the_row(before, user=user, action="logged_segment_reused", obj=segment)
    assert row.details == {"logged_segment": logged.segment_no, "added": 2}


def test_apply_mailing_group(user, segment):
    group = MailingGroupFactory(code="NEWS")
    ContactFactory().mailing_groups.add(group)
    before = last_pk()
    services.apply_mailing_group(segment, mailing_group=group, user=user)
    row = the_row(before, user=user, action="mailing_group_applied", obj=segment)
    assert row.details == {"mailing_group": "NEWS", "added": 3}
    before = last_pk()
    services.apply_mailing_group(
        segment, mailing_group=group, delete_old_assignments=True, user=user
    )
    row = the_row(before, user=user, action="mailing_group_applied", obj=segment)
    assert row.details == {"mailing_group": "NEWS", "added": 3, "removed": 4}


def test_delete_segment(user, segment):
    before = last_pk()
    services.delete_segment(segment, user=user)
    row = the_row(before, user=user, action="segment_deleted", obj=segment)
    assert row.details == {"lines": 3}
    assert not Segment.objects.filter(pk=segment.pk).exists()


def test_log_segment_writes_one_row_whatever_the_number_of_lines(user):
    segment = loggable_segment(25)
    before = last_pk()
    logged = services.log_segment(segment, user=user)
    row = the_row(before, user=user, action="segment_logged", obj=logged)
    assert row.details == {"segment": segment.no, "entries": 25}


def test_log_segment_with_a_follow_up_records_the_log_and_the_new_segment(user):
    segment = loggable_segment(2)
    before = last_pk()
    logged = services.log_segment(segment, user=user, create_follow_up=True)
    rows = list(AuditEntry.objects.filter(pk__gt=before).order_by("pk"))
    assert [row.action for row in rows] == ["segment_logged", "follow_up_created"]
    follow_up = Segment.objects.get(follow_up_of=logged)
    assert rows[1].object_id == str(follow_up.pk)
    assert rows[1].details == {"logged_segment": logged.segment_no, "added": 2}
    assert {row.user for row in rows} == {user}


def test_create_follow_up_segment(user):
    logged = services.log_segment(loggable_segment(2), user=user)
    before = last_pk()
    follow_up = services.create_follow_up_segment(logged, user=user)
    row = the_row(before, user=user, action="follow_up_created", obj=follow_up)
    assert row.details == {"logged_segment": logged.segment_no, "added": 2}


def test_a_refused_step_leaves_no_audit_row(user, segment):
    before = last_pk()
    with pytest.raises(SegmentError):
        services.add_line(segment, contact="NOSUCH", user=user)
    with pytest.raises(SegmentError):
        services.update_segment_header(segment, user=user, no="X")
    services.go_back(segment, user=user)
    with pytest.raises(SegmentError):
        services.go_back(segment, user=user)  # nothing left to undo
    with pytest.raises(SegmentError):
        services.log_segment(segment, user=user)  # no template, no lines...
    assert [row.action for row in AuditEntry.objects.filter(pk__gt=before)] == ["went_back"]


def test_a_logging_job_records_the_user_who_started_it(
    settings, django_capture_on_commit_callbacks
):
    """The task runs in a worker: the row names the user who started the job."""
    settings.SEGMENT_BACKGROUND_THRESHOLD = 1
    manager = UserFactory(username="manager", groups=["Marketing manager"])
    segment = loggable_segment(3)
    before = last_pk()
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_log(segment, user=manager)
    job.refresh_from_db()
    assert job.state == "succeeded", job.error
    logged = LoggedSegment.objects.get(segment_no=segment.no)
    the_row(before, user=manager, action="segment_logged", obj=logged)


def test_the_segment_and_logged_segment_pages_show_who_did_what(client, user, norway):
    """The history panel: the user's name and the action in the page, newest first."""
    manager = UserFactory(username="manager", groups=["Marketing manager"])
    client.force_login(manager)
    segment = loggable_segment(2)
    services.update_segment_header(segment, user=user, subject="Hello")
    services.add_contacts(segment, criteria={"contact": {"country": "NO"}}, user=manager)
    page = client.get(segment.get_absolute_url()).content.decode()
    panel = page[page.index('id="history"') :]
    assert "Kari Nordmann" in panel and "Segment header changed" in panel
    assert panel.index("Contacts added by criteria") < panel.index("Segment header changed")
    logged = services.log_segment(segment, user=user)
    page = client.get(reverse("interactions:logged-segment-detail", args=[logged.pk]))
    panel = page.content.decode()[page.content.decode().index('id="history"') :]
    assert "Kari Nordmann" in panel and "Segment logged" in panel and "Entries: 5" in panel
