"""The web API (SPEC 10): thin views over ``segments.services`` and ``interactions.services``.

A view parses its input with a serializer, calls one service and answers what the
service returned; a service's refusal becomes problem details (``api.problems``) with the
service's message. Permissions are the roles' codenames, as the pages check them.
"""

from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

import interactions.services
import segments.services
from crm.models import Contact, Salesperson
from interactions import delivery, letters
from interactions.exceptions import LetterError
from interactions.filters import LoggedSegmentFilter
from interactions.models import InteractionLogEntry, LoggedSegment
from segments import jobs as segment_jobs
from segments import selectors
from segments.models import CriteriaActionType, Segment, SegmentLine

from . import serializers as s
from . import services
from .filters import ContactApiFilter, EntryFilter
from .models import IdempotencyKey
from .pagination import LedgerCursor
from .permissions import RolePermission
from .schema import documented

KEY_LENGTH = IdempotencyKey._meta.get_field("key").max_length
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        "Any unique text (a UUID): a request retried with the same key logs the segment "
        "once and answers what the first request answered."
    ),
)


class ApiMixin:
    """Every API view: DRF authenticates (token or session; its views are exempt from the
    login redirect) and the role's permissions decide."""

    permission_classes = [RolePermission]
    permissions: dict = {}


# --- contacts ------------------------------------------------------------------------------


@documented(responses={200: s.ContactSerializer(many=True)}, tags=["contacts"])
class ContactList(ApiMixin, generics.ListAPIView):
    """Contacts, filtered by the contact criteria of SPEC 3 (a list: repeat the parameter)."""

    permissions = {"read": "crm.view_contact"}
    serializer_class = s.ContactSerializer
    filterset_class = ContactApiFilter
    queryset = Contact.objects.select_related("company", "salesperson", "territory").order_by("no")


class ContactDetail(ApiMixin, generics.RetrieveAPIView):
    permissions = {"read": "crm.view_contact"}
    serializer_class = s.ContactSerializer
    queryset = ContactList.queryset
    lookup_field = "no"

    @documented(responses={200: s.ContactSerializer}, tags=["contacts"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


# --- segments ------------------------------------------------------------------------------


def segment_rows():
    return selectors.segment_list()[0]


def get_segment(no: str) -> Segment:
    return get_object_or_404(
        Segment.objects.select_related("interaction_template", "salesperson"), no=no
    )


def segment_answer(segment: Segment, code=status.HTTP_200_OK) -> Response:
    return Response(s.SegmentSerializer(segment_rows().get(pk=segment.pk)).data, status=code)


class SegmentList(ApiMixin, generics.ListAPIView):
    permissions = {"GET": "segments.view_segment", "POST": "segments.add_segment"}
    serializer_class = s.SegmentSerializer
    filter_backends: list = []

    def get_queryset(self):
        return segment_rows()

    @documented(responses={200: s.SegmentSerializer(many=True)}, tags=["segments"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @documented(
        request=s.SegmentHeaderSerializer,
        responses={201: s.SegmentSerializer},
        write=True,
        tags=["segments"],
    )
    def post(self, request):
        """Create a segment: the next number, today's date, your salesperson if none given."""
        header = s.SegmentHeaderSerializer(data=request.data)
        header.is_valid(raise_exception=True)
        segment = segments.services.create_segment(user=request.user, **header.validated_data)
        return segment_answer(segment, status.HTTP_201_CREATED)


class SegmentDetail(ApiMixin, APIView):
    permissions = {"GET": "segments.view_segment", "PATCH": "segments.change_segment"}

    @documented(responses={200: s.SegmentSerializer}, tags=["segments"])
    def get(self, request, no):
        return Response(s.SegmentSerializer(get_object_or_404(segment_rows(), no=no)).data)

    @documented(
        request=s.SegmentHeaderSerializer,
        responses={200: s.SegmentSerializer},
        write=True,
        tags=["segments"],
    )
    def patch(self, request, no):
        """Change header values; lines that do not override them inherit the new values."""
        segment = get_segment(no)
        header = s.SegmentHeaderSerializer(data=request.data, partial=True)
        header.is_valid(raise_exception=True)
        segments.services.update_segment_header(segment, user=request.user, **header.validated_data)
        return segment_answer(segment)


def line_rows(segment: Segment):
    return (
        selectors.worksheet_lines(segment)
        .annotate(
            effective_salesperson_code=Subquery(
                Salesperson.objects.filter(pk=OuterRef("effective_salesperson"))
                .order_by()
                .values("code")[:1]
            )
        )
        .select_related("interaction_template", "salesperson")
    )


class LineList(ApiMixin, generics.ListAPIView):
    """The segment's lines with their effective values and what each overrides."""

    permissions = {"read": "segments.view_segment"}
    serializer_class = s.SegmentLineSerializer
    filter_backends: list = []

    def get_queryset(self):
        return line_rows(get_segment(self.kwargs["no"]))

    @documented(responses={200: s.SegmentLineSerializer(many=True)}, tags=["segments"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class LineDetail(ApiMixin, APIView):
    permissions = {"GET": "segments.view_segment", "PATCH": "segments.change_segment"}

    def get_line(self, no, line_no) -> SegmentLine:
        return get_object_or_404(line_rows(get_segment(no)), line_no=line_no)

    @documented(responses={200: s.SegmentLineSerializer}, tags=["segments"])
    def get(self, request, no, line_no):
        return Response(s.SegmentLineSerializer(self.get_line(no, line_no)).data)

    @documented(
        request=s.LineOverridesSerializer,
        responses={200: s.SegmentLineSerializer},
        write=True,
        tags=["segments"],
    )
    def patch(self, request, no, line_no):
        """Override values of one line; null (or "") resets a value to the inherited one."""
        line = self.get_line(no, line_no)
        values = s.LineOverridesSerializer(data=request.data, partial=True)
        values.is_valid(raise_exception=True)
        segments.services.set_line_values(line, user=request.user, **values.validated_data)
        return Response(s.SegmentLineSerializer(self.get_line(no, line_no)).data)


ACTION_SERVICES = {
    CriteriaActionType.ADD: segments.services.add_contacts,
    CriteriaActionType.REDUCE: segments.services.reduce_contacts,
    CriteriaActionType.REFINE: segments.services.refine_contacts,
}
ACTION_INPUT = {
    CriteriaActionType.ADD: s.AddInputSerializer,
    CriteriaActionType.REDUCE: s.RefineInputSerializer,
    CriteriaActionType.REFINE: s.RefineInputSerializer,
}


class CriteriaActionView(ApiMixin, APIView):
    """Add, reduce or refine the segment's lines by criteria (SPEC 3 and 4.1)."""

    permissions = {"POST": "segments.change_segment"}
    action = CriteriaActionType.ADD

    def post(self, request, no):
        segment = get_segment(no)
        data = ACTION_INPUT[self.action](data=request.data)
        data.is_valid(raise_exception=True)
        done = ACTION_SERVICES[self.action](segment, user=request.user, **data.validated_data)
        return Response(s.CriteriaActionSerializer(done).data, status=status.HTTP_201_CREATED)


def _action_view(action: str, summary: str):
    decorate = documented(
        request=ACTION_INPUT[action],
        responses={201: s.CriteriaActionSerializer},
        write=True,
        tags=["segments"],
        summary=summary,
        operation_id=f"segments_{action}",
    )

    def post(self, request, no):
        return CriteriaActionView.post(self, request, no)

    return type(
        f"{action.title()}View", (CriteriaActionView,), {"action": action, "post": decorate(post)}
    )


AddView = _action_view("add", "Add contacts matching the criteria")
ReduceView = _action_view("reduce", "Remove the lines whose contacts match")
RefineView = _action_view("refine", "Keep only the lines whose contacts match")


class PreviewView(ApiMixin, APIView):
    permissions = {"POST": "segments.change_segment"}

    @documented(
        request=s.PreviewInputSerializer,
        responses={200: s.PreviewSerializer},
        write=True,
        tags=["segments"],
    )
    def post(self, request, no):
        """What an action would add or remove now, and a sample of the contacts; no change."""
        segment = get_segment(no)
        data = s.PreviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = segments.services.preview(segment, **data.validated_data)
        return Response(s.PreviewSerializer(result).data)


class GoBackView(ApiMixin, APIView):
    permissions = {"POST": "segments.change_segment"}

    @documented(
        request=None, responses={200: s.CriteriaActionSerializer}, write=True, tags=["segments"]
    )
    def post(self, request, no):
        """Undo the latest criteria action exactly; answers the action undone."""
        done = segments.services.go_back(get_segment(no), user=request.user)
        return Response(s.CriteriaActionSerializer(done).data)


class ActionList(ApiMixin, generics.ListAPIView):
    """The segment's criteria actions (its history), in order."""

    permissions = {"read": "segments.view_segment"}
    serializer_class = s.CriteriaActionSerializer
    filter_backends: list = []

    def get_queryset(self):
        return get_segment(self.kwargs["no"]).actions.select_related("created_by").order_by("seq")

    @documented(responses={200: s.CriteriaActionSerializer(many=True)}, tags=["segments"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class SaveCriteriaView(ApiMixin, APIView):
    permissions = {"POST": "segments.add_savedcriteria"}

    @documented(
        request=s.SaveCriteriaSerializer,
        responses={201: s.SavedCriteriaSerializer},
        write=True,
        tags=["segments"],
    )
    def post(self, request, no):
        """Save the segment's criteria actions under a code, for any segment to reuse."""
        data = s.SaveCriteriaSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = segments.services.save_criteria(
            get_segment(no), user=request.user, **data.validated_data
        )
        return Response(s.SavedCriteriaSerializer(saved).data, status=status.HTTP_201_CREATED)


def job_answer(request, job) -> dict:
    return {
        "job": job.pk,
        "description": str(job.description),
        "state": str(job.state),
        "url": request.build_absolute_uri(job.get_absolute_url()),
    }


def accepted(body: dict) -> Response:
    return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class ReuseCriteriaView(ApiMixin, APIView):
    permissions = {"POST": "segments.change_segment"}

    @documented(
        request=s.ReuseCriteriaSerializer,
        responses={
            201: s.CriteriaActionSerializer(many=True),
            202: OpenApiResponse(s.JobStartedSerializer, description="A background job."),
        },
        write=True,
        tags=["segments"],
    )
    def post(self, request, no):
        """Replay saved criteria, each action as a new one; a large segment in a job (202)."""
        segment = get_segment(no)
        data = s.ReuseCriteriaSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = data.validated_data["saved"]
        if segment_jobs.is_large(segment):
            job = segment_jobs.start_reuse_criteria(segment, saved=saved, user=request.user)
            return accepted(job_answer(request, job))
        done = segments.services.reuse_criteria(segment, saved=saved, user=request.user)
        return Response(
            s.CriteriaActionSerializer(done, many=True).data, status=status.HTTP_201_CREATED
        )


def logged_rows():
    return interactions.services.with_entry_counts(
        LoggedSegment.objects.select_related("created_by")
    ).order_by("-entry_no")


def logged_answer(logged: LoggedSegment) -> dict:
    return s.LoggedSegmentSerializer(logged_rows().get(pk=logged.pk)).data


class LogView(ApiMixin, APIView):
    permissions = {"POST": "segments.log_segment"}

    @documented(
        request=s.LogInputSerializer,
        responses={
            201: s.LoggedSegmentSerializer,
            202: OpenApiResponse(s.JobStartedSerializer, description="Logged in a job."),
        },
        parameters=[IDEMPOTENCY_KEY],
        write=True,
        tags=["segments"],
    )
    def post(self, request, no):
        """Log the segment into the ledger (it is deleted); a large one in a job (202).

        Every problem is reported at once, by line. With an ``Idempotency-Key``, a
        retried request logs once and gets the same answer.
        """
        options = s.LogInputSerializer(data=request.data)
        options.is_valid(raise_exception=True)

        def log():
            segment = get_segment(no)
            if segment_jobs.is_large(segment):
                job = segment_jobs.start_log(segment, user=request.user, **options.validated_data)
                return status.HTTP_202_ACCEPTED, job_answer(request, job), None
            logged = segments.services.log_segment(
                segment, user=request.user, **options.validated_data
            )
            return status.HTTP_201_CREATED, logged_answer(logged), logged.pk

        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > KEY_LENGTH:
            raise ValidationError(
                {"Idempotency-Key": _("Use at most %(count)d characters.") % {"count": KEY_LENGTH}}
            )
        if key:
            code, body = services.logged_once(user=request.user, key=key, segment_no=no, log=log)
        else:
            code, body, _logged = log()
        if code == status.HTTP_202_ACCEPTED:
            return accepted(body)
        return Response(body, status=code)


# --- logged segments -------------------------------------------------------------------------


class LoggedSegmentList(ApiMixin, generics.ListAPIView):
    permissions = {"read": "interactions.view_loggedsegment"}
    serializer_class = s.LoggedSegmentSerializer
    filterset_class = LoggedSegmentFilter

    def get_queryset(self):
        return logged_rows()

    @documented(responses={200: s.LoggedSegmentSerializer(many=True)}, tags=["ledger"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class LoggedSegmentDetail(ApiMixin, APIView):
    permissions = {"read": "interactions.view_loggedsegment"}

    @documented(responses={200: s.LoggedSegmentSerializer}, tags=["ledger"])
    def get(self, request, entry_no):
        logged = get_object_or_404(logged_rows(), pk=entry_no)
        return Response(s.LoggedSegmentSerializer(logged).data)


class LoggedSegmentCancel(ApiMixin, APIView):
    permissions = {"POST": "interactions.cancel_interaction"}

    @documented(
        request=s.CancelSerializer,
        responses={200: s.LoggedSegmentSerializer},
        write=True,
        tags=["ledger"],
    )
    def post(self, request, entry_no):
        """Cancel (``canceled: true``) or un-cancel a logged segment and all its entries."""
        logged = get_object_or_404(LoggedSegment, pk=entry_no)
        data = s.CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        interactions.services.set_logged_segment_canceled(
            logged, canceled=data.validated_data["canceled"], user=request.user
        )
        return Response(logged_answer(logged))


class FollowUpView(ApiMixin, APIView):
    permissions = {"POST": "segments.add_segment"}

    @documented(
        request=s.FollowUpSerializer,
        responses={201: s.SegmentSerializer},
        write=True,
        tags=["ledger"],
    )
    def post(self, request, entry_no):
        """A new segment "Follow-up on segment <no>" with the logged segment's contacts."""
        logged = get_object_or_404(LoggedSegment, pk=entry_no)
        data = s.FollowUpSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        segment = segments.services.create_follow_up_segment(
            logged, user=request.user, **data.validated_data
        )
        return segment_answer(segment, status.HTTP_201_CREATED)


# --- interaction log entries -------------------------------------------------------------------


def entry_rows():
    return InteractionLogEntry.objects.select_related(
        "contact", "template", "group", "salesperson", "created_by"
    )


class EntryList(ApiMixin, generics.ListAPIView):
    """The ledger, newest first, a cursor page at a time (stable while entries are added)."""

    permissions = {"read": "interactions.view_interactionlogentry"}
    serializer_class = s.EntrySerializer
    filterset_class = EntryFilter
    pagination_class = LedgerCursor

    def get_queryset(self):
        return entry_rows()

    @documented(responses={200: s.EntrySerializer(many=True)}, tags=["ledger"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class EntryDetail(ApiMixin, APIView):
    permissions = {"read": "interactions.view_interactionlogentry"}

    @documented(responses={200: s.EntrySerializer}, tags=["ledger"])
    def get(self, request, entry_no):
        return Response(s.EntrySerializer(get_object_or_404(entry_rows(), pk=entry_no)).data)


class EntryLetter(ApiMixin, APIView):
    permissions = {"read": "interactions.view_interactionlogentry"}

    @documented(
        responses={
            (200, DOCX): OpenApiResponse(
                OpenApiTypes.BINARY, description="The letter, rendered from its merge data."
            )
        },
        tags=["ledger"],
    )
    def get(self, request, entry_no):
        """The entry's letter again, rendered from its merge-data snapshot."""
        entry = get_object_or_404(InteractionLogEntry, pk=entry_no)
        try:
            letter = delivery.entry_letter(entry)
        except OSError:
            raise LetterError(
                _(
                    "The letter of interaction log entry %(entry_no)s cannot be made: its "
                    "document is missing from storage."
                )
                % {"entry_no": entry.entry_no},
                code="document_missing",
            ) from None
        name = letters.safe_filename(f"{entry.entry_no} {entry.contact_name}")
        response = HttpResponse(letter, content_type=DOCX)
        response["Content-Disposition"] = content_disposition_header(True, f"{name}.docx")
        return response


class NoteList(ApiMixin, generics.ListAPIView):
    permissions = {
        "GET": "interactions.view_interactionlogentry",
        "POST": "interactions.add_interactionnote",
    }
    serializer_class = s.NoteSerializer
    filter_backends: list = []

    def get_entry(self) -> InteractionLogEntry:
        return get_object_or_404(InteractionLogEntry, pk=self.kwargs["entry_no"])

    def get_queryset(self):
        return self.get_entry().notes.select_related("created_by").order_by("pk")

    @documented(responses={200: s.NoteSerializer(many=True)}, tags=["ledger"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @documented(
        request=s.NoteSerializer, responses={201: s.NoteSerializer}, write=True, tags=["ledger"]
    )
    def post(self, request, entry_no):
        """Record what came back: a comment, a new evaluation or attempt failed."""
        entry = self.get_entry()
        data = s.NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        note = interactions.services.add_interaction_note(
            entry,
            user=request.user,
            comment=values.get("comment", ""),
            evaluation=values.get("evaluation") or None,
            attempt_failed=values.get("attempt_failed"),
        )
        return Response(s.NoteSerializer(note).data, status=status.HTTP_201_CREATED)


class InteractionCreate(ApiMixin, APIView):
    permissions = {"POST": "interactions.log_interaction"}

    @documented(
        request=s.InteractionInputSerializer,
        responses={201: s.EntrySerializer},
        write=True,
        tags=["ledger"],
    )
    def post(self, request):
        """Log one interaction with one contact (SPEC 7); blank values from the template."""
        data = s.InteractionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        contact = values.pop("contact")
        entry = interactions.services.log_interaction(contact, user=request.user, **values)
        return Response(
            s.EntrySerializer(entry_rows().get(pk=entry.pk)).data, status=status.HTTP_201_CREATED
        )
