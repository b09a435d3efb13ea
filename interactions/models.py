"""Interaction templates and the ledger: logged segments and interaction log entries."""

from collections.abc import Callable, Mapping

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.choices import CorrespondenceType, blank_or
from crm.models import SHORT_CODE_LENGTH, CodedModel

from .choices import DeliveryStatus, Evaluation, InformationFlow, InitiatedBy


class ReadOnlyRecordError(Exception):
    """Raised on any attempt to change or delete a logged record outside its services."""


class InteractionGroup(CodedModel):
    class Meta(CodedModel.Meta):
        verbose_name = _("interaction group")
        verbose_name_plural = _("interaction groups")


class InteractionTemplate(models.Model):
    """What an interaction records (a letter, an email, a call) and its defaults."""

    code = models.CharField(_("code"), max_length=SHORT_CODE_LENGTH, unique=True)
    group = models.ForeignKey(
        InteractionGroup,
        models.PROTECT,
        related_name="templates",
        verbose_name=_("interaction group"),
    )
    description = models.CharField(_("description"), max_length=100, blank=True)
    unit_cost = models.DecimalField(_("unit cost"), max_digits=12, decimal_places=2, default=0)
    unit_duration = models.DecimalField(
        _("unit duration (minutes)"), max_digits=10, decimal_places=2, default=0
    )
    information_flow = models.CharField(
        _("information flow"), max_length=10, blank=True, choices=InformationFlow.choices
    )
    initiated_by = models.CharField(
        _("initiated by"), max_length=10, blank=True, choices=InitiatedBy.choices
    )
    correspondence_type = models.CharField(
        _("correspondence type"),
        max_length=10,
        blank=True,
        choices=CorrespondenceType.choices,
        default=CorrespondenceType.EMAIL,
    )
    ignore_contact_correspondence_type = models.BooleanField(
        _("ignore contact correspondence type"), default=False
    )
    default_language = models.CharField(_("default language"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("interaction template")
        verbose_name_plural = _("interaction templates")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_cost__gte=0),
                name="interactions_template_cost_not_negative",
                violation_error_message=_("Unit cost cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(unit_duration__gte=0),
                name="interactions_template_duration_not_negative",
                violation_error_message=_("Unit duration cannot be negative."),
            ),
            models.CheckConstraint(
                condition=blank_or("information_flow", InformationFlow),
                name="interactions_template_information_flow_valid",
                violation_error_message=_("Information flow must be blank, outbound or inbound."),
            ),
            models.CheckConstraint(
                condition=blank_or("initiated_by", InitiatedBy),
                name="interactions_template_initiated_by_valid",
                violation_error_message=_("Initiated by must be blank, us or them."),
            ),
            models.CheckConstraint(
                condition=blank_or("correspondence_type", CorrespondenceType),
                name="interactions_template_correspondence_type_valid",
                violation_error_message=_("Correspondence type must be blank, hard copy or email."),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.description}".strip()

    def get_absolute_url(self):
        return reverse("interactions:template-detail", args=[self.pk])


def template_document_path(instance, filename):
    return f"templates/{instance.template_id}/{instance.language}/{filename}"


class InteractionTemplateLanguage(models.Model):
    """A template in one language: its description, subject and Word letter."""

    template = models.ForeignKey(
        InteractionTemplate,
        models.CASCADE,
        related_name="languages",
        verbose_name=_("interaction template"),
    )
    language = models.CharField(_("language"), max_length=10)
    description = models.CharField(_("description"), max_length=100, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    document = models.FileField(
        _("document"), upload_to=template_document_path, blank=True, max_length=255
    )

    class Meta:
        verbose_name = _("interaction template language")
        verbose_name_plural = _("interaction template languages")
        ordering = ["template", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "language"],
                name="interactions_templatelanguage_unique",
                violation_error_message=_("This template already has this language."),
            )
        ]

    def __str__(self):
        return f"{self.template.code} ({self.language})"


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


#: Describes one criteria action of a logged segment's snapshot in the active language.
#: The segments app, which owns criteria, installs it at start-up (interactions never
#: imports segments); until then the description stored at logging time is shown.
_criteria_describer: Callable[[Mapping], str] | None = None


def set_criteria_describer(describer: Callable[[Mapping], str]) -> None:
    """Install the function that turns a criteria action snapshot into text."""
    global _criteria_describer
    _criteria_describer = describer


class LoggedSegmentQuerySet(LedgerQuerySet):
    status_fields = frozenset({"canceled", "print_batch"})


class LoggedSegment(LedgerRecord):
    """A segment after logging: read-only, the header of its interaction log entries."""

    entry_no = models.BigAutoField(_("entry no."), primary_key=True)
    segment_no = models.CharField(_("segment no."), max_length=20, unique=True)
    description = models.CharField(_("description"), max_length=100, blank=True)
    criteria = models.JSONField(
        _("criteria"),
        default=list,
        blank=True,
        help_text=_("The criteria actions it was built from."),
    )
    canceled = models.BooleanField(_("canceled"), default=False)
    # Delivery runs after the segment is gone; it needs to know how emails carry letters.
    send_as_attachment = models.BooleanField(_("send as attachment"), default=False)
    print_batch = models.FileField(
        _("print batch"), upload_to="print_batches/", blank=True, max_length=255
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = LoggedSegmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("logged segment")
        verbose_name_plural = _("logged segments")
        ordering = ["-entry_no"]

    def __str__(self):
        return f"{self.entry_no} {self.segment_no} {self.description}".strip()

    def get_absolute_url(self):
        return reverse("interactions:logged-segment-detail", args=[self.pk])

    @property
    def criteria_steps(self) -> list[dict]:
        """Its criteria actions, each with ``shown``: its description in the active
        language, rendered from the criteria JSON (the stored one when that cannot be)."""
        steps = []
        for step in self.criteria or []:
            if not isinstance(step, Mapping):
                continue
            shown = _criteria_describer(step) if _criteria_describer else ""
            steps.append({**step, "shown": shown or step.get("description") or step.get("action")})
        return steps


class InteractionLogEntryQuerySet(LedgerQuerySet):
    status_fields = frozenset(
        {
            "canceled",
            "delivery_status",
            "delivery_error",
            "logged_segment",
            # Through notes only (add_interaction_note): the latest note's values.
            "evaluation",
            "attempt_failed",
        }
    )

    def active(self):
        return self.filter(canceled=False)


def entry_document_path(instance, filename):
    return f"entries/{instance.segment_no or 'manual'}/{filename}"


def entry_attachment_path(instance, filename):
    # Outside MEDIA_URL's reach in practice: served only by a view that checks permission.
    return f"attachments/{timezone.now():%Y/%m}/{filename}"


class InteractionLogEntry(LedgerRecord):
    """One interaction with one contact: the ledger row, a snapshot that never changes."""

    entry_no = models.BigAutoField(_("entry no."), primary_key=True)
    contact = models.ForeignKey(
        "crm.Contact", models.PROTECT, related_name="interactions", verbose_name=_("contact")
    )
    contact_company = models.ForeignKey(
        "crm.Contact",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="company_interactions",
        verbose_name=_("contact company"),
    )
    contact_name = models.CharField(_("contact name"), max_length=100)
    logged_segment = models.ForeignKey(
        LoggedSegment,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("logged segment"),
    )
    segment_no = models.CharField(_("segment no."), max_length=20, blank=True)
    date = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=100, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    template = models.ForeignKey(
        InteractionTemplate,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("interaction template"),
    )
    group = models.ForeignKey(
        InteractionGroup,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("interaction group"),
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    correspondence_type = models.CharField(
        _("correspondence type"), max_length=10, blank=True, choices=CorrespondenceType.choices
    )
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2, default=0)
    duration = models.DecimalField(
        _("duration (minutes)"), max_digits=10, decimal_places=2, default=0
    )
    information_flow = models.CharField(
        _("information flow"), max_length=10, blank=True, choices=InformationFlow.choices
    )
    initiated_by = models.CharField(
        _("initiated by"), max_length=10, blank=True, choices=InitiatedBy.choices
    )
    salesperson = models.ForeignKey(
        "crm.Salesperson",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="interactions",
        verbose_name=_("salesperson"),
    )
    evaluation = models.CharField(
        _("evaluation"), max_length=15, blank=True, choices=Evaluation.choices
    )
    attempt_failed = models.BooleanField(_("attempt failed"), default=False)
    canceled = models.BooleanField(_("canceled"), default=False)
    delivery_status = models.CharField(
        _("delivery status"), max_length=10, blank=True, choices=DeliveryStatus.choices
    )
    delivery_error = models.TextField(_("delivery error"), blank=True)
    merge_data = models.JSONField(_("merge data"), default=dict, blank=True)
    document = models.FileField(
        _("document"), upload_to=entry_document_path, blank=True, max_length=255
    )
    attachment = models.FileField(
        _("attachment"),
        upload_to=entry_attachment_path,
        blank=True,
        max_length=255,
        help_text=_("A file kept with the entry, e.g. a scanned letter or a brochure."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = InteractionLogEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("interaction log entry")
        verbose_name_plural = _("interaction log entries")
        ordering = ["-entry_no"]
        permissions = [
            ("cancel_interaction", _("Can cancel logged interactions")),
            ("log_interaction", _("Can log interactions for one contact")),
        ]
        indexes = [
            models.Index(fields=["contact", "-date"], name="ile_contact_date_idx"),
            models.Index(fields=["template", "date"], name="ile_template_date_idx"),
            models.Index(fields=["group", "date"], name="ile_group_date_idx"),
            models.Index(fields=["date"], name="ile_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(cost__gte=0),
                name="interactions_entry_cost_not_negative",
                violation_error_message=_("Cost cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(duration__gte=0),
                name="interactions_entry_duration_not_negative",
                violation_error_message=_("Duration cannot be negative."),
            ),
            models.CheckConstraint(
                condition=blank_or("correspondence_type", CorrespondenceType),
                name="interactions_entry_correspondence_type_valid",
            ),
            models.CheckConstraint(
                condition=blank_or("information_flow", InformationFlow),
                name="interactions_entry_information_flow_valid",
            ),
            models.CheckConstraint(
                condition=blank_or("initiated_by", InitiatedBy),
                name="interactions_entry_initiated_by_valid",
            ),
            models.CheckConstraint(
                condition=blank_or("evaluation", Evaluation),
                name="interactions_entry_evaluation_valid",
            ),
            models.CheckConstraint(
                condition=blank_or("delivery_status", DeliveryStatus),
                name="interactions_entry_delivery_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.entry_no} {self.contact_name} {self.description}".strip()

    def get_absolute_url(self):
        return reverse("interactions:entry-detail", args=[self.pk])

    def audit_repr(self) -> str:
        """The audit trail names an entry by its number: no contact name (erasure)."""
        return str(self.entry_no)


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
