"""Reads over the ledger that pages and the API share: a contact's entries and figures
(SPEC 7), the statistics per interaction template and group and the entry counts of logged
segments (SPEC 4.5), campaigns (SPEC 8)."""

import datetime

from django.db import models
from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncWeek

from crm.choices import ContactType
from crm.models import Contact

from .models import (
    Campaign,
    CampaignEntry,
    InteractionGroup,
    InteractionLogEntry,
    InteractionTemplate,
    LoggedSegment,
)

__all__ = [
    "campaign_statistics",
    "campaign_weeks",
    "campaigns_with_figures",
    "contact_entries",
    "contact_statistics",
    "group_statistics",
    "logged_segment_counts",
    "template_statistics",
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

    Three queries, whatever the number of entries.
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


def template_statistics(entries: models.QuerySet | None = None) -> models.QuerySet:
    """Interaction templates with ``interactions``, ``cost`` and ``duration`` of their
    entries (``entries`` narrows them, e.g. to a date range); canceled entries not counted.
    """
    return _statistics(InteractionTemplate.objects.select_related("group"), entries)


def group_statistics(entries: models.QuerySet | None = None) -> models.QuerySet:
    """Interaction groups with ``interactions``, ``cost`` and ``duration``, as above."""
    return _statistics(InteractionGroup.objects.all(), entries)


def _statistics(queryset, entries):
    if entries is None:
        return queryset.annotate(**_totals("entries__"))
    # Narrowed: aggregate the chosen entries in a subquery per row.
    field = "template" if queryset.model is InteractionTemplate else "group"
    chosen = entries.active().filter(**{field: OuterRef("pk")}).order_by().values(field)
    number = models.DecimalField(max_digits=14, decimal_places=2)
    return queryset.annotate(
        interactions=Coalesce(Subquery(chosen.annotate(n=Count("pk")).values("n")), Value(0)),
        cost=Coalesce(
            Subquery(chosen.annotate(s=Sum("cost")).values("s")), Value(0), output_field=number
        ),
        duration=Coalesce(
            Subquery(chosen.annotate(s=Sum("duration")).values("s")),
            Value(0),
            output_field=number,
        ),
    )


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
    share the row with a blank segment no.). Three queries, whatever the number of entries.
    """
    entries = InteractionLogEntry.objects.filter(campaign=campaign, canceled=False).order_by()
    totals = entries.aggregate(
        contacts=Count("contact", distinct=True),
        targets=Count("contact", distinct=True, filter=Q(campaign_target=True)),
        responses=Count("contact", distinct=True, filter=Q(campaign_response=True)),
        **_figures(),
    )
    targets, responses = totals["targets"], totals["responses"]
    # Contacts who responded without being targeted never push the rate above 1.
    totals["response_rate"] = min(responses / targets, 1.0) if targets else None
    rows = list(entries.values("segment_no").annotate(**_figures()).order_by())
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


def campaign_weeks(campaign: Campaign) -> list[dict]:
    """Interactions and responses per week (``week`` is the Monday), canceled entries
    left out, oldest first: what the campaign page's chart and its table show. One query."""
    return list(
        InteractionLogEntry.objects.filter(campaign=campaign, canceled=False)
        .annotate(week=TruncWeek("date", output_field=models.DateField()))
        .values("week")
        .annotate(
            interactions=Count("pk"),
            responses=Count("pk", filter=Q(campaign_response=True)),
        )
        .order_by("week")
    )


def campaigns_with_figures(queryset: models.QuerySet) -> models.QuerySet:
    """Campaigns annotated with ``interactions``, ``targets`` and ``responses`` (distinct
    contacts, canceled entries left out): what the campaign list shows. A subquery per
    row, so a page of campaigns counts only its own entries."""

    def count(expression, **condition):
        entries = (
            InteractionLogEntry.objects.filter(campaign=OuterRef("pk"), canceled=False, **condition)
            .order_by()
            .values("campaign")
            .annotate(n=expression)
            .values("n")
        )
        return Coalesce(Subquery(entries), Value(0))

    return queryset.annotate(
        interactions=count(Count("pk")),
        targets=count(Count("contact", distinct=True), campaign_target=True),
        responses=count(Count("contact", distinct=True), campaign_response=True),
    )
