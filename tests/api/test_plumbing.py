"""Authentication, roles, throttling and problem details of the web API (SPEC 10)."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.api.conftest import ApiClient, token_client
from tests.factories import UserFactory
from tests.html import no_cdn

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    return body


def test_anonymous_gets_401_problem_details_and_the_token_scheme(anonymous):
    response = anonymous.get("/api/v1/contacts/")
    body = assert_problem(response, 401)
    assert response["WWW-Authenticate"] == "Token"
    assert "credentials were not provided" in body["detail"]


def test_a_wrong_token_is_401(world):
    body = assert_problem(ApiClient("not-a-token").get("/api/v1/contacts/"), 401)
    assert "Invalid token" in body["detail"]


def test_a_user_without_a_marketing_role_gets_403(nobody):
    body = assert_problem(nobody.get("/api/v1/contacts/"), 403)
    assert body["type"] == "urn:crm-segments:problem:permission_denied"


def test_api_token_command_prints_the_token_alone_on_its_last_line_and_revokes(staff):
    out = io.StringIO()
    call_command("api_token", "staff", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    assert Token.objects.get(user=staff).key == token
    again = io.StringIO()
    call_command("api_token", "staff", stdout=again)
    assert again.getvalue().strip().splitlines()[-1] == token  # the same token, not a new one
    assert ApiClient(token).get("/api/v1/contacts/").status_code == 200

    call_command("api_token", "staff", "--revoke", stdout=io.StringIO())
    assert not Token.objects.filter(user=staff).exists()
    assert_problem(ApiClient(token).get("/api/v1/contacts/"), 401)


def test_api_token_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="There is no user ghost"):
        call_command("api_token", "ghost", stdout=io.StringIO())


def test_tokens_are_revocable_in_the_admin(admin_client, staff):
    token = token_client(staff).token
    page = admin_client.get("/admin/authtoken/tokenproxy/")
    assert page.status_code == 200
    response = admin_client.post(f"/admin/authtoken/tokenproxy/{staff.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Token.objects.filter(key=token).exists()


def test_session_authentication_enforces_csrf(staff, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    assert client.get("/api/v1/contacts/").status_code == 200
    refused = client.post(
        "/api/v1/segments/", {"description": "Via session"}, content_type="application/json"
    )
    body = assert_problem(refused, 403)
    assert "CSRF" in body["detail"]
    from segments.models import Segment

    assert not Segment.objects.filter(description="Via session").exists()


def test_throttling_counts_per_token(staff, manager, monkeypatch):
    from api.throttling import TokenRateThrottle

    # The rate of REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"] (API_THROTTLE_RATE).
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/min"})
    staff_api, manager_api = token_client(staff), token_client(manager)
    for _ in range(3):
        assert staff_api.get("/api/v1/contacts/").status_code == 200
    body = assert_problem(staff_api.get("/api/v1/contacts/"), 429)
    assert "throttled" in body["detail"]
    assert "Retry-After" in staff_api.get("/api/v1/contacts/")
    # Another token has its own count.
    assert manager_api.get("/api/v1/contacts/").status_code == 200


def test_the_throttle_rate_is_a_setting():
    from django.conf import settings

    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"] == "1000/hour"
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == [
        "api.throttling.TokenRateThrottle"
    ]


def test_unknown_record_is_404_problem(staff_api):
    assert_problem(staff_api.get("/api/v1/segments/NOPE/"), 404)


def test_docs_need_login_and_serve_vendored_assets(client, staff):
    anonymous = client.get("/api/docs/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client.force_login(staff)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert no_cdn(html)


def test_the_schema_needs_authentication_and_is_openapi_3_1(anonymous, staff_api):
    assert_problem(anonymous.get("/api/schema/"), 401)
    response = staff_api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert response.json()["openapi"] == "3.1.0"


def test_the_inactive_user_gets_no_token(db):
    UserFactory(username="gone", is_active=False)
    with pytest.raises(CommandError, match="inactive"):
        call_command("api_token", "gone", stdout=io.StringIO())
