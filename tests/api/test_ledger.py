"""Logged segments, interaction log entries, notes and single interactions via the API."""

import io

import docx
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.models import Contact
from interactions import letters
from interactions.models import (
    InteractionLogEntry,
    InteractionNote,
    InteractionTemplateLanguage,
    LoggedSegment,
)
from segments import services
from segments.models import Segment
from tests.api.test_plumbing import assert_problem

pytestmark = pytest.mark.django_db

#: The URL patterns these tests cover (tests/test_url_coverage.py).
URL_NAMES = (
    "api:logged-segment-list",
    "api:logged-segment-detail",
    "api:logged-segment-cancel",
    "api:logged-segment-follow-up",
    "api:entry-list",
    "api:entry-detail",
    "api:entry-letter",
    "api:entry-notes",
    "api:interaction-create",
)


def test_the_covered_patterns_exist():
    from tests.test_url_coverage import named_patterns

    assert set(URL_NAMES) <= named_patterns()


NORWAY = {"contact": {"country": ["NO"]}}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def logged(world, manager):
    """A logged segment of the three Norwegians, with a letter in English."""
    version = InteractionTemplateLanguage.objects.create(template=world["template"], language="en")
    version.document.save(
        "letter.docx", ContentFile(letters.build_document(["Dear «ContactName» in «City»"]))
    )
    segment = services.create_segment(
        user=manager,
        description="Spring mailing",
        interaction_template=world["template"],
        salesperson=world["salesperson"],
    )
    services.add_contacts(segment, criteria=NORWAY, user=manager)
    return services.log_segment(segment, user=manager)


def test_has_letter_says_whether_the_entry_was_merged_from_a_document(staff_api, world, manager):
    """Not whether it kept merge data: a letter without merge fields keeps none, and an
    entry without a letter keeps none either (docs/merge-data.md)."""
    version = InteractionTemplateLanguage.objects.create(template=world["template"], language="en")
    version.document.save("plain.docx", ContentFile(letters.build_document(["Hello"])))
    with_letter = services.create_segment(
        user=manager,
        description="Plain letter",
        interaction_template=world["template"],
        salesperson=world["salesperson"],
    )
    services.add_contacts(with_letter, criteria=NORWAY, user=manager)
    entry = services.log_segment(with_letter, user=manager).entries.first()
    body = staff_api.get(f"/api/v1/entries/{entry.pk}/").json()
    assert body["merge_data"] == {} and body["has_letter"] is True
    version.document = ""
    version.save()
    without = services.create_segment(
        user=manager,
        description="No letter",
        interaction_template=world["template"],
        salesperson=world["salesperson"],
    )
    services.add_contacts(without, criteria=NORWAY, user=manager)
    entry = services.log_segment(without, user=manager).entries.first()
    body = staff_api.get(f"/api/v1/entries/{entry.pk}/").json()
    assert body["merge_data"] == {} and body["has_letter"] is False


def test_roles_on_the_ledger(anonymous, nobody, staff_api, logged):
    entry = logged.entries.first()
    for path in (
        "/api/v1/logged-segments/",
        f"/api/v1/logged-segments/{logged.pk}/",
        "/api/v1/entries/",
        f"/api/v1/entries/{entry.pk}/",
        f"/api/v1/entries/{entry.pk}/notes/",
    ):
        assert_problem(anonymous.get(path), 401)
        assert_problem(nobody.get(path), 403)
        assert staff_api.get(path).status_code == 200
    # Canceling stays with managers.
    refused = staff_api.post(f"/api/v1/logged-segments/{logged.pk}/cancel/", {"canceled": True})
    assert_problem(refused, 403)
    assert not LoggedSegment.objects.get(pk=logged.pk).canceled


def test_logged_segment_list_and_retrieve(staff_api, logged):
    body = staff_api.get("/api/v1/logged-segments/").json()
    assert body["count"] == 1
    (row,) = body["results"]
    assert (row["segment_no"], row["active_entries"], row["canceled_entries"]) == (
        logged.segment_no,
        3,
        0,
    )
    filtered = staff_api.get("/api/v1/logged-segments/", {"search": "nothing like it"}).json()
    assert filtered["count"] == 0
    assert staff_api.get(f"/api/v1/logged-segments/{logged.pk}/").json()["entry_no"] == logged.pk


def test_cancel_and_uncancel_go_through_the_service(manager_api, logged):
    response = manager_api.post(f"/api/v1/logged-segments/{logged.pk}/cancel/", {"canceled": True})
    assert response.status_code == 200, response.content
    assert response.json()["canceled"] and response.json()["canceled_entries"] == 3
    assert LoggedSegment.objects.get(pk=logged.pk).canceled
    assert set(logged.entries.values_list("canceled", flat=True)) == {True}
    back = manager_api.post(f"/api/v1/logged-segments/{logged.pk}/cancel/", {"canceled": False})
    assert back.json()["active_entries"] == 3
    bad = assert_problem(
        manager_api.post(f"/api/v1/logged-segments/{logged.pk}/cancel/", {"canceled": "maybe"}),
        400,
    )
    assert bad["errors"][0]["field"] == "canceled"


def test_follow_up_creates_a_segment_with_the_contacts(staff_api, logged):
    response = staff_api.post(f"/api/v1/logged-segments/{logged.pk}/follow-up/", {})
    assert response.status_code == 201, response.content
    segment = Segment.objects.get(no=response.json()["no"])
    assert segment.follow_up_of_id == logged.pk
    assert segment.lines.count() == 3
    assert response.json()["lines"] == 3


def test_entries_filter_and_cursor_pages(staff_api, logged, world):
    first = staff_api.get("/api/v1/entries/", {"page_size": 2}).json()
    assert [e["entry_no"] for e in first["results"]] == sorted(
        logged.entries.values_list("entry_no", flat=True), reverse=True
    )[:2]
    assert first["next"] and "cursor=" in first["next"]
    rest = staff_api.get(first["next"].split("testserver", 1)[1]).json()
    assert len(rest["results"]) == 1 and rest["next"] is None
    contact = world["norwegians"][0]
    only = staff_api.get("/api/v1/entries/", {"contact": contact.no}).json()["results"]
    assert [e["contact"] for e in only] == [contact.no]
    invalid = assert_problem(staff_api.get("/api/v1/entries/", {"date_from": "someday"}), 400)
    assert invalid["errors"][0]["field"] == "date_from"


def test_an_entry_and_its_letter(staff_api, logged):
    entry = logged.entries.order_by("entry_no").first()
    body = staff_api.get(f"/api/v1/entries/{entry.pk}/").json()
    assert body["segment_no"] == logged.segment_no and body["has_letter"]
    response = staff_api.get(f"/api/v1/entries/{entry.pk}/letter/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    text = [p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs]
    assert text == [f"Dear {entry.contact_name} in Oslo"]


def test_a_letter_that_cannot_be_made_is_a_problem(staff_api, logged):
    entry = logged.entries.first()
    default_storage.delete(entry.document.name)
    body = assert_problem(staff_api.get(f"/api/v1/entries/{entry.pk}/letter/"), 422)
    assert "missing from storage" in body["detail"]


def test_notes_are_added_through_the_service(staff_api, staff, logged):
    entry = logged.entries.first()
    response = staff_api.post(
        f"/api/v1/entries/{entry.pk}/notes/",
        {"comment": "Called back", "evaluation": "positive"},
    )
    assert response.status_code == 201, response.content
    note = InteractionNote.objects.get()
    assert (note.comment, note.evaluation, note.created_by) == ("Called back", "positive", staff)
    entry.refresh_from_db()
    assert entry.evaluation == "positive"
    listed = staff_api.get(f"/api/v1/entries/{entry.pk}/notes/").json()["results"]
    assert [n["comment"] for n in listed] == ["Called back"]

    empty = assert_problem(staff_api.post(f"/api/v1/entries/{entry.pk}/notes/", {}), 422)
    assert "cannot take this note" in empty["detail"]
    bad = assert_problem(
        staff_api.post(f"/api/v1/entries/{entry.pk}/notes/", {"evaluation": "wow"}), 400
    )
    assert bad["errors"][0]["field"] == "evaluation"
    assert InteractionNote.objects.count() == 1


def test_a_single_interaction_is_logged_through_the_service(staff_api, staff, world):
    contact = world["norwegians"][0]
    response = staff_api.post(
        "/api/v1/interactions/",
        {"contact": contact.no, "template": "LETTER", "description": "Phone call"},
    )
    assert response.status_code == 201, response.content
    entry = InteractionLogEntry.objects.get()
    assert (entry.contact, entry.description, entry.logged_segment) == (contact, "Phone call", None)
    assert entry.created_by == staff
    assert response.json()["entry_no"] == entry.pk


def test_a_single_interaction_names_invalid_fields_and_refusals(staff_api, world, nobody):
    bad = assert_problem(
        staff_api.post("/api/v1/interactions/", {"contact": "NOSUCH", "template": "LETTER"}), 400
    )
    assert [e["field"] for e in bad["errors"]] == ["contact"]
    assert_problem(
        nobody.post(
            "/api/v1/interactions/", {"contact": world["norwegians"][0].no, "template": "LETTER"}
        ),
        403,
    )
    assert not InteractionLogEntry.objects.exists()


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, {"page_size": 200})
    assert response.status_code == 200
    return len(queries)


def test_ledger_and_contact_queries_stay_flat(staff_api, manager, world):
    def log(count, name):
        Contact.objects.bulk_create(
            Contact(no=f"{name}{i:05d}", name=f"{name} {i}", country="DK", company_name="")
            for i in range(count)
        )
        segment = services.create_segment(
            user=manager,
            description=name,
            interaction_template=world["template"],
            salesperson=world["salesperson"],
        )
        services.add_contacts(segment, criteria={"contact": {"name": name}}, user=manager)
        return services.log_segment(segment, user=manager)

    first = log(10, "FEW")
    few = [
        _queries(staff_api, "/api/v1/entries/"),
        _queries(staff_api, "/api/v1/contacts/"),
        _queries(staff_api, "/api/v1/logged-segments/"),
    ]
    for i in range(19):
        log(10, f"MORE{i:02d}")
    assert InteractionLogEntry.objects.count() == 200
    assert first.pk
    many = [
        _queries(staff_api, "/api/v1/entries/"),
        _queries(staff_api, "/api/v1/contacts/"),
        _queries(staff_api, "/api/v1/logged-segments/"),
    ]
    assert many == few


def test_deleting_a_canceled_logged_segment_keeps_the_key_s_answer(manager_api, manager, world):
    import interactions.services
    from api.models import IdempotencyKey

    segment = services.create_segment(
        user=manager,
        description="To delete",
        interaction_template=world["template"],
        salesperson=world["salesperson"],
    )
    services.add_contacts(segment, criteria=NORWAY, user=manager)
    headers = {"Idempotency-Key": "delete-me"}
    answer = manager_api.post(f"/api/v1/segments/{segment.no}/log/", headers=headers).json()
    logged = LoggedSegment.objects.get(pk=answer["entry_no"])
    interactions.services.set_logged_segment_canceled(logged, canceled=True, user=manager)

    assert interactions.services.delete_canceled_logged_segments(user=manager) == 1

    key = IdempotencyKey.objects.get()
    assert key.logged_segment is None and key.response == answer
    again = manager_api.post(f"/api/v1/segments/{segment.no}/log/", headers=headers)
    assert again.status_code == 201 and again.json() == answer
    assert InteractionLogEntry.objects.filter(segment_no=segment.no).count() == 3
