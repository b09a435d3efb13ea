"""Segment pages (SPEC section 5): the list, the worksheet and its dialogs, saved criteria.

Views are thin: a form or FilterSet validates, one service does the work, a message says
what happened, and the browser is redirected. Dialogs render on their own page, or as a
modal's content when htmx asks (``request.htmx``); after a write an htmx dialog sends the
whole page to the result (``HX-Redirect``), so messages show as after any redirect.
"""

import io
import tempfile

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView
from django_htmx.http import HttpResponseClientRedirect

from crm.models import Contact
from interactions import letters
from interactions.exceptions import LetterError

from . import jobs as segment_jobs
from . import outputs, selectors, services
from .criteria import describe_action
from .exceptions import SegmentError, SegmentGone
from .forms import (
    LINE_FIELDS,
    AddLineForm,
    CriteriaOptionsForm,
    LineDocumentForm,
    LogSegmentForm,
    MailingGroupForm,
    PersonalNoteForm,
    ReuseCriteriaForm,
    ReuseLoggedSegmentForm,
    SaveCriteriaForm,
    SegmentCreateForm,
    SegmentHeaderForm,
    criteria_filtersets,
    criteria_from,
    line_value_form,
)
from .models import CriteriaActionType, SavedCriteria, Segment, SegmentLine
from .services.posting import LINE_PROBLEMS

#: Service errors that mean the page was stale: the segment or line is gone.
STALE = {"segment_missing", "line_missing", "already_logged"}

#: How many contacts the "add a line" search suggests.
SUGGESTIONS = 20


def _go(request, url: str):
    """Redirect; from an htmx request the whole page goes to ``url``."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


def _stale(request, error: SegmentError | LetterError, url: str):
    for message in error.messages:
        messages.warning(request, message)
    return _go(request, url)


def _job_started(request, job):
    """Large segments work in the background: show the job's progress page."""
    messages.info(
        request,
        _("%(job)s runs in the background; this page shows its progress.")
        % {"job": job.description},
    )
    return _go(request, job.get_absolute_url())


class SegmentMixin(PermissionRequiredMixin):
    """Loads the segment of the URL once permission is granted; a gone one redirects."""

    permission_required = "segments.change_segment"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.segment = (
            Segment.objects.select_related("interaction_template", "salesperson", "follow_up_of")
            .filter(pk=kwargs["pk"])
            .first()
        )
        if self.segment is None:
            messages.warning(
                request,
                _(
                    "That segment no longer exists: it has been logged or deleted meanwhile. "
                    "Nothing was changed."
                ),
            )
            return _go(request, reverse("segments:segment-list"))
        if request.method == "POST":
            # Header and line edits too wait while a background job works on the segment.
            try:
                segment_jobs.ensure_free(self.segment)
            except SegmentError as error:
                return _stale(request, error, self.segment.get_absolute_url())
        stale = self.load(**kwargs)
        if stale is not None:
            return stale
        return super(PermissionRequiredMixin, self).dispatch(request, *args, **kwargs)

    def load(self, **kwargs):
        """Load what else the URL names; return a response when it is gone."""
        return None

    @property
    def segment_url(self) -> str:
        return self.segment.get_absolute_url()

    def refused(self, error: SegmentError, form=None):
        """A service refused: stale pages redirect, other errors go onto ``form``."""
        if getattr(error, "code", None) in STALE or form is None:
            return _stale(self.request, error, self.segment_url)
        form.add_error(None, error)
        return None


class DialogMixin:
    """A dialog: the modal's content for htmx, else a page of its own."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["layout"] = (
            "segments/dialog_partial.html" if self.request.htmx else "segments/dialog_page.html"
        )
        context["segment"] = self.segment
        return context


# --- segments list and new segment ------------------------------------------------------------


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


# --- the worksheet ----------------------------------------------------------------------------


class SegmentDetailView(SegmentMixin, TemplateView):
    """The worksheet: header, counters, lines with effective values, criteria history."""

    permission_required = "segments.view_segment"
    template_name = "segments/segment_detail.html"

    def get_context_data(self, header_form=None, add_line_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        segment = self.segment
        totals = selectors.segment_totals(segment)
        paginator = selectors.CountedPaginator(
            selectors.worksheet_lines(segment), selectors.LINES_PER_PAGE, count=totals.lines
        )
        number = self.request.GET.get("page")
        line_no = self.request.GET.get("line", "")
        if line_no.isdigit() and int(line_no) <= selectors.LARGEST_LINE_NO:
            number = selectors.page_of_line(segment, int(line_no))
        page = paginator.get_page(number)
        actions = list(segment.actions.select_related("created_by").order_by("seq"))
        if header_form is None:
            header_form = SegmentHeaderForm(
                instance=segment, inherited=selectors.inherited_values(segment)
            )
        context.update(
            segment=segment,
            totals=totals,
            page_obj=page,
            lines=page.object_list,
            actions=actions,
            latest_action=actions[-1] if actions else None,
            header_form=header_form,
            add_line_form=add_line_form or AddLineForm(),
            line_fields=LINE_FIELDS,
            can_change=self.request.user.has_perm("segments.change_segment"),
        )
        return context


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
        return super().get_context_data(segment=self.segment, **kwargs)

    def post(self, request, pk):
        no = self.segment.no
        try:
            services.delete_segment(self.segment, user=request.user)
        except SegmentError as error:
            return self.refused(error)
        messages.success(request, _("Segment %(no)s has been deleted.") % {"no": no})
        return redirect("segments:segment-list")


# --- lines ------------------------------------------------------------------------------------


class LineMixin(SegmentMixin):
    def load(self, **kwargs):
        self.line = (
            SegmentLine.objects.filter(pk=kwargs["line"], segment=self.segment)
            .select_related("contact")
            .first()
        )
        if self.line is None:
            messages.warning(
                self.request,
                _("That line is no longer on segment %(no)s. Nothing was changed.")
                % {"no": self.segment.no},
            )
            return _go(self.request, self.segment_url)
        return None

    def row(self, *, editing: str = "", form=None, status: int = 200):
        """The line's table row, as the worksheet shows it (one query)."""
        line = selectors.worksheet_line(self.segment, self.line.pk)
        return render(
            self.request,
            "segments/segment_detail.html#line-row",
            {
                "segment": self.segment,
                "line": line,
                "editing": editing,
                "form": form,
                "line_fields": LINE_FIELDS,
                "can_change": self.request.user.has_perm("segments.change_segment"),
            },
            status=status,
        )


class LineRowView(LineMixin, View):
    permission_required = "segments.view_segment"

    def get(self, request, pk, line):
        if not request.htmx:
            return redirect(self.line)
        return self.row()


class LineEditView(LineMixin, View):
    """Edit one override of a line in place (htmx), or on its own page without htmx."""

    def load(self, **kwargs):
        if kwargs["field"] not in LINE_FIELDS:
            raise Http404(_("A segment line has no value %(field)s.") % {"field": kwargs["field"]})
        self.field = kwargs["field"]
        return super().load(**kwargs)

    def form(self, *args):
        # Ids of the line's own: the header form on the same page has id_description...
        return line_value_form(self.field)(
            *args, instance=self.line, auto_id=f"id_line-{self.line.pk}-%s"
        )

    def get(self, request, pk, line, field):
        form = self.form()
        if request.htmx:
            return self.row(editing=field, form=form)
        return self.page(form)

    def page(self, form):
        return render(
            self.request,
            "segments/line_edit.html",
            {"segment": self.segment, "line": self.line, "form": form, "field": self.field},
        )

    def post(self, request, pk, line, field):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.row(editing=field, form=form) if request.htmx else self.page(form)
        try:
            services.set_line_values(
                self.line, user=request.user, **{field: form.cleaned_data[field]}
            )
        except SegmentError as error:
            return self.refused(error)
        return self.saved(1)

    def saved(self, updated: int):
        if not updated:
            messages.warning(
                self.request,
                _("That line is no longer on segment %(no)s. Nothing was changed.")
                % {"no": self.segment.no},
            )
            return _go(self.request, self.segment_url)
        if self.request.htmx:
            return self.row()
        messages.success(
            self.request,
            _("Line %(line_no)s has been saved.") % {"line_no": self.line.line_no},
        )
        return redirect(f"{self.segment_url}?line={self.line.line_no}#line-{self.line.line_no}")


class LineResetView(LineEditView):
    """Clear an override: the line inherits the value again."""

    http_method_names = ["post"]

    def post(self, request, pk, line, field):
        try:
            services.reset_line_value(self.line, field=field, user=request.user)
        except SegmentError as error:
            return self.refused(error)
        return self.saved(1)


class LineAddView(SegmentMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        form = AddLineForm(request.POST)
        if form.is_valid():
            try:
                line = services.add_line(
                    self.segment, contact=form.cleaned_data["contact"], user=request.user
                )
            except SegmentError as error:
                response = self.refused(error, form)
                if response is not None:
                    return response
            else:
                messages.success(
                    request,
                    _("Line %(line_no)s for contact %(contact)s has been added.")
                    % {"line_no": line.line_no, "contact": line.contact.no},
                )
                return redirect(f"{self.segment_url}?line={line.line_no}#line-{line.line_no}")
        view = SegmentDetailView(request=request, kwargs={"pk": pk}, segment=self.segment)
        return TemplateResponse(
            request, view.template_name, view.get_context_data(add_line_form=form)
        )


class LineRemoveView(LineMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk, line):
        try:
            services.remove_line(self.line, user=request.user)
        except SegmentError as error:
            return _stale(request, error, self.segment_url)
        messages.success(
            request,
            _("Line %(line_no)s (%(contact)s) has been removed; Go back restores it.")
            % {"line_no": self.line.line_no, "contact": self.line.contact.name},
        )
        return _go(request, self.segment_url)


class ContactSearchView(PermissionRequiredMixin, View):
    """Contacts whose number or name matches what was typed, for "add a line"."""

    permission_required = "crm.view_contact"

    def get(self, request):
        typed = request.GET.get("contact", "").strip()
        contacts = Contact.objects.none()
        if typed:
            contacts = Contact.objects.filter(no__istartswith=typed) | Contact.objects.filter(
                name__icontains=typed
            )
            contacts = contacts.order_by("no")[:SUGGESTIONS]
        return render(request, "segments/contact_suggestions.html", {"contacts": contacts})


# --- a line's letter ---------------------------------------------------------------------------


class LineLetterView(LineMixin, DialogMixin, TemplateView):
    """A line's letter: preview, personal note, personalised document."""

    permission_required = "segments.view_segment"
    template_name = "segments/line_letter.html"

    def get_context_data(self, note_form=None, document_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            line=self.line,
            note_form=note_form or PersonalNoteForm(instance=self.line),
            document_form=document_form or LineDocumentForm(),
        )
        return context


class LineNoteView(LineLetterView):
    permission_required = "segments.change_segment"
    http_method_names = ["post"]

    def post(self, request, pk, line):
        form = PersonalNoteForm(request.POST, instance=self.line)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(note_form=form))
        try:
            services.set_line_values(
                self.line, user=request.user, personal_note=form.cleaned_data["personal_note"]
            )
        except SegmentError as error:
            return self.refused(error)
        messages.success(
            request,
            _("The personal note of line %(line_no)s has been saved.")
            % {"line_no": self.line.line_no},
        )
        return _go(request, f"{self.segment_url}?line={self.line.line_no}#line-{self.line.line_no}")


class LineDocumentView(LineLetterView):
    permission_required = "segments.change_segment"
    http_method_names = ["post"]

    def post(self, request, pk, line):
        form = LineDocumentForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(document_form=form))
        upload = form.cleaned_data["document"]
        try:
            services.set_line_document(self.line, upload=upload, user=request.user)
        except SegmentError as error:
            return self.refused(error)
        messages.success(
            request,
            _("Line %(line_no)s now has its own letter %(name)s.")
            % {"line_no": self.line.line_no, "name": upload.name},
        )
        return _go(request, reverse("segments:line-letter", args=[pk, line]))


class LineDocumentRemoveView(LineLetterView):
    permission_required = "segments.change_segment"
    http_method_names = ["post"]

    def post(self, request, pk, line):
        old = self.line.document.name
        if not old:
            messages.info(
                request,
                _("Line %(line_no)s has no personalised document.")
                % {"line_no": self.line.line_no},
            )
            return _go(request, reverse("segments:line-letter", args=[pk, line]))
        try:
            services.remove_line_document(self.line, user=request.user)
        except SegmentError as error:
            return self.refused(error)
        messages.success(
            request,
            _("The personalised document of line %(line_no)s has been removed.")
            % {"line_no": self.line.line_no},
        )
        return _go(request, reverse("segments:line-letter", args=[pk, line]))


class LinePreviewView(LineMixin, View):
    """Download one line's letter as the contact will get it."""

    permission_required = "segments.view_segment"

    def get(self, request, pk, line):
        try:
            document = outputs.preview(self.line)
        except (SegmentError, LetterError) as error:
            # A stored document that cannot be merged (uploaded before the checks, or
            # damaged in storage) is a message on the line's letter page, never a 500.
            return _stale(request, error, reverse("segments:line-letter", args=[pk, line]))
        name = letters.safe_filename(f"{self.line.line_no} {self.line.contact.name}") + ".docx"
        return FileResponse(io.BytesIO(document), as_attachment=True, filename=name)


# --- criteria actions --------------------------------------------------------------------------

ACTION_SERVICES = {
    CriteriaActionType.ADD: services.add_contacts,
    CriteriaActionType.REDUCE: services.reduce_contacts,
    CriteriaActionType.REFINE: services.refine_contacts,
}


class CriteriaMixin(SegmentMixin):
    def load(self, **kwargs):
        try:
            self.action = CriteriaActionType(kwargs["action"])
        except ValueError:
            raise Http404(_("There is no criteria action %(action)s.") % kwargs) from None
        return None

    def bind(self):
        """The sources' FilterSets and the options form bound to the POST, and validity."""
        data = self.request.POST
        filtersets = criteria_filtersets(data)
        options = CriteriaOptionsForm(data, action=self.action)
        valid = all([fs.is_valid() for fs in filtersets.values()]) & options.is_valid()
        return filtersets, options, valid


class CriteriaView(CriteriaMixin, DialogMixin, TemplateView):
    """The Add contacts / Reduce / Refine dialog: sources as tabs, options, preview, Apply."""

    template_name = "segments/criteria_dialog.html"

    def get_context_data(self, filtersets=None, options=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            action=self.action,
            filtersets=filtersets or criteria_filtersets(),
            options=options or CriteriaOptionsForm(action=self.action),
        )
        return context

    def post(self, request, pk, action):
        filtersets, options, valid = self.bind()
        context = {"filtersets": filtersets, "options": options}
        if not valid:
            return self.render_to_response(self.get_context_data(**context))
        criteria = criteria_from(filtersets)
        if "_preview" in request.POST:
            context["preview"] = self.preview(criteria, options.cleaned_data)
            return self.render_to_response(self.get_context_data(**context))
        try:
            done = ACTION_SERVICES[self.action](
                self.segment, criteria=criteria, user=request.user, **options.cleaned_data
            )
        except SegmentError as error:
            if getattr(error, "code", None) in STALE:
                return _stale(request, error, self.segment_url)
            context["errors"] = error.messages
            return self.render_to_response(self.get_context_data(**context))
        messages.success(request, _action_message(done))
        return _go(request, self.segment_url)

    def preview(self, criteria, options):
        try:
            return services.preview(self.segment, action=self.action, criteria=criteria, **options)
        except SegmentError as error:
            return {"errors": error.messages}


def _action_message(action) -> str:
    if action.action == CriteriaActionType.ADD:
        counted = ngettext("%(count)s line added.", "%(count)s lines added.", action.added) % {
            "count": action.added
        }
    else:
        counted = ngettext(
            "%(count)s line removed.", "%(count)s lines removed.", action.removed
        ) % {"count": action.removed}
    # Described from its criteria now, as the history shows it (country names, the
    # page's language), not the text stored when it ran.
    return _("%(description)s: %(counted)s") % {
        "description": describe_action(action),
        "counted": counted,
    }


class CriteriaPreviewView(CriteriaMixin, View):
    """The live preview of the criteria dialog: "+412 lines" and a sample of contacts."""

    http_method_names = ["post"]

    def post(self, request, pk, action):
        filtersets, options, valid = self.bind()
        context = {"segment": self.segment, "action": self.action}
        if valid:
            try:
                context["preview"] = services.preview(
                    self.segment,
                    action=self.action,
                    criteria=criteria_from(filtersets),
                    **options.cleaned_data,
                )
            except SegmentError as error:
                context["preview"] = {"errors": error.messages}
        else:
            # The preview replaces only itself, not the fields (the user may be typing in
            # one): it says what is wrong with which filter, and names the invalid fields
            # for the page's script to mark in red.
            errors, invalid = _filter_errors(filtersets, options)
            context["preview"] = {"errors": errors, "invalid": invalid}
        return render(request, "segments/criteria_dialog.html#preview", context)


def _filter_errors(filtersets: dict, options) -> tuple[list[str], list[str]]:
    """Each error of the criteria dialog's forms, named by source and filter; and the
    names of the invalid fields (as posted)."""
    named, invalid = [], []
    forms = [(str(filterset.label), filterset.form) for filterset in filtersets.values()]
    forms.append((_("Options"), options))
    for source, form in forms:
        for name, errors in form.errors.items():
            field = form.fields.get(name)
            where = f"{source}, {field.label}" if field is not None and field.label else source
            named += [
                _("%(filter)s: %(error)s") % {"filter": where, "error": error} for error in errors
            ]
            if field is not None:
                invalid.append(form.add_prefix(name))
    return named, invalid


class GoBackView(SegmentMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            action = services.go_back(self.segment, user=request.user)
        except SegmentError as error:
            return _stale(request, error, self.segment_url)
        messages.success(
            request,
            _("Went back: step %(seq)s (%(description)s) has been undone.")
            % {"seq": action.seq, "description": describe_action(action)},
        )
        return _go(request, self.segment_url)


class SegmentDialogView(SegmentMixin, DialogMixin, FormView):
    """A dialog whose form is handed to one service."""

    def form_valid(self, form):
        try:
            response = self.act(form.cleaned_data)
        except SegmentError as error:
            response = self.refused(error, form)
            if response is None:
                return self.form_invalid(form)
        return response


class SaveCriteriaView(SegmentDialogView):
    permission_required = "segments.add_savedcriteria"
    template_name = "segments/save_criteria.html"
    form_class = SaveCriteriaForm

    def get_context_data(self, **kwargs):
        # Lines added or removed by hand are saved as steps on those contacts and are
        # replayed with the rest; the dialog lists them so that this is no surprise.
        return super().get_context_data(
            manual_steps=list(self.segment.actions.filter(manual=True).order_by("seq")),
            **kwargs,
        )

    def act(self, data):
        saved = services.save_criteria(self.segment, user=self.request.user, **data)
        messages.success(
            self.request,
            _("The criteria of segment %(no)s have been saved as %(code)s.")
            % {"no": self.segment.no, "code": saved.code},
        )
        return _go(self.request, self.segment_url)


class ReuseCriteriaView(SegmentDialogView):
    template_name = "segments/reuse_criteria.html"
    form_class = ReuseCriteriaForm

    def act(self, data):
        if segment_jobs.is_large(self.segment):
            job = segment_jobs.start_reuse_criteria(
                self.segment, saved=data["saved"], user=self.request.user
            )
            return _job_started(self.request, job)
        done = services.reuse_criteria(self.segment, saved=data["saved"], user=self.request.user)
        messages.success(
            self.request,
            _("Saved criteria %(code)s applied: %(added)s lines added, %(removed)s removed.")
            % {
                "code": data["saved"].code,
                "added": sum(action.added for action in done),
                "removed": sum(action.removed for action in done),
            },
        )
        return _go(self.request, self.segment_url)


class ReuseLoggedSegmentView(SegmentDialogView):
    template_name = "segments/reuse_logged_segment.html"
    form_class = ReuseLoggedSegmentForm

    def act(self, data):
        action = services.reuse_logged_segment(self.segment, user=self.request.user, **data)
        messages.success(
            self.request,
            _("Logged segment %(logged)s has been reused: %(count)s lines added.")
            % {"logged": data["logged"].segment_no, "count": action.added},
        )
        return _go(self.request, self.segment_url)


class ApplyMailingGroupView(SegmentDialogView):
    """Apply a mailing group; emptying the group first needs a confirmation with the count.

    It changes the group for every contact, so it takes the right to manage mailing groups
    (marketing managers, SPEC section 1), not only the right to edit the segment.
    """

    permission_required = ("segments.change_segment", "crm.change_mailinggroup")
    template_name = "segments/apply_mailing_group.html"
    form_class = MailingGroupForm

    def act(self, data):
        group = data["mailing_group"]
        if data["delete_old_assignments"] and not data["confirmed"]:
            form = MailingGroupForm(
                initial={"mailing_group": group, "delete_old_assignments": True, "confirmed": True}
            )
            return self.render_to_response(
                self.get_context_data(
                    form=form,
                    confirm=True,
                    group=group,
                    removing=services.mailing_group_assignment_count(group),
                )
            )
        added = services.apply_mailing_group(
            self.segment,
            mailing_group=group,
            delete_old_assignments=data["delete_old_assignments"],
            user=self.request.user,
        )
        messages.success(
            self.request,
            ngettext(
                "%(count)s contact has been added to mailing group %(code)s.",
                "%(count)s contacts have been added to mailing group %(code)s.",
                added,
            )
            % {"count": added, "code": group.code},
        )
        return _go(self.request, self.segment_url)


def _spool():
    """A temporary file for a download; FileResponse streams it and closes it."""
    return tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response


class ExportView(SegmentMixin, View):
    """The segment's contacts as CSV, streamed from a temporary file."""

    permission_required = "segments.view_segment"

    def get(self, request, pk):
        out = _spool()
        text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        services.export_contacts(self.segment, text)
        text.flush()
        text.detach()
        out.seek(0)
        return FileResponse(
            out,
            as_attachment=True,
            filename=f"{self.segment.no}.csv",
            content_type="text/csv; charset=utf-8",
        )


# --- letters -----------------------------------------------------------------------------------


class LettersView(SegmentMixin, TemplateView):
    """The template report per language, and the downloads of every line's letter."""

    permission_required = "segments.view_segment"
    template_name = "segments/letters.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reports = []
        for document in selectors.letter_documents(self.segment):
            try:
                with default_storage.open(document["document"], "rb") as stored:
                    content = stored.read()
            except OSError:
                reports.append({**document, "missing": True})
                continue
            try:
                report = outputs.template_report(self.segment, content)
            except LetterError as error:
                reports.append({**document, "error": " ".join(error.messages)})
                continue
            reports.append({**document, "report": report})
        context.update(segment=self.segment, reports=reports, pdf_available=letters.pdf_available())
        return context


DOWNLOADS = {
    "zip": (outputs.write_zip, "zip", "application/zip"),
    "docx": (
        outputs.write_combined,
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "pdf": (outputs.write_pdf, "pdf", "application/pdf"),
}


class LettersDownloadView(SegmentMixin, View):
    """Every line's letter as a zip, one combined .docx or a PDF, streamed from a temp file."""

    permission_required = "segments.view_segment"

    def get(self, request, pk, kind):
        return self.download(kind, start_job=False)

    def post(self, request, pk, kind):
        return self.download(kind, start_job=True)

    def download(self, kind: str, *, start_job: bool):
        """Stream the letters; a large segment's are built by a job, which only a POST
        starts: a link followed by a crawler or planted on another site queues nothing."""
        request, pk = self.request, self.segment.pk
        if kind not in DOWNLOADS:
            raise Http404(_("There is no letters download %(kind)s.") % {"kind": kind})
        write, extension, content_type = DOWNLOADS[kind]
        if segment_jobs.is_large(self.segment):
            if not start_job:
                messages.info(
                    request,
                    _(
                        "The letters of segment %(no)s are built in the background; "
                        "start it with a download button on this page."
                    )
                    % {"no": self.segment.no},
                )
                return redirect("segments:letters", pk)
            try:
                job = segment_jobs.start_letters(self.segment, kind=kind, user=request.user)
            except SegmentError as error:
                return _stale(request, error, reverse("segments:letters", args=[pk]))
            return _job_started(request, job)
        out = _spool()
        try:
            write(self.segment, out)
        except (SegmentError, LetterError) as error:
            out.close()
            return _stale(request, error, reverse("segments:letters", args=[pk]))
        out.seek(0)
        return FileResponse(
            out,
            as_attachment=True,
            filename=f"{self.segment.no}.{extension}",
            content_type=content_type,
        )


# --- logging -----------------------------------------------------------------------------------


class LogSegmentView(SegmentDialogView):
    """Log the segment; problems are listed by line, with links to the lines."""

    permission_required = "segments.log_segment"
    template_name = "segments/log_segment.html"
    form_class = LogSegmentForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["problems"] = [
            _shown_problem(self.segment, problem) for problem in context.get("problems", [])
        ]
        return context

    def form_valid(self, form):
        try:
            if segment_jobs.is_large(self.segment):
                job = segment_jobs.start_log(
                    self.segment, user=self.request.user, **form.cleaned_data
                )
                return _job_started(self.request, job)
            logged = services.log_segment(self.segment, user=self.request.user, **form.cleaned_data)
        except SegmentError as error:
            if getattr(error, "code", None) in STALE:
                return _stale(self.request, error, reverse("segments:segment-list"))
            problems = getattr(error, "problems", None)
            if not problems:
                form.add_error(None, error)
            return self.render_to_response(
                self.get_context_data(form=form, problems=problems or [], failed=True)
            )
        messages.success(
            self.request, _("Segment %(no)s has been logged.") % {"no": logged.segment_no}
        )
        if form.cleaned_data["create_follow_up"]:
            follow_up = Segment.objects.filter(follow_up_of=logged).order_by("-pk").first()
            if follow_up is not None:
                messages.info(
                    self.request,
                    _("Follow-up segment %(no)s has been created.") % {"no": follow_up.no},
                )
                return _go(self.request, follow_up.get_absolute_url())
        return _go(self.request, reverse("interactions:logged-segment-detail", args=[logged.pk]))


def _shown_problem(segment, problem):
    """A logging problem for the dialog: its line numbers written once, as links.

    The service's message lists them as text ("... (lines 10000, 20000)") for commands and
    the API; the dialog puts the links in their place instead of repeating them after it.
    """
    template = LINE_PROBLEMS.get(problem.code)
    if template is None or not problem.line_nos:
        return {"code": problem.code, "text": problem.message}
    marker = "\x00lines\x00"
    head, _marker, tail = str(template % {"count": problem.count, "lines": marker}).partition(
        marker
    )
    url = segment.get_absolute_url()
    links = format_html_join(
        ", ",
        '<a href="{}?line={}#line-{}" class="problem-line">{}</a>',
        ((url, line_no, line_no, line_no) for line_no in problem.line_nos),
    )
    more = ""
    if problem.count > len(problem.line_nos):
        more = " " + _("and %(more)d more") % {"more": problem.count - len(problem.line_nos)}
    return {"code": problem.code, "text": format_html("{}{}{}{}", head, links, more, tail)}


# --- saved criteria ----------------------------------------------------------------------------


class SavedCriteriaListView(PermissionRequiredMixin, ListView):
    permission_required = "segments.view_savedcriteria"
    template_name = "segments/savedcriteria_list.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.saved_criteria_list()


class SavedCriteriaDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "segments.view_savedcriteria"
    template_name = "segments/savedcriteria_detail.html"
    queryset = SavedCriteria.objects.select_related("created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["steps"] = self.object.actions.order_by("seq")
        return context


class SavedCriteriaDeleteView(PermissionRequiredMixin, TemplateView):
    permission_required = "segments.delete_savedcriteria"
    template_name = "segments/savedcriteria_confirm_delete.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.object = SavedCriteria.objects.filter(pk=kwargs["pk"]).first()
        if self.object is None:
            messages.warning(
                request, _("Those saved criteria no longer exist. Nothing was changed.")
            )
            return redirect("segments:saved-criteria-list")
        return super(PermissionRequiredMixin, self).dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.object, **kwargs)

    def post(self, request, pk):
        code = self.object.code
        services.delete_saved_criteria(self.object, user=request.user)
        messages.success(request, _("Saved criteria %(code)s have been deleted.") % {"code": code})
        return redirect("segments:saved-criteria-list")
