"""The history panel on the objects' pages: who, what, when; flat in queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import audit
from audit.models import Action
from tests.factories import (
    ContactFactory,
    InteractionTemplateFactory,
    SegmentFactory,
    UserFactory,
)
from tests.ledger_data import log_entry, logged_segment
from tests.segments.builders import add_line

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def kari(db):
    return UserFactory(username="kari", first_name="Kari", last_name="Nordmann")


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_each_object_page_shows_its_own_history(manager_client, kari):
    segment = SegmentFactory()
    logged = logged_segment(kari)
    entry = log_entry(ContactFactory(), kari, logged_segment=logged)
    template = InteractionTemplateFactory()
    audit.record(kari, Action.HEADER_CHANGED, segment, fields=["description"])
    audit.record(kari, Action.LOGGED_SEGMENT_CANCELED, logged, entries=1)
    audit.record(kari, Action.NOTE_ADDED, entry)
    audit.record(kari, Action.TEMPLATE_CHANGED, template, fields=["unit_cost"])
    expected = [
        (segment.get_absolute_url(), "Segment header changed"),
        (logged.get_absolute_url(), "Logged segment canceled"),
        (entry.get_absolute_url(), "Note added"),
        (
            reverse("interactions:template-detail", args=[template.pk]),
            "Interaction template changed",
        ),
    ]
    labels = {label for _, label in expected}
    for url, label in expected:
        html = page(manager_client, url)
        assert 'id="history"' in html, url
        assert "Kari Nordmann" in html and label in html, url
        assert not [other for other in labels - {label} if other in html], url


def test_the_segment_page_costs_the_same_queries_with_1_or_20_history_rows(manager_client, kari):
    segment = SegmentFactory()
    add_line(segment)
    audit.record(kari, Action.SEGMENT_CREATED, segment)
    url = segment.get_absolute_url()
    page(manager_client, url)  # warm the caches (content types, session)
    with CaptureQueriesContext(connection) as one:
        page(manager_client, url)
    for number in range(19):
        audit.record(UserFactory(), Action.LINE_CHANGED, segment, line=number, fields=["cost"])
    with CaptureQueriesContext(connection) as twenty:
        html = page(manager_client, url)
    assert html.count("history-entry") == 20
    assert len(twenty) == len(one)


def test_the_history_panel_pages_through_older_rows(manager_client, kari):
    segment = SegmentFactory()
    for number in range(25):
        audit.record(kari, Action.LINE_CHANGED, segment, line=number)
    first = page(manager_client, segment.get_absolute_url())
    assert first.count("history-entry") == 20 and "Line: 24" in first and "Line: 4<" not in first
    older = page(manager_client, segment.get_absolute_url() + "?history=2")
    assert older.count("history-entry") == 5 and "Line: 0" in older
