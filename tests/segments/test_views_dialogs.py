"""Segment dialogs: saved criteria, reuse, mailing group, export, letters, log, stale pages."""

import csv
import io
import zipfile

import docx
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.models import Contact
from interactions import letters
from interactions.models import InteractionLogEntry, LoggedSegment
from segments import services
from segments.models import SavedCriteria, Segment, SegmentLine
from tests.factories import (
    InteractionTemplateLanguageFactory,
    MailingGroupFactory,
    SalespersonFactory,
)
from tests.segments.test_views import HTMX, built_segment, contacts, texts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def loggable(user, lines: int = 2) -> Segment:
    return built_segment(user, lines=lines, salesperson=SalespersonFactory())


def letter(*paragraphs: str) -> bytes:
    return letters.build_document(list(paragraphs))


def with_letter(segment: Segment, document: bytes) -> None:
    version = InteractionTemplateLanguageFactory(
        template=segment.interaction_template, language="en"
    )
    version.document.save("letter.docx", ContentFile(document))


# --- save and reuse criteria ------------------------------------------------------------------


def test_save_criteria_with_a_message(staff_client, staff):
    segment = built_segment(staff, lines=1)
    response = staff_client.post(
        reverse("segments:save-criteria", args=[segment.pk]),
        {"code": "sweden", "description": "Swedish contacts"},
        headers=HTMX,
    )
    assert response["HX-Redirect"] == segment.get_absolute_url()
    saved = SavedCriteria.objects.get(code="SWEDEN")
    assert list(saved.actions.values_list("criteria", flat=True)) == [
        {"contact": {"country": ["SE"]}}
    ]
    assert texts(response) == [f"The criteria of segment {segment.no} have been saved as SWEDEN."]


def test_save_criteria_errors_are_shown_in_the_dialog(staff_client, staff):
    segment = built_segment(staff, lines=1)
    services.save_criteria(segment, code="TAKEN", user=staff)
    response = staff_client.post(
        reverse("segments:save-criteria", args=[segment.pk]), {"code": "taken"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "Saved criteria TAKEN already exist; choose another code." in response.content.decode()
    assert SavedCriteria.objects.count() == 1
    response = staff_client.post(reverse("segments:save-criteria", args=[segment.pk]), {})
    assert response.context["form"].errors["code"]


def test_reuse_criteria_replays_the_saved_actions(staff_client, staff):
    source = built_segment(staff, lines=3)
    saved = services.save_criteria(source, code="SE", user=staff)
    target = services.create_segment(user=staff, description="Again")
    response = staff_client.post(
        reverse("segments:reuse-criteria", args=[target.pk]), {"saved": saved.pk}
    )
    assert response.status_code == 302
    assert target.lines.count() == 3
    assert texts(response) == ["Saved criteria SE applied: 3 lines added, 0 removed."]


def test_reuse_criteria_needs_a_choice(staff_client, staff):
    segment = built_segment(staff, lines=1)
    response = staff_client.post(reverse("segments:reuse-criteria", args=[segment.pk]), {})
    assert response.context["form"].errors["saved"]
    assert segment.actions.count() == 1


def test_reuse_logged_segment_adds_its_contacts(staff_client, staff, manager):
    logged = services.log_segment(loggable(manager, lines=2), user=manager)
    segment = services.create_segment(user=staff, description="Reuse")
    response = staff_client.post(
        reverse("segments:reuse-logged-segment", args=[segment.pk]),
        {"logged": logged.segment_no},
    )
    assert response.status_code == 302
    assert segment.lines.count() == 2
    assert texts(response) == [
        f"Logged segment {logged.segment_no} has been reused: 2 lines added."
    ]


# --- mailing group ----------------------------------------------------------------------------


def test_apply_mailing_group_is_for_managers_only(staff_client, staff):
    segment = built_segment(staff, lines=2)
    group = MailingGroupFactory(code="NEWS")
    url = reverse("segments:apply-mailing-group", args=[segment.pk])
    assert staff_client.post(url, {"mailing_group": group.pk}).status_code == 403
    assert not Contact.objects.filter(mailing_groups=group).exists()
    page = staff_client.get(segment.get_absolute_url()).content.decode()
    assert 'id="apply-mailing-group"' not in page


def test_apply_mailing_group_adds_every_contact(manager_client, manager):
    segment = built_segment(manager, lines=2)
    group = MailingGroupFactory(code="NEWS")
    response = manager_client.post(
        reverse("segments:apply-mailing-group", args=[segment.pk]), {"mailing_group": group.pk}
    )
    assert response.status_code == 302
    assert Contact.objects.filter(mailing_groups=group).count() == 2
    assert texts(response) == ["2 contacts have been added to mailing group NEWS."]


def test_deleting_old_assignments_asks_for_confirmation_with_the_count(manager_client, manager):
    segment = built_segment(manager, lines=1)
    group = MailingGroupFactory(code="OLD")
    outsiders = contacts(3, country="DK")
    for contact in outsiders:
        contact.mailing_groups.add(group)
    url = reverse("segments:apply-mailing-group", args=[segment.pk])
    response = manager_client.post(
        url, {"mailing_group": group.pk, "delete_old_assignments": "on"}, headers=HTMX
    )
    html = response.content.decode()
    assert 'id="mailing-group-confirmation"' in html
    assert "3 assignments will be removed" in html
    assert Contact.objects.filter(mailing_groups=group).count() == 3
    response = manager_client.post(
        url,
        {"mailing_group": group.pk, "delete_old_assignments": "on", "confirmed": "True"},
        headers=HTMX,
    )
    assert response["HX-Redirect"] == segment.get_absolute_url()
    members = Contact.objects.filter(mailing_groups=group)
    assert list(members) == [segment.lines.get().contact]


# --- export -----------------------------------------------------------------------------------


def test_export_streams_the_contacts_as_csv(staff_client, staff):
    segment = built_segment(staff, lines=3)
    response = staff_client.get(reverse("segments:export", args=[segment.pk]))
    assert response.streaming
    assert response["Content-Disposition"] == f'attachment; filename="{segment.no}.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 4
    numbers = set(segment.lines.values_list("contact__no", flat=True))
    assert {row[1] for row in rows[1:]} == numbers


# --- letters ----------------------------------------------------------------------------------


def test_letters_page_reports_fields_and_empty_counts(staff_client, staff, monkeypatch):
    segment = built_segment(staff, lines=2)
    with_letter(segment, letter("Dear «ContactName»", "«JobTitle» «Bogus»"))
    monkeypatch.setattr(letters, "pdf_available", lambda: False)
    response = staff_client.get(reverse("segments:letters", args=[segment.pk]))
    html = response.content.decode()
    (report,) = response.context["reports"]
    assert report["report"]["unknown"] == ["Bogus"]
    assert report["report"]["empty"] == {"ContactName": 0, "JobTitle": 2}
    assert "PDF: LibreOffice is not installed" in html
    assert 'id="download-zip"' in html


def test_letters_download_zip_has_a_letter_per_line(staff_client, staff):
    segment = built_segment(staff, lines=2)
    with_letter(segment, letter("Dear «ContactName»"))
    response = staff_client.get(reverse("segments:letters-download", args=[segment.pk, "zip"]))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert len(archive.namelist()) == 2
    response = staff_client.get(reverse("segments:letters-download", args=[segment.pk, "docx"]))
    assert response["Content-Disposition"] == f'attachment; filename="{segment.no}.docx"'


def test_letters_download_without_a_document_says_which_line(staff_client, staff):
    segment = built_segment(staff, lines=1)
    response = staff_client.get(reverse("segments:letters-download", args=[segment.pk, "zip"]))
    assert response.status_code == 302
    assert response.url == reverse("segments:letters", args=[segment.pk])
    assert "has no letter" in texts(response)[0]


def test_line_letter_preview_note_upload_and_remove(
    staff_client, staff, django_capture_on_commit_callbacks
):
    segment = built_segment(staff, lines=1)
    with_letter(segment, letter("Dear «ContactName»", "«PersonalNote»"))
    line = segment.lines.get()
    response = staff_client.post(
        reverse("segments:line-note", args=[segment.pk, line.pk]), {"personal_note": "See you!"}
    )
    assert texts(response) == [f"The personal note of line {line.line_no} has been saved."]
    preview = staff_client.get(reverse("segments:line-preview", args=[segment.pk, line.pk]))
    document = docx.Document(io.BytesIO(b"".join(preview.streaming_content)))
    assert [paragraph.text for paragraph in document.paragraphs] == [
        f"Dear {line.contact.name}",
        "See you!",
    ]
    own = SimpleUploadedFile("own.docx", letter("Only for «ContactName»"))
    response = staff_client.post(
        reverse("segments:line-document", args=[segment.pk, line.pk]), {"document": own}
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.document.name.endswith(".docx")
    stored = line.document.name
    # The unused file is deleted once the removal has committed, never before.
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("segments:line-document-remove", args=[segment.pk, line.pk])
        )
    line.refresh_from_db()
    assert line.document.name == ""
    assert not default_storage.exists(stored)


def test_uploading_a_non_word_file_is_refused(staff_client, staff):
    segment = built_segment(staff, lines=1)
    line = segment.lines.get()
    bad = SimpleUploadedFile("letter.docx", b"this is not a zip")
    response = staff_client.post(
        reverse("segments:line-document", args=[segment.pk, line.pk]), {"document": bad}
    )
    assert response.status_code == 200
    assert "The file is not a Word document (.docx)." in response.content.decode()
    line.refresh_from_db()
    assert line.document.name == ""


# --- log --------------------------------------------------------------------------------------


def test_manager_sees_the_log_button_and_the_dialog(manager_client, manager):
    segment = loggable(manager)
    assert 'id="log-button"' in manager_client.get(segment.get_absolute_url()).content.decode()
    response = manager_client.get(reverse("segments:log", args=[segment.pk]), headers=HTMX)
    assert 'name="create_follow_up"' in response.content.decode()


def test_log_lands_on_the_logged_segment(manager_client, manager):
    segment = loggable(manager, lines=2)
    response = manager_client.post(reverse("segments:log", args=[segment.pk]), {})
    logged = LoggedSegment.objects.get(segment_no=segment.no)
    assert response.url == reverse("interactions:logged-segment-detail", args=[logged.pk])
    assert texts(response) == [f"Segment {segment.no} has been logged."]
    assert InteractionLogEntry.objects.filter(logged_segment=logged).count() == 2
    assert not Segment.objects.filter(pk=segment.pk).exists()


def test_log_with_follow_up_lands_on_the_follow_up_segment(manager_client, manager):
    segment = loggable(manager, lines=2)
    response = manager_client.post(
        reverse("segments:log", args=[segment.pk]), {"create_follow_up": "on"}, headers=HTMX
    )
    follow_up = Segment.objects.get(follow_up_of__segment_no=segment.no)
    assert response["HX-Redirect"] == follow_up.get_absolute_url()
    assert follow_up.lines.count() == 2


def test_log_problems_are_listed_by_line_with_links(manager_client, manager):
    segment = built_segment(manager, lines=2, interaction_template=None)
    segment.interaction_template = None
    segment.save()
    line_nos = list(segment.lines.order_by("line_no").values_list("line_no", flat=True))
    response = manager_client.post(reverse("segments:log", args=[segment.pk]), {})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="log-problems"' in html
    assert f"Segment {segment.no} cannot be logged until these are put right:" in html
    assert "2 lines have no interaction template" in html
    for line_no in line_nos:
        assert f'href="{segment.get_absolute_url()}?line={line_no}#line-{line_no}"' in html
    assert Segment.objects.filter(pk=segment.pk).exists()
    assert not LoggedSegment.objects.exists()


def test_an_empty_segment_is_refused_with_a_reason_that_reads_right(manager_client, manager):
    """The walk saw "Correct these lines first: it has no lines" on an empty segment."""
    segment = built_segment(manager, lines=0)
    response = manager_client.post(reverse("segments:log", args=[segment.pk]), {})
    html = response.content.decode()
    assert f"Segment {segment.no} cannot be logged until these are put right:" in html
    assert '<li data-problem="no_lines">it has no lines</li>' in html
    assert "Correct these lines" not in html
    assert Segment.objects.filter(pk=segment.pk).exists()
    assert not LoggedSegment.objects.exists()


# --- stale pages ------------------------------------------------------------------------------


def test_a_segment_logged_meanwhile_gets_a_message_not_a_500(staff_client, staff, manager):
    segment = loggable(staff, lines=1)
    services.log_segment(segment, user=manager)
    for response in [
        staff_client.get(segment.get_absolute_url()),
        staff_client.post(
            reverse("segments:criteria", args=[segment.pk, "add"]), {"contact-country": "SE"}
        ),
        staff_client.post(reverse("segments:go-back", args=[segment.pk])),
    ]:
        assert response.status_code == 302
        assert response.url == reverse("segments:segment-list")
        assert "no longer exists" in texts(response)[-1]
    response = staff_client.post(reverse("segments:go-back", args=[segment.pk]), headers=HTMX)
    assert response["HX-Redirect"] == reverse("segments:segment-list")


def test_a_line_removed_meanwhile_gets_a_message(staff_client, staff):
    segment = built_segment(staff, lines=2)
    line = segment.lines.order_by("line_no").first()
    SegmentLine.objects.filter(pk=line.pk).delete()
    response = staff_client.post(
        reverse("segments:line-edit", args=[segment.pk, line.pk, "description"]),
        {"description": "Late"},
        headers=HTMX,
    )
    assert response["HX-Redirect"] == segment.get_absolute_url()
    assert texts(response) == [
        f"That line is no longer on segment {segment.no}. Nothing was changed."
    ]


# --- delete segment, saved criteria pages -----------------------------------------------------


def test_delete_segment_after_confirmation(staff_client, staff):
    segment = built_segment(staff, lines=2)
    url = reverse("segments:segment-delete", args=[segment.pk])
    assert f"Delete segment {segment.no}?" in staff_client.get(url).content.decode()
    response = staff_client.post(url)
    assert response.url == reverse("segments:segment-list")
    assert texts(response) == [f"Segment {segment.no} has been deleted."]
    assert not Segment.objects.filter(pk=segment.pk).exists()
    assert not SegmentLine.objects.exists()


def test_saved_criteria_list_detail_and_delete(staff_client, staff):
    segment = built_segment(staff, lines=1)
    saved = services.save_criteria(segment, code="SE", description="Sweden", user=staff)
    listing = staff_client.get(reverse("segments:saved-criteria-list")).content.decode()
    assert 'data-code="SE"' in listing
    detail = staff_client.get(saved.get_absolute_url()).content.decode()
    assert "Add contacts: country is Sweden" in detail
    delete = reverse("segments:saved-criteria-delete", args=[saved.pk])
    assert "Delete saved criteria SE?" in staff_client.get(delete).content.decode()
    response = staff_client.post(delete)
    assert texts(response) == ["Saved criteria SE have been deleted."]
    assert not SavedCriteria.objects.exists()
    response = staff_client.post(delete)
    assert response.url == reverse("segments:saved-criteria-list")


def test_saved_criteria_list_query_count_is_flat(staff_client, staff):
    segment = built_segment(staff, lines=1)
    for index in range(10):
        services.save_criteria(segment, code=f"A{index}", user=staff)
    with CaptureQueriesContext(connection) as few:
        staff_client.get(reverse("segments:saved-criteria-list"))
    for index in range(10, 200):
        services.save_criteria(segment, code=f"A{index}", user=staff)
    with CaptureQueriesContext(connection) as many:
        staff_client.get(reverse("segments:saved-criteria-list"))
    assert len(few) == len(many)


def test_log_problems_name_each_line_once(manager_client, manager):
    """Walk finding: the dialog read "... (lines 10000, 20000): 10000, 20000", the
    service's text followed by the links; the links now stand in the text's place."""
    segment = built_segment(manager, lines=2, interaction_template=None)
    segment.interaction_template = None
    segment.save()
    line_nos = list(segment.lines.order_by("line_no").values_list("line_no", flat=True))
    response = manager_client.post(reverse("segments:log", args=[segment.pk]), {})
    html = response.content.decode()
    links = ", ".join(
        f'<a href="{segment.get_absolute_url()}?line={no}#line-{no}" class="problem-line">{no}</a>'
        for no in line_nos
    )
    assert f"2 lines have no interaction template (lines {links})</li>" in html
    problem = html.split('data-problem="no_template">', 1)[1].split("</li>", 1)[0]
    for line_no in line_nos:
        assert problem.count(str(line_no)) == 3  # the link's href (twice) and its text
    assert Segment.objects.filter(pk=segment.pk).exists()
    assert not LoggedSegment.objects.exists()


def test_a_choice_left_blank_reads_norwegian_on_a_norwegian_page(manager_client, manager):
    """Walk finding: Django 6.1's blank choice "- Select an option -" has no Norwegian in
    Django's catalog, so every select of the Norwegian dialogs showed it in English."""
    segment = loggable(manager, lines=1)
    manager_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    for name in ("reuse-logged-segment", "apply-mailing-group", "reuse-criteria"):
        html = manager_client.get(reverse(f"segments:{name}", args=[segment.pk])).content.decode()
        assert "- Velg et alternativ -" in html, name
        assert "Select an option" not in html, name
    assert segment.lines.count() == 1
