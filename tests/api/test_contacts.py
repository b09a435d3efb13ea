"""Contacts via the API: the contact criteria of SPEC 3 as query parameters."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError

import segments.services as segments_services
from audit.models import AuditEntry
from crm import services
from crm.models import Contact
from tests.api.conftest import token_client
from tests.api.test_plumbing import assert_problem
from tests.factories import CompanyFactory, ContactFactory, SegmentFactory, UserFactory

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


# --- create and update (crm.services.create_contact / update_contact) ----------------------


@pytest.fixture
def clerk(db):
    """A user who may add and change contacts (no marketing role holds that)."""
    user = UserFactory(username="clerk", groups=["Marketing staff"])
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="crm", codename__in=["add_contact", "change_contact"]
        )
    )
    return token_client(user)


def test_create_and_update_need_the_crm_permissions(anonymous, staff_api, world):
    contact = world["norwegians"][0]
    assert_problem(anonymous.post("/api/v1/contacts/", {"name": "Ann"}), 401)
    assert_problem(staff_api.post("/api/v1/contacts/", {"name": "Ann"}), 403)
    assert_problem(staff_api.patch(f"/api/v1/contacts/{contact.no}/", {"name": "Changed"}), 403)
    assert Contact.objects.count() == 5
    contact.refresh_from_db()
    assert contact.name != "Changed"


def test_head_asks_for_the_read_permission_too(nobody, world):
    """HEAD fell through to no permission when a view named only "GET"."""
    segment = SegmentFactory()
    for path in ("/api/v1/contacts/", "/api/v1/segments/", f"/api/v1/segments/{segment.no}/"):
        assert nobody.head(path).status_code == 403, path


def test_create_numbers_the_contact_and_records_the_audit_row(clerk, world):
    company = CompanyFactory(no="ACME", name="Acme AS")
    response = clerk.post(
        "/api/v1/contacts/",
        {"name": "Ann Berg", "company": "ACME", "country": "NO", "salesperson": "SP1"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    contact = Contact.objects.get(no=body["no"])
    assert contact.no.startswith("CT")
    assert (contact.company, contact.company_name, contact.salesperson) == (
        company,
        "Acme AS",
        world["salesperson"],
    )
    assert (body["company"], body["company_name"]) == ("ACME", "Acme AS")
    row = AuditEntry.objects.get(action="contact_created")
    assert (row.user.username, row.object_repr) == ("clerk", contact.no)


def test_update_changes_values_and_names_the_changed_fields(clerk, world):
    contact = world["swedes"][0]
    response = clerk.patch(f"/api/v1/contacts/{contact.no}/", {"city": "Lund", "phone": "123"})
    assert response.status_code == 200, response.content
    assert (response.json()["city"], response.json()["no"]) == ("Lund", contact.no)
    contact.refresh_from_db()
    assert (contact.city, contact.phone) == ("Lund", "123")
    row = AuditEntry.objects.get(action="contact_changed")
    assert row.details == {"fields": ["city", "phone"]}


def test_opt_outs_and_the_number_are_not_writable_here(clerk, world):
    contact = world["swedes"][0]
    body = assert_problem(
        clerk.patch(f"/api/v1/contacts/{contact.no}/", {"email_opt_out": True, "no": "X1"}), 400
    )
    assert {e["field"] for e in body["errors"]} == {"email_opt_out", "no"}
    contact.refresh_from_db()
    assert (contact.email_opt_out, contact.no) == (False, world["swedes"][0].no)
    with pytest.raises(ValidationError):
        services.update_contact(contact, user=None, email_opt_out=True)


def test_bad_values_are_named_and_change_nothing(clerk, world):
    body = assert_problem(
        clerk.post("/api/v1/contacts/", {"name": "X", "type": "robot", "company": "NOPE"}), 400
    )
    assert {e["field"] for e in body["errors"]} == {"type", "company"}
    body = assert_problem(clerk.post("/api/v1/contacts/", {"name": "X", "country": "NOR"}), 400)
    assert [e["field"] for e in body["errors"]] == ["country"]
    assert_problem(clerk.post("/api/v1/contacts/", {"city": "Oslo"}), 400)
    assert Contact.objects.count() == 5
    assert not AuditEntry.objects.filter(action="contact_created").exists()


def test_a_person_on_a_segment_keeps_their_company(clerk, manager, world):
    person = world["norwegians"][0]
    segment = segments_services.create_segment(user=manager)
    segments_services.add_contacts(segment, criteria={"contact": {"no": [person.no]}}, user=manager)
    CompanyFactory(no="NEWCO")
    body = assert_problem(clerk.patch(f"/api/v1/contacts/{person.no}/", {"company": "NEWCO"}), 422)
    assert [e["field"] for e in body["errors"]] == ["company"]
    assert "cannot change while the contact is on a segment" in body["detail"]
    person.refresh_from_db()
    assert person.company_id is None
    assert not AuditEntry.objects.filter(action="contact_changed").exists()


def test_writing_the_schema_leaves_the_pages_country_names_in_their_language(db):
    """The schema generator builds form fields on the API's FilterSets; the pages' own
    filters stay untouched, so the contact list names countries in the page's language."""
    from django.utils import translation
    from drf_spectacular.generators import SchemaGenerator

    from crm.filters import ContactFilter

    with translation.override("en"):
        SchemaGenerator().get_schema(request=None, public=True)
    assert not hasattr(ContactFilter.base_filters["country"], "_field")
    with translation.override("nb"):
        assert ">Norge</option>" in str(ContactFilter().form["country"])
