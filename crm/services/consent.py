"""Consent (SPEC 9): the contact's "no" per channel, its history and the unsubscribe link.

``set_consent`` is the one writer of ``ConsentEvent`` and of the contact's
``email_opt_out`` / ``letter_opt_out`` / ``phone_opt_out`` flags: the event and the flag
change in one transaction, the contact row locked (``select_for_update``) so two changes
of one contact cannot interleave.

The unsubscribe link holds a token signed (``django.core.signing.Signer``) with
``SECRET_KEY`` and the salt ``crm.unsubscribe``: it carries the contact's key and the
channel, so it cannot be made for another contact or channel without the key, and a token
signed for any other purpose of the site does not pass. It has **no expiry on purpose**:
people open an email months later and the link must still work. Rotating ``SECRET_KEY``
invalidates old links (a ``SECRET_KEY_FALLBACKS`` entry keeps them working).
"""

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

import audit

from ..choices import ConsentChannel, ConsentSource
from ..models import ConsentEvent, Contact

UNSUBSCRIBE_SALT = "crm.unsubscribe"


def _channel(channel) -> ConsentChannel:
    try:
        return ConsentChannel(channel)
    except ValueError:
        raise ValidationError(
            _("“%(value)s” is not a channel; use email, letter or phone."),
            code="invalid_channel",
            params={"value": channel},
        ) from None


def set_consent(
    contact: Contact, *, channel, granted: bool, source, user=None, note: str = ""
) -> ConsentEvent:
    """Record that ``contact`` granted (or refused) ``channel`` and keep its flag in step.

    One transaction: the contact row is locked, the event inserted and the contact's
    ``<channel>_opt_out`` set to ``not granted``. ``contact`` is updated in memory too.
    """
    channel = _channel(channel)
    if source not in ConsentSource.values:
        raise ValidationError(
            _("“%(value)s” is not a consent source."),
            code="invalid_source",
            params={"value": source},
        )
    if not isinstance(granted, bool):
        raise ValidationError(_("Say whether consent is granted: yes or no."), code="invalid")
    field = channel.opt_out_field
    with transaction.atomic():
        locked = Contact.objects.select_for_update().only("pk").get(pk=contact.pk)
        event = ConsentEvent.objects.create(
            contact=locked,
            channel=channel.value,
            granted=granted,
            source=source,
            note=note.strip(),
            created_by=user if user is not None and user.is_authenticated else None,
        )
        Contact.objects.filter(pk=contact.pk).update(
            **{field: not granted, "updated_at": timezone.now()}
        )
        audit.record(
            user,
            audit.Action.CONSENT_CHANGED,
            contact,  # the caller's instance: its name is loaded, the locked row's is not
            channel=channel.value,
            granted=granted,
            source=str(source),
        )
    setattr(contact, field, not granted)
    return event


def consent_history(contact: Contact) -> dict[str, list[ConsentEvent]]:
    """The contact's consent events per channel value, newest first (one query)."""
    history: dict[str, list[ConsentEvent]] = {value: [] for value in ConsentChannel.values}
    for event in contact.consent_events.select_related("created_by").order_by("-created_at", "-pk"):
        history[event.channel].append(event)
    return history


# --- the unsubscribe link ----------------------------------------------------------------


class InvalidUnsubscribeToken(Exception):
    """The token was not signed by this site for unsubscribing, or names no contact."""


def _signer() -> signing.Signer:
    # A plain Signer, not dumps() (a TimestampSigner): the same contact and channel always
    # give the same token, so a letter rendered again carries the link that was sent.
    return signing.Signer(salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(contact_pk: int, channel=ConsentChannel.EMAIL) -> str:
    """A signed, URL-safe token for ``contact_pk`` and ``channel`` (no expiry: see above)."""
    return _signer().sign_object([int(contact_pk), _channel(channel).value])


def read_unsubscribe_token(token: str) -> tuple[Contact, ConsentChannel]:
    """The contact and channel of ``token``; ``InvalidUnsubscribeToken`` if it was tampered
    with, signed for something else or names a contact that does not exist."""
    try:
        contact_pk, channel = _signer().unsign_object(token)
        channel = ConsentChannel(channel)
        contact = Contact.objects.get(pk=int(contact_pk))
    except (signing.BadSignature, ValueError, TypeError, Contact.DoesNotExist) as error:
        raise InvalidUnsubscribeToken(str(error)) from error
    return contact, channel


def unsubscribe_url(contact_pk: int, channel=ConsentChannel.EMAIL) -> str:
    """The absolute unsubscribe link: ``SITE_URL`` + ``/unsubscribe/<token>/``."""
    path = reverse("unsubscribe", args=[unsubscribe_token(contact_pk, channel)])
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe(token: str) -> ConsentEvent:
    """Record the opt-out a valid unsubscribe link asks for: source ``unsubscribe_link``,
    no ``created_by``. Raises ``InvalidUnsubscribeToken`` (and records nothing) otherwise."""
    contact, channel = read_unsubscribe_token(token)
    return set_consent(
        contact, channel=channel, granted=False, source=ConsentSource.UNSUBSCRIBE_LINK
    )
