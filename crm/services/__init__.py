"""The crm services (SPEC 9): the only writers of consent (and, with c14b, erasure).

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

__all__ = [
    "UNSUBSCRIBE_SALT",
    "InvalidUnsubscribeToken",
    "consent_history",
    "read_unsubscribe_token",
    "set_consent",
    "unsubscribe",
    "unsubscribe_token",
    "unsubscribe_url",
]
