"""What every page of interactions shares: the permission check, ``next``, page size."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.utils.http import url_has_allowed_host_and_scheme

from ..models import InteractionLogEntry

PAGE_SIZE = 50
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CANCEL_PERMISSION = "interactions.cancel_interaction"


class Permission(PermissionRequiredMixin):
    """A logged-in user without the permission gets 403 (anonymous users never get here:
    LoginRequiredMiddleware sends them to the login page)."""

    raise_exception = True


def _next_url(request, default: str) -> str:
    """The page to return to after a POST: ``next`` when it is on this site."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _form_errors(form) -> str:
    return " ".join(error for errors in form.errors.values() for error in errors)


def entry_rows():
    """Entries with everything a list row shows, in one query."""
    return InteractionLogEntry.objects.select_related(
        "contact", "template", "group", "salesperson", "logged_segment"
    )
