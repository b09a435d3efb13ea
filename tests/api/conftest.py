"""API clients with tokens per role, and a small world to build segments from."""

import pytest
from django.core.cache import cache
from django.test import Client

from api import services as api_services
from crm.models import Contact
from tests.factories import (
    ContactFactory,
    InteractionTemplateFactory,
    SalespersonFactory,
    UserFactory,
)


class ApiClient(Client):
    """The test client speaking JSON, with an ``Authorization: Token`` header if given."""

    def __init__(self, token: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.token = token

    def _headers(self, headers):
        headers = dict(headers or {})
        if self.token:
            headers.setdefault("Authorization", f"Token {self.token}")
        return headers

    def get(self, path, data=None, headers=None, **extra):
        return super().get(path, data, headers=self._headers(headers), **extra)

    def head(self, path, data=None, headers=None, **extra):
        return super().head(path, data, headers=self._headers(headers), **extra)

    def post(self, path, data=None, headers=None, **extra):
        return super().post(
            path, data or {}, content_type="application/json", headers=self._headers(headers)
        )

    def patch(self, path, data=None, headers=None, **extra):
        return super().patch(
            path, data or {}, content_type="application/json", headers=self._headers(headers)
        )


def token_client(user) -> ApiClient:
    return ApiClient(api_services.get_token(user).key)


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """Throttle counts live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anonymous():
    return ApiClient()


@pytest.fixture
def nobody(db):
    """Logged in, but in neither marketing role."""
    return token_client(UserFactory(username="nobody"))


@pytest.fixture
def staff_api(staff):
    return token_client(staff)


@pytest.fixture
def manager_api(manager):
    return token_client(manager)


@pytest.fixture
def world(db):
    """A salesperson, a template and contacts in Norway and Sweden."""
    salesperson = SalespersonFactory(code="SP1")
    template = InteractionTemplateFactory(code="LETTER", correspondence_type="hard_copy")
    norwegians = [ContactFactory(country="NO", salesperson=salesperson) for _ in range(3)]
    swedes = [ContactFactory(country="SE", salesperson=salesperson) for _ in range(2)]
    return {
        "salesperson": salesperson,
        "template": template,
        "norwegians": norwegians,
        "swedes": swedes,
    }


def many_contacts(count: int, country: str = "NO") -> None:
    Contact.objects.bulk_create(
        Contact(no=f"BULK{i:05d}", name=f"Bulk {i:05d}", country=country, company_name="")
        for i in range(count)
    )
