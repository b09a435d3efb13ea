"""Contacts: list by the contact criteria of SPEC 3, retrieve."""

from rest_framework import generics

from crm.models import Contact

from .. import serializers as s
from ..filters import ContactApiFilter
from ..schema import documented
from .base import ApiMixin


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
