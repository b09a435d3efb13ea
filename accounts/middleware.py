"""Show each user's pages in their own time zone (My settings), the site's otherwise.

The zone travels in the session, put there at login and when the user saves My settings,
so a page costs no query for it; a session from before the setting existed reads it once.
"""

import zoneinfo

from django.utils import timezone

#: The session key holding the user's zone ("" for the site's default).
SESSION_KEY = "accounts_time_zone"


def remember_time_zone(sender, request, user, **kwargs) -> None:
    """At login (``user_logged_in``): keep the user's zone in their new session."""
    from .services import preferences_of

    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = preferences_of(user).time_zone


class UserTimeZoneMiddleware:
    """Activate the user's time zone for the request (after the authentication one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = self.zone_name(request)
        if name:
            try:
                timezone.activate(zoneinfo.ZoneInfo(name))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    @staticmethod
    def zone_name(request) -> str:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not hasattr(request, "session"):
            return ""
        if SESSION_KEY not in request.session:
            from .services import preferences_of

            request.session[SESSION_KEY] = preferences_of(user).time_zone
        return request.session[SESSION_KEY]
