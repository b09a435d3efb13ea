"""Two concurrent POSTs with the same Idempotency-Key log once (PostgreSQL, real threads).

The key's row is inserted first, under a unique constraint: the second request waits on
the first one's row, then answers what the first one committed.
"""

import pytest

from api.models import IdempotencyKey
from interactions.models import InteractionLogEntry, LoggedSegment
from segments import services
from segments.models import Segment
from tests.api.conftest import ApiClient, token_client
from tests.factories import (
    ContactFactory,
    InteractionTemplateFactory,
    SalespersonFactory,
    UserFactory,
)
from tests.segments.test_concurrency import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_concurrent_logs_with_the_same_key_log_once_and_answer_the_same():
    manager = UserFactory(username="poster", groups=["Marketing manager"])
    salesperson = SalespersonFactory(code="SP1")
    template = InteractionTemplateFactory(code="LETTER")
    for _ in range(5):
        ContactFactory(country="NO", salesperson=salesperson)
    segment = services.create_segment(
        user=manager, description="Twice", interaction_template=template, salesperson=salesperson
    )
    services.add_contacts(segment, criteria={"contact": {"country": "NO"}}, user=manager)
    client_token = token_client(manager).token

    def post(_i):
        response = ApiClient(client_token).post(
            f"/api/v1/segments/{segment.no}/log/", headers={"Idempotency-Key": "same-key"}
        )
        return response.status_code, response.json()

    outcomes = run_at_once(post, count=2)

    assert all(isinstance(outcome, tuple) for outcome in outcomes), outcomes
    (first_status, first), (second_status, second) = outcomes
    assert first_status == second_status == 201, outcomes
    assert first == second
    assert LoggedSegment.objects.count() == 1
    logged = LoggedSegment.objects.get()
    assert first["entry_no"] == logged.entry_no
    assert InteractionLogEntry.objects.filter(logged_segment=logged).count() == 5
    assert IdempotencyKey.objects.get().logged_segment == logged
    assert not Segment.objects.filter(pk=segment.pk).exists()
