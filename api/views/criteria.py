"""A segment's criteria actions: add, reduce, refine, preview, go back, save and reuse."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

import segments.services
from segments import jobs as segment_jobs
from segments.models import CriteriaActionType

from .. import serializers as s
from ..schema import documented
from .base import ApiMixin, accepted, get_segment, job_answer

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
