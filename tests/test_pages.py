"""Home, contact list and contact card: every role sees them, anonymous users log in first."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from segments import services
from tests.factories import CompanyFactory, ContactFactory, SalespersonFactory, SegmentFactory
from tests.html import no_cdn
from tests.ledger_data import log_entry

pytestmark = pytest.mark.django_db

PAGES = ["crm:home", "crm:contact-list"]


@pytest.fixture(params=["staff", "manager", "admin_user"])
def role_client(request, client):
    client.force_login(request.getfixturevalue(request.param))
    return client


@pytest.mark.parametrize("name", PAGES)
def test_each_role_opens_the_page(role_client, name):
    CompanyFactory(name="Fabrikam")
    response = role_client.get(reverse(name))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'action="/accounts/logout/"' in content
    assert "/static/vendor/bootstrap/bootstrap.min.css" in content
    assert "/static/vendor/htmx/htmx.min.js" in content
    assert no_cdn(content)


@pytest.mark.parametrize("name", [*PAGES, "crm:contact-detail"])
def test_anonymous_users_are_sent_to_the_login_page(client, name):
    args = [CompanyFactory().pk] if name == "crm:contact-detail" else []
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_login_page_logs_in_and_lands_on_home(client, staff):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(
        reverse("login"), {"username": "staff", "password": "pw"}, REMOTE_ADDR="127.0.0.1"
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


def test_logout_is_a_post(staff_client):
    assert staff_client.get(reverse("logout")).status_code == 405
    response = staff_client.post(reverse("logout"))
    assert response.status_code == 302
    assert staff_client.get(reverse("crm:home")).status_code == 302


def test_language_switch_shows_norwegian(staff_client):
    response = staff_client.post(
        reverse("set_language"), {"language": "nb", "next": reverse("crm:contact-list")}
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nb"
    response = staff_client.get(reverse("crm:contact-list"))
    assert '<html lang="nb">' in response.content.decode()


def test_contact_list_filters_and_paginates(staff_client):
    oslo = CompanyFactory(name="Oslo Shipping", city="Oslo", country="NO")
    ContactFactory.create_batch(3, company=oslo, city="Oslo", country="NO")
    CompanyFactory(name="London Tea", city="London", country="GB")
    response = staff_client.get(reverse("crm:contact-list"), {"country": "GB"})
    names = [contact.name for contact in response.context["object_list"]]
    assert names == ["London Tea"]
    response = staff_client.get(reverse("crm:contact-list"), {"city": "oslo", "type": "company"})
    assert [c.name for c in response.context["object_list"]] == ["Oslo Shipping"]
    ContactFactory.create_batch(60)
    response = staff_client.get(reverse("crm:contact-list"), {"page": 2})
    assert response.context["page_obj"].paginator.count == 65
    assert len(response.context["object_list"]) == 15


def test_an_invalid_filter_shows_its_error_and_no_contacts(staff_client):
    CompanyFactory()
    response = staff_client.get(reverse("crm:contact-list"), {"type": "robot"})
    assert response.status_code == 200
    assert list(response.context["object_list"]) == []
    assert "robot is not one of the available choices." in response.content.decode()


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def test_contact_list_queries_do_not_grow_with_rows(staff_client):
    salesperson = SalespersonFactory()
    ContactFactory.create_batch(3, salesperson=salesperson)
    few = count_queries(staff_client, reverse("crm:contact-list"))
    for _ in range(40):
        ContactFactory(salesperson=SalespersonFactory())
    assert count_queries(staff_client, reverse("crm:contact-list")) == few


def test_contact_card_shows_company_persons_interactions_and_segments(staff_client, staff):
    company = CompanyFactory(name="Fabrikam")
    person = ContactFactory(company=company, name="Ada Lovelace")
    segment = SegmentFactory(description="Spring letters", created_by=staff)
    services.add_line(segment, contact=person, user=staff)
    log_entry(person, staff, description="Met at the fair")

    response = staff_client.get(reverse("crm:contact-detail", args=[company.pk]))
    content = response.content.decode()
    assert "Ada Lovelace" in content
    assert "Met at the fair" in content  # a company sees its persons' interactions

    response = staff_client.get(person.get_absolute_url())
    content = response.content.decode()
    assert "Fabrikam" in content
    assert "Met at the fair" in content
    assert segment.no in content
    assert "Spring letters" in content


def test_contact_card_queries_do_not_grow_with_rows(staff_client, staff):
    company = CompanyFactory()
    person = ContactFactory(company=company)
    log_entry(person, staff)
    url = reverse("crm:contact-detail", args=[company.pk])
    few = count_queries(staff_client, url)
    for _ in range(20):
        colleague = ContactFactory(company=company, salesperson=SalespersonFactory())
        log_entry(colleague, staff, salesperson=SalespersonFactory())
        segment = SegmentFactory(created_by=staff)
        services.add_line(segment, contact=company, user=staff)
    assert count_queries(staff_client, url) == few
