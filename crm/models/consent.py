"""Consent events: the append-only history behind a contact's opt-out flags (SPEC 9)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import ConsentChannel, ConsentSource
from .contacts import Contact


class ConsentEventQuerySet(models.QuerySet):
    """Append-only: consent events are inserted, never updated or deleted (SPEC 9)."""

    def _refuse(self, *args, **kwargs):
        raise ValidationError(_("Consent events are append-only."), code="append_only")

    update = bulk_update = delete = _refuse

    def bulk_create(self, objs, *args, update_conflicts=False, **kwargs):
        if update_conflicts:  # an upsert rewrites existing rows
            self._refuse()
        return super().bulk_create(objs, *args, **kwargs)


class ConsentEvent(models.Model):
    """One change of a contact's consent to a channel: the history behind its opt-out flags.

    Written only by ``crm.services.set_consent``, which keeps ``Contact.email_opt_out``,
    ``letter_opt_out`` and ``phone_opt_out`` in step. Append-only here and, below the ORM,
    by the triggers of migration ``crm.0006_consent_event``. A contact with consent
    history cannot be deleted (PROTECT): the history is the evidence of a "no".
    """

    contact = models.ForeignKey(
        Contact, models.PROTECT, related_name="consent_events", verbose_name=_("contact")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=ConsentChannel.choices)
    granted = models.BooleanField(_("granted"))
    source = models.CharField(_("source"), max_length=20, choices=ConsentSource.choices)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    objects = ConsentEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["contact", "channel"], name="crm_consent_contact_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=ConsentChannel.values), name="crm_consent_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=ConsentSource.values), name="crm_consent_source_valid"
            ),
        ]

    def __str__(self):
        return f"{self.contact_id} {self.channel} {'+' if self.granted else '-'}"

    def save(self, **kwargs):
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise ValidationError(_("Consent events are append-only."), code="append_only")
        kwargs.setdefault("force_insert", True)
        super().save(**kwargs)

    def delete(self, **kwargs):
        raise ValidationError(_("Consent events are append-only."), code="append_only")
