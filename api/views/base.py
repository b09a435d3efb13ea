"""What every API view shares: the role check, and the rows and answers the resources
build on (a segment, a logged segment, an entry, a started job)."""

from django.shortcuts import get_object_or_404
from rest_framework import status
from rest_framework.response import Response

import interactions.services
from interactions.models import InteractionLogEntry, LoggedSegment
from segments import selectors
from segments.models import Segment

from .. import serializers as s
from ..permissions import RolePermission


class ApiMixin:
    """Every API view: DRF authenticates (token or session; its views are exempt from the
    login redirect) and the role's permissions decide."""

    permission_classes = [RolePermission]
    permissions: dict = {}


def segment_rows():
    return selectors.segment_list()[0].select_related("campaign")


def get_segment(no: str) -> Segment:
    return get_object_or_404(
        Segment.objects.select_related("interaction_template", "salesperson", "campaign"), no=no
    )


def segment_answer(segment: Segment, code=status.HTTP_200_OK) -> Response:
    return Response(s.SegmentSerializer(segment_rows().get(pk=segment.pk)).data, status=code)


def job_answer(request, job) -> dict:
    return {
        "job": job.pk,
        "description": str(job.description),
        "state": str(job.state),
        "url": request.build_absolute_uri(job.get_absolute_url()),
    }


def accepted(body: dict) -> Response:
    return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


def logged_rows():
    return interactions.services.with_entry_counts(
        LoggedSegment.objects.select_related("created_by")
    ).order_by("-entry_no")


def logged_answer(logged: LoggedSegment) -> dict:
    return s.LoggedSegmentSerializer(logged_rows().get(pk=logged.pk)).data


def entry_rows():
    return InteractionLogEntry.objects.select_related(
        "contact", "template", "group", "salesperson", "campaign", "created_by"
    )
