"""The one writer of a user's preferences."""

from django.db import transaction

import audit

from .models import UserPreferences


def preferences_of(user) -> UserPreferences:
    """The user's preferences; unsaved defaults when they have chosen nothing yet."""
    return UserPreferences.objects.filter(user=user).first() or UserPreferences(user=user)


@transaction.atomic
def update_preferences(user, *, time_zone: str) -> UserPreferences:
    """Save the user's own settings; a bad time zone raises ValidationError, saves nothing."""
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
