"""Campaign entries follow the ledger (SPEC 8): a single interaction with a campaign has
its own campaign entry; a campaign entry is canceled once every entry holding it is, and
un-canceling an entry un-cancels it."""

import pytest

from interactions import services
from interactions.models import CampaignEntry, InteractionLogEntry
from segments import services as segment_services
from tests.factories import (
    CampaignFactory,
    ContactFactory,
    InteractionTemplateFactory,
    SalespersonFactory,
    UserFactory,
)
from tests.segments.builders import loggable_segment

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory()


def campaign_entry_state(*entries) -> list[bool]:
    return [
        CampaignEntry.objects.get(
            pk=entry.pk if isinstance(entry, CampaignEntry) else entry
        ).canceled
        for entry in entries
    ]


def test_log_interaction_with_a_campaign_creates_its_own_campaign_entry(user):
    campaign = CampaignFactory()
    contact = ContactFactory(salesperson=SalespersonFactory())
    template = InteractionTemplateFactory(correspondence_type="hard_copy")
    entry = services.log_interaction(
        contact,
        template=template,
        user=user,
        description="Registered for the fair",
        campaign=campaign,
        campaign_response=True,
    )
    assert (entry.campaign, entry.campaign_target, entry.campaign_response) == (
        campaign,
        False,
        True,
    )
    own = entry.campaign_entry
    assert (own.campaign, own.logged_segment, own.segment_no, own.description, own.date) == (
        campaign,
        None,
        "",
        "Registered for the fair",
        entry.date,
    )
    second = services.log_interaction(contact, template=template, user=user, campaign=campaign)
    assert second.campaign_entry_id != own.pk
    assert CampaignEntry.objects.filter(campaign=campaign).count() == 2


def test_a_single_interaction_takes_its_templates_campaign_and_none_without(user):
    campaign = CampaignFactory()
    contact = ContactFactory(salesperson=SalespersonFactory())
    with_campaign = InteractionTemplateFactory(correspondence_type="hard_copy", campaign=campaign)
    entry = services.log_interaction(
        contact, template=with_campaign, user=user, campaign_target=True
    )
    assert (entry.campaign, entry.campaign_target) == (campaign, True)
    plain = services.log_interaction(
        contact,
        template=InteractionTemplateFactory(correspondence_type="hard_copy"),
        user=user,
        campaign_response=True,
    )
    assert (plain.campaign, plain.campaign_entry, plain.campaign_response) == (None, None, False)


def test_canceling_the_last_active_entry_cancels_its_campaign_entry_and_back(user):
    campaign = CampaignFactory()
    contact = ContactFactory(salesperson=SalespersonFactory())
    entry = services.log_interaction(
        contact,
        template=InteractionTemplateFactory(correspondence_type="hard_copy"),
        user=user,
        campaign=campaign,
    )
    services.set_entries_canceled([entry], canceled=True, user=user)
    assert campaign_entry_state(entry.campaign_entry_id) == [True]
    services.set_entries_canceled([entry], canceled=False, user=user)
    assert campaign_entry_state(entry.campaign_entry_id) == [False]


def test_a_shared_campaign_entry_is_canceled_only_with_its_last_entry(user):
    spring, fair = CampaignFactory.create_batch(2)
    segment = loggable_segment(3, campaign=spring)
    last = segment.lines.order_by("line_no").last()
    segment.lines.filter(pk=last.pk).update(campaign=fair)
    logged = segment_services.log_segment(segment, user=user)
    first, second, third = logged.entries.order_by("entry_no")
    spring_entry, fair_entry = first.campaign_entry_id, third.campaign_entry_id

    services.set_entries_canceled([first], canceled=True, user=user)
    assert campaign_entry_state(spring_entry, fair_entry) == [False, False]
    services.set_entries_canceled(
        InteractionLogEntry.objects.filter(pk__in=[second.pk, third.pk]), canceled=True, user=user
    )
    assert campaign_entry_state(spring_entry, fair_entry) == [True, True]
    # Un-canceling one entry un-cancels its campaign entry, not the other campaign's.
    services.set_entries_canceled([second], canceled=False, user=user)
    assert campaign_entry_state(spring_entry, fair_entry) == [False, True]


def test_canceling_a_logged_segment_cancels_its_campaign_entries_and_un_canceling_restores(
    user, django_assert_max_num_queries
):
    spring, fair = CampaignFactory.create_batch(2)
    segment = loggable_segment(4, campaign=spring)
    segment.lines.filter(pk=segment.lines.order_by("line_no").first().pk).update(campaign=fair)
    logged = segment_services.log_segment(segment, user=user)
    keys = list(logged.campaign_entries.values_list("pk", flat=True))
    assert len(keys) == 2
    # Header, entries, two campaign-entry UPDATEs, the audit row, and the three upserts
    # that move the entries' figures in the ledger's summaries: whatever the size.
    with django_assert_max_num_queries(11):
        services.set_logged_segment_canceled(logged, canceled=True, user=user)
    assert campaign_entry_state(*keys) == [True, True]
    services.set_logged_segment_canceled(logged, canceled=False, user=user)
    assert campaign_entry_state(*keys) == [False, False]
