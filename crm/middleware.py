"""Answer 503 with a friendly page when the database cannot be reached for a moment,
and 400 rather than 500 when a number in the request is too large for it; show each
user's pages in their own time zone (My settings).

The zone travels in the session, put there at login and when the user saves My settings,
so a page costs no query for it; a session from before the setting existed reads it once.
"""

import logging
import zoneinfo

from django.core.exceptions import BadRequest
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from .services.time_zones import time_zone_of

logger = logging.getLogger(__name__)

# What a lost or refused connection raises; a locked SQLite file is an OperationalError
# too, and "try again in a moment" is the right answer to that as well.
UNAVAILABLE = (OperationalError, InterfaceError)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError):
            # A number in the request too large for the database (SQLite takes 64-bit
            # integers): the pages' own filters refuse those as form errors; anything
            # else (an admin lookup in the query string) is a bad request, not a 500.
            raise BadRequest(_("A number in the request is too large.")) from exception
        if not isinstance(exception, UNAVAILABLE):
            return None
        logger.error("Database unavailable: %s", exception)
        # Rendered without the request: no context processor may touch the database.
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response


#: The session key holding the user's zone ("" for the site's default).
SESSION_KEY = "time_zone"


def remember_time_zone(sender, request, user, **kwargs) -> None:
    """At login (``user_logged_in``): keep the user's zone in their new session."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = time_zone_of(user)


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
            request.session[SESSION_KEY] = time_zone_of(user)
        return request.session[SESSION_KEY]
