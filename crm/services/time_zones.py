"""A user's time zone (My settings): the one writer of ``UserPreferences.time_zone``."""

from django.db import transaction

import audit

from ..models import UserPreferences


def time_zone_of(user) -> str:
    """The zone ``user`` chose, or "" for the site's default (one query)."""
    zone = UserPreferences.objects.filter(user=user).values_list("time_zone", flat=True).first()
    return zone or ""


@transaction.atomic
def set_time_zone(user, *, time_zone: str) -> UserPreferences:
    """Save the user's zone ("" for the site's default); a name that is not a time zone
    raises ValidationError and saves nothing."""
    preferences = UserPreferences.objects.select_for_update().filter(user=user).first()
    preferences = preferences or UserPreferences(user=user)
    changed = audit.changed_fields(preferences, {"time_zone": time_zone})
    preferences.time_zone = time_zone
    preferences.full_clean()
    if preferences.pk is None or changed:
        preferences.save()
    if changed:
        audit.record(user, audit.Action.PREFERENCES_CHANGED, preferences, fields=changed)
    return preferences
