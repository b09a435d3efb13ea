"""The "create follow-up segment" button of the logged segment page.

It lives in segments because it creates a segment: interactions never imports segments.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from interactions.models import LoggedSegment

from . import services
from .exceptions import SegmentError


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
