"""The crm services (SPEC 9): the only writers of consent and erasure, of contacts outside
the admin (the web API), and the subject access export.

Each concern is a module (``consent``, ``contacts``, ``erasure``, ``subject_access``); this package
re-exports the public names, so callers write ``from crm import services`` and
``services.set_consent(...)``.
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
from .erasure import ERASURE_SCRUBBERS, ErasureError, erase_contact, erased_name
from .preferences import save_columns, shown_columns
from .subject_access import CONTACT_DATA_EXPORTERS, export_contact_data

__all__ = [
    "CONTACT_DATA_EXPORTERS",
    "CONTACT_FIELDS",
    "ERASURE_SCRUBBERS",
    "create_contact",
    "update_contact",
    "UNSUBSCRIBE_SALT",
    "ErasureError",
    "InvalidUnsubscribeToken",
    "consent_history",
    "erase_contact",
    "erased_name",
    "export_contact_data",
    "read_unsubscribe_token",
    "save_columns",
    "set_consent",
    "shown_columns",
    "unsubscribe",
    "unsubscribe_token",
    "unsubscribe_url",
]
