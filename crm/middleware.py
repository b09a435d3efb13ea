"""Answer 503 with a friendly page when the database cannot be reached for a moment,
and 400 rather than 500 when a number in the request is too large for it."""

import logging

from django.core.exceptions import BadRequest
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

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
