"""Reads over the ledger that pages and the API share (SPEC 7)."""

import datetime

from django.db import models
from django.db.models import Count, Max, Q, Sum, Value
from django.db.models.functions import Coalesce

from crm.choices import ContactType
from crm.models import Contact

from .models import InteractionGroup, InteractionLogEntry

__all__ = ["contact_entries", "contact_statistics"]

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
