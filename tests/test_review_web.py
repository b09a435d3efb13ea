"""Review of the web layer: permissions, writes, uploads and stale pages (SPEC 1, 5)."""

import pytest
from django.urls import reverse

from tests.factories import CompanyFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_role_client(client):
    """A logged-in user in neither marketing group."""
    client.force_login(UserFactory(username="outsider"))
    return client


@pytest.mark.parametrize("name", ["crm:contact-list", "crm:contact-detail"])
def test_a_user_without_a_role_may_not_view_contacts(no_role_client, name):
    contact = ContactFactory(name="Secret Person", company=CompanyFactory())
    args = [contact.pk] if name == "crm:contact-detail" else []
    response = no_role_client.get(reverse(name, args=args))
    assert response.status_code == 403
    assert b"Secret Person" not in response.content


def test_home_and_menu_offer_a_user_without_a_role_no_page_they_may_not_open(no_role_client):
    response = no_role_client.get(reverse("crm:home"))
    assert response.status_code == 200
    content = response.content.decode()
    for name in [
        "crm:contact-list",
        "segments:segment-list",
        "segments:saved-criteria-list",
        "interactions:logged-segment-list",
        "interactions:entry-list",
        "interactions:template-list",
    ]:
        assert f'href="{reverse(name)}"' not in content, name


def test_home_and_menu_show_staff_their_pages(staff_client):
    content = staff_client.get(reverse("crm:home")).content.decode()
    for name in [
        "crm:contact-list",
        "segments:segment-list",
        "segments:saved-criteria-list",
        "interactions:logged-segment-list",
        "interactions:entry-list",
        "interactions:template-list",
    ]:
        assert f'href="{reverse(name)}"' in content, name
