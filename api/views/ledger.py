"""Logging a segment (idempotent) and the logged segments: list, retrieve, cancel, follow-up."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

import interactions.services
import segments.services
from interactions.filters import LoggedSegmentFilter
from interactions.models import LoggedSegment
from segments import jobs as segment_jobs

from .. import serializers as s
from .. import services
from ..models import IdempotencyKey
from ..schema import documented
from .base import (
    ApiMixin,
    accepted,
    get_segment,
    job_answer,
    logged_answer,
    logged_rows,
    segment_answer,
)

KEY_LENGTH = IdempotencyKey._meta.get_field("key").max_length
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        "Any unique text (a UUID): a request retried with the same key logs the segment "
        "once and answers what the first request answered."
    ),
)


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
