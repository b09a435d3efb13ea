"""campaign_statistics and campaign_weeks (SPEC 8) on a hand-computed example."""

import datetime
from decimal import Decimal

import pytest

from interactions.models import CampaignEntry
from interactions.selectors import campaign_statistics, campaign_weeks
from tests.factories import CampaignFactory, ContactFactory, UserFactory
from tests.ledger_data import log_entry, logged_segment

pytestmark = pytest.mark.django_db


def test_statistics_on_a_hand_computed_example(django_assert_num_queries):
    user = UserFactory(password=None)
    fair, other = CampaignFactory.create_batch(2)
    ann, bob, cid, dan = ContactFactory.create_batch(4)
    invitation = logged_segment(user, segment_no="SEG00001", description="Invitation")
    reminder = logged_segment(user, segment_no="SEG00002", description="Reminder")
    entries = {
        segment.segment_no: CampaignEntry.objects.create(
            campaign=fair,
            logged_segment=segment,
            segment_no=segment.segment_no,
            description=segment.description,
            date=datetime.date(2027, 3, 1),
            created_by=user,
        )
        for segment in (invitation, reminder)
    }
    single = CampaignEntry.objects.create(
        campaign=fair, date=datetime.date(2027, 3, 10), created_by=user
    )

    def entry(contact, segment=None, **values):
        log_entry(
            contact,
            user,
            campaign=fair,
            campaign_entry=entries[segment.segment_no] if segment else single,
            logged_segment=segment,
            segment_no=segment.segment_no if segment else "",
            **values,
        )

    # Invitation (week of 1 March): ann, bob, cid are targets; 3 x cost 2, duration 5.
    for contact in (ann, bob, cid):
        entry(contact, invitation, campaign_target=True, date=datetime.date(2027, 3, 1))
    # A canceled target: dan counts nowhere.
    entry(dan, invitation, campaign_target=True, canceled=True, date=datetime.date(2027, 3, 1))
    # Reminder (week of 8 March) to ann and bob, cost 1.50, duration 3.
    for contact in (ann, bob):
        entry(contact, reminder, cost=Decimal("1.50"), duration=3, date=datetime.date(2027, 3, 8))
    # ann replies twice (one contact), bob once but that reply was canceled.
    for day in (10, 11):
        entry(ann, campaign_response=True, cost=0, duration=10, date=datetime.date(2027, 3, day))
    entry(bob, campaign_response=True, canceled=True, date=datetime.date(2027, 3, 10))
    # Another campaign's entry counts nowhere either.
    log_entry(dan, user, campaign=other, campaign_target=True, campaign_response=True)

    with django_assert_num_queries(3):
        figures = campaign_statistics(fair)
    assert figures == {
        "contacts": 3,
        "targets": 3,
        "responses": 1,
        "response_rate": pytest.approx(1 / 3),
        "interactions": 7,  # 3 invitations + 2 reminders + 2 replies
        "cost": Decimal("9.00"),  # 3 x 2 + 2 x 1.50 + 0
        "duration": Decimal("41.00"),  # 3 x 5 + 2 x 3 + 2 x 10
        "by_segment": [
            {
                "segment_no": "SEG00001",
                "description": "Invitation",
                "interactions": 3,
                "cost": Decimal("6.00"),
                "duration": Decimal("15.00"),
            },
            {
                "segment_no": "SEG00002",
                "description": "Reminder",
                "interactions": 2,
                "cost": Decimal("3.00"),
                "duration": Decimal("6.00"),
            },
            {
                "segment_no": "",
                "description": "",
                "interactions": 2,
                "cost": Decimal("0.00"),
                "duration": Decimal("20.00"),
            },
        ],
    }
    assert campaign_weeks(fair) == [
        {"week": datetime.date(2027, 3, 1), "interactions": 3, "responses": 0},
        {"week": datetime.date(2027, 3, 8), "interactions": 4, "responses": 2},
    ]


def test_a_campaign_without_targets_has_no_response_rate():
    figures = campaign_statistics(CampaignFactory())
    assert (figures["targets"], figures["response_rate"], figures["by_segment"]) == (0, None, [])
    assert figures["cost"] == 0
