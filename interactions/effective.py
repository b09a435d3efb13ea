"""Effective values of SPEC 4.2 as SQL expressions: one implementation for a segment line
and a single interaction (SPEC 7: a line with no segment).

A value is the line's override, else what its template, the segment header, the header's
template or the contact give, in the order SPEC 4.2 sets. ``annotate_effective_values``
writes these rules once; a ``Sources`` says where each of those comes from, the way
``interactions.merge`` is told the path to the contact:

- a segment line reads its own columns, its segment's (``segment__``), both templates and
  their per-language versions through joins (``segments.effective``);
- a single interaction is one contact row: the values the user gave and the template are
  literals, there is no header (NULL), the template's versions are subqueries
  (``single_sources``).

Every value is an annotation; no row is ever looked at in Python. "Its template" is the
line's interaction template, else the segment's.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import Expression, F, OuterRef, Q, Subquery, Value

from .folded import (
    and_ as _and,
)
from .folded import (
    blank_to_null as _blank_to_null,
)
from .folded import (
    case as _case,
)
from .folded import (
    coalesce as _coalesce,
)
from .folded import (
    equals as _equals,
)
from .folded import (
    is_null as _is_null,
)
from .folded import (
    is_set as _is_set,
)
from .folded import (
    not_ as _not,
)
from .folded import (
    or_ as _or,
)
from .merge import salutation_formula
from .models import InteractionTemplateLanguage

__all__ = [
    "EFFECTIVE_FIELDS",
    "Sources",
    "annotate_effective_values",
    "campaign_values",
    "effective_correspondence_type",
    "effective_salesperson_value",
    "effective_template_value",
    "inherited_number",
    "plain_values",
    "single_sources",
]

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
    "effective_campaign",
    "effective_campaign_target",
    "effective_campaign_response",
)

TEXT = models.CharField()
BLANK = Value("")
COST = models.DecimalField(max_digits=12, decimal_places=2)
DURATION = models.DecimalField(max_digits=10, decimal_places=2)

#: The type of a value a source may give as a literal or NULL (anything else is text).
FIELD_TYPES = {
    "id": models.BigIntegerField(),
    "interaction_template_id": models.BigIntegerField(),
    "salesperson_id": models.BigIntegerField(),
    "group_id": models.BigIntegerField(),
    "campaign_id": models.BigIntegerField(),
    "campaign_target": models.BooleanField(),
    "campaign_response": models.BooleanField(),
    "date": models.DateField(),
    "cost": COST,
    "unit_cost": COST,
    "duration": DURATION,
    "unit_duration": DURATION,
    "ignore_contact_correspondence_type": models.BooleanField(),
    "blocked": models.BooleanField(),
}

#: The owners of per-language versions ``Sources.version`` knows.
LINE_TEMPLATE, HEADER_TEMPLATE, HEADER = "line_template", "header_template", "header"


def output_field(path: str):
    return FIELD_TYPES.get(path.rsplit("__", 1)[-1], TEXT)


@dataclass(frozen=True)
class Sources:
    """Where a row's values come from (each a function of a field name to an expression).

    ``contact``: the path to the contact (``"contact__"`` from a line, ``""`` from the
    contact itself). ``line``: the line's overrides (blank or NULL when inherited; a
    related path such as ``salesperson__name`` reads the line's salesperson).
    ``header``: the segment header's (NULL without a segment). ``line_template`` and
    ``header_template``: the fields of the line's own template and of the header's.
    ``version(owner, language, field)``: ``field`` of the version in the language held by
    the field ``language`` of the line's template, the header's template or the header
    itself (``LINE_TEMPLATE``, ``HEADER_TEMPLATE``, ``HEADER``); ``alias_versions(queryset,
    language)`` prepares what ``version`` reads (joins) once that language is annotated.
    """

    contact: str
    line: Callable[[str], Expression]
    header: Callable[[str], Expression]
    line_template: Callable[[str], Expression]
    header_template: Callable[[str], Expression]
    version: Callable[[str, str, str], Expression]
    alias_versions: Callable[[models.QuerySet, str], models.QuerySet] = lambda queryset, language: (
        queryset
    )


def _has_line_template(sources: Sources) -> Q | bool:
    return _not(_is_null(sources.line("interaction_template_id")))


def effective_template_value(sources: Sources, field: str, output_field=None):
    """``field`` of the row's effective template: the line's template, else the header's."""
    return _case(
        (_has_line_template(sources), sources.line_template(field)),
        default=sources.header_template(field),
        output_field=output_field,
    )


def effective_salesperson_value(sources: Sources, field: str, output_field=None):
    """``field`` of the effective salesperson: line, else header, else the contact's."""
    return _case(
        (_not(_is_null(sources.line("salesperson_id"))), sources.line(f"salesperson__{field}")),
        (
            _not(_is_null(sources.header("salesperson_id"))),
            sources.header(f"salesperson__{field}"),
        ),
        default=F(f"{sources.contact}salesperson__{field}"),
        output_field=output_field,
    )


def _inherited_text(sources: Sources, line_field: str, header_field: str, template_field: str):
    """Line, else the line's own template, else the header, else the header's template."""
    return _coalesce(
        _blank_to_null(sources.line(line_field)),
        _blank_to_null(_case_template(sources, template_field)),
        _blank_to_null(sources.header(header_field)),
        _blank_to_null(sources.header_template(template_field)),
        BLANK,
        output_field=TEXT,
    )


def _case_template(sources: Sources, field: str):
    """``field`` of the line's own template (NULL without one, as its join gives)."""
    if _has_line_template(sources) is False:
        return Value(None, output_field=output_field(field))
    return sources.line_template(field)


def inherited_number(
    sources: Sources, line_field: str, header_field: str, template_field: str, output_field
):
    """A number's effective value: line, line's template, header, header's template, 0.

    Needs only the joins of those four, so aggregates (a segment page's totals) can use it
    without the per-language joins of ``annotate_effective_values``.
    """
    return _coalesce(
        sources.line(line_field),
        _case_template(sources, template_field),
        sources.header(header_field),
        sources.header_template(template_field),
        Value(Decimal(0)),
        output_field=output_field,
    )


def campaign_values(sources: Sources) -> dict:
    """``effective_campaign`` (an id), ``effective_campaign_target`` and
    ``effective_campaign_response`` (SPEC 8): the campaign is the line's, else the
    segment's, else its template's; target and response the line's, else the segment's,
    else false. Needs only the line, header and template joins, so logging can find a
    segment's campaigns without the per-language joins."""
    return {
        "effective_campaign": _coalesce(
            sources.line("campaign_id"),
            sources.header("campaign_id"),
            effective_template_value(sources, "campaign_id", models.BigIntegerField()),
            output_field=models.BigIntegerField(),
        ),
        **{
            f"effective_{flag}": _coalesce(
                sources.line(flag),
                sources.header(flag),
                Value(False),
                output_field=models.BooleanField(),
            )
            for flag in ("campaign_target", "campaign_response")
        },
    }


def effective_correspondence_type(sources: Sources):
    """The row's channel: the line's, else the header's when it ignores the contact's,
    else its template's when that ignores the contact's (or the contact has none), else
    the contact's."""
    ignore = "ignore_contact_correspondence_type"
    contact_type = F(f"{sources.contact}correspondence_type")
    header_ignores = _or(
        _equals(sources.header(ignore), True),
        # A blank "ignore" on the header is its template's, like every header field.
        _and(_is_null(sources.header(ignore)), _equals(sources.header_template(ignore), True)),
    )
    return _case(
        (_is_set(sources.line("correspondence_type")), sources.line("correspondence_type")),
        (
            _and(header_ignores, _is_set(sources.header("correspondence_type"))),
            sources.header("correspondence_type"),
        ),
        (
            _and(
                _has_line_template(sources),
                _or(_equals(sources.line_template(ignore), True), _equals(contact_type, "")),
            ),
            sources.line_template("correspondence_type"),
        ),
        (
            _and(
                _not(_has_line_template(sources)),
                _not(_is_null(sources.header("interaction_template_id"))),
                _or(_equals(sources.header_template(ignore), True), _equals(contact_type, "")),
            ),
            sources.header_template("correspondence_type"),
        ),
        default=contact_type,
        output_field=TEXT,
    )


def _language(sources: Sources):
    """The line's language; else the contact's when its template has a version in it;
    else the header's; else its template's default language."""
    contact_language = f"{sources.contact}language"
    has_line_template = _has_line_template(sources)
    has_version = _or(
        _and(
            has_line_template,
            _not(_is_null(sources.version(LINE_TEMPLATE, contact_language, "id"))),
        ),
        _and(
            _not(has_line_template),
            _not(_is_null(sources.version(HEADER_TEMPLATE, contact_language, "id"))),
        ),
    )
    return _case(
        (_is_set(sources.line("language")), sources.line("language")),
        (_and(_is_set(F(contact_language)), has_version), F(contact_language)),
        (_is_set(sources.header("language")), sources.header("language")),
        default=_coalesce(
            effective_template_value(sources, "default_language", TEXT), BLANK, output_field=TEXT
        ),
        output_field=TEXT,
    )


def _header_subject(sources: Sources):
    """The header's subject is in the header's language or, when it names none, its
    template's default language: blank in any other language."""
    language = sources.header("language")
    default_language = sources.header_template("default_language")
    return _case(
        (
            _or(
                _and(
                    _equals(language, ""),
                    _or(
                        _is_null(sources.header("interaction_template_id")),
                        _equals(default_language, ""),
                        _equals(F("effective_language"), default_language),
                    ),
                ),
                _equals(language, F("effective_language")),
            ),
            sources.header("subject"),
        ),
        default=BLANK,
        output_field=TEXT,
    )


def plain_values(sources: Sources) -> dict:
    """The effective values that do not depend on the language (every one but the subject,
    the document and the language itself): what the checks before logging read, without
    the per-language joins."""
    contact = sources.contact
    return dict(
        effective_template=_coalesce(
            sources.line("interaction_template_id"),
            sources.header("interaction_template_id"),
            output_field=models.BigIntegerField(),
        ),
        effective_group=effective_template_value(sources, "group_id", models.BigIntegerField()),
        effective_description=_inherited_text(sources, "description", "description", "description"),
        effective_date=_coalesce(
            sources.line("date"), sources.header("date"), output_field=models.DateField()
        ),
        effective_salesperson=_coalesce(
            sources.line("salesperson_id"),
            sources.header("salesperson_id"),
            F(f"{contact}salesperson_id"),
            output_field=models.BigIntegerField(),
        ),
        effective_correspondence_type=effective_correspondence_type(sources),
        effective_cost=inherited_number(sources, "cost", "unit_cost", "unit_cost", COST),
        effective_duration=inherited_number(
            sources, "duration", "unit_duration", "unit_duration", DURATION
        ),
        effective_information_flow=_inherited_text(
            sources, "information_flow", "information_flow", "information_flow"
        ),
        effective_initiated_by=_inherited_text(
            sources, "initiated_by", "initiated_by", "initiated_by"
        ),
        **campaign_values(sources),
    )


def annotate_effective_values(queryset, sources: Sources):
    """Annotate rows with ``effective_<field>`` for every value of SPEC 4.2.

    ``effective_template``, ``effective_group`` and ``effective_salesperson`` are ids. The
    rows also get the ``_salutation_formula`` alias the merge expressions read.
    """
    contact = sources.contact
    # The templates' versions in the contact's language, if any.
    queryset = sources.alias_versions(queryset, f"{contact}language")
    values = {}
    for name, expression in plain_values(sources).items():
        values[name] = expression
        if name == "effective_correspondence_type":
            values["effective_language"] = _language(sources)
    queryset = queryset.annotate(**values)
    # order_by() drops the models' default ordering, which would join the parent tables.
    template_default_language = InteractionTemplateLanguage.objects.filter(
        template_id=OuterRef("effective_template"),
        language=OuterRef("_template_default_language"),
    ).order_by()
    queryset = queryset.alias(
        _template_default_language=effective_template_value(sources, "default_language", TEXT)
    )
    # The header's and the templates' versions in the effective language.
    queryset = sources.alias_versions(queryset, "effective_language")
    # The contact's salutation formula in that language, for the merge fields.
    queryset = queryset.alias(_salutation_formula=salutation_formula(contact, "effective_language"))

    def template_version(field: str):
        """``field`` of the effective template's version in the effective language: read
        through the versions joined above, where a subquery per row would cost more."""
        return _case(
            (
                _has_line_template(sources),
                sources.version(LINE_TEMPLATE, "effective_language", field),
            ),
            default=sources.version(HEADER_TEMPLATE, "effective_language", field),
            output_field=TEXT,
        )

    return queryset.annotate(
        effective_subject=_coalesce(
            _blank_to_null(sources.line("subject")),
            _blank_to_null(sources.version(HEADER, "effective_language", "subject")),
            _blank_to_null(_header_subject(sources)),
            _blank_to_null(template_version("subject")),
            F("effective_description"),
            output_field=TEXT,
        ),
        effective_document=_coalesce(
            _blank_to_null(sources.line("document")),
            _blank_to_null(sources.version(HEADER, "effective_language", "document")),
            _blank_to_null(template_version("document")),
            _blank_to_null(Subquery(template_default_language.values("document")[:1])),
            BLANK,
            output_field=TEXT,
        ),
    )


def _literal(value, path: str):
    return Value(value, output_field=output_field(path))


def single_sources(*, template, given: dict, salesperson) -> Sources:
    """The sources of a single interaction (SPEC 7), read from the contact's own row: the
    line's overrides are ``given`` (line field -> value, blank or None to inherit) and
    ``salesperson`` (whose fields ``salesperson__<field>`` read), the line's template is
    ``template``; there is no segment header."""
    line_values = {
        **given,
        "interaction_template_id": template.pk if template is not None else None,
        "salesperson_id": salesperson.pk if salesperson is not None else None,
    }

    def from_object(obj, path: str):
        field = path.rsplit("__", 1)[-1]
        return _literal(getattr(obj, field) if obj is not None else None, path)

    def line(path: str):
        if path.startswith("salesperson__"):
            return from_object(salesperson, path)
        return _literal(line_values.get(path), path)

    def version(owner: str, language: str, field: str):
        if owner != LINE_TEMPLATE or template is None:
            return _literal(None, field)
        return Subquery(
            InteractionTemplateLanguage.objects.filter(
                template_id=template.pk, language=OuterRef(language)
            )
            .order_by()
            .values(field)[:1],
            output_field=output_field(field),
        )

    return Sources(
        contact="",
        line=line,
        header=lambda path: _literal(None, path),
        line_template=lambda path: from_object(template, path),
        header_template=lambda path: _literal(None, path),
        version=version,
    )
