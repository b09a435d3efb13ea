"""What every segment page shares: redirects, the segment and line loaders, dialogs.

Views are thin: a form or FilterSet validates, one service does the work, a message says
what happened, and the browser is redirected. Dialogs render on their own page, or as a
modal's content when htmx asks (``request.htmx``); after a write an htmx dialog sends the
whole page to the result (``HX-Redirect``), so messages show as after any redirect.
"""

import tempfile

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView
from django_htmx.http import HttpResponseClientRedirect

from crm import services as crm_services
from interactions.exceptions import LetterError

from .. import jobs as segment_jobs
from .. import selectors
from ..exceptions import SegmentError
from ..forms import LINE_FIELDS
from ..merge import merge_values
from ..models import Segment, SegmentLine

#: Service errors that mean the page was stale: the segment or line is gone.
STALE = {"segment_missing", "line_missing", "already_logged"}

#: The worksheet's lines table in the user's preferences (``UserPreferences.columns``), the
#: columns its column chooser offers (the stored line no. and every line value), and those
#: a user who never chose sees.
WORKSHEET_TABLE = "segment_lines"
WORKSHEET_COLUMNS = ["line_no", *LINE_FIELDS]
DEFAULT_COLUMNS = [
    "interaction_template",
    "description",
    "subject",
    "date",
    "salesperson",
    "correspondence_type",
    "cost",
]


def merged_lines(segment):
    """The worksheet's lines with their ``merge_data`` (SPEC 4.3) too, in the same query:
    subjects and descriptions show as each line's contact reads them."""
    return merge_values(selectors.worksheet_lines(segment))


def worksheet_columns(user) -> dict:
    """The columns ``user`` shows on the worksheet (one query): ``columns`` (every chosen
    one), ``line_fields`` (the line values among them), ``show_line_no``, ``column_count``."""
    columns = crm_services.shown_columns(user, WORKSHEET_TABLE, WORKSHEET_COLUMNS, DEFAULT_COLUMNS)
    line_fields = [name for name in columns if name in LINE_FIELDS]
    show_line_no = "line_no" in columns
    return {
        "columns": columns,
        "line_fields": line_fields,
        "show_line_no": show_line_no,
        # Position, contact and actions, the line no. when shown, and the line values.
        "column_count": 3 + show_line_no + len(line_fields),
    }


def go(request, url: str):
    """Redirect; from an htmx request the whole page goes to ``url``."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


def stale(request, error: SegmentError | LetterError, url: str):
    for message in error.messages:
        messages.warning(request, message)
    return go(request, url)


def job_started(request, job):
    """Large segments work in the background: show the job's progress page."""
    messages.info(
        request,
        _("%(job)s runs in the background; this page shows its progress.")
        % {"job": job.description},
    )
    return go(request, job.get_absolute_url())


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
            return go(request, reverse("segments:segment-list"))
        if request.method == "POST":
            # Header and line edits too wait while a background job works on the segment.
            try:
                segment_jobs.ensure_free(self.segment)
            except SegmentError as error:
                return stale(request, error, self.segment.get_absolute_url())
        gone = self.load(**kwargs)
        if gone is not None:
            return gone
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
            return stale(self.request, error, self.segment_url)
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
            return go(self.request, self.segment_url)
        return None

    def row(self, *, editing: str = "", form=None, status: int = 200):
        """The line's table row, as the worksheet shows it (three queries: the line, its
        position, the user's columns)."""
        line = merged_lines(self.segment).filter(pk=self.line.pk).first()
        if line is not None:
            line.position = selectors.line_position(self.segment, line.line_no)
        columns = worksheet_columns(self.request.user)
        return render(
            self.request,
            "segments/segment_detail.html#line-row",
            {
                "segment": self.segment,
                "line": line,
                "editing": editing,
                "form": form,
                **columns,
                "can_change": self.request.user.has_perm("segments.change_segment"),
            },
            status=status,
        )


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


def spool():
    """A temporary file for a download; FileResponse streams it and closes it."""
    return tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response
