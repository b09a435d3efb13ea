from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit trail: who changed what, when; generic, used by every app above it."""

    name = "audit"
    verbose_name = _("Audit trail")
