"""What every ledger record shares: refusing changes outside its services."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReadOnlyRecordError(Exception):
    """Raised on any attempt to change or delete a logged record outside its services."""


class LedgerQuerySet(models.QuerySet):
    """Append-only: rows are inserted, never updated or deleted in bulk.

    ``record_status`` is the one narrow door for the fields the services change.
    """

    status_fields: frozenset[str] = frozenset()

    def update(self, *args, **kwargs):
        raise ReadOnlyRecordError(
            _("%(name)s are append-only.") % {"name": self.model._meta.verbose_name_plural}
        )

    def bulk_update(self, *args, **kwargs):
        raise ReadOnlyRecordError(
            _("%(name)s are append-only.") % {"name": self.model._meta.verbose_name_plural}
        )

    def bulk_create(self, objs, *args, update_conflicts=False, **kwargs):
        if update_conflicts:  # an upsert rewrites existing rows
            raise ReadOnlyRecordError(
                _("%(name)s are append-only.") % {"name": self.model._meta.verbose_name_plural}
            )
        return super().bulk_create(objs, *args, **kwargs)

    def delete(self):
        raise ReadOnlyRecordError(
            _("%(name)s are append-only.") % {"name": self.model._meta.verbose_name_plural}
        )

    def record_status(self, **values) -> int:
        """Change only the status fields the services may change; returns rows changed."""
        unknown = set(values) - self.status_fields
        if unknown:
            raise ReadOnlyRecordError(
                _("%(fields)s cannot change on %(name)s.")
                % {
                    "fields": ", ".join(sorted(unknown)),
                    "name": self.model._meta.verbose_name_plural,
                }
            )
        return super().update(**values)

    record_status.alters_data = True

    def _purge(self) -> int:
        """Delete rows; only ``delete_canceled_logged_segments`` calls this."""
        return super().delete()[0]

    _purge.alters_data = True


class LedgerRecord(models.Model):
    """Refuses changes through the instance; see LedgerQuerySet for the queryset."""

    class Meta:
        abstract = True

    def save(self, **kwargs):
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise ReadOnlyRecordError(
                _("%(name)s are append-only.") % {"name": self._meta.verbose_name_plural}
            )
        # With a key given, Django would UPDATE an existing row of that key.
        kwargs.setdefault("force_insert", True)
        super().save(**kwargs)

    def delete(self, **kwargs):
        raise ReadOnlyRecordError(
            _("%(name)s are append-only.") % {"name": self._meta.verbose_name_plural}
        )
