"""The FilterSets of the pages, as the API's query parameters.

Each API FilterSet holds copies of the filters it inherits: drf-spectacular builds a
filter's form field on the class-level filter when it writes the schema, and on a shared
filter that field (with its choices in the language of that moment) would then be copied
into every page's FilterSet: the contact list offered English country names on
Norwegian pages after the schema had been generated.
"""

import copy

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from crm.filters import ContactFilter
from interactions.filters import InteractionLogEntryFilter
from interactions.models import Campaign, CampaignStatus


class ContactApiFilter(ContactFilter):
    """The contact criteria (SPEC 3), the contact list page's filters."""

    @extend_schema_field(OpenApiTypes.BOOL)
    def filter_has_email(self, queryset, name, value):
        return super().filter_has_email(queryset, name, value)


class EntryFilter(InteractionLogEntryFilter):
    """The entries page's filters; the order is the cursor's (newest first), not ``sort``."""

    class Meta(InteractionLogEntryFilter.Meta):
        pass


EntryFilter.base_filters.pop("sort", None)
ContactApiFilter.base_filters = copy.deepcopy(ContactApiFilter.base_filters)
EntryFilter.base_filters = copy.deepcopy(EntryFilter.base_filters)


class CampaignApiFilter(django_filters.FilterSet):
    """The campaign list page's status filter."""

    status = django_filters.ChoiceFilter(choices=CampaignStatus.choices)

    class Meta:
        model = Campaign
        fields: list[str] = []
