"""Filters of the ledger pages: interaction log entries, logged segments, templates.

Each list page parses its query string with one FilterSet; the CSV export of the entry
list runs the same FilterSet, so it exports exactly the rows the page shows.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models import Salesperson

from .choices import DeliveryStatus, Evaluation
from .forms import FilterForm
from .models import InteractionGroup, InteractionLogEntry, InteractionTemplate, LoggedSegment

YES_NO_ALL = [("", _("All")), ("true", _("Yes")), ("false", _("No"))]
#: The delivery status filter's value for entries that were never delivered.
NOT_DELIVERED = "none"


def sort_filter(fields: dict[str, str]) -> django_filters.OrderingFilter:
    """The ``sort`` parameter: column headers set it, the filter form keeps it hidden."""
    return django_filters.OrderingFilter(
        fields=fields, widget=forms.HiddenInput, label=_("Sort by")
    )


#: The largest entry no. a logged segment can have (a 64-bit key on both databases).
LARGEST_ENTRY_NO = 2**63 - 1


class LoggedSegmentRefField(forms.CharField):
    """A segment no. or a logged segment's entry no.

    A number too large for an entry no. is a form error (the database cannot compare
    it), unless it is the segment no. of a logged segment.
    """

    def clean(self, value):
        value = super().clean(value)
        value = value.strip() if value else value
        if (
            value
            and value.isdigit()
            and int(value) > LARGEST_ENTRY_NO
            and not LoggedSegment.objects.filter(segment_no__iexact=value).exists()
        ):
            raise forms.ValidationError(
                _(
                    "No logged segment has the segment no. %(value)s, and %(value)s is too "
                    "large for an entry no. (the largest is %(largest)s)."
                ),
                code="out_of_range",
                params={"value": value, "largest": LARGEST_ENTRY_NO},
            )
        return value


class LoggedSegmentRefFilter(django_filters.CharFilter):
    field_class = LoggedSegmentRefField


class InteractionLogEntryFilter(django_filters.FilterSet):
    contact = django_filters.CharFilter(method="filter_contact", label=_("Contact (no. or name)"))
    template = django_filters.ModelChoiceFilter(
        queryset=InteractionTemplate.objects.all(), label=_("Interaction template")
    )
    group = django_filters.ModelChoiceFilter(
        queryset=InteractionGroup.objects.all(), label=_("Interaction group")
    )
    date_from = django_filters.DateFilter(
        field_name="date",
        lookup_expr="gte",
        label=_("Date from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        field_name="date",
        lookup_expr="lte",
        label=_("Date to"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    salesperson = django_filters.ModelChoiceFilter(
        queryset=Salesperson.objects.all(), label=_("Salesperson")
    )
    canceled = django_filters.BooleanFilter(
        label=_("Canceled"), widget=forms.Select(choices=YES_NO_ALL)
    )
    delivery_status = django_filters.ChoiceFilter(
        choices=[*DeliveryStatus.choices, (NOT_DELIVERED, _("Not delivered"))],
        method="filter_delivery_status",
        label=_("Delivery status"),
        empty_label=_("All"),
    )
    logged_segment = LoggedSegmentRefFilter(
        method="filter_logged_segment", label=_("Logged segment (segment no. or entry no.)")
    )
    evaluation = django_filters.ChoiceFilter(
        choices=Evaluation.choices, label=_("Evaluation"), empty_label=_("All")
    )
    attempt_failed = django_filters.BooleanFilter(
        label=_("Attempt failed"), widget=forms.Select(choices=YES_NO_ALL)
    )
    sort = sort_filter(
        {
            "entry_no": "entry_no",
            "date": "date",
            "contact_name": "contact",
            "segment_no": "segment",
            "template__code": "template",
            "cost": "cost",
            "duration": "duration",
            "salesperson__name": "salesperson",
            "delivery_status": "delivery_status",
        }
    )

    class Meta:
        model = InteractionLogEntry
        fields: list[str] = []
        form = FilterForm

    def filter_contact(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(contact__no__iexact=value) | Q(contact_name__icontains=value))

    def filter_delivery_status(self, queryset, name, value):
        return queryset.filter(delivery_status="" if value == NOT_DELIVERED else value)

    def filter_logged_segment(self, queryset, name, value):
        value = value.strip()
        matches = Q(segment_no__iexact=value)
        if value.isdigit() and int(value) <= LARGEST_ENTRY_NO:
            matches |= Q(logged_segment_id=int(value))
        return queryset.filter(matches)


class LoggedSegmentFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search", label=_("Segment no. or description")
    )
    canceled = django_filters.BooleanFilter(
        label=_("Canceled"), widget=forms.Select(choices=YES_NO_ALL)
    )
    sort = sort_filter(
        {
            "entry_no": "entry_no",
            "segment_no": "segment",
            "description": "description",
            "created_at": "created",
            "active_entries": "active",
            "canceled_entries": "canceled",
        }
    )

    class Meta:
        model = LoggedSegment
        fields: list[str] = []
        form = FilterForm

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(segment_no__iexact=value) | Q(description__icontains=value))


class InteractionTemplateFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("Code or description"))
    group = django_filters.ModelChoiceFilter(
        queryset=InteractionGroup.objects.all(), label=_("Interaction group")
    )
    sort = sort_filter(
        {
            "code": "code",
            "description": "description",
            "group__code": "group",
            "unit_cost": "cost",
            "unit_duration": "duration",
        }
    )

    class Meta:
        model = InteractionTemplate
        fields: list[str] = []
        form = FilterForm

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(code__iexact=value) | Q(description__icontains=value))
