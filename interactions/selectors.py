"""Reads over the ledger that pages and the API share: a contact's entries and figures
(SPEC 7), the statistics per interaction template and group and the entry counts of logged
segments (SPEC 4.5), campaigns (SPEC 8)."""

import datetime
from decimal import Decimal

from django.db import models
from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from crm.choices import ContactType
from crm.models import Contact

from .models import (
    Campaign,
    CampaignContactSummary,
    CampaignEntry,
    CampaignSegmentSummary,
    CampaignStatus,
    InteractionDaySummary,
    InteractionGroup,
    InteractionLogEntry,
    InteractionTemplate,
    LoggedSegment,
)

__all__ = [
    "active_campaign_response_rates",
    "campaign_entry_count",
    "campaign_statistics",
    "campaign_weeks",
    "campaigns_with_figures",
    "contact_entries",
    "contact_statistics",
    "group_statistics",
    "logged_segment_counts",
    "template_statistics",
    "weekly_group_interactions",
    "with_entry_counts",
]

NUMBER = models.DecimalField(max_digits=14, decimal_places=2)


def contact_entries(contact: Contact) -> models.QuerySet:
    """The contact's interaction log entries; a company's include its persons' (the
    company each entry's person worked for when it was logged)."""
    if contact.type == ContactType.COMPANY:
        return InteractionLogEntry.objects.filter(Q(contact=contact) | Q(contact_company=contact))
    return InteractionLogEntry.objects.filter(contact=contact)


def contact_statistics(
    contact: Contact,
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> dict:
    """The contact's figures: ``interactions``, ``cost``, ``duration``, ``last_date``,
    ``failed_attempts`` and ``by_group`` (``{group, interactions, cost, duration}`` per
    interaction group), canceled entries never counted; a company's include its persons'.

    Three queries, whatever the number of entries. Read from the ledger through its
    contact indexes (``ile_contact_date_idx``, the company's key), not from a summary: a
    summary per contact and day would be about as large as the ledger and double every
    write, while this read costs what the contact's own entries cost, whatever the
    ledger's size (bench/ledger_pages.py: the card at 100,000 and 5,000,000 entries).
    """
    entries = contact_entries(contact).filter(canceled=False).order_by()
    if date_from is not None:
        entries = entries.filter(date__gte=date_from)
    if date_to is not None:
        entries = entries.filter(date__lte=date_to)
    totals = entries.aggregate(
        interactions=Count("pk"),
        cost=Coalesce(Sum("cost"), Value(0), output_field=NUMBER),
        duration=Coalesce(Sum("duration"), Value(0), output_field=NUMBER),
        last_date=Max("date"),
        failed_attempts=Count("pk", filter=Q(attempt_failed=True)),
    )
    groups = (
        entries.values("group")
        .annotate(
            interactions=Count("pk"),
            cost=Coalesce(Sum("cost"), Value(0), output_field=NUMBER),
            duration=Coalesce(Sum("duration"), Value(0), output_field=NUMBER),
        )
        .order_by()
    )
    rows = list(groups)
    # The groups themselves, so a caller gets objects it can show and link: one query.
    known = InteractionGroup.objects.in_bulk([row["group"] for row in rows if row["group"]])
    totals["by_group"] = [
        {
            "group": known.get(row["group"]),
            "interactions": row["interactions"],
            "cost": row["cost"],
            "duration": row["duration"],
        }
        for row in rows
    ]
    # Sorted here rather than in SQL: ordering by the code would join every entry's group.
    totals["by_group"].sort(key=lambda row: row["group"].code if row["group"] else "")
    return totals


# --- ledger statistics (SPEC 4.5) -------------------------------------------------------


def _totals(prefix: str):
    active = Q(**{f"{prefix}canceled": False})
    return {
        "interactions": Count(f"{prefix}pk", filter=active),
        "cost": Coalesce(
            Sum(f"{prefix}cost", filter=active),
            Value(0),
            output_field=models.DecimalField(max_digits=14, decimal_places=2),
        ),
        "duration": Coalesce(
            Sum(f"{prefix}duration", filter=active),
            Value(0),
            output_field=models.DecimalField(max_digits=14, decimal_places=2),
        ),
    }


def template_statistics(
    entries: models.QuerySet | None = None,
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> models.QuerySet:
    """Interaction templates with ``interactions``, ``cost`` and ``duration`` of their
    entries between ``date_from`` and ``date_to`` (inclusive, either open); canceled
    entries not counted. Read from the ledger's day summary, in time independent of the
    ledger's size; an ``entries`` queryset narrows them any other way (over the ledger).
    """
    return _statistics(
        InteractionTemplate.objects.select_related("group"), entries, date_from, date_to
    )


def group_statistics(
    entries: models.QuerySet | None = None,
    *,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> models.QuerySet:
    """Interaction groups with ``interactions``, ``cost`` and ``duration``, as above."""
    return _statistics(InteractionGroup.objects.all(), entries, date_from, date_to)


def _sum_of(rows: models.QuerySet, key: str, figure: str, output_field=None):
    """The sum of ``figure`` over ``rows`` (already narrowed to the outer row), or 0."""
    total = rows.order_by().values(key).annotate(s=Sum(figure)).values("s")
    return Coalesce(
        Subquery(total), Value(0), output_field=output_field or models.BigIntegerField()
    )


def _statistics(queryset, entries, date_from, date_to):
    template = queryset.model is InteractionTemplate
    if entries is None:
        # From the day summary: a subquery per template or group over its own rows.
        key = "template_key" if template else "group_key"
        rows = _days(date_from, date_to).filter(**{key: OuterRef("pk")})
        return queryset.annotate(
            interactions=_sum_of(rows, key, "entries"),
            cost=_sum_of(rows, key, "cost", NUMBER),
            duration=_sum_of(rows, key, "duration", NUMBER),
        )
    # Narrowed by an entries queryset: aggregate the chosen entries in a subquery per row.
    field = "template" if template else "group"
    chosen = entries.active().filter(**{field: OuterRef("pk")}).order_by().values(field)
    return queryset.annotate(
        interactions=Coalesce(Subquery(chosen.annotate(n=Count("pk")).values("n")), Value(0)),
        cost=Coalesce(
            Subquery(chosen.annotate(s=Sum("cost")).values("s")), Value(0), output_field=NUMBER
        ),
        duration=Coalesce(
            Subquery(chosen.annotate(s=Sum("duration")).values("s")),
            Value(0),
            output_field=NUMBER,
        ),
    )


def _days(date_from=None, date_to=None) -> models.QuerySet:
    """The day summary's rows between the two dates (inclusive, either open)."""
    rows = InteractionDaySummary.objects.all()
    if date_from is not None:
        rows = rows.filter(day__gte=date_from)
    if date_to is not None:
        rows = rows.filter(day__lte=date_to)
    return rows


def with_entry_counts(queryset: models.QuerySet) -> models.QuerySet:
    """Logged segments annotated with ``active_entries`` and ``canceled_entries``."""

    # A subquery per row, not a JOIN ... GROUP BY: a page of 50 logged segments then
    # counts only their entries, instead of grouping the whole ledger first.
    def count(canceled: bool):
        entries = (
            InteractionLogEntry.objects.filter(logged_segment=OuterRef("pk"), canceled=canceled)
            .order_by()
            .values("logged_segment")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(entries), Value(0))

    return queryset.annotate(active_entries=count(False), canceled_entries=count(True))


def logged_segment_counts(logged: LoggedSegment) -> dict[str, int]:
    """``{"active": n, "canceled": m}``: the logged segment's entries by status."""
    return InteractionLogEntry.objects.filter(logged_segment=logged).aggregate(
        active=Count("pk", filter=Q(canceled=False)),
        canceled=Count("pk", filter=Q(canceled=True)),
    )


def _figures() -> dict:
    return {
        "interactions": Count("pk"),
        "cost": Coalesce(Sum("cost"), Value(0), output_field=NUMBER),
        "duration": Coalesce(Sum("duration"), Value(0), output_field=NUMBER),
    }


def campaign_statistics(campaign: Campaign) -> dict:
    """The campaign's figures (SPEC 8), canceled entries counted in none of them.

    ``contacts`` (distinct contacts of its entries), ``targets`` and ``responses``
    (distinct contacts with an entry marked campaign target, campaign response),
    ``response_rate`` (responses / targets, between 0 and 1; None without targets),
    ``interactions``, ``cost``, ``duration`` and ``by_segment`` (``{segment_no,
    description, interactions, cost, duration}`` per logged segment; single interactions
    share the row with a blank segment no.). Three queries over the ledger's summaries,
    none over its entries: the time grows with the campaign's contacts and logged
    segments, never with the ledger.
    """
    totals = CampaignContactSummary.objects.filter(campaign=campaign).aggregate(
        contacts=Count("pk", filter=Q(entries__gt=0)),
        targets=Count("pk", filter=Q(targets__gt=0)),
        responses=Count("pk", filter=Q(responses__gt=0)),
    )
    targets, responses = totals["targets"], totals["responses"]
    # Contacts who responded without being targeted never push the rate above 1.
    totals["response_rate"] = min(responses / targets, 1.0) if targets else None
    rows = list(
        CampaignSegmentSummary.objects.filter(campaign=campaign, entries__gt=0)
        .annotate(interactions=F("entries"))
        .values("segment_no", "interactions", "cost", "duration")
    )
    totals["interactions"] = sum(row["interactions"] for row in rows)
    totals["cost"] = sum((row["cost"] for row in rows), Decimal(0))
    totals["duration"] = sum((row["duration"] for row in rows), Decimal(0))
    descriptions = dict(
        CampaignEntry.objects.filter(campaign=campaign)
        .exclude(segment_no="")
        .order_by("entry_no")
        .values_list("segment_no", "description")
    )
    totals["by_segment"] = sorted(
        (
            {
                "segment_no": row["segment_no"],
                "description": descriptions.get(row["segment_no"], ""),
                "interactions": row["interactions"],
                "cost": row["cost"],
                "duration": row["duration"],
            }
            for row in rows
        ),
        # Logged segments in number order, single interactions last.
        key=lambda row: (row["segment_no"] == "", row["segment_no"]),
    )
    return totals


def campaign_entry_figures(campaign_entry_ids) -> dict[int, dict]:
    """``{campaign entry id: {interactions, cost, duration}}`` of the active interaction
    log entries holding each of these campaign entries (the campaign page's single
    interactions). One query, none without ids."""
    if not campaign_entry_ids:
        return {}
    rows = (
        InteractionLogEntry.objects.filter(campaign_entry__in=campaign_entry_ids, canceled=False)
        .values("campaign_entry")
        .annotate(**_figures())
        .order_by()
    )
    return {row.pop("campaign_entry"): row for row in rows}


def campaign_entry_count(campaign: Campaign) -> int:
    """How many interaction log entries the campaign holds, canceled ones included (the
    campaign page's unfiltered entry list). One query over the day summary."""
    totals = InteractionDaySummary.objects.filter(campaign_key=campaign.pk).aggregate(
        active=Sum("entries"), canceled=Sum("canceled")
    )
    return (totals["active"] or 0) + (totals["canceled"] or 0)


def campaign_weeks(campaign: Campaign) -> list[dict]:
    """Interactions and responses per week (``week`` is the Monday), canceled entries
    left out, oldest first: what the campaign page's chart and its table show. One query,
    over the day summary."""
    return list(
        InteractionDaySummary.objects.filter(campaign_key=campaign.pk)
        .annotate(week=TruncWeek("day", output_field=models.DateField()))
        .values("week")
        .annotate(
            interactions=Coalesce(Sum("entries"), Value(0)),
            responses=Coalesce(Sum("responses"), Value(0)),
        )
        .filter(interactions__gt=0)
        .order_by("week")
    )


def campaigns_with_figures(queryset: models.QuerySet) -> models.QuerySet:
    """Campaigns annotated with ``interactions``, ``targets`` and ``responses`` (distinct
    contacts, canceled entries left out): what the campaign list shows. A subquery per
    row over the ledger's summaries, so a page of campaigns reads only its own rows."""
    days = InteractionDaySummary.objects.filter(campaign_key=OuterRef("pk"))

    def contacts(figure: str):
        rows = (
            CampaignContactSummary.objects.filter(campaign=OuterRef("pk"), **{f"{figure}__gt": 0})
            .order_by()
            .values("campaign")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(rows), Value(0))

    return queryset.annotate(
        interactions=_sum_of(days, "campaign_key", "entries"),
        targets=contacts("targets"),
        responses=contacts("responses"),
    )


# --- charts (the home page) --------------------------------------------------------------


def weekly_group_interactions(weeks: int = 52, *, today: datetime.date | None = None) -> dict:
    """Interactions per week and interaction group over the last ``weeks`` weeks (the
    current one included), canceled entries left out: ``{"weeks": [Monday, ...],
    "groups": [{"group": InteractionGroup or None, "data": [n per week]}]}``, groups in
    code order. Two queries over the day summary, whatever the ledger's size."""
    today = today or timezone.localdate()
    first = today - datetime.timedelta(days=today.weekday()) - datetime.timedelta(weeks=weeks - 1)
    mondays = [first + datetime.timedelta(weeks=n) for n in range(weeks)]
    rows = (
        _days(first, today)
        .annotate(week=TruncWeek("day", output_field=models.DateField()))
        .values("week", "group_key")
        .annotate(interactions=Sum("entries"))
        .filter(interactions__gt=0)
        .order_by()
    )
    position = {monday: index for index, monday in enumerate(mondays)}
    series: dict[int, list[int]] = {}
    for row in rows:
        data = series.setdefault(row["group_key"], [0] * weeks)
        if row["week"] in position:
            data[position[row["week"]]] += row["interactions"]
    known = InteractionGroup.objects.in_bulk([key for key in series if key]) if series else {}
    groups = [{"group": known.get(key), "data": data} for key, data in series.items()]
    groups.sort(key=lambda row: (row["group"] is None, row["group"].code if row["group"] else ""))
    return {"weeks": mondays, "groups": groups}


def active_campaign_response_rates(limit: int = 12) -> list[dict]:
    """The active campaigns (at most ``limit``, by number) with ``targets``, ``responses``
    and ``response_rate`` (a percentage, None without targets). One query."""
    campaigns = campaigns_with_figures(
        Campaign.objects.filter(status=CampaignStatus.ACTIVE).order_by("no")
    )[:limit]
    return [
        {
            "campaign": campaign,
            "targets": campaign.targets,
            "responses": campaign.responses,
            "response_rate": (
                min(campaign.responses / campaign.targets, 1.0) * 100 if campaign.targets else None
            ),
        }
        for campaign in campaigns
    ]
