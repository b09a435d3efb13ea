"""The ledger: logged segments and interaction log entries (append-only)."""

from collections.abc import Callable, Mapping

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.choices import CorrespondenceType, blank_or

from ..choices import DeliveryStatus, Evaluation, InformationFlow, InitiatedBy
from .base import LedgerQuerySet, LedgerRecord
from .summaries import CURRENT, summarize
from .templates import InteractionGroup, InteractionTemplate

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

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        keys = [entry.pk for entry in created if entry.pk is not None]
        if keys:
            summarize(self.model.objects.using(self.db).filter(pk__in=keys))
        return created

    def record_status(self, **values) -> int:
        """As ``LedgerQuerySet.record_status``; a change of ``canceled`` or
        ``attempt_failed`` first moves the entries' figures in the summaries (one
        statement per summary over the entries that change, in the same transaction)."""
        figures = {name: values[name] for name in ("canceled", "attempt_failed") if name in values}
        if figures and not (set(values) - self.status_fields):
            changing = Q()
            for name, value in figures.items():
                changing |= ~Q(**{name: value})
            after = (
                Value(0 if figures["canceled"] else 1) if "canceled" in figures else CURRENT[0],
                Value(1 if figures["attempt_failed"] else 0)
                if "attempt_failed" in figures
                else CURRENT[1],
            )
            summarize(self.filter(changing), before=CURRENT, after=after, present=(1, 1))
        return super().record_status(**values)

    record_status.alters_data = True


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
    # SPEC 8: written when the entry is logged, never changed afterwards.
    campaign = models.ForeignKey(
        "interactions.Campaign",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="interaction_entries",
        verbose_name=_("campaign"),
    )
    campaign_entry = models.ForeignKey(
        "interactions.CampaignEntry",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="interaction_entries",
        verbose_name=_("campaign entry"),
    )
    campaign_target = models.BooleanField(_("campaign target"), default=False)
    campaign_response = models.BooleanField(_("campaign response"), default=False)
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
            models.Index(fields=["campaign", "date"], name="ile_campaign_date_idx"),
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

    def save(self, **kwargs):
        super().save(**kwargs)
        # Inserted (LedgerRecord refuses anything else): its figures join the summaries.
        summarize(type(self).objects.using(self._state.db).filter(pk=self.pk))

    def get_absolute_url(self):
        return reverse("interactions:entry-detail", args=[self.pk])

    def audit_repr(self) -> str:
        """The audit trail names an entry by its number: no contact name (erasure)."""
        return str(self.entry_no)
