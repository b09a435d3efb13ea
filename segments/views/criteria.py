"""The criteria dialogs (add, reduce, refine, with the live preview), go back, and the
dialogs handed to one service: save and reuse criteria, reuse a logged segment, apply a
mailing group.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from .. import jobs as segment_jobs
from .. import services, summaries
from ..criteria import describe_action
from ..exceptions import SegmentError
from ..forms import (
    CriteriaOptionsForm,
    MailingGroupForm,
    ReuseCriteriaForm,
    ReuseLoggedSegmentForm,
    SaveCriteriaForm,
    criteria_filtersets,
    criteria_from,
)
from ..models import CriteriaActionType
from .base import STALE, DialogMixin, SegmentDialogView, SegmentMixin, go, job_started, stale

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
                return stale(request, error, self.segment_url)
            context["errors"] = error.messages
            return self.render_to_response(self.get_context_data(**context))
        messages.success(request, _action_message(done))
        return go(request, self.segment_url)

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
        # An "Undo" offered right after a step names it: only that step is undone.
        seq = request.POST.get("seq", "")
        try:
            action = services.go_back(
                self.segment, user=request.user, seq=int(seq) if seq.isdigit() else None
            )
        except SegmentError as error:
            return stale(request, error, self.segment_url)
        messages.success(
            request,
            _("Went back: step %(seq)s (%(description)s) has been undone.")
            % {"seq": action.seq, "description": describe_action(action)},
        )
        return go(request, self.segment_url)


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
        return go(self.request, self.segment_url)


class ReuseCriteriaView(SegmentDialogView):
    template_name = "segments/reuse_criteria.html"
    form_class = ReuseCriteriaForm

    def act(self, data):
        if segment_jobs.is_large(self.segment):
            job = segment_jobs.start_reuse_criteria(
                self.segment, saved=data["saved"], user=self.request.user
            )
            return job_started(self.request, job)
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
        return go(self.request, self.segment_url)


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
        return go(self.request, self.segment_url)


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
                    summary=summaries.mailing_group_summary(self.segment, group),
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
        return go(self.request, self.segment_url)
