"""The segment worksheet: header, lines, criteria actions and their history."""

import re
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from crm.choices import CorrespondenceType, blank_or
from crm.models import CODE_LENGTH, SHORT_CODE_LENGTH
from interactions.choices import Evaluation, InformationFlow, InitiatedBy

from .effective import annotate_effective_values

LINE_NO_STEP = 10000

#: The description a follow-up segment is created with (SPEC 4.4).
FOLLOW_UP_DESCRIPTION = gettext_noop("Follow-up on segment %(no)s")


@cache
def _follow_up_pattern(language: str) -> re.Pattern:
    with translation.override(language):
        text = gettext(FOLLOW_UP_DESCRIPTION)
    return re.compile(re.escape(text).replace(re.escape("%(no)s"), "(?P<no>.+)"))


def follow_up_description(description: str) -> str:
    """``description`` in the active language while it is the generated follow-up text
    (in any of the site's languages); text the user has edited is shown as typed."""
    for language, _name in settings.LANGUAGES:
        found = _follow_up_pattern(language).fullmatch(description)
        if found:
            return gettext(FOLLOW_UP_DESCRIPTION) % {"no": found["no"]}
    return description


class CriteriaActionType(models.TextChoices):
    ADD = "add", _("Add contacts")
    REDUCE = "reduce", _("Reduce contacts")
    REFINE = "refine", _("Refine contacts")


def _non_negative(model: str, field: str, label) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0}),
        name=f"segments_{model}_{field}_not_negative",
        violation_error_message=_("%(label)s cannot be negative.") % {"label": label},
    )


def _enum_checks(model: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=blank_or(field, choices),
            name=f"segments_{model}_{field}_valid",
        )
        for field, choices in [
            ("correspondence_type", CorrespondenceType),
            ("information_flow", InformationFlow),
            ("initiated_by", InitiatedBy),
        ]
    ]


class Segment(models.Model):
    """The header: what every line records unless the line overrides it.

    Every interaction field may be blank, meaning "take it from the template".
    """

    no = models.CharField(_("no."), max_length=CODE_LENGTH, unique=True)
    description = models.CharField(_("description"), max_length=100, blank=True)
    date = models.DateField(_("date"), default=timezone.localdate)
    salesperson = models.ForeignKey(
        "crm.Salesperson",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="segments",
        verbose_name=_("salesperson"),
    )
    interaction_template = models.ForeignKey(
        "interactions.InteractionTemplate",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="segments",
        verbose_name=_("interaction template"),
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    correspondence_type = models.CharField(
        _("correspondence type"), max_length=10, blank=True, choices=CorrespondenceType.choices
    )
    ignore_contact_correspondence_type = models.BooleanField(
        _("ignore contact correspondence type"), null=True, blank=True
    )
    unit_cost = models.DecimalField(
        _("unit cost"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    unit_duration = models.DecimalField(
        _("unit duration (minutes)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    information_flow = models.CharField(
        _("information flow"), max_length=10, blank=True, choices=InformationFlow.choices
    )
    initiated_by = models.CharField(
        _("initiated by"), max_length=10, blank=True, choices=InitiatedBy.choices
    )
    send_as_attachment = models.BooleanField(_("send as attachment"), default=False)
    # SPEC 8: blank takes the template's campaign; target and response blank are "no".
    campaign = models.ForeignKey(
        "interactions.Campaign",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="segments",
        verbose_name=_("campaign"),
    )
    campaign_target = models.BooleanField(_("campaign target"), null=True, blank=True)
    campaign_response = models.BooleanField(_("campaign response"), null=True, blank=True)
    follow_up_of = models.ForeignKey(
        "interactions.LoggedSegment",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_up_segments",
        verbose_name=_("follow-up of"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["-no"]
        permissions = [("log_segment", _("Can log segments"))]
        constraints = [
            _non_negative("segment", "unit_cost", _("Unit cost")),
            _non_negative("segment", "unit_duration", _("Unit duration")),
            *_enum_checks("segment"),
        ]

    def __str__(self):
        return f"{self.no} {self.description}".strip()

    def get_absolute_url(self):
        return reverse("segments:segment-detail", args=[self.pk])

    @property
    def shown_description(self) -> str:
        """The description as pages show it: a follow-up segment's generated text is
        rendered in the reader's language until the user edits it."""
        if self.follow_up_of_id is None:
            return self.description
        return follow_up_description(self.description)


def segment_document_path(instance, filename):
    return f"segments/{instance.segment_id}/{instance.language}/{filename}"


class SegmentLanguage(models.Model):
    """A segment's own subject and edited letter in one language."""

    segment = models.ForeignKey(
        Segment, models.CASCADE, related_name="languages", verbose_name=_("segment")
    )
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    document = models.FileField(
        _("document"), upload_to=segment_document_path, blank=True, max_length=255
    )

    class Meta:
        verbose_name = _("segment language")
        verbose_name_plural = _("segment languages")
        ordering = ["segment", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["segment", "language"],
                name="segments_segmentlanguage_unique",
                violation_error_message=_("This segment already has this language."),
            )
        ]

    def __str__(self):
        return f"{self.segment.no} ({self.language})"


class ActionOptions(models.Model):
    """What a criteria action did: the action, its criteria JSON and its options."""

    action = models.CharField(_("action"), max_length=10, choices=CriteriaActionType.choices)
    criteria = models.JSONField(_("criteria"), default=dict, blank=True)
    allow_existing = models.BooleanField(_("allow existing contacts"), default=False)
    expand_companies = models.BooleanField(_("expand companies"), default=False)
    allow_related_companies = models.BooleanField(_("allow related companies"), default=False)
    ignore_exclusion = models.BooleanField(_("ignore exclusion"), default=False)
    leave_out_opted_out = models.BooleanField(_("leave out opted-out contacts"), default=False)
    entire_companies = models.BooleanField(_("entire companies"), default=False)
    # Not an option: marks a line added or removed by hand (add_line / remove_line), so
    # that saving criteria can say which steps a replay will repeat.
    manual = models.BooleanField(_("by hand"), default=False)

    class Meta:
        abstract = True


class CriteriaAction(ActionOptions):
    """One step of building a segment; ``go_back`` undoes the latest exactly."""

    segment = models.ForeignKey(
        Segment, models.CASCADE, related_name="actions", verbose_name=_("segment")
    )
    seq = models.PositiveIntegerField(_("step"))
    description = models.TextField(_("description"), blank=True)
    added = models.PositiveIntegerField(_("lines added"), default=0)
    removed = models.PositiveIntegerField(_("lines removed"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("criteria action")
        verbose_name_plural = _("criteria actions")
        ordering = ["segment", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["segment", "seq"],
                name="segments_criteriaaction_unique_seq",
                violation_error_message=_("This segment already has a step with this number."),
            ),
            models.CheckConstraint(
                condition=Q(action__in=CriteriaActionType.values),
                name="segments_criteriaaction_action_valid",
                violation_error_message=_("Action must be add, reduce or refine."),
            ),
        ]

    def __str__(self):
        return f"{self.segment.no} #{self.seq}: {self.description}"


def line_document_path(instance, filename):
    return f"segments/{instance.segment_id}/lines/{instance.line_no}/{filename}"


class LineValues(models.Model):
    """A segment line's own values; blank overrides inherit (see SegmentLineQuerySet)."""

    line_no = models.BigIntegerField(_("line no."))
    contact = models.ForeignKey(
        "crm.Contact", models.PROTECT, related_name="+", verbose_name=_("contact")
    )
    added_by = models.ForeignKey(
        CriteriaAction,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    interaction_template = models.ForeignKey(
        "interactions.InteractionTemplate",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("interaction template"),
    )
    description = models.CharField(_("description"), max_length=100, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    correspondence_type = models.CharField(
        _("correspondence type"), max_length=10, blank=True, choices=CorrespondenceType.choices
    )
    salesperson = models.ForeignKey(
        "crm.Salesperson",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("salesperson"),
    )
    date = models.DateField(_("date"), null=True, blank=True)
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
    campaign = models.ForeignKey(
        "interactions.Campaign",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("campaign"),
    )
    campaign_target = models.BooleanField(_("campaign target"), null=True, blank=True)
    campaign_response = models.BooleanField(_("campaign response"), null=True, blank=True)
    personal_note = models.TextField(_("personal note"), blank=True)
    document = models.FileField(
        _("personalised document"), upload_to=line_document_path, blank=True, max_length=255
    )

    class Meta:
        abstract = True


class SegmentLineQuerySet(models.QuerySet):
    def with_effective_values(self):
        """Annotate every line with its effective values (SPEC 4.2), computed in SQL."""
        return annotate_effective_values(self)


class SegmentLine(LineValues):
    segment = models.ForeignKey(
        Segment, models.CASCADE, related_name="lines", verbose_name=_("segment")
    )
    # No index of the key's own: segments_line_contact_idx below is that index, by name.
    contact = models.ForeignKey(
        "crm.Contact",
        models.PROTECT,
        related_name="segment_lines",
        verbose_name=_("contact"),
        db_index=False,
    )

    objects = SegmentLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("segment line")
        verbose_name_plural = _("segment lines")
        ordering = ["segment", "line_no"]
        indexes = [
            models.Index(fields=["contact"], name="segments_line_contact_idx"),
            models.Index(fields=["segment", "contact"], name="segments_line_seg_contact_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["segment", "line_no"],
                name="segments_segmentline_unique_line_no",
                violation_error_message=_("This segment already has a line with this number."),
            ),
            _non_negative("segmentline", "cost", _("Cost")),
            _non_negative("segmentline", "duration", _("Duration")),
            *_enum_checks("segmentline"),
            models.CheckConstraint(
                condition=blank_or("evaluation", Evaluation),
                name="segments_segmentline_evaluation_valid",
            ),
        ]

    def __str__(self):
        return f"{self.segment.no} {self.line_no}"

    def get_absolute_url(self):
        return f"{self.segment.get_absolute_url()}#line-{self.line_no}"


def refuse_company_change_on_a_segment(contact) -> None:
    """A person's company cannot change while the person is on a segment line.

    Registered in ``crm.models.COMPANY_CHANGE_GUARDS`` by ``SegmentsConfig.ready``: the
    rule is this app's, the contact model that must respect it is ``crm``'s.
    """
    if SegmentLine.objects.filter(contact_id=contact.pk).exists():
        raise ValidationError(
            {
                "company": ValidationError(
                    _("The company of %(no)s cannot change while the contact is on a segment."),
                    code="company_on_segment",
                    params={"no": contact.no},
                )
            }
        )


class RemovedLine(LineValues):
    """A snapshot of a line that a reduce, refine or manual removal deleted.

    ``go_back`` restores it exactly: same line number, same overrides, same ``added_by``.
    """

    segment = models.ForeignKey(
        Segment, models.CASCADE, related_name="removed_lines", verbose_name=_("segment")
    )
    removed_by = models.ForeignKey(
        CriteriaAction,
        models.CASCADE,
        related_name="removed_lines",
        verbose_name=_("removed by"),
    )

    class Meta:
        verbose_name = _("removed line")
        verbose_name_plural = _("removed lines")
        ordering = ["removed_by", "line_no"]
        indexes = [models.Index(fields=["removed_by"], name="segments_removed_action_idx")]

    def __str__(self):
        return f"{self.segment.no} {self.line_no} (removed)"


class SavedCriteria(models.Model):
    """A named, ordered list of criteria actions that any segment can replay."""

    code = models.CharField(_("code"), max_length=SHORT_CODE_LENGTH, unique=True)
    description = models.CharField(_("description"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved criteria")
        verbose_name_plural = _("saved criteria")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.description}".strip()

    def get_absolute_url(self):
        return reverse("segments:saved-criteria-detail", args=[self.pk])


class SavedCriteriaAction(ActionOptions):
    saved = models.ForeignKey(
        SavedCriteria, models.CASCADE, related_name="actions", verbose_name=_("saved criteria")
    )
    seq = models.PositiveIntegerField(_("step"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("saved criteria action")
        verbose_name_plural = _("saved criteria actions")
        ordering = ["saved", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["saved", "seq"],
                name="segments_savedcriteriaaction_unique_seq",
                violation_error_message=_("These saved criteria already have this step."),
            ),
            models.CheckConstraint(
                condition=Q(action__in=CriteriaActionType.values),
                name="segments_savedcriteriaaction_action_valid",
                violation_error_message=_("Action must be add, reduce or refine."),
            ),
        ]

    def __str__(self):
        return f"{self.saved.code} #{self.seq}: {self.description}"
