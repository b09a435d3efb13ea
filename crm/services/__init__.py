"""The writers of crm (SPEC 9): consent, erasure and the subject access export.

Callers import from here (``from crm import services``); the modules are how the code is
organised: ``erasure`` (the right to erasure), ``subject_access`` (the export).
"""

from .erasure import ERASURE_SCRUBBERS, ErasureError, erase_contact, erased_name
from .subject_access import CONTACT_DATA_EXPORTERS, export_contact_data

__all__ = [
    "CONTACT_DATA_EXPORTERS",
    "ERASURE_SCRUBBERS",
    "ErasureError",
    "erase_contact",
    "erased_name",
    "export_contact_data",
]
