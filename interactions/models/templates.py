"""Interaction groups and templates with their per-language letters."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.choices import CorrespondenceType, blank_or
from crm.models import SHORT_CODE_LENGTH, CodedModel

from ..choices import InformationFlow, InitiatedBy


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
    campaign = models.ForeignKey(
        "interactions.Campaign",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="templates",
        verbose_name=_("campaign"),
    )

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
