"""Logging a segment (the dialog, its problems by line) and the follow-up segment.

The "create follow-up segment" button sits on the logged segment page; it lives in
segments because it creates a segment: interactions never imports segments.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from interactions.models import LoggedSegment

from .. import jobs as segment_jobs
from .. import services, summaries
from ..exceptions import SegmentError
from ..forms import LogSegmentForm
from ..models import Segment
from ..services.consent import CONSENT_PROBLEMS
from ..services.posting import LINE_PROBLEMS
from .base import STALE, SegmentDialogView, SegmentMixin, go, job_started, stale


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
        context["consent_problems"] = any(
            problem["code"] in CONSENT_PROBLEMS for problem in context["problems"]
        )
        # What logging will write, shown before the irreversible step: one query.
        context["summary"] = summaries.log_summary(self.segment)
        return context

    def form_valid(self, form):
        try:
            if segment_jobs.is_large(self.segment):
                job = segment_jobs.start_log(
                    self.segment, user=self.request.user, **form.cleaned_data
                )
                return job_started(self.request, job)
            logged = services.log_segment(self.segment, user=self.request.user, **form.cleaned_data)
        except SegmentError as error:
            if getattr(error, "code", None) in STALE:
                return stale(self.request, error, reverse("segments:segment-list"))
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
                return go(self.request, follow_up.get_absolute_url())
        return go(self.request, reverse("interactions:logged-segment-detail", args=[logged.pk]))


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


class RemoveRefusedLinesView(SegmentMixin, View):
    """POST: remove the lines logging refuses for consent, as one reduce step (SPEC 9)."""

    permission_required = "segments.delete_segmentline"
    raise_exception = True
    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            action = services.remove_refused_lines(self.segment, user=request.user)
        except SegmentError as error:
            return stale(request, error, self.segment.get_absolute_url())
        messages.success(
            request,
            ngettext(
                "%(count)d line whose contact refuses its channel has been removed; go back "
                "restores it.",
                "%(count)d lines whose contacts refuse their channel have been removed; go "
                "back restores them.",
                action.removed,
            )
            % {"count": action.removed},
        )
        return go(request, self.segment.get_absolute_url())


class FollowUpForm(forms.Form):
    skip_canceled = forms.BooleanField(label=gettext_lazy("Skip canceled entries"), required=False)


class FollowUpSegmentView(PermissionRequiredMixin, View):
    """POST: a new segment "Follow-up on segment <no>" with the logged segment's contacts."""

    permission_required = "segments.add_segment"
    raise_exception = True
    http_method_names = ["post"]

    def post(self, request, pk):
        logged = LoggedSegment.objects.filter(pk=pk).first()
        if logged is None:
            messages.error(
                request,
                _("Logged segment %(pk)s no longer exists; it was deleted meanwhile.") % {"pk": pk},
            )
            return redirect("interactions:logged-segment-list")
        form = FollowUpForm(request.POST)
        form.is_valid()  # a checkbox: every input is valid
        skip_canceled = form.cleaned_data.get("skip_canceled", False)
        try:
            segment = services.create_follow_up_segment(
                logged,
                user=request.user,
                skip_canceled=skip_canceled,
            )
        except SegmentError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(logged)
        messages.success(
            request,
            _("Follow-up segment %(no)s has been created from logged segment %(logged)s.")
            % {"no": segment.no, "logged": logged.segment_no},
        )
        if skip_canceled and not segment.lines.exists():
            # Otherwise an empty segment looks like a fault: say why it has no lines.
            messages.warning(
                request,
                _(
                    "It has no lines: every entry of logged segment %(logged)s is canceled, "
                    "and canceled entries were skipped."
                )
                % {"logged": logged.segment_no},
            )
        return redirect(segment)
