"""Interaction log entries (the ledger's rows): list, retrieve, letter, notes; and single
interactions (SPEC 7)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

import interactions.services
from interactions import delivery, letters
from interactions.exceptions import LetterError
from interactions.models import InteractionLogEntry

from .. import serializers as s
from ..filters import EntryFilter
from ..pagination import LedgerCursor
from ..schema import documented
from .base import ApiMixin, entry_rows

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


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
        "read": "interactions.view_interactionlogentry",
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
