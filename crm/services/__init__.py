"""The crm services (SPEC 9): the only writers of consent (and, with c14b, erasure), and of
contacts outside the admin (the web API).

Each concern is a module; this package re-exports the public names, so callers write
``from crm import services`` and ``services.set_consent(...)``.
"""

from .consent import (
    UNSUBSCRIBE_SALT,
    InvalidUnsubscribeToken,
    consent_history,
    read_unsubscribe_token,
    set_consent,
    unsubscribe,
    unsubscribe_token,
    unsubscribe_url,
)
from .contacts import CONTACT_FIELDS, create_contact, update_contact

__all__ = [
    "CONTACT_FIELDS",
    "create_contact",
    "update_contact",
    "UNSUBSCRIBE_SALT",
    "InvalidUnsubscribeToken",
    "consent_history",
    "read_unsubscribe_token",
    "set_consent",
    "unsubscribe",
    "unsubscribe_token",
    "unsubscribe_url",
]
