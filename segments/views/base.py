"""What every segment page shares: redirects, the segment and line loaders, dialogs.

Views are thin: a form or FilterSet validates, one service does the work, a message says
what happened, and the browser is redirected. Dialogs render on their own page, or as a
modal's content when htmx asks (``request.htmx``); after a write an htmx dialog sends the
whole page to the result (``HX-Redirect``), so messages show as after any redirect.
"""

import tempfile

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models.functions import JSONObject
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView
from django_htmx.http import HttpResponseClientRedirect

from crm import services as crm_services
from interactions.exceptions import LetterError
from interactions.letters import FIELD_MARK

from .. import jobs as segment_jobs
from .. import selectors
from ..exceptions import SegmentError
from ..forms import LINE_FIELDS
from ..merge import MERGE_DATA_FIELDS, merge_expressions
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


def merge_lines(lines) -> None:
    """Give the worksheet's ``lines`` their ``merge_data`` (SPEC 4.3) for the merge fields
    their subjects and descriptions use, so that these show as each line's contact reads
    them: one query for the page's lines and only those fields (the whole ``merge_data``
    of 50 lines costs more than the rest of the page), none when no «Field» is shown."""
    used = set()
    for line in lines:
        for text in (line.effective_subject, line.effective_description):
            if text and "«" in text:
                used |= {name.lower() for name in FIELD_MARK.findall(text)}
    fields = [name for name in MERGE_DATA_FIELDS if name.lower() in used]
    if not fields:
        return
    expressions = merge_expressions()
    data = dict(
        SegmentLine.objects.filter(pk__in=[line.pk for line in lines])
        .with_effective_values()
        .annotate(merge_data=JSONObject(**{name: expressions[name] for name in fields}))
        .values_list("pk", "merge_data")
    )
    for line in lines:
        line.merge_data = data.get(line.pk)


#: Where the session keeps the user's worksheet columns once read (the row in
#: ``UserPreferences`` is read once a session; the column chooser updates both).
COLUMNS_KEY = "worksheet_columns"


def worksheet_columns(request) -> dict:
    """The columns the user shows on the worksheet: ``columns`` (every chosen one),
    ``line_fields`` (the line values among them), ``show_line_no``, ``column_count``.

    Read from ``UserPreferences`` once a session (one query), then from the session."""
    remembered = request.session.get(COLUMNS_KEY)
    if isinstance(remembered, list):
        columns = [name for name in WORKSHEET_COLUMNS if name in remembered]
    else:
        columns = crm_services.shown_columns(
            request.user, WORKSHEET_TABLE, WORKSHEET_COLUMNS, DEFAULT_COLUMNS
        )
        request.session[COLUMNS_KEY] = columns
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
        """The line's table row, as the worksheet shows it (at most three queries: the
        line, its position, its merge fields)."""
        line = selectors.worksheet_line(self.segment, self.line.pk)
        if line is not None:
            line.position = selectors.line_position(self.segment, line.line_no)
            merge_lines([line])
        columns = worksheet_columns(self.request)
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
