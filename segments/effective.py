"""Effective values of segment lines (SPEC 4.2): header defaults, line overrides, in SQL.

A line stores only what the user overrode. Everything else is inherited when the line is
read, so a change to the segment header reaches every line that does not override that
value without writing to the lines, and clearing an override returns the line to
inheriting. Every value is an annotation (``Coalesce`` / ``Case`` / ``Subquery``); no line
is ever looked at in Python.

"Its template" is the line's interaction template, else the segment's.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Case, F, FilteredRelation, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, NullIf

from interactions.merge import salutation_formula
from interactions.models import InteractionTemplateLanguage

EFFECTIVE_FIELDS = (
    "effective_template",
    "effective_group",
    "effective_description",
    "effective_date",
    "effective_salesperson",
    "effective_language",
    "effective_subject",
    "effective_correspondence_type",
    "effective_cost",
    "effective_duration",
    "effective_information_flow",
    "effective_initiated_by",
    "effective_document",
)

BLANK = Value("")


def _set(field: str):
    """The value of ``field``, NULL when blank, so that Coalesce moves on to the next."""
    return NullIf(F(field), BLANK)


def line_template(field: str, output_field=None):
    """``field`` of the line's own template (NULL unless the line overrides the template)."""
    return F(f"interaction_template__{field}")


def effective_template_value(field: str, output_field=None):
    """``field`` of the line's effective template: the line's template, else the segment's."""
    return Case(
        When(interaction_template__isnull=False, then=F(f"interaction_template__{field}")),
        default=F(f"segment__interaction_template__{field}"),
        output_field=output_field,
    )


def effective_salesperson_value(field: str, output_field=None):
    """``field`` of the effective salesperson: line, else segment, else contact."""
    return Case(
        When(salesperson__isnull=False, then=F(f"salesperson__{field}")),
        When(segment__salesperson__isnull=False, then=F(f"segment__salesperson__{field}")),
        default=F(f"contact__salesperson__{field}"),
        output_field=output_field,
    )


def _inherited_text(line_field: str, segment_field: str, template_field: str):
    """Line, else the line's own template, else the segment, else the segment's template."""
    return Coalesce(
        _set(line_field),
        NullIf(line_template(template_field), BLANK),
        _set(f"segment__{segment_field}"),
        NullIf(F(f"segment__interaction_template__{template_field}"), BLANK),
        BLANK,
        output_field=models.CharField(),
    )


def inherited_number(line_field: str, segment_field: str, template_field: str, output_field):
    """A number's effective value: line, line's template, segment, segment's template, 0.

    Needs only the joins of those four, so aggregates (the page's totals) can use it
    without the per-language joins of ``annotate_effective_values``.
    """
    return Coalesce(
        F(line_field),
        line_template(template_field),
        F(f"segment__{segment_field}"),
        F(f"segment__interaction_template__{template_field}"),
        Value(Decimal(0)),
        output_field=output_field,
    )


def annotate_effective_values(queryset):
    """Annotate segment lines with ``effective_<field>`` for every value of SPEC 4.2.

    ``effective_template``, ``effective_group`` and ``effective_salesperson`` are ids.
    """
    text = models.CharField()
    # The template's version in the contact's language, if any (one row at most: a
    # template has one version per language).
    queryset = queryset.alias(
        _line_template_version=FilteredRelation(
            "interaction_template__languages",
            condition=Q(interaction_template__languages__language=F("contact__language")),
        ),
        _segment_template_version=FilteredRelation(
            "segment__interaction_template__languages",
            condition=Q(segment__interaction_template__languages__language=F("contact__language")),
        ),
    )
    queryset = queryset.annotate(
        effective_template=Case(
            When(interaction_template__isnull=False, then=F("interaction_template_id")),
            default=F("segment__interaction_template_id"),
            output_field=models.BigIntegerField(),
        ),
        effective_group=effective_template_value("group_id", models.BigIntegerField()),
        effective_description=_inherited_text("description", "description", "description"),
        effective_date=Coalesce(F("date"), F("segment__date"), output_field=models.DateField()),
        effective_salesperson=Coalesce(
            F("salesperson_id"),
            F("segment__salesperson_id"),
            F("contact__salesperson_id"),
            output_field=models.BigIntegerField(),
        ),
        effective_correspondence_type=Case(
            When(~Q(correspondence_type=""), then=F("correspondence_type")),
            # A blank "ignore" on the header is its template's, like every header field.
            When(
                (
                    Q(segment__ignore_contact_correspondence_type=True)
                    | Q(
                        segment__ignore_contact_correspondence_type__isnull=True,
                        segment__interaction_template__ignore_contact_correspondence_type=True,
                    )
                )
                & ~Q(segment__correspondence_type=""),
                then=F("segment__correspondence_type"),
            ),
            When(
                Q(interaction_template__isnull=False)
                & (
                    Q(interaction_template__ignore_contact_correspondence_type=True)
                    | Q(contact__correspondence_type="")
                ),
                then=F("interaction_template__correspondence_type"),
            ),
            When(
                Q(interaction_template__isnull=True)
                & Q(segment__interaction_template__isnull=False)
                & (
                    Q(segment__interaction_template__ignore_contact_correspondence_type=True)
                    | Q(contact__correspondence_type="")
                ),
                then=F("segment__interaction_template__correspondence_type"),
            ),
            default=F("contact__correspondence_type"),
            output_field=text,
        ),
        # The contact's language wins only when the template has a version in it. The
        # versions come from two LEFT JOINs (evaluated once per line) rather than an EXISTS
        # that every use of the language would evaluate again.
        effective_language=Case(
            When(~Q(language=""), then=F("language")),
            When(
                ~Q(contact__language="")
                & (
                    Q(interaction_template__isnull=False, _line_template_version__isnull=False)
                    | Q(interaction_template__isnull=True, _segment_template_version__isnull=False)
                ),
                then=F("contact__language"),
            ),
            When(~Q(segment__language=""), then=F("segment__language")),
            default=Coalesce(
                effective_template_value("default_language", text), BLANK, output_field=text
            ),
            output_field=text,
        ),
        effective_cost=inherited_number(
            "cost", "unit_cost", "unit_cost", models.DecimalField(max_digits=12, decimal_places=2)
        ),
        effective_duration=inherited_number(
            "duration",
            "unit_duration",
            "unit_duration",
            models.DecimalField(max_digits=10, decimal_places=2),
        ),
        effective_information_flow=_inherited_text(
            "information_flow", "information_flow", "information_flow"
        ),
        effective_initiated_by=_inherited_text("initiated_by", "initiated_by", "initiated_by"),
    )
    # order_by() drops the models' default ordering, which would join the parent tables.
    template_language = InteractionTemplateLanguage.objects.filter(
        template_id=OuterRef("effective_template"), language=OuterRef("effective_language")
    ).order_by()
    template_default_language = InteractionTemplateLanguage.objects.filter(
        template_id=OuterRef("effective_template"),
        language=OuterRef("_template_default_language"),
    ).order_by()
    queryset = queryset.alias(
        _template_default_language=effective_template_value("default_language", text)
    )
    # The segment's and the template's version in the effective language: LEFT JOINs (at
    # most one row each), cheaper than a subquery per line on a large segment.
    queryset = queryset.alias(
        _segment_version=FilteredRelation(
            "segment__languages",
            condition=Q(segment__languages__language=F("effective_language")),
        ),
        _line_template_language=FilteredRelation(
            "interaction_template__languages",
            condition=Q(interaction_template__languages__language=F("effective_language")),
        ),
        _segment_template_language=FilteredRelation(
            "segment__interaction_template__languages",
            condition=Q(segment__interaction_template__languages__language=F("effective_language")),
        ),
        # The contact's salutation formula in that language, for the merge fields.
        _salutation_formula=salutation_formula("contact__", "effective_language"),
    )
    template_subject = Case(
        When(interaction_template__isnull=False, then=F("_line_template_language__subject")),
        default=F("_segment_template_language__subject"),
        output_field=text,
    )
    # The header's subject is the segment's subject in the segment's language, which is
    # the header's language or, when it names none, its template's default language.
    header_subject = Case(
        When(
            Q(segment__language="", segment__interaction_template__isnull=True)
            | Q(segment__language="", segment__interaction_template__default_language="")
            | Q(
                segment__language="",
                effective_language=F("segment__interaction_template__default_language"),
            )
            | Q(segment__language=F("effective_language")),
            then=F("segment__subject"),
        ),
        default=BLANK,
        output_field=text,
    )
    return queryset.annotate(
        effective_subject=Coalesce(
            _set("subject"),
            NullIf(F("_segment_version__subject"), BLANK),
            NullIf(header_subject, BLANK),
            NullIf(template_subject, BLANK),
            F("effective_description"),
            output_field=text,
        ),
        effective_document=Coalesce(
            _set("document"),
            # Through the join the subject already pays for: this module reads the
            # segment's languages without importing segments.models (which imports it).
            NullIf(F("_segment_version__document"), BLANK),
            NullIf(Subquery(template_language.values("document")[:1]), BLANK),
            NullIf(Subquery(template_default_language.values("document")[:1]), BLANK),
            BLANK,
            output_field=text,
        ),
    )
