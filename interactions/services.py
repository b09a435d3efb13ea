"""Write operations on the ledger (SPEC 4.5): cancel, un-cancel, delete canceled logged
segments; and its statistics.

Logged segments and interaction log entries are append-only: these services change only
what ``LedgerQuerySet.record_status`` allows, one set-based ``UPDATE`` each.
"""

from collections.abc import Iterable

from django.core.exceptions import FieldError
from django.db import models, transaction
from django.db.models import Count, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .exceptions import InteractionError
from .models import InteractionGroup, InteractionLogEntry, InteractionTemplate, LoggedSegment

__all__ = [
    "delete_canceled_logged_segments",
    "group_statistics",
    "logged_segment_counts",
    "set_entries_canceled",
    "set_logged_segment_canceled",
    "template_statistics",
    "with_entry_counts",
]

#: How many entry numbers an error lists before it says "and N more".
LISTED_ENTRIES = 10


@transaction.atomic
def set_logged_segment_canceled(logged: LoggedSegment, *, canceled: bool, user) -> int:
    """Cancel (or un-cancel) a logged segment and all its entries; returns entries changed."""
    LoggedSegment.objects.filter(pk=logged.pk).record_status(canceled=canceled)
    logged.canceled = canceled
    return InteractionLogEntry.objects.filter(logged_segment=logged).record_status(
        canceled=canceled
    )


def _entry_queryset(entries) -> models.QuerySet:
    """``entries`` (a queryset, or entries or entry numbers) as a queryset of entries."""
    if isinstance(entries, models.QuerySet):
        return InteractionLogEntry.objects.filter(pk__in=entries.values("pk"))
    keys = [entry.pk if isinstance(entry, InteractionLogEntry) else entry for entry in entries]
    return InteractionLogEntry.objects.filter(pk__in=keys)


@transaction.atomic
def set_entries_canceled(entries: Iterable | models.QuerySet, *, canceled: bool, user) -> int:
    """Cancel (or un-cancel) interaction log entries; returns how many changed.

    An entry of a canceled logged segment cannot be un-canceled on its own: un-cancel the
    logged segment instead.
    """
    queryset = _entry_queryset(entries)
    if not canceled:
        refused = queryset.filter(logged_segment__canceled=True).order_by("entry_no")
        count = refused.count()
        if count:
            listed = list(refused.values_list("entry_no", "logged_segment__segment_no"))
            listed = listed[:LISTED_ENTRIES]
            names = ", ".join(
                _("%(entry)s (logged segment %(segment)s)") % {"entry": no, "segment": segment}
                for no, segment in listed
            )
            if count > len(listed):
                names += " " + _("and %(more)d more") % {"more": count - len(listed)}
            raise InteractionError(
                ngettext(
                    "%(count)d interaction log entry cannot be un-canceled because its "
                    "logged segment is canceled: %(entries)s. Un-cancel the logged segment "
                    "instead.",
                    "%(count)d interaction log entries cannot be un-canceled because their "
                    "logged segment is canceled: %(entries)s. Un-cancel the logged segment "
                    "instead.",
                    count,
                )
                % {"count": count, "entries": names},
                code="logged_segment_canceled",
            )
    return queryset.exclude(canceled=canceled).record_status(canceled=canceled)


@transaction.atomic
def delete_canceled_logged_segments(*, user, **filters) -> int:
    """Delete canceled logged segments matching ``filters``; returns how many.

    Their interaction log entries stay in the ledger, unlinked from the deleted header.
    """
    try:
        # The logged segments' keys (not their entries), read before anything changes: a
        # bad filter fails here, and a filter over the entries still holds once they are
        # unlinked.
        keys = list(
            LoggedSegment.objects.filter(canceled=True, **filters)
            .order_by()
            .values_list("pk", flat=True)
            .distinct()
        )
    except (FieldError, ValueError, TypeError) as error:
        raise InteractionError(
            _("Logged segments cannot be filtered by %(filters)s: %(error)s")
            % {"filters": ", ".join(sorted(filters)), "error": error},
            code="invalid_filter",
        ) from None
    InteractionLogEntry.objects.filter(logged_segment__in=keys).record_status(logged_segment=None)
    return LoggedSegment.objects.filter(pk__in=keys)._purge()


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
