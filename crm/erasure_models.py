"""The erasure record of SPEC 9 (re-exported by ``crm.models``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

CODE_LENGTH = 20


class ErasureRecord(models.Model):
    """That a contact's personal data was erased: who, when, why; no personal data itself."""

    contact_no = models.CharField(_("contact no."), max_length=CODE_LENGTH, db_index=True)
    reason = models.TextField(_("reason"))
    counts = models.JSONField(
        _("counts"),
        default=dict,
        blank=True,
        help_text=_("How many rows and files of each kind the erasure changed or deleted."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("erased by")
    )
    created_at = models.DateTimeField(_("erased at"), auto_now_add=True)

    class Meta:
        verbose_name = _("erasure record")
        verbose_name_plural = _("erasure records")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.contact_no} {self.created_at:%Y-%m-%d}"
