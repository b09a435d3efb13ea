"""The segment list, a new segment, and the worksheet: header, lines, delete."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from crm import services as crm_services
from crm.filters import ContactFilter
from crm.models import Contact

from .. import selectors, services, summaries
from ..exceptions import SegmentError, SegmentGone
from ..forms import AddLineForm, SegmentCreateForm, SegmentHeaderForm, criteria_from
from .base import (
    COLUMNS_KEY,
    WORKSHEET_COLUMNS,
    WORKSHEET_TABLE,
    SegmentMixin,
    merge_lines,
    worksheet_columns,
)

#: Where the session keeps the worksheet's page size (lines per page) the user chose.
PAGE_SIZE_KEY = "worksheet_page_size"


def page_size(request) -> int:
    """Lines per page: ``?per_page=`` when it is one of ``PAGE_SIZES`` (remembered in the
    session), else the one remembered, else ``LINES_PER_PAGE``."""
    asked = request.GET.get("per_page", "")
    if asked.isdigit() and int(asked) in selectors.PAGE_SIZES:
        if request.session.get(PAGE_SIZE_KEY) != int(asked):
            request.session[PAGE_SIZE_KEY] = int(asked)  # saved only when it changes
        return int(asked)
    remembered = request.session.get(PAGE_SIZE_KEY)
    return remembered if remembered in selectors.PAGE_SIZES else selectors.LINES_PER_PAGE


def header_summary(segment, inherited: dict) -> list[str]:
    """The closed header in one line: template code, correspondence type, salesperson,
    cost per line ("NEWSL · Email · Anna Berg · 3.00/line"); blank values are left out."""
    parts = []
    if segment.interaction_template_id:
        parts.append(segment.interaction_template.code)
    if segment.correspondence_type:
        parts.append(segment.get_correspondence_type_display())
    elif inherited.get("correspondence_type"):
        parts.append(inherited["correspondence_type"])
    if segment.salesperson_id:
        parts.append(segment.salesperson.name)
    cost = segment.unit_cost if segment.unit_cost is not None else inherited.get("unit_cost")
    if cost is not None:
        parts.append(_("%(cost)s/line") % {"cost": formats.number_format(cost, 2, use_l10n=True)})
    return [str(part) for part in parts]


class SegmentListView(PermissionRequiredMixin, ListView):
    permission_required = "segments.view_segment"
    template_name = "segments/segment_list.html"
    paginate_by = 50

    def get_queryset(self):
        queryset, self.sort = selectors.segment_list(self.request.GET.get("sort", ""))
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sort"] = self.sort
        context["columns"] = [
            ("no", _("No.")),
            ("description", _("Description")),
            ("template", _("Interaction template")),
            ("lines", _("Lines")),
            ("actions", _("Criteria actions")),
            ("created_by", _("Created by")),
        ]
        return context


class SegmentCreateView(PermissionRequiredMixin, FormView):
    permission_required = "segments.add_segment"
    template_name = "segments/segment_create.html"
    form_class = SegmentCreateForm

    def form_valid(self, form):
        try:
            segment = services.create_segment(user=self.request.user, **form.cleaned_data)
        except SegmentError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Segment %(no)s has been created.") % {"no": segment.no})
        return redirect(segment)


class SegmentFromContactsView(PermissionRequiredMixin, View):
    """The contact list's "Create segment from this filter": a new segment whose first add
    action has exactly the list's filters (its query string), then the segment opens.

    The list's filters are the `contact` criteria source itself (``ContactFilter``), so
    every filter the list offers has its criteria equivalent.
    """

    permission_required = ("crm.view_contact", "segments.add_segment")
    http_method_names = ["post"]

    def post(self, request):
        back = reverse("crm:contact-list")
        if request.GET:
            back = f"{back}?{request.GET.urlencode()}"
        filterset = ContactFilter(request.GET, queryset=Contact.objects.none())
        if not filterset.is_valid():
            messages.error(
                request,
                _("Correct the filters marked in red first; no segment was created."),
            )
            return redirect(back)
        criteria = criteria_from({"contact": filterset})
        if not criteria:
            messages.error(
                request,
                _(
                    "Choose at least one filter first: a segment of every contact is built "
                    "on a new segment with Add contacts. No segment was created."
                ),
            )
            return redirect(back)
        try:
            action = services.create_segment_from_criteria(user=request.user, criteria=criteria)
        except SegmentError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(back)
        messages.success(
            request,
            ngettext(
                "Segment %(no)s has been created with %(count)s line from the contact list's "
                "filters.",
                "Segment %(no)s has been created with %(count)s lines from the contact list's "
                "filters.",
                action.added,
            )
            % {"no": action.segment.no, "count": action.added},
        )
        return redirect(action.segment)


class SegmentDetailView(SegmentMixin, TemplateView):
    """The worksheet: header, counters, lines with effective values, criteria history."""

    permission_required = "segments.view_segment"
    template_name = "segments/segment_detail.html"

    def get_context_data(self, header_form=None, add_line_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        segment = self.segment
        totals = selectors.segment_totals(segment)
        per_page = page_size(self.request)
        paginator = selectors.CountedPaginator(
            selectors.worksheet_lines(segment), per_page, count=totals.lines
        )
        number = self.request.GET.get("page")
        line_no = self.request.GET.get("line", "")
        if line_no.isdigit() and int(line_no) <= selectors.LARGEST_LINE_NO:
            number = selectors.page_of_line(segment, int(line_no), per_page)
        page = paginator.get_page(number)
        lines = list(page.object_list)
        merge_lines(lines)
        for position, line in enumerate(lines, start=page.start_index()):
            line.position = position
        actions = list(segment.actions.select_related("created_by").order_by("seq"))
        inherited = selectors.inherited_values(segment)
        if header_form is None:
            header_form = SegmentHeaderForm(instance=segment, inherited=inherited)
        columns = worksheet_columns(self.request)
        context.update(
            segment=segment,
            totals=totals,
            page_obj=page,
            lines=lines,
            page_sizes=selectors.PAGE_SIZES,
            per_page=per_page,
            actions=actions,
            latest_action=actions[-1] if actions else None,
            undo_action=_undo_offer(self.request, actions),
            header_form=header_form,
            header_summary=header_summary(segment, inherited),
            # Closed once the segment has a template, unless the header needs attention.
            header_open=not segment.interaction_template_id or header_form.is_bound,
            add_line_form=add_line_form or AddLineForm(),
            column_choices=[(name, name in columns["columns"]) for name in WORKSHEET_COLUMNS],
            **columns,
            can_change=self.request.user.has_perm("segments.change_segment"),
        )
        return context


def _undo_offer(request, actions: list):
    """The step to offer "Undo" for: the latest, when the page was sent here right after
    it (``?undo=<step>``) and it is still the latest (a line removed by hand)."""
    undo = request.GET.get("undo", "")
    if actions and undo.isdigit() and int(undo) == actions[-1].seq:
        return actions[-1]
    return None


class WorksheetColumnsView(PermissionRequiredMixin, View):
    """The column chooser: remember which columns of the lines table the user shows.

    A preference of the user, not a change of the segment: it works while a background
    job holds the segment, and goes back to the segment page whatever happened to it.
    """

    permission_required = "segments.view_segment"
    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            request.session[COLUMNS_KEY] = crm_services.save_columns(
                request.user,
                table=WORKSHEET_TABLE,
                columns=request.POST.getlist("columns"),
                offered=WORKSHEET_COLUMNS,
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("segments:segment-detail", pk=pk)


class SegmentHeaderView(SegmentMixin, View):
    """Save the header (plain edit of one row); the lines inherit it when read."""

    http_method_names = ["post"]

    def post(self, request, pk):
        form = SegmentHeaderForm(
            request.POST, instance=self.segment, inherited=selectors.inherited_values(self.segment)
        )
        if not form.is_valid():
            view = SegmentDetailView(request=request, kwargs={"pk": pk}, segment=self.segment)
            return TemplateResponse(
                request, view.template_name, view.get_context_data(header_form=form)
            )
        try:
            services.update_segment_header(self.segment, user=request.user, **form.cleaned_data)
        except SegmentGone:
            # The row went away after the page loaded (logged or deleted).
            messages.warning(request, _("That segment no longer exists. Nothing was changed."))
            return redirect("segments:segment-list")
        except SegmentError as error:
            return self.refused(error)
        messages.success(request, _("Segment %(no)s has been saved.") % {"no": self.segment.no})
        return redirect(self.segment)


class SegmentDeleteView(SegmentMixin, TemplateView):
    permission_required = "segments.delete_segment"
    template_name = "segments/segment_confirm_delete.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            segment=self.segment, summary=summaries.delete_summary(self.segment), **kwargs
        )

    def post(self, request, pk):
        no = self.segment.no
        try:
            services.delete_segment(self.segment, user=request.user)
        except SegmentError as error:
            return self.refused(error)
        messages.success(request, _("Segment %(no)s has been deleted.") % {"no": no})
        return redirect("segments:segment-list")
