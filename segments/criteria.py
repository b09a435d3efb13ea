"""Criteria sources (SPEC section 3): one FilterSet per source, all yielding contact ids.

Criteria are JSON, ``{source: {filter: value or [values]}}``. Within a source every
filter must hold on the same related row; across sources every source must hold; a
list of values means "any of". ``parse_criteria(...).contacts`` is the one way criteria
become contacts: every segment operation and the preview use it (``criteria_contacts``
only wraps it as a subquery of ids).
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.filters import (
    NO,
    YES,
    AnyOfFilter,
    ContactFilter,
    CriteriaForm,
    YesNoFilter,
    code_field,
)
from crm.models import (
    BusinessRelation,
    Contact,
    IndustryGroup,
    JobResponsibility,
    MailingGroup,
    Salesperson,
)
from interactions.choices import Evaluation
from interactions.models import (
    Campaign,
    InteractionGroup,
    InteractionLogEntry,
    InteractionTemplate,
    LoggedSegment,
)

from .exceptions import SegmentError
from .models import ActionOptions, CriteriaActionType

Criteria = Mapping[str, Mapping[str, object]]


class CriteriaSource(django_filters.FilterSet):
    """A source over rows related to contacts; ``contacts()`` maps matching rows to them."""

    #: The path from the source's row to the contact it describes.
    contact_field = "contact_id"
    #: True when the rows describe a company and match each contact of that company.
    on_company = False

    def contacts(self) -> QuerySet:
        ids = self.qs.order_by().values(self.contact_field)
        if self.on_company:
            return Contact.objects.filter(company__in=ids)
        return Contact.objects.filter(pk__in=ids)


class MailingGroupCriteria(CriteriaSource):
    label = gettext_lazy("Mailing groups")

    mailing_group = AnyOfFilter(
        field_name="mailinggroup__code",
        queryset=MailingGroup.objects.all(),
        **code_field(gettext_lazy("Mailing group")),
    )

    class Meta:
        model = Contact.mailing_groups.through
        fields = []
        form = CriteriaForm


class JobResponsibilityCriteria(CriteriaSource):
    label = gettext_lazy("Job responsibilities")

    job_responsibility = AnyOfFilter(
        field_name="jobresponsibility__code",
        queryset=JobResponsibility.objects.all(),
        **code_field(gettext_lazy("Job responsibility")),
    )

    class Meta:
        model = Contact.job_responsibilities.through
        fields = []
        form = CriteriaForm


class IndustryGroupCriteria(CriteriaSource):
    label = gettext_lazy("Industry groups")
    on_company = True

    industry_group = AnyOfFilter(
        field_name="industrygroup__code",
        queryset=IndustryGroup.objects.all(),
        **code_field(gettext_lazy("Industry group")),
    )

    class Meta:
        model = Contact.industry_groups.through
        fields = []
        form = CriteriaForm


class BusinessRelationCriteria(CriteriaSource):
    label = gettext_lazy("Business relations")
    on_company = True

    business_relation = AnyOfFilter(
        field_name="businessrelation__code",
        queryset=BusinessRelation.objects.all(),
        **code_field(gettext_lazy("Business relation")),
    )

    class Meta:
        model = Contact.business_relations.through
        fields = []
        form = CriteriaForm


class InteractionCriteria(CriteriaSource):
    """Contacts with at least one interaction log entry matching every filter."""

    label = gettext_lazy("Interactions")

    template = AnyOfFilter(
        field_name="template__code",
        queryset=InteractionTemplate.objects.all(),
        **code_field(gettext_lazy("Interaction template")),
    )
    group = AnyOfFilter(
        field_name="group__code",
        queryset=InteractionGroup.objects.all(),
        **code_field(gettext_lazy("Interaction group")),
    )
    date_from = AnyOfFilter(
        field_name="date",
        lookup_expr="gte",
        item_field=forms.DateField(),
        label=gettext_lazy("Interaction date from"),
    )
    date_to = AnyOfFilter(
        field_name="date",
        lookup_expr="lte",
        item_field=forms.DateField(),
        label=gettext_lazy("Interaction date to"),
    )
    logged_segment = AnyOfFilter(
        field_name="logged_segment__segment_no",
        queryset=LoggedSegment.objects.all(),
        to_field="segment_no",
        **code_field(gettext_lazy("Logged segment")),
    )
    salesperson = AnyOfFilter(
        field_name="salesperson__code",
        queryset=Salesperson.objects.all(),
        **code_field(gettext_lazy("Interaction salesperson")),
    )
    evaluation = AnyOfFilter(
        field_name="evaluation", label=gettext_lazy("Evaluation"), choices=Evaluation.choices
    )
    canceled = YesNoFilter(method="filter_canceled", label=gettext_lazy("Canceled"))
    # "Everyone whose call failed last week": with date_from/date_to and a template.
    attempt_failed = YesNoFilter(
        method="filter_attempt_failed", label=gettext_lazy("Attempt failed")
    )

    # SPEC 8: "every target of CP00003 who has not responded" is an add of the targets
    # and a reduce of the responses.
    campaign = AnyOfFilter(
        field_name="campaign__no",
        queryset=Campaign.objects.all(),
        to_field="no",
        **code_field(gettext_lazy("Campaign")),
    )
    campaign_target = YesNoFilter(
        method="filter_campaign_target", label=gettext_lazy("Campaign target")
    )
    campaign_response = YesNoFilter(
        method="filter_campaign_response", label=gettext_lazy("Campaign response")
    )
    # Contact pressure (SPEC 9): "3 or more interactions within 30 days". The days count
    # back from the day the action runs, so saved criteria keep their meaning.
    min_count = AnyOfFilter(
        method="filter_min_count",
        item_field=forms.IntegerField(min_value=1),
        label=gettext_lazy("At least this many interactions"),
    )
    within_days = AnyOfFilter(
        method="filter_within_days",
        item_field=forms.IntegerField(min_value=0),
        label=gettext_lazy("Interactions within the last days"),
    )

    class Meta:
        model = InteractionLogEntry
        fields = []
        form = CriteriaForm

    def filter_min_count(self, queryset, name, value):
        return queryset  # counted per contact in contacts()

    def filter_within_days(self, queryset, name, value):
        if not value:
            return queryset
        # Any of several limits holds exactly when the widest one does.
        since = timezone.localdate() - datetime.timedelta(days=max(value))
        return queryset.filter(date__gte=since)

    def contacts(self) -> QuerySet:
        minimum = min(self.form.cleaned_data.get("min_count") or [1])
        if minimum <= 1:
            return super().contacts()
        ids = (
            self.qs.order_by()
            .values(self.contact_field)
            .annotate(_entries=Count("pk"))
            .filter(_entries__gte=minimum)
            .values(self.contact_field)
        )
        return Contact.objects.filter(pk__in=ids)

    def filter_canceled(self, queryset, name, value):
        wanted = YesNoFilter.wanted(value)
        return queryset if wanted is None else queryset.filter(canceled=wanted)

    def filter_attempt_failed(self, queryset, name, value):
        wanted = YesNoFilter.wanted(value)
        return queryset if wanted is None else queryset.filter(attempt_failed=wanted)

    def filter_campaign_target(self, queryset, name, value):
        wanted = YesNoFilter.wanted(value)
        return queryset if wanted is None else queryset.filter(campaign_target=wanted)

    def filter_campaign_response(self, queryset, name, value):
        wanted = YesNoFilter.wanted(value)
        return queryset if wanted is None else queryset.filter(campaign_response=wanted)


#: The criteria sources by name, in the order the browser shows them as tabs.
SOURCES: dict[str, type[django_filters.FilterSet]] = {
    "contact": ContactFilter,
    "mailing_group": MailingGroupCriteria,
    "job_responsibility": JobResponsibilityCriteria,
    "industry_group": IndustryGroupCriteria,
    "business_relation": BusinessRelationCriteria,
    "interaction": InteractionCriteria,
}

#: The options each action takes, in the order descriptions list them.
ACTION_OPTIONS = {
    CriteriaActionType.ADD: (
        "allow_existing",
        "expand_companies",
        "allow_related_companies",
        "ignore_exclusion",
        "leave_out_opted_out",
    ),
    CriteriaActionType.REDUCE: ("entire_companies",),
    CriteriaActionType.REFINE: ("entire_companies",),
}


@dataclass(frozen=True)
class ParsedCriteria:
    """Validated criteria: their normalised JSON and the matching contacts."""

    data: dict[str, dict[str, list[str]]]
    contacts: QuerySet  # of Contact; never evaluated here


def _show(value) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_show(item) for item in value) or '""'
    return f'"{value}"' if isinstance(value, str) else repr(value)


def parse_criteria(criteria: Criteria | None) -> ParsedCriteria:
    """Validate ``criteria`` through each source's FilterSet form; raise SegmentError.

    Every problem is reported at once, each naming the source, the filter and the value.
    """
    criteria = {} if criteria is None else criteria
    if not isinstance(criteria, Mapping):
        raise SegmentError(
            _(
                "Criteria must map each source to its filters, "
                'e.g. {"contact": {"country": ["NO"]}}; got %(value)s.'
            )
            % {"value": _show(criteria)},
            code="criteria_not_a_mapping",
        )
    errors: list[str] = []
    data: dict[str, dict[str, list[str]]] = {}
    contacts = Contact.objects.all()
    for source, filters in criteria.items():
        filterset_class = SOURCES.get(source)
        if filterset_class is None:
            errors.append(
                _(
                    'Unknown criteria source "%(source)s" (filters %(filters)s). '
                    "Choose one of: %(sources)s."
                )
                % {
                    "source": source,
                    "filters": _show(filters),
                    "sources": ", ".join(SOURCES),
                }
            )
            continue
        if not isinstance(filters, Mapping):
            errors.append(
                _('Criteria source "%(source)s" must map filters to values; got %(value)s.')
                % {"source": source, "value": _show(filters)}
            )
            continue
        known = filterset_class.base_filters
        unknown = [name for name in filters if name not in known]
        for name in unknown:
            errors.append(
                _(
                    'Criteria source "%(source)s" has no filter "%(filter)s" '
                    "(value %(value)s). Its filters are: %(filters)s."
                )
                % {
                    "source": source,
                    "filter": name,
                    "value": _show(filters[name]),
                    "filters": ", ".join(known),
                }
            )
        if unknown:
            continue
        badly_typed = [
            name
            for name, value in filters.items()
            if isinstance(value, Mapping)
            or (
                isinstance(value, list | tuple)
                and any(isinstance(item, Mapping | list | tuple) for item in value)
            )
        ]
        for name in badly_typed:
            errors.append(
                _(
                    'Criteria source "%(source)s", filter "%(filter)s": value %(value)s '
                    "is not valid. Give one value or a list of values."
                )
                % {"source": source, "filter": name, "value": _show(filters[name])}
            )
        if badly_typed:
            continue
        filterset = _bind(filterset_class, filters)
        if not filterset.is_valid():
            for name, messages in filterset.form.errors.items():
                errors.append(
                    _(
                        'Criteria source "%(source)s", filter "%(filter)s": value %(value)s '
                        "is not valid. %(error)s"
                    )
                    % {
                        "source": source,
                        "filter": name,
                        "value": _show(filters.get(name)),
                        "error": " ".join(messages),
                    }
                )
            continue
        cleaned = {name: value for name, value in filterset.form.cleaned_data.items() if value}
        if not cleaned:
            continue
        data[source] = cleaned
        if source == "contact":
            contacts = filterset.filter_queryset(contacts)
        else:
            contacts = contacts.filter(pk__in=filterset.contacts().values("pk"))
    if errors:
        raise SegmentError(errors, code="invalid_criteria")
    return ParsedCriteria(data=data, contacts=contacts)


def _bind(filterset_class, filters: Mapping) -> django_filters.FilterSet:
    queryset = (
        Contact.objects.all()
        if filterset_class is ContactFilter
        else filterset_class._meta.model._default_manager.all()
    )
    values = {
        name: list(value) if isinstance(value, list | tuple) else [value]
        for name, value in filters.items()
    }
    return filterset_class(values, queryset=queryset)


def criteria_contacts(criteria: Criteria | None) -> QuerySet:
    """The ids of the contacts matching ``criteria``, as a subquery (never a list)."""
    return parse_criteria(criteria).contacts.order_by().values("pk")


def _shown_value(flt, value) -> str:
    """A stored value as the user reads it: a choice's label, a country's name."""
    if isinstance(flt, YesNoFilter):
        return _("yes") if value == YES else _("no") if value == NO else str(value)
    choices = flt.extra.get("choices")
    if choices is not None:
        return str(dict(choices).get(value, value))
    return str(value)


def _phrase(source: str, name: str, values: list[str], names: bool) -> str:
    flt = SOURCES[source].base_filters[name]
    label = str(flt.label)
    label = label[:1].lower() + label[1:]
    if names or isinstance(flt, YesNoFilter):
        shown = [_shown_value(flt, value) for value in values]
    else:
        shown = [str(value) for value in values]
    joined = _(" or ").join(shown)
    if flt.lookup_expr in ("icontains", "istartswith", "gte", "lte"):
        return _("%(label)s %(values)s") % {"label": label, "values": joined}
    return _("%(label)s is %(values)s") % {"label": label, "values": joined}


def describe(
    action: str,
    criteria: Criteria,
    options: Mapping[str, bool] | None = None,
    *,
    manual: bool = False,
    names: bool = False,
) -> str:
    """A readable description in the active language, e.g. "Add contacts: country is NO;
    expand companies". With ``names``, values show as the user picks them (country and
    choice names: "country is Norway"); a step done by hand says so."""
    parts = [
        _phrase(source, name, values if isinstance(values, list) else [values], names)
        for source, filters in criteria.items()
        if source in SOURCES and isinstance(filters, Mapping)
        for name, values in filters.items()
        if name in SOURCES[source].base_filters
    ]
    text = _("%(action)s: %(criteria)s") % {
        "action": CriteriaActionType(action).label,
        "criteria": ", ".join(parts) if parts else _("all contacts"),
    }
    chosen = [
        str(ActionOptions._meta.get_field(option).verbose_name)
        for option in ACTION_OPTIONS[CriteriaActionType(action)]
        if (options or {}).get(option)
    ]
    if chosen:
        text = _("%(text)s; %(options)s") % {"text": text, "options": ", ".join(chosen)}
    if manual:
        text = _("%(text)s (by hand)") % {"text": text}
    return text


def describe_action(action) -> str:
    """A stored criteria action (a model row or its JSON snapshot) described now, in the
    active language; the description stored when it ran is kept for what cannot be."""

    def get(name, default=None):
        if isinstance(action, Mapping):
            return action.get(name, default)
        return getattr(action, name, default)

    try:
        kind = CriteriaActionType(get("action"))
        criteria = get("criteria") or {}
        if not isinstance(criteria, Mapping):
            raise ValueError(criteria)
        options = {option: bool(get(option)) for option in ACTION_OPTIONS[kind]}
        return describe(kind, criteria, options, manual=bool(get("manual", False)), names=True)
    except (ValueError, TypeError, KeyError):
        return get("description") or str(get("action") or "")
