"""The home page shows what the user's role may see; every user changes their own password
(issue 11, item 11)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from segments.roles import MANAGER, STAFF
from tests.factories import ContactFactory, SegmentFactory, UserFactory

pytestmark = pytest.mark.django_db

FIGURE = '<p class="display-6 mb-1">'


@pytest.fixture
def company_data():
    """Figures that stand out on the page: 7 contacts (2 companies), 3 segments."""
    ContactFactory.create_batch(2, type="company")
    ContactFactory.create_batch(5)
    SegmentFactory.create_batch(3)


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("crm:home"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_user_without_a_role_sees_no_company_wide_figures(client, company_data):
    page = home(client, UserFactory(username="no-role"))
    assert FIGURE not in page
    assert f"{FIGURE}7</p>" not in page and f"{FIGURE}3</p>" not in page
    assert "2 companies" not in page
    assert "Your user has no role yet, so there is nothing to show here." in page


@pytest.mark.parametrize("role", [STAFF, MANAGER])
def test_the_marketing_roles_see_contacts_segments_and_logged_segments(client, company_data, role):
    page = home(client, UserFactory(username="marketing", groups=[role]))
    assert f"{FIGURE}7</p>" in page and "2 companies" in page
    assert f"{FIGURE}3</p>" in page
    assert f"{FIGURE}0</p>" in page  # nothing logged yet
    assert "Logged segments" in page
    assert "has no role yet" not in page


def test_a_user_who_may_only_see_contacts_sees_only_their_figures(client, company_data):
    user = UserFactory(username="contacts-only")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="crm", codename="view_contact")
    )
    page = home(client, user)
    assert page.count(FIGURE) == 1
    assert f"{FIGURE}7</p>" in page and "2 companies" in page
    assert "being built" not in page and "in the interaction ledger" not in page


# --- changing one's own password -------------------------------------------------------------

NEW_PASSWORD = "Blue-harbour-2027"


@pytest.fixture
def marketing(db):
    return UserFactory(username="marketing", password="old-password-1", groups=[STAFF])


def test_the_user_menu_links_the_password_change_page(client, marketing):
    page = home(client, marketing)
    assert f'href="{reverse("password_change")}"' in page
    assert "Change password" in page


def test_a_marketing_user_changes_their_password_and_logs_in_with_the_new_one(client, marketing):
    client.force_login(marketing)
    form = client.get(reverse("password_change"))
    assert form.status_code == 200
    assert 'name="old_password"' in form.content.decode()
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "old-password-1",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302 and response.url == reverse("password_change_done")
    done = client.get(response.url)
    assert "Your password has been changed." in done.content.decode()
    marketing.refresh_from_db()
    assert marketing.check_password(NEW_PASSWORD)
    assert not marketing.check_password("old-password-1")

    client.post(reverse("logout"))
    old = client.post(reverse("login"), {"username": "marketing", "password": "old-password-1"})
    assert old.status_code == 200 and "_auth_user_id" not in client.session
    new = client.post(reverse("login"), {"username": "marketing", "password": NEW_PASSWORD})
    assert new.status_code == 302 and new.url == reverse("crm:home")
    assert client.session["_auth_user_id"] == str(marketing.pk)


def test_a_wrong_old_password_is_a_form_error_and_changes_nothing(client, marketing):
    client.force_login(marketing)
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"] == [
        "Your old password was entered incorrectly. Please enter it again."
    ]
    assert "Your old password was entered incorrectly." in response.content.decode()
    marketing.refresh_from_db()
    assert marketing.check_password("old-password-1")


def test_the_password_pages_are_in_norwegian(client, marketing):
    client.force_login(marketing)
    with translation.override("nb"):
        form = client.get(reverse("password_change"), headers={"Accept-Language": "nb"})
        done = client.get(reverse("password_change_done"), headers={"Accept-Language": "nb"})
    assert "Endre passord" in form.content.decode()
    assert "Passordet er endret" in done.content.decode()


def test_the_password_pages_need_a_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and reverse("login") in response.url
