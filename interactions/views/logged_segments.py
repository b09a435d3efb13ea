"""Pages of logged segments: list, detail, cancel, delete canceled, print batch."""

from django.contrib import messages
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import (
    DetailView,
    TemplateView,
)
from django_filters.views import FilterView

from .. import delivery, letters, services
from ..filters import LoggedSegmentFilter
from ..forms import CancelForm
from ..models import (
    InteractionLogEntry,
    LoggedSegment,
)
from .base import CANCEL_PERMISSION, DOCX, PAGE_SIZE, Permission, _form_errors


class LoggedSegmentListView(Permission, FilterView):
    permission_required = "interactions.view_loggedsegment"
    filterset_class = LoggedSegmentFilter
    template_name = "interactions/loggedsegment_list.html"
    paginate_by = PAGE_SIZE
    strict = True

    def get_queryset(self):
        return services.with_entry_counts(
            LoggedSegment.objects.select_related("created_by")
        ).order_by("-entry_no")


class LoggedSegmentDetailView(Permission, DetailView):
    """A logged segment: its counts, criteria, print batch and its entries, paginated."""

    permission_required = "interactions.view_loggedsegment"
    model = LoggedSegment
    template_name = "interactions/loggedsegment_detail.html"

    def get_queryset(self):
        return LoggedSegment.objects.select_related("created_by").prefetch_related(
            "campaign_entries__campaign"
        )

    def get_context_data(self, **kwargs):
        logged = self.object
        entries = logged.entries.select_related("contact", "template", "salesperson").order_by(
            "entry_no"
        )
        page = Paginator(entries, PAGE_SIZE).get_page(self.request.GET.get("page"))
        pdf_name = delivery.print_batch_pdf_name(logged) if logged.print_batch else ""
        return super().get_context_data(
            counts=services.logged_segment_counts(logged),
            page_obj=page,
            entries=page.object_list,
            print_batch_pdf=bool(pdf_name) and default_storage.exists(pdf_name),
            **kwargs,
        )


def _logged_segment_or_message(request, pk):
    """The logged segment, or None with a message when it was deleted meanwhile."""
    logged = LoggedSegment.objects.filter(pk=pk).first()
    if logged is None:
        messages.error(
            request,
            _("Logged segment %(pk)s no longer exists; it was deleted meanwhile.") % {"pk": pk},
        )
    return logged


class LoggedSegmentCancelView(Permission, View):
    """GET: confirm canceling, with how many entries it cancels; POST: cancel or un-cancel
    a logged segment with all its entries (the POST alone works as before, for scripts)."""

    permission_required = CANCEL_PERMISSION
    http_method_names = ["get", "post"]

    def get(self, request, pk):
        logged = _logged_segment_or_message(request, pk)
        if logged is None:
            return redirect("interactions:logged-segment-list")
        return render(
            request,
            "interactions/loggedsegment_confirm_cancel.html",
            {"object": logged, "counts": services.logged_segment_counts(logged)},
        )

    def post(self, request, pk):
        logged = _logged_segment_or_message(request, pk)
        if logged is None:
            return redirect("interactions:logged-segment-list")
        form = CancelForm(request.POST)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return redirect(logged)
        canceled = form.cleaned_data["canceled"]
        if logged.canceled == canceled:
            # A second click, or another manager was quicker: report the state as it is.
            messages.info(
                request,
                (
                    _("Logged segment %(no)s is already canceled.")
                    if canceled
                    else _("Logged segment %(no)s is not canceled.")
                )
                % {"no": logged.segment_no},
            )
            return redirect(logged)
        changed = services.set_logged_segment_canceled(logged, canceled=canceled, user=request.user)
        text = (
            ngettext(
                "Logged segment %(no)s has been canceled with its %(count)d entry.",
                "Logged segment %(no)s has been canceled with its %(count)d entries.",
                changed,
            )
            if canceled
            else ngettext(
                "Logged segment %(no)s has been un-canceled with its %(count)d entry.",
                "Logged segment %(no)s has been un-canceled with its %(count)d entries.",
                changed,
            )
        )
        messages.success(request, text % {"no": logged.segment_no, "count": changed})
        return redirect(logged)


class DeleteCanceledLoggedSegmentsView(Permission, TemplateView):
    """Confirm, then delete canceled logged segments (all, or the one in the URL).

    Their interaction log entries stay in the ledger, unlinked.
    """

    permission_required = CANCEL_PERMISSION
    template_name = "interactions/loggedsegment_delete_canceled.html"

    def filters(self) -> dict:
        return {"pk": self.kwargs["pk"]} if "pk" in self.kwargs else {}

    def get_context_data(self, **kwargs):
        canceled = LoggedSegment.objects.filter(canceled=True, **self.filters())
        return super().get_context_data(
            one="pk" in self.kwargs,
            logged_segments=canceled.order_by("entry_no")[:PAGE_SIZE],
            total=canceled.count(),
            entries=InteractionLogEntry.objects.filter(logged_segment__in=canceled).count(),
            **kwargs,
        )

    def post(self, request, **kwargs):
        count = services.delete_canceled_logged_segments(user=request.user, **self.filters())
        if count:
            messages.success(
                request,
                ngettext(
                    "%(count)d canceled logged segment has been deleted; its interaction "
                    "log entries are kept.",
                    "%(count)d canceled logged segments have been deleted; their "
                    "interaction log entries are kept.",
                    count,
                )
                % {"count": count},
            )
        elif "pk" in self.kwargs:
            messages.warning(
                request,
                _("Logged segment %(pk)s was not deleted: it no longer exists or is not canceled.")
                % {"pk": self.kwargs["pk"]},
            )
        else:
            messages.info(request, _("There are no canceled logged segments to delete."))
        return redirect("interactions:logged-segment-list")


class PrintBatchView(Permission, View):
    """Download a logged segment's print batch: ``.docx``, or ``?format=pdf``."""

    permission_required = "interactions.view_loggedsegment"

    def get(self, request, pk):
        logged = get_object_or_404(LoggedSegment, pk=pk)
        if not logged.print_batch:
            messages.error(
                request,
                _("Logged segment %(no)s has no print batch.") % {"no": logged.segment_no},
            )
            return redirect(logged)
        name = logged.print_batch.name
        suffix, content_type = ".docx", DOCX
        if request.GET.get("format") == "pdf":
            name = delivery.print_batch_pdf_name(logged)
            suffix, content_type = ".pdf", "application/pdf"
        try:
            stored = default_storage.open(name, "rb")
        except OSError:
            messages.error(
                request,
                _("The print batch file of logged segment %(no)s is missing from storage.")
                % {"no": logged.segment_no},
            )
            return redirect(logged)
        filename = f"{letters.safe_filename(logged.segment_no)}-print-batch{suffix}"
        return FileResponse(
            stored, as_attachment=True, filename=filename, content_type=content_type
        )
