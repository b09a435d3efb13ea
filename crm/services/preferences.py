"""A user's own settings: the one writer of ``UserPreferences``.

``save_columns`` keeps the columns a user shows in one table (the segment worksheet's
lines, ...); ``shown_columns`` reads them back, or the table's defaults for a user who
never chose. The caller names the table and the columns it has: the row stores only
names that table offers, in the table's own order.
"""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

import audit

from ..models import UserPreferences


def shown_columns(user, table: str, offered: Sequence[str], default: Sequence[str]) -> list[str]:
    """The columns of ``table`` that ``user`` shows (one query), in ``offered`` order."""
    chosen = None
    if getattr(user, "is_authenticated", False):
        stored = UserPreferences.objects.filter(user=user).values_list("columns", flat=True).first()
        if isinstance(stored, dict):
            chosen = stored.get(table)
    if not isinstance(chosen, list):
        chosen = default
    shown = [name for name in offered if name in chosen]
    return shown or [name for name in offered if name in default]


def save_columns(user, *, table: str, columns: Sequence[str], offered: Sequence[str]) -> list:
    """Remember that ``user`` shows ``columns`` of ``table``; returns them in table order.

    Refuses (``ValidationError``, nothing saved) a column the table does not offer, and an
    empty choice: a table shows at least one column.
    """
    unknown = [name for name in columns if name not in offered]
    if unknown:
        raise ValidationError(
            _("This table has no column %(columns)s.") % {"columns": ", ".join(unknown)},
            code="unknown_column",
        )
    shown = [name for name in offered if name in columns]
    if not shown:
        raise ValidationError(_("Choose at least one column to show."), code="no_column")
    with transaction.atomic():
        preferences, _created = UserPreferences.objects.select_for_update().get_or_create(user=user)
        stored = dict(preferences.columns or {})
        stored[table] = shown
        preferences.columns = stored
        preferences.save(update_fields=["columns"])
        audit.record(user, audit.Action.PREFERENCES_CHANGED, preferences, table=table)
    return shown
