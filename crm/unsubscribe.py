"""The unsubscribe page (SPEC 9): the one page of the site that needs no login.

``/unsubscribe/<token>/``: a GET shows what the link will do and a confirm button and
changes nothing (mail scanners follow links); a POST records the opt-out through
``services.unsubscribe`` (source ``unsubscribe_link``, no ``created_by``). The POST is
CSRF-exempt: a mail client's one-click POST (RFC 8058, body
``List-Unsubscribe=One-Click``) carries no CSRF token and no session, and the signed
token alone authorises the change, so a forged cross-site POST could do nothing the
link's owner's mail client cannot. A tampered or foreign token records nothing and gets
a 400 page. The page speaks the contact's language when the site has it.
"""

from contextlib import nullcontext

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import services
from .choices import ConsentChannel


def _language(contact):
    codes = {code for code, _name in settings.LANGUAGES}
    language = (contact.language or "").lower()
    if language in codes:
        return translation.override(language)
    if language in {"no", "nn"} and "nb" in codes:
        return translation.override("nb")
    return nullcontext()


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    try:
        contact, channel = services.read_unsubscribe_token(token)
    except services.InvalidUnsubscribeToken:
        return render(request, "crm/unsubscribe_invalid.html", status=400)
    with _language(contact):
        context = {
            "contact_no": contact.no,
            "channel": ConsentChannel(channel).label,
            "email": contact.email if channel == ConsentChannel.EMAIL else "",
            "done": False,
        }
        if request.method == "POST":
            services.unsubscribe(token)
            context["done"] = True
        response = render(request, "crm/unsubscribe.html", context)
    # The page is personal: no cache may keep it, and it stays out of search engines.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
