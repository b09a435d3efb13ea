"""Pages of interaction log entries: list, detail, cancel, letter, CSV export."""

import csv

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import DetailView
from django_filters.views import FilterView

from crm.spreadsheets import safe_row

from .. import delivery, letters, services
from ..exceptions import InteractionError, LetterError
from ..filters import InteractionLogEntryFilter
from ..forms import CancelEntriesForm
from ..models import InteractionLogEntry
from .base import (
    CANCEL_PERMISSION,
    DOCX,
    PAGE_SIZE,
    Permission,
    _form_errors,
    _next_url,
    entry_rows,
)


class EntryListView(Permission, FilterView):
    permission_required = "interactions.view_interactionlogentry"
    filterset_class = InteractionLogEntryFilter
    template_name = "interactions/entry_list.html"
    paginate_by = PAGE_SIZE
    strict = True

    def get_queryset(self):
        return entry_rows()


class EntryDetailView(Permission, DetailView):
    """An interaction log entry: every snapshot field and the merge data of its letter."""

    permission_required = "interactions.view_interactionlogentry"
    template_name = "interactions/entry_detail.html"
    context_object_name = "entry"

    def get_queryset(self):
        return entry_rows().select_related("contact_company", "created_by", "campaign")

    def get_context_data(self, **kwargs):
        data = self.object.merge_data or {}
        descriptions = {name: str(label) for name, label in letters.MERGE_FIELDS.items()}
        return super().get_context_data(
            merge_data=[(name, descriptions.get(name, ""), data[name]) for name in data],
            notes=self.object.notes.select_related("created_by").order_by("pk"),
            **kwargs,
        )


class EntryCancelView(Permission, View):
    """POST: cancel or un-cancel the selected entries; a refusal is shown as a message."""

    permission_required = CANCEL_PERMISSION
    http_method_names = ["post"]

    def post(self, request):
        back = _next_url(request, reverse("interactions:entry-list"))
        form = CancelEntriesForm(request.POST)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return redirect(back)
        canceled = form.cleaned_data["canceled"]
        try:
            changed = services.set_entries_canceled(
                form.cleaned_data["entries"], canceled=canceled, user=request.user
            )
        except InteractionError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(back)
        text = (
            ngettext(
                "%(count)d interaction log entry has been canceled.",
                "%(count)d interaction log entries have been canceled.",
                changed,
            )
            if canceled
            else ngettext(
                "%(count)d interaction log entry has been un-canceled.",
                "%(count)d interaction log entries have been un-canceled.",
                changed,
            )
        )
        messages.success(request, text % {"count": changed})
        return redirect(back)


class EntryLetterView(Permission, View):
    """Download an entry's letter, rendered again from its merge-data snapshot."""

    permission_required = "interactions.view_interactionlogentry"

    def get(self, request, pk):
        entry = get_object_or_404(InteractionLogEntry, pk=pk)
        try:
            letter = delivery.entry_letter(entry)
        except LetterError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(entry)
        except OSError:
            messages.error(
                request,
                _(
                    "The letter of interaction log entry %(entry_no)s cannot be made: its "
                    "document is missing from storage."
                )
                % {"entry_no": entry.entry_no},
            )
            return redirect(entry)
        name = letters.safe_filename(f"{entry.entry_no} {entry.contact_name}")
        response = HttpResponse(letter, content_type=DOCX)
        # Django writes the header: a name such as "Kåre" needs RFC 6266's filename*.
        response["Content-Disposition"] = content_disposition_header(True, f"{name}.docx")
        return response


class _Echo:
    """A file-like object whose ``write`` returns the line, for streaming CSV."""

    def write(self, value):
        return value


#: Columns of the CSV export: (model field for the header, value path).
EXPORT_COLUMNS = [
    ("entry_no", "entry_no"),
    ("date", "date"),
    ("contact", "contact__no"),
    ("contact_name", "contact_name"),
    ("contact_company", "contact_company__no"),
    ("segment_no", "segment_no"),
    ("template", "template__code"),
    ("group", "group__code"),
    ("description", "description"),
    ("subject", "subject"),
    ("language", "language"),
    ("correspondence_type", "correspondence_type"),
    ("cost", "cost"),
    ("duration", "duration"),
    ("information_flow", "information_flow"),
    ("initiated_by", "initiated_by"),
    ("salesperson", "salesperson__code"),
    ("evaluation", "evaluation"),
    ("attempt_failed", "attempt_failed"),
    ("canceled", "canceled"),
    ("delivery_status", "delivery_status"),
    ("delivery_error", "delivery_error"),
]


class EntryExportView(Permission, View):
    """The filtered entry list as CSV, streamed row by row from one query."""

    permission_required = "interactions.view_interactionlogentry"

    def get(self, request):
        filterset = InteractionLogEntryFilter(request.GET, queryset=InteractionLogEntry.objects)
        if not filterset.is_valid():
            messages.error(
                request, _("Correct the filters marked in red before exporting the list.")
            )
            return redirect(f"{reverse('interactions:entry-list')}?{request.GET.urlencode()}")
        rows = filterset.qs.values_list(*(path for _name, path in EXPORT_COLUMNS))
        if not rows.query.order_by:
            rows = rows.order_by("entry_no")
        header = [
            str(capfirst(InteractionLogEntry._meta.get_field(name).verbose_name))
            for name, _path in EXPORT_COLUMNS
        ]
        writer = csv.writer(_Echo())

        def lines():
            yield writer.writerow(header)
            for row in rows.iterator(chunk_size=2000):
                yield writer.writerow(safe_row(row))

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="interaction-log-entries.csv"'
        return response
