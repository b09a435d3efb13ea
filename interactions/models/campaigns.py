"""Campaigns (SPEC 8): a marketing effort that groups segments and interactions, and the
campaign entries logging writes for it."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import CODE_LENGTH
from crm.numbering import next_code

from .base import LedgerQuerySet, LedgerRecord


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")


class Campaign(models.Model):
    """A marketing effort ("Spring fair 2027"): its segments and interactions are judged
    together by how many of its targets responded."""

    no = models.CharField(_("no."), max_length=CODE_LENGTH, unique=True, blank=True)
    description = models.CharField(_("description"), max_length=100, blank=True)
    starting_date = models.DateField(_("starting date"), null=True, blank=True)
    ending_date = models.DateField(_("ending date"), null=True, blank=True)
    salesperson = models.ForeignKey(
        "crm.Salesperson",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("salesperson"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-no"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CampaignStatus.values),
                name="interactions_campaign_status_valid",
                violation_error_message=_("Status must be planned, active or completed."),
            ),
            models.CheckConstraint(
                condition=Q(starting_date__isnull=True)
                | Q(ending_date__isnull=True)
                | Q(ending_date__gte=F("starting_date")),
                name="interactions_campaign_dates_in_order",
                violation_error_message=_("The ending date cannot be before the starting date."),
            ),
        ]

    def __str__(self):
        return f"{self.no} {self.description}".strip()

    def save(self, **kwargs):
        """A blank number takes the next of the number series (CP00001, CP00002, ...)."""
        if not self.no:
            self.no = next_code("CAMPAIGN", Campaign)
        super().save(**kwargs)

    def get_absolute_url(self):
        return reverse("campaigns:campaign-detail", args=[self.pk])


class CampaignEntryQuerySet(LedgerQuerySet):
    # Canceled follows its interaction log entries; a deleted canceled logged segment
    # leaves its campaign entries unlinked, like its interaction log entries.
    status_fields = frozenset({"canceled", "logged_segment"})

    def active(self):
        return self.filter(canceled=False)


class CampaignEntry(LedgerRecord):
    """What logging a segment (or one interaction) did for a campaign: one row per campaign
    and logging, shared by the interaction log entries it wrote. Append-only like them."""

    entry_no = models.BigAutoField(_("entry no."), primary_key=True)
    campaign = models.ForeignKey(
        Campaign, models.PROTECT, related_name="entries", verbose_name=_("campaign")
    )
    logged_segment = models.ForeignKey(
        "interactions.LoggedSegment",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaign_entries",
        verbose_name=_("logged segment"),
    )
    segment_no = models.CharField(_("segment no."), max_length=20, blank=True)
    description = models.CharField(_("description"), max_length=100, blank=True)
    date = models.DateField(_("date"))
    canceled = models.BooleanField(_("canceled"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    objects = CampaignEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign entry")
        verbose_name_plural = _("campaign entries")
        ordering = ["-entry_no"]
        indexes = [models.Index(fields=["campaign", "date"], name="campaignentry_campaign_idx")]

    def __str__(self):
        return f"{self.entry_no} {self.campaign.no} {self.description}".strip()
