"""Contacts: list by the contact criteria of SPEC 3, retrieve; create and update for the
roles that hold the crm add / change permission (through ``crm.services``)."""

from django.shortcuts import get_object_or_404
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from crm import services as crm_services
from crm.models import Contact

from .. import contact_serializers as c
from .. import serializers as s
from ..filters import ContactApiFilter
from ..schema import documented
from .base import ApiMixin


def contact_rows():
    return Contact.objects.select_related("company", "salesperson", "territory").order_by("no")


def contact_answer(contact: Contact, code=status.HTTP_200_OK) -> Response:
    return Response(s.ContactSerializer(contact_rows().get(pk=contact.pk)).data, status=code)


class ContactList(ApiMixin, generics.ListAPIView):
    """Contacts, filtered by the contact criteria of SPEC 3 (a list: repeat the parameter)."""

    permissions = {"read": "crm.view_contact", "POST": "crm.add_contact"}
    serializer_class = s.ContactSerializer
    filterset_class = ContactApiFilter
    queryset = contact_rows()

    @documented(responses={200: s.ContactSerializer(many=True)}, tags=["contacts"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @documented(
        request=c.ContactCreateSerializer,
        responses={201: s.ContactSerializer},
        write=True,
        tags=["contacts"],
    )
    def post(self, request):
        """Create a contact: without ``no``, the next number of the series."""
        data = c.ContactCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contact = crm_services.create_contact(user=request.user, **data.validated_data)
        return contact_answer(contact, status.HTTP_201_CREATED)


class ContactDetail(ApiMixin, APIView):
    permissions = {"read": "crm.view_contact", "PATCH": "crm.change_contact"}

    @documented(responses={200: s.ContactSerializer}, tags=["contacts"])
    def get(self, request, no):
        return Response(s.ContactSerializer(get_object_or_404(contact_rows(), no=no)).data)

    @documented(
        request=c.ContactUpdateSerializer,
        responses={200: s.ContactSerializer},
        write=True,
        tags=["contacts"],
    )
    def patch(self, request, no):
        """Change a contact's values; a person's company stays while they are on a segment.

        The opt-out flags change through consent (the contact card), not here.
        """
        contact = get_object_or_404(Contact, no=no)
        data = c.ContactUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        crm_services.update_contact(contact, user=request.user, **data.validated_data)
        return contact_answer(contact)
