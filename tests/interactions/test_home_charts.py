"""``{% home_charts %}`` (issue 17): interactions per week by group over the last 12
months and the response rate of the active campaigns, from the ledger's summaries."""

import datetime
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interactions.models import CampaignStatus
from tests.factories import CampaignFactory, InteractionTemplateFactory, UserFactory

from .test_views import make_entries

pytestmark = pytest.mark.django_db

TAG = Template("{% load interaction_charts %}{% home_charts %}")


def render(user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return TAG.render(Context({"request": request}))


def chart_data(html: str, name: str) -> dict:
    return json.loads(html.split(f'id="{name}" type="application/json">')[1].split("<")[0])


def monday(weeks_ago: int) -> datetime.date:
    today = timezone.localdate()
    return today - datetime.timedelta(days=today.weekday(), weeks=weeks_ago)


def targeted(staff, campaign, targets: int, responses: int) -> None:
    make_entries(staff, targets - responses, campaign=campaign, campaign_target=True)
    make_entries(staff, responses, campaign=campaign, campaign_target=True, campaign_response=True)


def test_interactions_per_week_by_group_over_the_last_12_months(staff):
    letters = InteractionTemplateFactory(group__code="LETTER")
    calls = InteractionTemplateFactory(group__code="CALL")
    make_entries(staff, 3, template=letters, group=letters.group, date=monday(0))
    make_entries(staff, 1, template=letters, group=letters.group, date=monday(10))
    make_entries(staff, 2, template=calls, group=calls.group, date=monday(10))
    # Canceled, or older than 12 months: in neither chart nor table.
    make_entries(staff, 5, template=calls, group=calls.group, date=monday(0), canceled=True)
    make_entries(staff, 7, template=calls, group=calls.group, date=monday(60))
    html = render(staff)
    data = chart_data(html, "home-weekly-chart-data")
    assert len(data["labels"]) == 52 and data["labels"][-1] == monday(0).isoformat()
    assert data["stacked"] is True
    series = {dataset["label"]: dataset["data"] for dataset in data["datasets"]}
    assert sorted(series) == ["CALL", "LETTER"]
    assert series["LETTER"][-1] == 3 and series["LETTER"][-11] == 1
    assert series["CALL"][-11] == 2 and sum(series["CALL"]) == 2
    # The table fallback: the two weeks with interactions, newest first.
    table = html.split('id="home-weekly"')[1]
    assert table.index(monday(0).isoformat()) < table.index(monday(10).isoformat())
    assert 'data-chart="home-weekly-chart-data"' in html and "js/charts.js" in html
    assert "<script>" not in html


def test_the_response_rate_of_the_active_campaigns(staff):
    active = CampaignFactory(status=CampaignStatus.ACTIVE)
    targeted(staff, active, targets=4, responses=1)
    idle = CampaignFactory(status=CampaignStatus.ACTIVE)
    planned = CampaignFactory(status=CampaignStatus.PLANNED)
    targeted(staff, planned, targets=2, responses=2)
    html = render(staff)
    data = chart_data(html, "home-campaign-chart-data")
    assert data["labels"] == sorted([active.no, idle.no])
    rates = dict(zip(data["labels"], data["datasets"][0]["data"], strict=True))
    assert rates == {active.no: 25.0, idle.no: 0}
    assert "25.0 %" in html and planned.no not in html


def test_users_see_only_the_charts_they_may(staff):
    assert render(AnonymousUser()).strip() == ""
    assert render(UserFactory()).strip() == ""


def test_the_tag_reads_the_summaries_in_a_flat_number_of_queries(staff):
    template = InteractionTemplateFactory()

    def counted() -> int:
        with CaptureQueriesContext(connection) as queries:
            render(staff)
        assert not [q for q in queries if "interactions_interactionlogentry" in q["sql"]]
        return len(queries)

    make_entries(staff, 2, template=template, group=template.group, date=monday(1))
    targeted(staff, CampaignFactory(status=CampaignStatus.ACTIVE), targets=2, responses=1)
    render(staff)  # the user's permissions, read once and kept on the user
    few = counted()
    for weeks_ago in range(0, 50, 3):
        other = InteractionTemplateFactory()
        make_entries(staff, 3, template=other, group=other.group, date=monday(weeks_ago))
    for _ in range(5):
        targeted(staff, CampaignFactory(status=CampaignStatus.ACTIVE), targets=3, responses=2)
    assert counted() == few
