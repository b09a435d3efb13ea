"""Contacts via the API: the contact criteria of SPEC 3 as query parameters."""

import pytest

from tests.api.test_plumbing import assert_problem
from tests.factories import CompanyFactory, ContactFactory

pytestmark = pytest.mark.django_db

#: The URL patterns these tests cover (tests/test_url_coverage.py).
URL_NAMES = (
    "api:contact-list",
    "api:contact-detail",
)


def test_the_covered_patterns_exist():
    from tests.test_url_coverage import named_patterns

    assert set(URL_NAMES) <= named_patterns()


def test_contacts_are_filtered_by_the_contact_criteria(staff_api, world):
    norway = staff_api.get("/api/v1/contacts/", {"country": "NO"}).json()
    assert norway["count"] == 3
    assert {c["country"] for c in norway["results"]} == {"NO"}
    both = staff_api.get("/api/v1/contacts/?country=NO&country=SE").json()
    assert both["count"] == 5
    with_email = staff_api.get("/api/v1/contacts/", {"has_email": "false"}).json()
    assert with_email["count"] == 0


def test_a_company_filter_and_retrieve_by_number(staff_api, world):
    company = CompanyFactory(no="ACME")
    colleague = ContactFactory(company=company, company_name=company.name)
    body = staff_api.get("/api/v1/contacts/", {"company": "ACME"}).json()
    assert {c["no"] for c in body["results"]} >= {colleague.no}
    one = staff_api.get(f"/api/v1/contacts/{colleague.no}/").json()
    assert (one["no"], one["company"], one["type"]) == (colleague.no, "ACME", "person")


def test_an_invalid_filter_names_it_and_lists_nothing(staff_api, world):
    body = assert_problem(staff_api.get("/api/v1/contacts/", {"type": "robot"}), 400)
    assert [e["field"] for e in body["errors"]] == ["type"]


def test_contacts_need_the_role(anonymous, nobody, world):
    assert_problem(anonymous.get("/api/v1/contacts/"), 401)
    assert_problem(nobody.get(f"/api/v1/contacts/{world['swedes'][0].no}/"), 403)


def test_pages_of_contacts(staff_api, world):
    body = staff_api.get("/api/v1/contacts/", {"page_size": 2}).json()
    assert body["count"] == 5 and len(body["results"]) == 2 and body["next"]
    assert_problem(staff_api.get("/api/v1/contacts/", {"page": 99}), 404)
