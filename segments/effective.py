"""Effective values of segment lines (SPEC 4.2): header defaults, line overrides, in SQL.

A line stores only what the user overrode. Everything else is inherited when the line is
read, so a change to the segment header reaches every line that does not override that
value without writing to the lines, and clearing an override returns the line to
inheriting. The rules are ``interactions.effective``'s, shared with a single interaction;
this module says where a line finds them: its own columns, its segment's, both templates
and their per-language versions through LEFT JOINs (at most one row each, cheaper than a
subquery per line on a large segment). No line is ever looked at in Python.
"""

from django.db.models import Count, F, FilteredRelation, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from interactions import effective
from interactions.effective import EFFECTIVE_FIELDS, Sources

__all__ = [
    "EFFECTIVE_FIELDS",
    "LINE_SOURCES",
    "annotate_campaign_values",
    "annotate_effective_values",
    "effective_salesperson_value",
    "effective_template_value",
    "inherited_number",
    "new_line_correspondence_type",
    "overridden_sources",
    "plain_values",
]

#: Where each version of ``Sources.version`` is joined from a line.
_VERSION_RELATIONS = {
    effective.LINE_TEMPLATE: "interaction_template__languages",
    effective.HEADER_TEMPLATE: "segment__interaction_template__languages",
    # Through this join this module reads the segment's languages without importing
    # segments.models (which imports it).
    effective.HEADER: "segment__languages",
}


def _version_alias(owner: str, language: str) -> str:
    return f"_{owner}_in_{language.replace('__', '_')}"


def _alias_versions(queryset, language: str):
    """Join the versions in the language of field ``language`` (only those used are
    joined)."""
    return queryset.alias(
        **{
            _version_alias(owner, language): FilteredRelation(
                relation, condition=Q(**{f"{relation}__language": F(language)})
            )
            for owner, relation in _VERSION_RELATIONS.items()
        }
    )


LINE_SOURCES = Sources(
    contact="contact__",
    line=F,
    header=lambda field: F(f"segment__{field}"),
    line_template=lambda field: F(f"interaction_template__{field}"),
    header_template=lambda field: F(f"segment__interaction_template__{field}"),
    version=lambda owner, language, field: F(f"{_version_alias(owner, language)}__{field}"),
    alias_versions=_alias_versions,
)


#: The line's own columns the rules read (``Sources.line``): its overrides.
OVERRIDES = (
    "interaction_template_id",
    "description",
    "subject",
    "language",
    "correspondence_type",
    "salesperson_id",
    "date",
    "cost",
    "duration",
    "information_flow",
    "initiated_by",
    "campaign_id",
    "campaign_target",
    "campaign_response",
    "document",
)
_TEXT_OVERRIDES = {
    "description",
    "subject",
    "language",
    "correspondence_type",
    "information_flow",
    "initiated_by",
    "document",
}


def _override(path: str) -> str:
    """The line column a path read by ``Sources.line`` starts from."""
    name, _sep, rest = path.partition("__")
    return f"{name}_id" if rest else name


#: Header fields ``overridden_sources`` reads from the segment row it is given.
HEADER_LITERALS = ("interaction_template_id", "salesperson_id", "language")


def overridden_sources(lines: QuerySet, segment=None) -> Sources:
    """``LINE_SOURCES`` for ``lines`` (one segment's, say), where an override no line of
    them sets is a NULL literal: the statement over them then neither computes nor joins
    what cannot change its result (``interactions.folded``); if no line names a template
    of its own, every value comes from the header's. With their ``segment`` (the row
    locked for logging), its template, salesperson and language are literals too, and its
    copies per language are not joined when it has none. One aggregate query over the
    lines (and one for the copies); read in the transaction that then uses the sources."""
    found = lines.order_by().aggregate(
        **{
            column: Count(
                "pk",
                filter=Q(**{f"{column}__isnull": False})
                & (~Q(**{column: ""}) if column in _TEXT_OVERRIDES else Q()),
            )
            for column in OVERRIDES
        }
    )
    unset = {column for column, count in found.items() if not count}
    header = LINE_SOURCES.header
    version = LINE_SOURCES.version
    if segment is not None:

        def header(path: str):
            if path in HEADER_LITERALS:
                return Value(getattr(segment, path), output_field=effective.output_field(path))
            return LINE_SOURCES.header(path)

        if not segment.languages.exists():

            def version(owner: str, language: str, field: str):
                if owner == effective.HEADER:
                    return _nothing(field)
                return LINE_SOURCES.version(owner, language, field)

    def line(path: str):
        return _nothing(path) if _override(path) in unset else F(path)

    return Sources(
        contact=LINE_SOURCES.contact,
        line=line,
        header=header,
        line_template=LINE_SOURCES.line_template,
        header_template=LINE_SOURCES.header_template,
        version=version,
        alias_versions=LINE_SOURCES.alias_versions,
    )


def effective_template_value(field: str, output_field=None):
    """``field`` of the line's effective template: the line's template, else the segment's."""
    return effective.effective_template_value(LINE_SOURCES, field, output_field)


def effective_salesperson_value(field: str, output_field=None, sources: Sources = LINE_SOURCES):
    """``field`` of the effective salesperson: line, else segment, else contact."""
    return effective.effective_salesperson_value(sources, field, output_field)


def inherited_number(line_field: str, segment_field: str, template_field: str, output_field):
    """A number's effective value: line, line's template, segment, segment's template, 0."""
    return effective.inherited_number(
        LINE_SOURCES, line_field, segment_field, template_field, output_field
    )


def annotate_effective_values(queryset, sources: Sources = LINE_SOURCES):
    """Annotate segment lines with ``effective_<field>`` for every value of SPEC 4.2
    (``sources``: ``overridden_sources`` of the lines, where known)."""
    return effective.annotate_effective_values(queryset, sources)


def plain_values(sources: Sources = LINE_SOURCES) -> dict:
    """Effective value name -> expression, for the values that need no language."""
    return effective.plain_values(sources)


def annotate_campaign_values(queryset, sources: Sources = LINE_SOURCES):
    """Annotate segment lines with their effective campaign, target and response only
    (SPEC 8), without the joins of every other effective value."""
    return queryset.annotate(**effective.campaign_values(sources))


def _nothing(*path: str) -> Value:
    return Value(None, output_field=effective.output_field(path[-1]))


def new_line_correspondence_type(segment_row: QuerySet):
    """The channel a line of the segment in ``segment_row`` (a one-row queryset) would have
    if a contact row were added now: the rule of ``effective_correspondence_type`` over a
    line with no override and no template of its own, the header read by subqueries, so a
    query over contacts computes it in the same statement."""
    sources = Sources(
        contact="",
        line=_nothing,
        header=lambda field: Subquery(segment_row.values(field)[:1]),
        line_template=_nothing,
        header_template=lambda field: Subquery(
            segment_row.values(f"interaction_template__{field}")[:1]
        ),
        version=_nothing,
    )
    # Never NULL, so that a negated condition on it keeps every other contact.
    return Coalesce(
        effective.effective_correspondence_type(sources), Value(""), output_field=effective.TEXT
    )
