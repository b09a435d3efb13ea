"""Campaigns via the API (SPEC 8 and 10): list, retrieve, create, update, statistics, and
the campaign values of segments, their lines and the ledger's entries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import segments.services as services
from audit.models import AuditEntry
from interactions.models import Campaign, InteractionLogEntry
from interactions.services import log_interaction, set_entries_canceled
from tests.api.test_plumbing import assert_problem
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

#: The URL patterns these tests cover (tests/test_url_coverage.py).
URL_NAMES = (
    "api:campaign-list",
    "api:campaign-detail",
    "api:campaign-statistics",
)


def test_the_covered_patterns_exist():
    from tests.test_url_coverage import named_patterns

    assert set(URL_NAMES) <= named_patterns()


def test_campaigns_need_a_login_and_the_role(anonymous, nobody, world):
    campaign = CampaignFactory()
    assert_problem(anonymous.get("/api/v1/campaigns/"), 401)
    assert_problem(nobody.get("/api/v1/campaigns/"), 403)
    assert_problem(nobody.get(f"/api/v1/campaigns/{campaign.no}/statistics/"), 403)
    assert_problem(nobody.post("/api/v1/campaigns/", {"description": "Spring"}), 403)
    assert_problem(nobody.patch(f"/api/v1/campaigns/{campaign.no}/", {"status": "active"}), 403)
    assert Campaign.objects.count() == 1
    assert Campaign.objects.get().status == campaign.status


def test_create_takes_the_next_number_and_records_the_audit_row(staff_api, staff, world):
    response = staff_api.post(
        "/api/v1/campaigns/",
        {"description": "Spring fair", "salesperson": "SP1", "starting_date": "2026-03-01"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    campaign = Campaign.objects.get()
    assert body["no"] == campaign.no and campaign.no.startswith("CP")
    assert (body["description"], body["salesperson"], body["created_by"]) == (
        "Spring fair",
        "SP1",
        "staff",
    )
    assert campaign.created_by == staff and campaign.salesperson == world["salesperson"]
    assert AuditEntry.objects.filter(action="campaign_created").count() == 1


def test_update_changes_the_values_and_keeps_the_number(manager_api, world):
    campaign = CampaignFactory(description="Old")
    response = manager_api.patch(
        f"/api/v1/campaigns/{campaign.no}/", {"description": "New", "status": "active"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "active"
    campaign.refresh_from_db()
    assert (campaign.description, campaign.status) == ("New", "active")
    body = assert_problem(
        manager_api.patch(f"/api/v1/campaigns/{campaign.no}/", {"no": "CP99999"}), 400
    )
    assert [e["field"] for e in body["errors"]] == ["no"]
    assert Campaign.objects.get().no == campaign.no


def test_bad_values_are_named_and_change_nothing(staff_api, world):
    body = assert_problem(
        staff_api.post("/api/v1/campaigns/", {"status": "someday", "salesperson": "NOPE"}), 400
    )
    assert {e["field"] for e in body["errors"]} == {"status", "salesperson"}
    body = assert_problem(
        staff_api.post(
            "/api/v1/campaigns/",
            {"starting_date": "2026-05-01", "ending_date": "2026-04-01"},
        ),
        422,
    )
    assert "ending date cannot be before the starting date" in body["detail"]
    assert not Campaign.objects.exists()


def test_the_list_filters_by_status_and_retrieves_by_number(staff_api, world):
    planned = CampaignFactory(status="planned")
    active = CampaignFactory(status="active")
    body = staff_api.get("/api/v1/campaigns/", {"status": "active"}).json()
    assert [c["no"] for c in body["results"]] == [active.no]
    assert staff_api.get(f"/api/v1/campaigns/{planned.no}/").json()["status"] == "planned"
    body = assert_problem(staff_api.get("/api/v1/campaigns/", {"status": "someday"}), 400)
    assert [e["field"] for e in body["errors"]] == ["status"]


def test_statistics_count_the_active_entries(staff_api, manager, world):
    campaign = CampaignFactory()
    first, second, third = world["norwegians"]
    for contact, target, response in ((first, True, True), (second, True, False)):
        log_interaction(
            contact,
            template=world["template"],
            user=manager,
            cost="10.00",
            campaign=campaign,
            campaign_target=target,
            campaign_response=response,
        )
    canceled = log_interaction(
        third, template=world["template"], user=manager, cost="99.00", campaign=campaign
    )
    set_entries_canceled([canceled], canceled=True, user=manager)
    body = staff_api.get(f"/api/v1/campaigns/{campaign.no}/statistics/").json()
    assert (body["contacts"], body["targets"], body["responses"]) == (2, 2, 1)
    assert (body["interactions"], body["cost"], body["response_rate"]) == (2, "20.00", 0.5)
    assert body["by_segment"] == [
        {
            "segment_no": "",
            "description": "",
            "interactions": 2,
            "cost": "20.00",
            "duration": body["by_segment"][0]["duration"],
        }
    ]
    assert_problem(staff_api.get("/api/v1/campaigns/CP99999/statistics/"), 404)


def test_a_single_interaction_takes_a_campaign(staff_api, world):
    campaign = CampaignFactory()
    contact = world["swedes"][0]
    response = staff_api.post(
        "/api/v1/interactions/",
        {
            "contact": contact.no,
            "template": "LETTER",
            "campaign": campaign.no,
            "campaign_target": True,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["campaign"], body["campaign_target"], body["campaign_response"]) == (
        campaign.no,
        True,
        False,
    )
    entry = InteractionLogEntry.objects.get()
    assert (entry.campaign, entry.campaign_target) == (campaign, True)


def test_segments_and_lines_carry_their_campaign(staff_api, world):
    campaign = CampaignFactory()
    response = staff_api.post(
        "/api/v1/segments/",
        {
            "description": "Fair",
            "interaction_template": "LETTER",
            "campaign": campaign.no,
            "campaign_target": True,
        },
    )
    assert response.status_code == 201, response.content
    segment = response.json()
    assert (segment["campaign"], segment["campaign_target"]) == (campaign.no, True)
    no = segment["no"]
    added = staff_api.post(
        f"/api/v1/segments/{no}/add/", {"criteria": {"contact": {"country": ["SE"]}}}
    )
    assert added.status_code == 201, added.content
    first, second = (
        row["line_no"] for row in staff_api.get(f"/api/v1/segments/{no}/lines/").json()["results"]
    )
    other = CampaignFactory()
    response = staff_api.patch(f"/api/v1/segments/{no}/lines/{first}/", {"campaign": other.no})
    assert response.status_code == 200, response.content
    line = response.json()
    assert line["overrides"]["campaign"] == other.no
    assert (line["effective"]["campaign"], line["effective"]["campaign_target"]) == (
        other.no,
        True,
    )
    second = staff_api.get(f"/api/v1/segments/{no}/lines/{second}/").json()
    assert second["effective"]["campaign"] == campaign.no
    assert "campaign" not in second["overrides"]
    body = assert_problem(staff_api.patch(f"/api/v1/segments/{no}/", {"campaign": "CP99999"}), 400)
    assert [e["field"] for e in body["errors"]] == ["campaign"]


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, {"page_size": 200})
    assert response.status_code == 200
    return len(queries)


def test_campaign_queries_stay_flat(staff_api, manager, world):
    def segment_with_lines():
        segment = services.create_segment(
            user=manager, interaction_template=world["template"], campaign=CampaignFactory()
        )
        services.add_contacts(segment, criteria={"contact": {"country": ["NO"]}}, user=manager)
        return segment

    for _ in range(10):
        CampaignFactory(salesperson=world["salesperson"])
    few_segment = segment_with_lines()
    few = [
        _queries(staff_api, "/api/v1/campaigns/"),
        _queries(staff_api, f"/api/v1/segments/{few_segment.no}/lines/"),
        _queries(staff_api, "/api/v1/segments/"),
    ]
    for _ in range(190):
        CampaignFactory(salesperson=world["salesperson"])
    for _ in range(5):
        segment_with_lines()
    many = [
        _queries(staff_api, "/api/v1/campaigns/"),
        _queries(staff_api, f"/api/v1/segments/{few_segment.no}/lines/"),
        _queries(staff_api, "/api/v1/segments/"),
    ]
    assert Campaign.objects.count() >= 200
    assert many == few
