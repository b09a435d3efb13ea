"""Segments: header (create, update) and lines with their effective values and overrides."""

from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

import segments.services
from crm.models import Salesperson
from segments import selectors
from segments.models import Segment, SegmentLine

from .. import serializers as s
from ..schema import documented
from .base import (
    ApiMixin,
    get_segment,
    segment_answer,
    segment_rows,
)


class SegmentList(ApiMixin, generics.ListAPIView):
    permissions = {"read": "segments.view_segment", "POST": "segments.add_segment"}
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
    permissions = {"read": "segments.view_segment", "PATCH": "segments.change_segment"}

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
        .select_related("interaction_template", "salesperson", "campaign")
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
    permissions = {"read": "segments.view_segment", "PATCH": "segments.change_segment"}

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
