"""Login throttling, CSP headers and the friendly 503 page."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_repeated_failed_logins_lock_the_account_out(client, settings):
    UserFactory(username="anna", password="right-pw")
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "anna", "password": "wrong"})
        assert response.status_code == 200
        assert not response.wsgi_request.user.is_authenticated
    # The failure that reaches the limit is itself answered with the lockout.
    response = client.post(url, {"username": "anna", "password": "wrong"})
    assert response.status_code == 429
    response = client.post(url, {"username": "anna", "password": "right-pw"})
    assert response.status_code == 429
    assert b"Too many failed logins" in response.content
    assert "_auth_user_id" not in client.session


def test_a_correct_login_before_the_limit_succeeds(client):
    UserFactory(username="bob", password="right-pw")
    client.post(reverse("login"), {"username": "bob", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "bob", "password": "right-pw"})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_pages_carry_a_content_security_policy(client):
    response = client.get(reverse("login"))
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy


def test_an_unreachable_database_gives_a_friendly_503(client, staff):
    client.force_login(staff)
    with mock.patch(
        "crm.views.ContactListView.get_queryset",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get(reverse("crm:contact-list"))
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert b"database cannot be reached" in response.content
    assert b"Traceback" not in response.content
