"""schemathesis against the live schema (what ``/api/schema/`` serves, generated from the
code by the view's own generator; test_schema.py ties docs/openapi.yaml to it), in-process
through the WSGI app: bounded, deterministic examples per operation, as a manager with a
token. No answer may be a 5xx or break the schema.

It runs in both database passes of make test (issue 18, Done-when 2: SQLite and
PostgreSQL); on PostgreSQL: ``scripts/with-postgres.sh .venv/bin/python -m pytest
tests/api/test_schemathesis.py``.
"""

import json

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api import services as api_services
from segments import services
from tests.factories import (
    ContactFactory,
    InteractionTemplateFactory,
    SalespersonFactory,
    UserFactory,
)


def live_schema() -> dict:
    """The schema ``/api/schema/`` serves, generated now (SpectacularAPIView's generator,
    rendered as the view renders it), not the committed file."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


schema = schemathesis.openapi.from_dict(live_schema())
schema.app = WSGIHandler()

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def in_the_test_transaction():
    """Keep the connection open across requests, as Django's test client does.

    The WSGI handler closes old connections when a request ends; on PostgreSQL that
    would close the test's transaction under it.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(db, in_the_test_transaction):
    """A manager's token, and a segment, a logged segment and their lines to find."""
    user = UserFactory(username="fuzzer", groups=["Marketing manager"])
    salesperson = SalespersonFactory(code="SP1")
    template = InteractionTemplateFactory(code="LETTER")
    for _ in range(3):
        ContactFactory(country="NO", salesperson=salesperson)
    header = {"interaction_template": template, "salesperson": salesperson}
    logged = services.create_segment(user=user, description="Logged", **header)
    services.add_contacts(logged, criteria={"contact": {"country": "NO"}}, user=user)
    services.log_segment(logged, user=user)
    segment = services.create_segment(user=user, description="Open", **header)
    services.add_contacts(segment, criteria={"contact": {"country": "NO"}}, user=user)
    return api_services.get_token(user).key


@schema.parametrize()
@settings(
    max_examples=4,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_every_answer_matches_the_schema(case, token):
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
