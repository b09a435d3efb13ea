"""Model fields that crm's models share."""

from django.db import models


def service_flag(label) -> models.BooleanField:
    """A flag that only a service sets (``set_consent``, ``erase_contact``): not editable in
    forms, and off by default in the database too, so a set-based ``INSERT`` that does not
    name it (the benchmarks, a bulk load) still makes a valid contact."""
    return models.BooleanField(label, default=False, db_default=False, editable=False)
