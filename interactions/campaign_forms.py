"""Forms and filters of the campaign pages (SPEC 8): they parse input; the campaign
services (``interactions.campaigns``) do the work."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models import Salesperson

from .filters import YES_NO_ALL, InteractionLogEntryFilter, sort_filter
from .forms import CrispyModelForm, FilterForm
from .models import Campaign, CampaignStatus, InteractionLogEntry

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(CrispyModelForm):
    """A campaign's header; a blank number takes the next of the series."""

    class Meta:
        model = Campaign
        fields = ["no", "description", "starting_date", "ending_date", "salesperson", "status"]
        widgets = {"starting_date": DATE_INPUT, "ending_date": DATE_INPUT}
        help_texts = {"no": _("Leave blank for the next number (CP00001, CP00002, ...).")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["salesperson"].queryset = Salesperson.objects.filter(blocked=False)
        if self.instance.pk:
            # The number is the campaign's identity once it exists.
            self.fields["no"].disabled = True
            self.fields["no"].help_text = ""  # "leave blank for the next number" is for new ones

    def clean_no(self):
        return (self.cleaned_data.get("no") or "").strip().upper()

    def validate_unique(self):
        # A blank number is filled by the service; only a typed one must be unique.
        if self.cleaned_data.get("no"):
            super().validate_unique()


class CampaignFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search", label=_("Campaign no. or description")
    )
    status = django_filters.ChoiceFilter(
        choices=CampaignStatus.choices, label=_("Status"), empty_label=_("All")
    )
    sort = sort_filter(
        {
            "no": "no",
            "description": "description",
            "starting_date": "starting",
            "ending_date": "ending",
            "status": "status",
        }
    )

    class Meta:
        model = Campaign
        fields: list[str] = []
        form = FilterForm

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(no__iexact=value) | Q(description__icontains=value))


class CampaignEntryFilter(django_filters.FilterSet):
    """The campaign page's interaction log entries."""

    contact = django_filters.CharFilter(method="filter_contact", label=_("Contact no. or name"))
    campaign_target = django_filters.BooleanFilter(
        label=_("Campaign target"), widget=forms.Select(choices=YES_NO_ALL)
    )
    campaign_response = django_filters.BooleanFilter(
        label=_("Campaign response"), widget=forms.Select(choices=YES_NO_ALL)
    )
    canceled = django_filters.BooleanFilter(
        label=_("Canceled"), widget=forms.Select(choices=YES_NO_ALL)
    )

    class Meta:
        model = InteractionLogEntry
        fields: list[str] = []
        form = FilterForm

    # The entries page's contact search: a contact number exactly, or part of the name.
    filter_contact = InteractionLogEntryFilter.filter_contact
