"""Pages of the ledger: logged segments, interaction log entries, templates, statistics.

Views stay thin: a form or FilterSet parses the request, one service or query does the
work, a message reports the outcome. Rules live in ``services``, ``letters`` and
``delivery``.
"""

import csv
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.messages.views import SuccessMessageMixin
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Count, ProtectedError, Q, RestrictedError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import (
    CreateView,
    DetailView,
    FormView,
    ListView,
    TemplateView,
    UpdateView,
)
from django_filters.views import FilterView

from crm.models import Contact
from crm.spreadsheets import safe_row

from . import delivery, letters, services
from .exceptions import InteractionError, LetterError
from .filters import InteractionLogEntryFilter, InteractionTemplateFilter, LoggedSegmentFilter
from .forms import (
    CancelEntriesForm,
    CancelForm,
    InteractionGroupForm,
    InteractionNoteForm,
    InteractionTemplateForm,
    InteractionTemplateLanguageForm,
    LogInteractionForm,
    StatisticsForm,
)
from .models import (
    InteractionDraft,
    InteractionGroup,
    InteractionLogEntry,
    InteractionTemplate,
    InteractionTemplateLanguage,
    LoggedSegment,
)

PAGE_SIZE = 50
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CANCEL_PERMISSION = "interactions.cancel_interaction"


class Permission(PermissionRequiredMixin):
    """A logged-in user without the permission gets 403 (anonymous users never get here:
    LoginRequiredMiddleware sends them to the login page)."""

    raise_exception = True


def _next_url(request, default: str) -> str:
    """The page to return to after a POST: ``next`` when it is on this site."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _form_errors(form) -> str:
    return " ".join(error for errors in form.errors.values() for error in errors)


# --- logged segments -------------------------------------------------------------------------


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
        return LoggedSegment.objects.select_related("created_by")

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
    """POST: cancel or un-cancel a logged segment with all its entries."""

    permission_required = CANCEL_PERMISSION
    http_method_names = ["post"]

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


# --- interaction log entries ------------------------------------------------------------------


def entry_rows():
    """Entries with everything a list row shows, in one query."""
    return InteractionLogEntry.objects.select_related(
        "contact", "template", "group", "salesperson", "logged_segment"
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
        return entry_rows().select_related("contact_company", "created_by")

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


# --- interaction templates and groups -------------------------------------------------------


class TemplateListView(Permission, FilterView):
    permission_required = "interactions.view_interactiontemplate"
    filterset_class = InteractionTemplateFilter
    template_name = "interactions/template_list.html"
    paginate_by = PAGE_SIZE
    strict = True

    def get_queryset(self):
        return (
            InteractionTemplate.objects.select_related("group")
            .annotate(language_count=Count("languages"))
            .order_by("code")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(languages=settings.LANGUAGES, **kwargs)


class TemplateDetailView(Permission, DetailView):
    permission_required = "interactions.view_interactiontemplate"
    template_name = "interactions/template_detail.html"
    context_object_name = "template"

    def get_queryset(self):
        return InteractionTemplate.objects.select_related("group")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            versions=self.object.languages.order_by("language"),
            languages=settings.LANGUAGES,
            **kwargs,
        )


class TemplateCreateView(Permission, SuccessMessageMixin, CreateView):
    permission_required = "interactions.add_interactiontemplate"
    model = InteractionTemplate
    form_class = InteractionTemplateForm
    template_name = "interactions/form.html"
    success_message = gettext_lazy("Interaction template %(code)s has been created.")
    extra_context = {
        "title": gettext_lazy("New interaction template"),
        "back_url": reverse_lazy("interactions:template-list"),
    }


class TemplateUpdateView(Permission, SuccessMessageMixin, UpdateView):
    permission_required = "interactions.change_interactiontemplate"
    model = InteractionTemplate
    form_class = InteractionTemplateForm
    template_name = "interactions/form.html"
    success_message = gettext_lazy("Interaction template %(code)s has been saved.")
    extra_context = {"title": gettext_lazy("Edit interaction template")}

    def get_context_data(self, **kwargs):
        return super().get_context_data(back_url=self.object.get_absolute_url(), **kwargs)


class _DeleteView(Permission, DetailView):
    """Confirm on GET, delete on POST; a record still in use gets a message, not a 500."""

    template_name = "interactions/confirm_delete.html"
    context_object_name = "record"

    def post(self, request, *args, **kwargs):
        record = self.object = self.get_object()
        try:
            record.delete()
        except (ProtectedError, RestrictedError):
            messages.error(request, self.in_use_message(record))
            return redirect(self.back_url(record))
        messages.success(request, self.deleted_message(record))
        return redirect(self.deleted_url(record))

    def back_url(self, record):
        return record.get_absolute_url()


class TemplateDeleteView(_DeleteView):
    permission_required = "interactions.delete_interactiontemplate"
    model = InteractionTemplate

    def in_use_message(self, template):
        return _(
            "Interaction template %(code)s cannot be deleted: interaction log entries or "
            "segments use it. It stays as it is."
        ) % {"code": template.code}

    def deleted_message(self, template):
        return _("Interaction template %(code)s has been deleted.") % {"code": template.code}

    def deleted_url(self, template):
        return reverse("interactions:template-list")


class _LanguageMixin(Permission):
    """A language version of the template in the URL."""

    model = InteractionTemplateLanguage
    form_class = InteractionTemplateLanguageForm
    template_name = "interactions/form.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.template = get_object_or_404(InteractionTemplate, pk=kwargs["template_pk"])

    def get_queryset(self):
        return self.template.languages.all()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "template": self.template}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            template=self.template,
            back_url=self.template.get_absolute_url(),
            multipart=True,
            **kwargs,
        )

    def form_valid(self, form):
        version = form.save()
        if form.report is not None:
            messages.success(
                self.request,
                _("The document of %(template)s in %(language)s has been uploaded.")
                % {"template": self.template.code, "language": version.language},
            )
            return redirect("interactions:template-language-report", self.template.pk, version.pk)
        messages.success(
            self.request,
            _("%(template)s in %(language)s has been saved.")
            % {"template": self.template.code, "language": version.language},
        )
        return redirect(self.template)


class TemplateLanguageCreateView(_LanguageMixin, CreateView):
    permission_required = "interactions.add_interactiontemplatelanguage"
    extra_context = {"title": gettext_lazy("New language version")}


class TemplateLanguageUpdateView(_LanguageMixin, UpdateView):
    permission_required = "interactions.change_interactiontemplatelanguage"
    extra_context = {"title": gettext_lazy("Edit language version")}


class TemplateLanguageDeleteView(_DeleteView):
    permission_required = "interactions.delete_interactiontemplatelanguage"

    def get_queryset(self):
        return InteractionTemplateLanguage.objects.filter(
            template_id=self.kwargs["template_pk"]
        ).select_related("template")

    def in_use_message(self, version):
        return _("%(template)s in %(language)s is in use and cannot be deleted.") % {
            "template": version.template.code,
            "language": version.language,
        }

    def deleted_message(self, version):
        return _("%(template)s in %(language)s has been deleted.") % {
            "template": version.template.code,
            "language": version.language,
        }

    def back_url(self, version):
        return version.template.get_absolute_url()

    deleted_url = back_url


class TemplateLanguageReportView(Permission, DetailView):
    """The merge fields of a language version's document: known, and unknown (typos)."""

    permission_required = "interactions.view_interactiontemplate"
    template_name = "interactions/template_language_report.html"
    context_object_name = "version"

    def get_queryset(self):
        return InteractionTemplateLanguage.objects.filter(
            template_id=self.kwargs["template_pk"]
        ).select_related("template")

    def get_context_data(self, **kwargs):
        version = self.object
        report, error = None, ""
        if version.document:
            try:
                with version.document.open("rb") as stored:
                    report = letters.template_report(stored.read())
            except LetterError as problem:
                error = " ".join(problem.messages)
            except OSError:
                error = _("The document is missing from storage; upload it again.")
        descriptions = {name: str(label) for name, label in letters.MERGE_FIELDS.items()}
        return super().get_context_data(
            report=report,
            error=error,
            known=[(name, descriptions[name]) for name in (report or {}).get("known", [])],
            **kwargs,
        )


class TemplateLanguageDocumentView(Permission, View):
    """Download a language version's stored letter, to edit it and upload it again.

    Stored documents have no public URL: whoever may edit the version may download it.
    """

    permission_required = "interactions.change_interactiontemplatelanguage"

    def get(self, request, template_pk, pk):
        version = get_object_or_404(
            InteractionTemplateLanguage.objects.select_related("template"),
            template_id=template_pk,
            pk=pk,
        )
        if not version.document:
            raise Http404(
                _("%(template)s in %(language)s has no document.")
                % {"template": version.template.code, "language": version.language}
            )
        try:
            stored = version.document.open("rb")
        except OSError:
            raise Http404(_("The document is missing from storage; upload it again.")) from None
        name = letters.safe_filename(f"{version.template.code}-{version.language}")
        return FileResponse(stored, as_attachment=True, filename=f"{name}.docx", content_type=DOCX)


class StarterDocumentView(Permission, View):
    """A ``.docx`` holding every merge field, in one of the site's languages."""

    permission_required = "interactions.view_interactiontemplate"

    def get(self, request, language):
        if language not in dict(settings.LANGUAGES):
            raise Http404(
                _("There is no starter document in %(language)s.") % {"language": language}
            )
        response = HttpResponse(letters.starter_document(language), content_type=DOCX)
        response["Content-Disposition"] = f'attachment; filename="starter-document-{language}.docx"'
        return response


class GroupListView(Permission, ListView):
    permission_required = "interactions.view_interactiongroup"
    template_name = "interactions/group_list.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return InteractionGroup.objects.annotate(template_count=Count("templates")).order_by("code")


class GroupCreateView(Permission, SuccessMessageMixin, CreateView):
    permission_required = "interactions.add_interactiongroup"
    model = InteractionGroup
    form_class = InteractionGroupForm
    template_name = "interactions/form.html"
    success_url = reverse_lazy("interactions:group-list")
    success_message = gettext_lazy("Interaction group %(code)s has been created.")
    extra_context = {"title": gettext_lazy("New interaction group"), "back_url": success_url}


class GroupUpdateView(Permission, SuccessMessageMixin, UpdateView):
    permission_required = "interactions.change_interactiongroup"
    model = InteractionGroup
    form_class = InteractionGroupForm
    template_name = "interactions/form.html"
    success_url = reverse_lazy("interactions:group-list")
    success_message = gettext_lazy("Interaction group %(code)s has been saved.")
    extra_context = {"title": gettext_lazy("Edit interaction group"), "back_url": success_url}


# --- statistics ----------------------------------------------------------------------------------


class StatisticsView(Permission, TemplateView):
    """Interactions, cost and duration per template and group, canceled entries excluded."""

    permission_required = "interactions.view_interactionlogentry"
    template_name = "interactions/statistics.html"

    def get(self, request, *args, **kwargs):
        form = StatisticsForm(request.GET or None)
        entries = None
        if form.is_bound and form.is_valid():
            entries = InteractionLogEntry.objects.all()
            if form.cleaned_data["date_from"]:
                entries = entries.filter(date__gte=form.cleaned_data["date_from"])
            if form.cleaned_data["date_to"]:
                entries = entries.filter(date__lte=form.cleaned_data["date_to"])
        valid = not form.is_bound or form.is_valid()
        return self.render_to_response(
            self.get_context_data(
                form=form,
                templates=services.template_statistics(entries) if valid else [],
                groups=services.group_statistics(entries) if valid else [],
            )
        )


# --- interactions with one contact (SPEC 7) ---------------------------------------------------

LOG_PERMISSION = "interactions.log_interaction"
#: How many contacts the contact search of "Log interaction" lists.
CONTACT_MATCHES = 20


def _draft_arguments(cleaned: dict) -> dict:
    """The form's values as a draft keeps them (a draft has no "deliver")."""
    return {name: value for name, value in cleaned.items() if name in services.DRAFT_FIELDS}


class LogInteractionView(Permission, FormView):
    """Log one interaction with one contact, or keep it as a draft to finish later.

    Without a contact the page searches for one (``?q=``); ``?draft=`` continues a draft;
    changing the template re-renders the form (htmx) with the template's defaults.
    """

    permission_required = LOG_PERMISSION
    form_class = LogInteractionForm
    template_name = "interactions/log_interaction.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        data = request.POST if request.method == "POST" else request.GET
        self.draft = None
        if data.get("draft", "").isdigit():
            self.draft = get_object_or_404(
                InteractionDraft.objects.select_related("contact", "template"),
                pk=data["draft"],
            )
        self.contact = self.draft.contact if self.draft else None
        if self.contact is None and data.get("contact", "").isdigit():
            self.contact = get_object_or_404(Contact, pk=data["contact"])

    def get_initial(self):
        initial = {}
        if self.draft is not None:
            initial = {name: getattr(self.draft, name) for name in services.DRAFT_FIELDS}
            initial["template"] = self.draft.template
        if self.request.GET.get("template"):
            # The template was changed (htmx): keep what was typed, show its defaults.
            for name in LogInteractionForm.base_fields:
                if name != "attachment" and name in self.request.GET:
                    initial[name] = self.request.GET[name]
        return initial

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        template_key = self.request.GET.get("template") or (
            self.draft.template_id if self.draft else None
        )
        if template_key and str(template_key).isdigit():
            form.show_template_defaults(InteractionTemplate.objects.filter(pk=template_key).first())
        return form

    def get(self, request, *args, **kwargs):
        if self.contact is None:
            return self._search(request)
        return super().get(request, *args, **kwargs)

    def _search(self, request):
        query = request.GET.get("q", "").strip()
        matches = Contact.objects.none()
        if query:
            matches = Contact.objects.filter(
                Q(no__iexact=query) | Q(name__icontains=query) | Q(email__iexact=query)
            ).order_by("name", "pk")[:CONTACT_MATCHES]
        return self.render_to_response(
            {"contact": None, "query": query, "matches": matches, "view": self}
        )

    def post(self, request, *args, **kwargs):
        if self.contact is None:
            raise Http404(_("Choose a contact first."))
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        template = None
        form = context["form"]
        key = form["template"].value()
        if key and str(key).isdigit():
            template = InteractionTemplate.objects.filter(pk=key).first()
        letters_in = []
        if template is not None:
            letters_in = list(
                template.languages.exclude(document="").values_list("language", flat=True)
            )
        context.update(
            contact=self.contact,
            draft=self.draft,
            chosen_template=template,
            letters_in=letters_in,
            next=_next_url(self.request, self.contact.get_absolute_url()),
        )
        return context

    def form_valid(self, form):
        cleaned = dict(form.cleaned_data)
        user = self.request.user
        try:
            if self.request.POST.get("action") == "draft":
                draft = services.save_interaction_draft(
                    self.contact,
                    template=cleaned["template"],
                    user=user,
                    draft=self.draft,
                    attachment=cleaned["attachment"],
                    **_draft_arguments(cleaned),
                )
                messages.success(
                    self.request,
                    _("The interaction with %(contact)s is kept as a draft.")
                    % {"contact": draft.contact.name},
                )
                return redirect(_next_url(self.request, self.contact.get_absolute_url()))
            if self.draft is not None:
                if not cleaned["attachment"]:
                    cleaned.pop("attachment")
                entry = services.log_interaction_draft(self.draft, user=user, **cleaned)
            else:
                entry = services.log_interaction(self.contact, user=user, **cleaned)
        except InteractionError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Interaction log entry %(entry_no)s has been logged for %(contact)s.")
            % {"entry_no": entry.entry_no, "contact": entry.contact_name},
        )
        return redirect(_next_url(self.request, self.contact.get_absolute_url()))


class DraftDeleteView(Permission, View):
    """POST: throw a draft away."""

    permission_required = "interactions.delete_interactiondraft"
    http_method_names = ["post"]

    def post(self, request, pk):
        draft = get_object_or_404(InteractionDraft.objects.select_related("contact"), pk=pk)
        services.delete_interaction_draft(draft, user=request.user)
        messages.success(request, _("The draft has been deleted."))
        return redirect(_next_url(request, draft.contact.get_absolute_url()))


class AddNoteView(Permission, FormView):
    """Add a note to an entry: a comment, and where chosen a new evaluation or flag."""

    permission_required = "interactions.add_interactionnote"
    form_class = InteractionNoteForm
    template_name = "interactions/note_form.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.entry = get_object_or_404(entry_rows(), pk=kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            entry=self.entry,
            next=_next_url(self.request, self.entry.get_absolute_url()),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            services.add_interaction_note(self.entry, user=self.request.user, **form.cleaned_data)
        except InteractionError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The note has been added to interaction log entry %(entry_no)s.")
            % {"entry_no": self.entry.entry_no},
        )
        return redirect(_next_url(self.request, self.entry.get_absolute_url()))


class EntryAttachmentView(Permission, View):
    """The file kept on an entry, for users who may see entries; never a public URL."""

    permission_required = "interactions.view_interactionlogentry"

    def get(self, request, pk):
        entry = get_object_or_404(InteractionLogEntry, pk=pk)
        if not entry.attachment:
            raise Http404(_("This interaction log entry has no attachment."))
        try:
            stored = entry.attachment.open("rb")
        except OSError:
            raise Http404(_("The attachment's file is missing.")) from None
        return FileResponse(
            stored,
            as_attachment=True,
            filename=PurePosixPath(entry.attachment.name).name,
            content_type="application/octet-stream",
        )


class LetterPreviewView(Permission, View):
    """GET: the letter "Log" would merge for the contact with the form's current values."""

    permission_required = LOG_PERMISSION

    def get(self, request):
        contact = get_object_or_404(Contact, pk=request.GET.get("contact") or 0)
        form = LogInteractionForm(request.GET)
        if not form.is_valid():
            return HttpResponse(_form_errors(form), status=400, content_type="text/plain")
        values = {
            name: value
            for name, value in form.cleaned_data.items()
            if name not in ("template", "attachment", "deliver", "attempt_failed", "evaluation")
        }
        try:
            letter = services.preview_interaction_letter(
                contact, template=form.cleaned_data["template"], user=request.user, **values
            )
        except (LetterError, OSError) as error:
            return HttpResponse(
                "; ".join(getattr(error, "messages", None) or [str(error)]),
                status=400,
                content_type="text/plain",
            )
        if letter is None:
            raise Http404(_("This template has no letter."))
        name = letters.safe_filename(f"{contact.no} {form.cleaned_data['template'].code}")
        return HttpResponse(
            letter,
            content_type=DOCX,
            headers={"Content-Disposition": f'attachment; filename="{name}.docx"'},
        )
