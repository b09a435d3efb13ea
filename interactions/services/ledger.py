"""Write operations on the ledger (SPEC 4.5): cancel, un-cancel, delete canceled logged
segments.

Logged segments and interaction log entries are append-only: these services change only
what ``LedgerQuerySet.record_status`` allows, one set-based ``UPDATE`` each.
"""

from collections.abc import Iterable

from django.core.exceptions import FieldError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

import audit

from ..exceptions import InteractionError
from ..models import CampaignEntry, InteractionLogEntry, LoggedSegment, summarize
from .campaigns import held_by, sync_campaign_entries

__all__ = [
    "LISTED_ENTRIES",
    "delete_canceled_logged_segments",
    "set_entries_canceled",
    "set_logged_segment_canceled",
    "summarize_entries",
]

#: How many entry numbers an error lists before it says "and N more".
LISTED_ENTRIES = 10


def summarize_entries(entries: LoggedSegment | models.QuerySet) -> None:
    """Add newly inserted interaction log entries (a logged segment's, or a queryset) to
    the ledger's summaries, set-based: for writers that insert with ``INSERT ... SELECT``,
    which bypasses ``save`` and ``bulk_create``. Call it once, in the same transaction."""
    if isinstance(entries, LoggedSegment):
        entries = InteractionLogEntry.objects.filter(logged_segment=entries)
    summarize(entries)


@transaction.atomic
def set_logged_segment_canceled(logged: LoggedSegment, *, canceled: bool, user) -> int:
    """Cancel (or un-cancel) a logged segment and all its entries; returns entries changed."""
    LoggedSegment.objects.filter(pk=logged.pk).record_status(canceled=canceled)
    logged.canceled = canceled
    changed = InteractionLogEntry.objects.filter(logged_segment=logged).record_status(
        canceled=canceled
    )
    # Its campaign entries follow (SPEC 8): every entry holding them changed with it.
    sync_campaign_entries(CampaignEntry.objects.filter(logged_segment=logged))
    action = (
        audit.Action.LOGGED_SEGMENT_CANCELED if canceled else audit.Action.LOGGED_SEGMENT_UNCANCELED
    )
    audit.record(user, action, logged, entries=changed)
    return changed


def _entry_queryset(entries) -> models.QuerySet:
    """``entries`` (a queryset, or entries or entry numbers) as a queryset of entries."""
    if isinstance(entries, models.QuerySet):
        return InteractionLogEntry.objects.filter(pk__in=entries.values("pk"))
    keys = [entry.pk if isinstance(entry, InteractionLogEntry) else entry for entry in entries]
    return InteractionLogEntry.objects.filter(pk__in=keys)


def _one_subject(entries: models.QuerySet) -> models.Model | None:
    """What a change of ``entries`` is about: the one entry, else their one logged
    segment, else nothing (the audit row then names no object)."""
    first = list(entries.order_by("pk")[:2])
    if len(first) == 1:
        return first[0]
    origins = list(entries.order_by().values_list("logged_segment", flat=True).distinct()[:2])
    if len(origins) == 1 and origins[0] is not None:
        return LoggedSegment.objects.filter(pk=origins[0]).first()
    return None


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
    changed = queryset.exclude(canceled=canceled).record_status(canceled=canceled)
    # A campaign entry is canceled once every entry holding it is, and un-canceled with
    # any of them (SPEC 8).
    sync_campaign_entries(held_by(queryset))
    if changed:
        action = audit.Action.ENTRIES_CANCELED if canceled else audit.Action.ENTRIES_UNCANCELED
        audit.record(user, action, _one_subject(queryset), entries=changed)
    return changed


@transaction.atomic
def delete_canceled_logged_segments(*, user, **filters) -> int:
    """Delete canceled logged segments matching ``filters``; returns how many.

    Their interaction log entries stay in the ledger, unlinked from the deleted header.
    """
    try:
        # The logged segments' keys (not their entries), read before anything changes: a
        # bad filter fails here, and a filter over the entries still holds once they are
        # unlinked.
        found = dict(
            LoggedSegment.objects.filter(canceled=True, **filters)
            .order_by()
            .values_list("pk", "segment_no")
            .distinct()
        )
    except (FieldError, ValueError, TypeError) as error:
        raise InteractionError(
            _("Logged segments cannot be filtered by %(filters)s: %(error)s")
            % {"filters": ", ".join(sorted(filters)), "error": error},
            code="invalid_filter",
        ) from None
    keys = list(found)
    # The one logged segment deleted is named in the audit row (its name outlives it).
    only = LoggedSegment.objects.get(pk=keys[0]) if len(keys) == 1 else None
    InteractionLogEntry.objects.filter(logged_segment__in=keys).record_status(logged_segment=None)
    deleted = LoggedSegment.objects.filter(pk__in=keys)._purge()
    if deleted:
        audit.record(
            user,
            audit.Action.CANCELED_LOGGED_SEGMENTS_DELETED,
            only,
            count=deleted,
            logged_segments=sorted(found.values())[:LISTED_ENTRIES],
        )
    return deleted
