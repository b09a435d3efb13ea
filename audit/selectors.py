"""Reads of the audit trail."""

from django.db import models

from .models import AuditEntry, AuditEntryQuerySet


def history(obj: models.Model) -> AuditEntryQuerySet:
    """The audit rows about ``obj``, newest first, with their users (paginate it)."""
    return AuditEntry.objects.for_object(obj).select_related("user").order_by("-at", "-pk")
