"""Single interactions: drafts ("Finish later") and notes on logged entries."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.choices import CorrespondenceType, blank_or

from ..choices import Evaluation, InformationFlow, InitiatedBy
from .base import LedgerQuerySet, LedgerRecord
from .entries import InteractionLogEntry
from .templates import InteractionTemplate


def draft_attachment_path(instance, filename):
    return f"drafts/{timezone.now():%Y/%m}/{filename}"


class InteractionDraft(models.Model):
    """An unfinished single interaction ("Finish later"): not in the ledger until logged.

    Only contact, template and creator are required; every other field is what
    ``log_interaction`` takes, blank meaning "take it from the template".
    """

    contact = models.ForeignKey(
        "crm.Contact", models.CASCADE, related_name="interaction_drafts", verbose_name=_("contact")
    )
    template = models.ForeignKey(
        InteractionTemplate,
        models.PROTECT,
        related_name="drafts",
        verbose_name=_("interaction template"),
    )
    description = models.CharField(_("description"), max_length=100, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    correspondence_type = models.CharField(
        _("correspondence type"), max_length=10, blank=True, choices=CorrespondenceType.choices
    )
    salesperson = models.ForeignKey(
        "crm.Salesperson",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("salesperson"),
    )
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2, null=True, blank=True)
    duration = models.DecimalField(
        _("duration (minutes)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    information_flow = models.CharField(
        _("information flow"), max_length=10, blank=True, choices=InformationFlow.choices
    )
    initiated_by = models.CharField(
        _("initiated by"), max_length=10, blank=True, choices=InitiatedBy.choices
    )
    evaluation = models.CharField(
        _("evaluation"), max_length=15, blank=True, choices=Evaluation.choices
    )
    attempt_failed = models.BooleanField(_("attempt failed"), default=False)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    campaign = models.ForeignKey(
        "interactions.Campaign",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("campaign"),
    )
    campaign_target = models.BooleanField(_("campaign target"), default=False)
    campaign_response = models.BooleanField(_("campaign response"), default=False)
    personal_note = models.TextField(_("personal note"), blank=True)
    attachment = models.FileField(
        _("attachment"), upload_to=draft_attachment_path, blank=True, max_length=255
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("interaction draft")
        verbose_name_plural = _("interaction drafts")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cost__isnull=True) | Q(cost__gte=0),
                name="interactions_draft_cost_not_negative",
                violation_error_message=_("Cost cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(duration__isnull=True) | Q(duration__gte=0),
                name="interactions_draft_duration_not_negative",
                violation_error_message=_("Duration cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.contact} {self.template.code} {self.description}".strip()

    def audit_repr(self) -> str:
        """The audit trail names a draft by its key: no contact name (erasure)."""
        return f"#{self.pk}"


class InteractionNoteQuerySet(LedgerQuerySet):
    """Notes are append-only like the entries they annotate."""


class InteractionNote(LedgerRecord):
    """What came back after an interaction: a comment and, where given, a new evaluation
    or attempt-failed flag for its entry."""

    entry = models.ForeignKey(
        InteractionLogEntry,
        models.PROTECT,
        related_name="notes",
        verbose_name=_("interaction log entry"),
    )
    comment = models.TextField(_("comment"), blank=True)
    evaluation = models.CharField(
        _("evaluation"),
        max_length=15,
        blank=True,
        choices=Evaluation.choices,
        help_text=_("Blank: unchanged."),
    )
    attempt_failed = models.BooleanField(
        _("attempt failed"), null=True, blank=True, help_text=_("Empty: unchanged.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = InteractionNoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("interaction note")
        verbose_name_plural = _("interaction notes")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["entry", "created_at"], name="inote_entry_created_idx")]
        constraints = [
            models.CheckConstraint(
                condition=blank_or("evaluation", Evaluation),
                name="interactions_note_evaluation_valid",
            ),
        ]

    def __str__(self):
        return f"{self.entry_id}: {self.comment[:50]}"
