"""Model fields that crm's models share."""

from django.db import models


def service_flag(label) -> models.BooleanField:
    """A flag that only a service sets (``set_consent``, ``erase_contact``): not editable in
    forms, and off by default in the database too, so a set-based ``INSERT`` that does not
    name it (the benchmarks, a bulk load) still makes a valid contact."""
    return models.BooleanField(label, default=False, db_default=False, editable=False)


class CodePointTextField(models.TextField):
    """Text that compares code point by code point on every database.

    PostgreSQL gets the column collation "C" (byte order, which UTF-8 makes code point
    order, and which sorts without the locale's cost); SQLite's default collation, BINARY,
    already compares that way.
    """

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params
