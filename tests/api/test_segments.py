"""Segments through the API: written by segments.services, refused with their messages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from interactions.models import InteractionLogEntry, LoggedSegment
from segments import services
from segments.models import CriteriaAction, SavedCriteria, Segment, SegmentLine
from tests.api.conftest import many_contacts
from tests.api.test_plumbing import assert_problem

pytestmark = pytest.mark.django_db

#: The URL patterns these tests cover (tests/test_url_coverage.py).
URL_NAMES = (
    "api:segment-list",
    "api:segment-detail",
    "api:line-list",
    "api:line-detail",
    "api:action-list",
    "api:segment-add",
    "api:segment-reduce",
    "api:segment-refine",
    "api:segment-preview",
    "api:segment-go-back",
    "api:save-criteria",
    "api:reuse-criteria",
    "api:segment-log",
)


def test_the_covered_patterns_exist():
    from tests.test_url_coverage import named_patterns

    assert set(URL_NAMES) <= named_patterns()


NORWAY = {"contact": {"country": ["NO"]}}


@pytest.fixture
def segment(world, staff):
    return services.create_segment(
        user=staff,
        description="Spring mailing",
        interaction_template=world["template"],
        salesperson=world["salesperson"],
    )


def url(segment, tail=""):
    return f"/api/v1/segments/{segment.no}/{tail}"


# --- roles ---------------------------------------------------------------------------------


def test_anonymous_is_401_everywhere(anonymous, segment):
    for path in ("/api/v1/segments/", url(segment), url(segment, "lines/")):
        assert_problem(anonymous.get(path), 401)
    assert_problem(anonymous.post(url(segment, "add/"), {"criteria": NORWAY}), 401)
    assert not segment.lines.exists()


def test_a_user_without_a_role_is_403(nobody, segment):
    assert_problem(nobody.get("/api/v1/segments/"), 403)
    assert_problem(nobody.post("/api/v1/segments/", {"description": "x"}), 403)
    assert_problem(nobody.post(url(segment, "add/"), {"criteria": NORWAY}), 403)
    assert Segment.objects.count() == 1 and not segment.lines.exists()


def test_staff_may_build_but_not_log(staff_api, segment):
    assert staff_api.post(url(segment, "add/"), {"criteria": NORWAY}).status_code == 201
    body = assert_problem(staff_api.post(url(segment, "log/")), 403)
    assert body["type"] == "urn:crm-segments:problem:permission_denied"
    assert Segment.objects.filter(pk=segment.pk).exists()
    assert not LoggedSegment.objects.exists()


# --- create, header ------------------------------------------------------------------------


def test_create_takes_the_next_number_and_the_header(staff_api, world, staff):
    response = staff_api.post(
        "/api/v1/segments/",
        {"description": "Autumn", "interaction_template": "LETTER", "unit_cost": "3.50"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    segment = Segment.objects.get(no=body["no"])
    assert segment.description == "Autumn"
    assert segment.interaction_template == world["template"]
    assert str(segment.unit_cost) == "3.50"
    assert segment.created_by == staff
    assert body["lines"] == 0 and body["interaction_template"] == "LETTER"


def test_create_names_the_invalid_fields(staff_api, world):
    response = staff_api.post(
        "/api/v1/segments/",
        {"interaction_template": "NOSUCH", "unit_cost": "abc", "correspondence_type": "fax"},
    )
    body = assert_problem(response, 400)
    fields = {item["field"] for item in body["errors"]}
    assert fields == {"interaction_template", "unit_cost", "correspondence_type"}
    assert not Segment.objects.exists()


def test_a_service_refusal_carries_the_service_message(staff_api, world):
    body = assert_problem(staff_api.post("/api/v1/segments/", {"unit_cost": "-1"}), 422)
    assert body["errors"] and body["detail"]
    assert not Segment.objects.exists()


def test_header_update_goes_through_the_service(staff_api, segment):
    response = staff_api.patch(url(segment), {"description": "Renamed", "subject": "Hello"})
    assert response.status_code == 200, response.content
    segment.refresh_from_db()
    assert (segment.description, segment.subject) == ("Renamed", "Hello")
    assert response.json()["description"] == "Renamed"


# --- criteria actions ----------------------------------------------------------------------


def test_add_reduce_refine_preview_and_go_back(staff_api, segment, world):
    added = staff_api.post(url(segment, "add/"), {"criteria": {"contact": {"country": "NO"}}})
    assert added.status_code == 201, added.content
    assert added.json()["added"] == 3 and added.json()["seq"] == 1
    assert set(segment.lines.values_list("contact__country", flat=True)) == {"NO"}

    more = staff_api.post(url(segment, "add/"), {"criteria": {"contact": {"country": ["SE"]}}})
    assert more.json()["added"] == 2
    assert segment.lines.count() == 5

    preview = staff_api.post(
        url(segment, "preview/"), {"action": "refine", "criteria": {"contact": {"country": "SE"}}}
    )
    assert preview.status_code == 200, preview.content
    assert preview.json()["removed"] == 3
    assert len(preview.json()["sample"]) == 3
    assert segment.lines.count() == 5  # a preview changes nothing

    reduced = staff_api.post(url(segment, "reduce/"), {"criteria": {"contact": {"country": "SE"}}})
    assert reduced.json()["removed"] == 2
    refined = staff_api.post(
        url(segment, "refine/"),
        {"criteria": {"contact": {"no": [world["norwegians"][0].no]}}},
    )
    assert refined.json()["removed"] == 2
    assert list(segment.lines.values_list("contact", flat=True)) == [world["norwegians"][0].pk]

    back = staff_api.post(url(segment, "go-back/"))
    assert back.status_code == 200 and back.json()["action"] == "refine"
    assert segment.lines.count() == 3
    history = staff_api.get(url(segment, "actions/")).json()["results"]
    assert [a["action"] for a in history] == ["add", "add", "reduce"]


def test_invalid_criteria_are_refused_with_the_service_message(staff_api, segment):
    response = staff_api.post(url(segment, "add/"), {"criteria": {"planet": {"name": "Mars"}}})
    body = assert_problem(response, 422)
    assert 'Unknown criteria source "planet"' in body["detail"]
    assert not CriteriaAction.objects.exists() and not segment.lines.exists()


def test_an_option_of_another_action_is_refused(staff_api, segment):
    response = staff_api.post(url(segment, "reduce/"), {"criteria": NORWAY, "allow_existing": True})
    body = assert_problem(response, 400)
    assert [item["field"] for item in body["errors"]] == ["allow_existing"]
    preview = staff_api.post(
        url(segment, "preview/"),
        {"action": "reduce", "criteria": NORWAY, "allow_existing": True},
    )
    assert "has no option allow_existing" in assert_problem(preview, 422)["detail"]
    assert not CriteriaAction.objects.exists()


def test_missing_criteria_names_the_field(staff_api, segment):
    body = assert_problem(staff_api.post(url(segment, "add/"), {}), 400)
    assert body["errors"][0]["field"] == "criteria"


def test_go_back_with_nothing_to_undo_is_refused(staff_api, segment):
    body = assert_problem(staff_api.post(url(segment, "go-back/")), 422)
    assert "has no action to go back from" in body["detail"]


# --- lines ---------------------------------------------------------------------------------


def test_lines_show_effective_values_and_overrides(staff_api, segment, world, staff):
    services.add_contacts(segment, criteria=NORWAY, user=staff)
    line = segment.lines.order_by("line_no").first()
    response = staff_api.patch(
        url(segment, f"lines/{line.line_no}/"), {"description": "Only this one", "cost": "9.00"}
    )
    assert response.status_code == 200, response.content
    line.refresh_from_db()
    assert (line.description, str(line.cost)) == ("Only this one", "9.00")
    body = response.json()
    assert body["overrides"] == {"description": "Only this one", "cost": "9.00"}
    assert body["effective"]["description"] == "Only this one"
    assert body["effective"]["interaction_template"] == "LETTER"
    assert body["effective"]["salesperson"] == "SP1"

    reset = staff_api.patch(url(segment, f"lines/{line.line_no}/"), {"description": None})
    assert reset.json()["overrides"] == {"cost": "9.00"}
    line.refresh_from_db()
    assert line.description == ""

    lines = staff_api.get(url(segment, "lines/")).json()
    assert lines["count"] == 3
    other = lines["results"][1]
    assert other["overrides"] == {}
    assert other["effective"]["description"] == "Spring mailing"


def test_line_override_validation_names_the_field(staff_api, segment, staff):
    services.add_contacts(segment, criteria=NORWAY, user=staff)
    line = segment.lines.first()
    body = assert_problem(
        staff_api.patch(url(segment, f"lines/{line.line_no}/"), {"salesperson": "NOBODY"}), 400
    )
    assert body["errors"][0]["field"] == "salesperson"
    line.refresh_from_db()
    assert line.salesperson is None


# --- saved criteria ------------------------------------------------------------------------


def test_save_and_reuse_criteria(staff_api, segment, staff):
    staff_api.post(url(segment, "add/"), {"criteria": NORWAY})
    saved = staff_api.post(url(segment, "save-criteria/"), {"code": "norway", "description": "N"})
    assert saved.status_code == 201, saved.content
    assert SavedCriteria.objects.get().code == "NORWAY"
    again = assert_problem(staff_api.post(url(segment, "save-criteria/"), {"code": "NORWAY"}), 422)
    assert "NORWAY" in again["detail"]

    other = services.create_segment(user=staff, description="Other")
    reused = staff_api.post(f"/api/v1/segments/{other.no}/reuse-criteria/", {"saved": "NORWAY"})
    assert reused.status_code == 201, reused.content
    assert reused.json()[0]["added"] == 3
    assert other.lines.count() == 3


# --- logging -------------------------------------------------------------------------------


def test_log_writes_the_ledger_and_deletes_the_segment(manager_api, segment, staff):
    services.add_contacts(segment, criteria=NORWAY, user=staff)
    response = manager_api.post(url(segment, "log/"))
    assert response.status_code == 201, response.content
    logged = LoggedSegment.objects.get()
    assert response.json()["entry_no"] == logged.entry_no
    assert response.json()["active_entries"] == 3
    assert InteractionLogEntry.objects.filter(logged_segment=logged).count() == 3
    assert not Segment.objects.filter(pk=segment.pk).exists()


def test_log_problems_are_listed_by_line(manager_api, staff, world):
    bare = services.create_segment(user=staff, description="No template")
    services.add_contacts(bare, criteria=NORWAY, user=staff)
    body = assert_problem(manager_api.post(url(bare, "log/")), 422)
    assert body["type"] == "urn:crm-segments:problem:cannot_log"
    no_template = [item for item in body["errors"] if item["code"] == "no_template"]
    assert no_template and len(no_template[0]["lines"]) == 3
    assert "cannot be logged" in body["detail"]
    assert not LoggedSegment.objects.exists()


def test_the_same_idempotency_key_logs_once(manager_api, segment, staff):
    services.add_contacts(segment, criteria=NORWAY, user=staff)
    headers = {"Idempotency-Key": "4b6f0c1e-retry"}
    first = manager_api.post(url(segment, "log/"), headers=headers)
    second = manager_api.post(url(segment, "log/"), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert LoggedSegment.objects.count() == 1
    # Without the key the retry finds the segment gone.
    assert_problem(manager_api.post(url(segment, "log/")), 404)


def test_a_key_reused_for_another_segment_is_a_conflict(manager_api, segment, staff, world):
    services.add_contacts(segment, criteria=NORWAY, user=staff)
    headers = {"Idempotency-Key": "k1"}
    assert manager_api.post(url(segment, "log/"), headers=headers).status_code == 201
    other = services.create_segment(
        user=staff,
        description="Other",
        **{"interaction_template": world["template"], "salesperson": world["salesperson"]},
    )
    body = assert_problem(manager_api.post(url(other, "log/"), headers=headers), 409)
    assert "already used" in body["detail"]
    assert Segment.objects.filter(pk=other.pk).exists()


def test_a_key_too_long_is_refused_by_name(manager_api, segment, staff):
    services.add_contacts(segment, criteria=NORWAY, user=staff)
    body = assert_problem(
        manager_api.post(url(segment, "log/"), headers={"Idempotency-Key": "k" * 256}), 400
    )
    assert body["errors"][0]["field"] == "Idempotency-Key"
    assert Segment.objects.filter(pk=segment.pk).exists()


def test_a_failed_log_frees_its_key(manager_api, segment, staff):
    headers = {"Idempotency-Key": "k2"}
    assert_problem(manager_api.post(url(segment, "log/"), headers=headers), 422)  # no line
    services.add_contacts(segment, criteria=NORWAY, user=staff)
    assert manager_api.post(url(segment, "log/"), headers=headers).status_code == 201


def test_a_large_segment_is_logged_in_a_job_202(
    manager_api, segment, staff, settings, django_capture_on_commit_callbacks
):
    settings.SEGMENT_BACKGROUND_THRESHOLD = 2
    services.add_contacts(segment, criteria=NORWAY, user=staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_api.post(url(segment, "log/"), headers={"Idempotency-Key": "big"})
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["url"].endswith(f"/jobs/{body['job']}/")
    assert response["Location"] == body["url"]
    # The immediate task backend has run it: the ledger holds the lines.
    assert InteractionLogEntry.objects.count() == 3
    again = manager_api.post(url(segment, "log/"), headers={"Idempotency-Key": "big"})
    assert again.status_code == 202 and again.json() == body


# --- query counts --------------------------------------------------------------------------


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, {"page_size": 200})
    assert response.status_code == 200
    return len(queries)


def test_lines_and_segments_query_counts_stay_flat(staff_api, segment, staff):
    many_contacts(10)
    services.add_contacts(segment, criteria={"contact": {"name": "Bulk"}}, user=staff)
    few = _queries(staff_api, url(segment, "lines/"))
    few_segments = _queries(staff_api, "/api/v1/segments/")
    many_contacts_more = 190
    from crm.models import Contact

    Contact.objects.bulk_create(
        Contact(no=f"MORE{i:05d}", name=f"Bulk more {i:05d}", country="NO", company_name="")
        for i in range(many_contacts_more)
    )
    services.add_contacts(segment, criteria={"contact": {"name": "Bulk more"}}, user=staff)
    for i in range(20):
        services.create_segment(user=staff, description=f"S{i}")
    assert SegmentLine.objects.filter(segment=segment).count() == 200
    assert _queries(staff_api, url(segment, "lines/")) == few
    assert _queries(staff_api, "/api/v1/segments/") == few_segments
