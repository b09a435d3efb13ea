"""The campaign pages (SPEC 8): list, campaign page, create and edit.

They live in ``segments``, the highest app they read from (the campaign page shows the
segments being built for the campaign); the site URL conf mounts them under the
``campaigns`` namespace. Writes go through ``interactions.campaigns``.
"""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView
from django_filters.views import FilterView

from interactions.campaign_forms import CampaignEntryFilter, CampaignFilter, CampaignForm
from interactions.exceptions import InteractionError
from interactions.models import Campaign, CampaignEntry
from interactions.selectors import (
    campaign_entry_count,
    campaign_entry_figures,
    campaign_statistics,
    campaign_weeks,
    campaigns_with_figures,
)
from interactions.services import create_campaign, update_campaign

from .models import Segment

PAGE_SIZE = 50
#: The campaign page's shorter lists (segments being built, logged segments).
SHORT_PAGE = 20


class Permission(PermissionRequiredMixin):
    raise_exception = True


class CampaignListView(Permission, FilterView):
    permission_required = "interactions.view_campaign"
    filterset_class = CampaignFilter
    template_name = "campaigns/campaign_list.html"
    paginate_by = PAGE_SIZE
    strict = True

    def get_queryset(self):
        return campaigns_with_figures(Campaign.objects.select_related("salesperson")).order_by(
            "-no"
        )


def chart_data(weeks: list[dict]) -> dict:
    """What the chart script draws: one label per week, interactions and responses."""
    return {
        "labels": [row["week"].isoformat() for row in weeks],
        "datasets": [
            {"label": _("Interactions"), "data": [row["interactions"] for row in weeks]},
            {"label": _("Responses"), "data": [row["responses"] for row in weeks]},
        ],
    }


def narrowed(entry_filter) -> bool:
    """Whether the campaign page's entry filter leaves out any of the campaign's entries."""
    if not entry_filter.is_bound:
        return False
    form = entry_filter.form
    return not form.is_valid() or any(
        value not in (None, "") for value in form.cleaned_data.values()
    )


class CampaignDetailView(Permission, DetailView):
    """The campaign page: header, figures and chart, segments being built, logged
    segments, entries. A fixed number of queries whatever the campaign's size."""

    permission_required = "interactions.view_campaign"
    template_name = "campaigns/campaign_detail.html"

    def get_queryset(self):
        return Campaign.objects.select_related("salesperson", "created_by")

    def get_context_data(self, **kwargs):
        campaign = self.object
        get = self.request.GET
        statistics = campaign_statistics(campaign)
        weeks = campaign_weeks(campaign)
        figures = {row["segment_no"]: row for row in statistics["by_segment"]}
        segments = Paginator(
            Segment.objects.filter(campaign=campaign)
            .select_related("interaction_template")
            .order_by("no"),
            SHORT_PAGE,
        ).get_page(get.get("segments_page"))
        logged = Paginator(
            CampaignEntry.objects.filter(campaign=campaign)
            .select_related("logged_segment", "created_by")
            .order_by("-entry_no"),
            SHORT_PAGE,
        ).get_page(get.get("logged_page"))
        # A single interaction's campaign entry has no segment no.: its figures are its
        # own entries', read for the page's rows in one query.
        singles = campaign_entry_figures(
            [entry.pk for entry in logged.object_list if not entry.segment_no]
        )
        for entry in logged.object_list:
            entry.figures = (
                figures.get(entry.segment_no) if entry.segment_no else singles.get(entry.pk)
            )
        entry_filter = CampaignEntryFilter(
            get or None,
            queryset=campaign.interaction_entries.select_related("contact", "template").order_by(
                "-entry_no"
            ),
        )
        paginator = Paginator(entry_filter.qs, PAGE_SIZE)
        if not narrowed(entry_filter):
            # All the campaign's entries: counted from the ledger's summary, not its rows.
            paginator.count = campaign_entry_count(campaign)
        entries = paginator.get_page(get.get("page"))
        user = self.request.user
        rate = statistics["response_rate"]
        return super().get_context_data(
            statistics=statistics,
            response_rate_percent=None if rate is None else rate * 100,
            weeks=weeks,
            chart=chart_data(weeks),
            segments_page=segments,
            logged_page=logged,
            filter=entry_filter,
            page_obj=entries,
            entries=entries.object_list,
            can_change=user.has_perm("interactions.change_campaign"),
            can_add_segment=user.has_perm("segments.add_segment"),
            can_log=user.has_perm("interactions.log_interaction"),
            **kwargs,
        )


class CampaignCreateView(Permission, FormView):
    permission_required = "interactions.add_campaign"
    form_class = CampaignForm
    template_name = "campaigns/campaign_form.html"

    def form_valid(self, form):
        try:
            campaign = create_campaign(user=self.request.user, **form.cleaned_data)
        except InteractionError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Campaign %(no)s has been created.") % {"no": campaign.no})
        return redirect(campaign)


class CampaignUpdateView(Permission, FormView):
    permission_required = "interactions.change_campaign"
    form_class = CampaignForm
    template_name = "campaigns/campaign_form.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.campaign = get_object_or_404(Campaign, pk=kwargs["pk"])

    def get_form_kwargs(self):
        # A copy: the form's validation must not change the campaign the page shows.
        return {**super().get_form_kwargs(), "instance": Campaign.objects.get(pk=self.campaign.pk)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(campaign=self.campaign, **kwargs)

    def form_valid(self, form):
        values = {name: value for name, value in form.cleaned_data.items() if name != "no"}
        try:
            update_campaign(self.campaign, user=self.request.user, **values)
        except InteractionError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Campaign %(no)s has been saved.") % {"no": self.campaign.no}
        )
        return redirect(self.campaign)
