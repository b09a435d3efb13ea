"""The FilterSets of the pages, as the API's query parameters."""

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


class CampaignApiFilter(django_filters.FilterSet):
    """The campaign list page's status filter."""

    status = django_filters.ChoiceFilter(choices=CampaignStatus.choices)

    class Meta:
        model = Campaign
        fields: list[str] = []
