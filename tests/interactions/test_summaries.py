"""The ledger's summaries (issue 16) equal a full recount of the ledger after any mix of
logged segments, single interactions, cancels, un-cancels, notes and erasure."""

import contextlib
import datetime
import random
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from crm.services import erase_contact
from interactions import services
from interactions.exceptions import InteractionError
from interactions.models import (
    CampaignContactSummary,
    CampaignSegmentSummary,
    InteractionDaySummary,
    InteractionLogEntry,
    LoggedSegment,
)
from segments.services import log_segment
from tests.factories import (
    CampaignFactory,
    ContactFactory,
    InteractionGroupFactory,
    InteractionTemplateFactory,
    SalespersonFactory,
    UserFactory,
)

from ..segments.builders import add_line, loggable_segment

pytestmark = pytest.mark.django_db

STEPS = 200


ACTIVE = Q(canceled=False)
#: Per summary: (model, its key columns, the ledger's columns for them, its figures).
TABLES = (
    (
        InteractionDaySummary,
        ("day", "template_key", "group_key", "campaign_key"),
        ("date", "template_id", "group_id", "campaign_id"),
        ("entries", "canceled", "cost", "duration", "attempts_failed", "targets", "responses"),
    ),
    (
        CampaignContactSummary,
        ("campaign_id", "contact_id"),
        ("campaign_id", "contact_id"),
        ("entries", "targets", "responses"),
    ),
    (
        CampaignSegmentSummary,
        ("campaign_id", "segment_no"),
        ("campaign_id", "segment_no"),
        ("entries", "canceled", "cost", "duration"),
    ),
)
#: Each figure counted again from the entries.
RECOUNTED = {
    "entries": Count("pk", filter=ACTIVE),
    "canceled": Count("pk", filter=Q(canceled=True)),
    "cost": Coalesce(Sum("cost", filter=ACTIVE), Decimal(0)),
    "duration": Coalesce(Sum("duration", filter=ACTIVE), Decimal(0)),
    "attempts_failed": Count("pk", filter=ACTIVE & Q(attempt_failed=True)),
    "targets": Count("pk", filter=ACTIVE & Q(campaign_target=True)),
    "responses": Count("pk", filter=ACTIVE & Q(campaign_response=True)),
}


def recount() -> list[dict]:
    """Every summary's figures counted again from every entry of the ledger."""
    counted = []
    for model, _keys, columns, figures in TABLES:
        entries = InteractionLogEntry.objects.order_by()
        if model is not InteractionDaySummary:
            entries = entries.filter(campaign__isnull=False)
        rows = entries.values(*columns).annotate(
            **{f"n_{name}": RECOUNTED[name] for name in figures}
        )
        counted.append(
            _without_zeros(
                {
                    tuple(
                        row[column] or 0 if column.endswith("_id") else row[column]
                        for column in columns
                    ): {name: row[f"n_{name}"] for name in figures}
                    for row in rows
                }
            )
        )
    return counted


def summaries() -> list[dict]:
    """Every summary as it is stored."""
    return [
        _without_zeros(
            {
                tuple(row[key] for key in keys): {name: row[name] for name in figures}
                for row in model.objects.values(*keys, *figures)
            }
        )
        for model, keys, _columns, figures in TABLES
    ]


def _without_zeros(rows: dict) -> dict:
    """Rows with a figure other than 0, each figure as a Decimal (SQLite sums REALs)."""
    kept = {}
    for key, figures in rows.items():
        figures = {
            name: Decimal(str(value)).quantize(Decimal("0.01")) for name, value in figures.items()
        }
        if any(figures.values()):
            kept[key] = figures
    return kept


def assert_summaries_match():
    stored, counted = summaries(), recount()
    for table, (found, expected) in enumerate(zip(stored, counted, strict=True)):
        assert found == expected, TABLES[table][0]


@pytest.fixture
def world():
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="erase_contact"))
    groups = [InteractionGroupFactory(code=f"G{n}") for n in range(2)]
    templates = [
        InteractionTemplateFactory(
            code=f"T{n}",
            group=groups[n % 2],
            unit_cost=Decimal(n) + Decimal("0.25"),
            unit_duration=Decimal(n * 3),
        )
        for n in range(3)
    ]
    campaigns = [CampaignFactory(), CampaignFactory()]
    contacts = [ContactFactory() for _ in range(6)]
    return {
        "user": UserFactory(is_superuser=True),
        "groups": groups,
        "templates": templates,
        "campaigns": campaigns,
        "contacts": contacts,
        "salesperson": SalespersonFactory(),
    }


def alive(world: dict) -> list:
    """The world's contacts not erased yet (an erased contact is privacy blocked)."""
    erased = set(
        type(world["contacts"][0]).objects.filter(erased=True).values_list("pk", flat=True)
    )
    return [contact for contact in world["contacts"] if contact.pk not in erased]


def step(rng: random.Random, world: dict, n: int) -> None:
    user = world["user"]
    contacts = alive(world)
    kind = rng.choice(["log", "single", "single", "cancel", "uncancel", "segment", "note", "erase"])
    entries = list(InteractionLogEntry.objects.values_list("pk", flat=True))
    if kind == "log" or not entries:
        campaign = rng.choice([None, *world["campaigns"]])
        segment = loggable_segment(
            0,
            interaction_template=rng.choice(world["templates"]),
            salesperson=world["salesperson"],
            date=datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randrange(60)),
            campaign=campaign,
            campaign_target=rng.choice([None, True, False]) if campaign else None,
            campaign_response=rng.choice([None, True, False]) if campaign else None,
        )
        for contact in rng.sample(contacts, rng.randint(1, 4)):
            overrides = {}
            if rng.random() < 0.3:
                overrides["cost"] = Decimal(rng.randrange(0, 500)) / 100
            add_line(segment, contact, **overrides)
        log_segment(segment, user=user)
    elif kind == "single":
        campaign = rng.choice([None, *world["campaigns"]])
        services.log_interaction(
            rng.choice(contacts),
            template=rng.choice(world["templates"]),
            user=user,
            salesperson=world["salesperson"],
            date=datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randrange(60)),
            cost=Decimal(rng.randrange(0, 900)) / 100,
            duration=Decimal(rng.randrange(0, 60)),
            attempt_failed=rng.random() < 0.3,
            campaign=campaign,
            campaign_target=bool(campaign) and rng.random() < 0.5,
            campaign_response=bool(campaign) and rng.random() < 0.5,
        )
    elif kind in ("cancel", "uncancel"):
        chosen = rng.sample(entries, min(len(entries), rng.randint(1, 5)))
        # An entry of a canceled logged segment is refused, and nothing changes.
        with contextlib.suppress(InteractionError):
            services.set_entries_canceled(chosen, canceled=kind == "cancel", user=user)
    elif kind == "segment":
        logged = list(LoggedSegment.objects.all())
        if logged:
            services.set_logged_segment_canceled(
                rng.choice(logged), canceled=rng.random() < 0.6, user=user
            )
    elif kind == "note":
        entry = InteractionLogEntry.objects.get(pk=rng.choice(entries))
        if not entry.canceled:
            services.add_interaction_note(entry, user=user, attempt_failed=rng.random() < 0.5)
    else:
        before = summaries()
        if len(contacts) > 4:
            erase_contact(rng.choice(contacts), user=user, reason=f"Asked to be forgotten ({n})")
        # Erasure blanks personal data; every figure stays as it was.
        assert summaries() == before


def test_the_summaries_equal_a_recount_after_random_changes(world):
    rng = random.Random(16)
    for n in range(STEPS):
        step(rng, world, n)
        if n % 25 == 24:
            assert_summaries_match()
    assert_summaries_match()
    # The walk did reach every kind of change.
    assert InteractionLogEntry.objects.filter(canceled=True).exists()
    assert InteractionLogEntry.objects.filter(attempt_failed=True, canceled=False).exists()
    assert InteractionLogEntry.objects.filter(campaign_response=True, canceled=False).exists()
    assert InteractionDaySummary.objects.filter(canceled__gt=0).exists()


def test_the_migration_fill_equals_the_running_summaries(world):
    """The data migration's statements, run over the ledger afresh, give the same rows."""
    from importlib import import_module

    from django.db import connection

    rng = random.Random(7)
    for n in range(40):
        step(rng, world, n)
    kept = summaries()
    for model, *_rest in TABLES:
        model.objects.all().delete()
    migration = import_module("interactions.migrations.0007_ledger_summaries")
    with connection.cursor() as cursor:
        for statement in migration.FILL:
            cursor.execute(statement)
    assert summaries() == kept


def test_logging_a_segment_adds_its_figures(world):
    segment = loggable_segment(
        3, interaction_template=world["templates"][1], campaign=world["campaigns"][0]
    )
    logged = log_segment(segment, user=world["user"])
    row = InteractionDaySummary.objects.get(campaign_key=world["campaigns"][0].pk)
    assert (row.entries, row.cost, row.targets) == (3, 3 * Decimal("1.25"), 0)
    assert CampaignContactSummary.objects.filter(campaign=world["campaigns"][0]).count() == 3
    by_segment = CampaignSegmentSummary.objects.get(segment_no=logged.segment_no)
    assert (by_segment.entries, by_segment.cost) == (3, 3 * Decimal("1.25"))
    services.set_logged_segment_canceled(logged, canceled=True, user=world["user"])
    row.refresh_from_db()
    by_segment.refresh_from_db()
    assert (row.entries, row.canceled, row.cost) == (0, 3, 0)
    assert (by_segment.entries, by_segment.canceled) == (0, 3)
    assert_summaries_match()


def test_the_campaign_figures_read_the_summaries_and_never_the_ledger(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from interactions import selectors
    from interactions.models import Campaign

    rng = random.Random(3)
    for n in range(30):
        step(rng, world, n)
    campaign = world["campaigns"][0]
    active = InteractionLogEntry.objects.filter(campaign=campaign, canceled=False)
    with CaptureQueriesContext(connection) as queries:
        figures = selectors.campaign_statistics(campaign)
        weeks = selectors.campaign_weeks(campaign)
        listed = selectors.campaigns_with_figures(Campaign.objects.filter(pk=campaign.pk)).get()
        count = selectors.campaign_entry_count(campaign)
    assert not [q for q in queries if "interactions_interactionlogentry" in q["sql"]]
    assert figures["interactions"] == listed.interactions == active.count()
    assert figures["contacts"] == active.values("contact").distinct().count()
    targets = active.filter(campaign_target=True).values("contact").distinct().count()
    assert figures["targets"] == listed.targets == targets
    responses = active.filter(campaign_response=True).values("contact").distinct().count()
    assert figures["responses"] == listed.responses == responses
    assert figures["cost"] == active.aggregate(total=Sum("cost"))["total"]
    assert sum(row["interactions"] for row in weeks) == active.count()
    assert count == InteractionLogEntry.objects.filter(campaign=campaign).count()
