"""What the API writes of contacts; ``crm.services`` create_contact / update_contact decide.

The opt-out flags are not here: consent goes through ``set_consent`` (SPEC 9)."""

from rest_framework import serializers

from crm.models import Contact, ContactType, Salesperson, Territory

from .fields import ModelOutput, Strict, code_field
from .serializers import ContactSerializer

#: What a client sets on a contact: the fields it reads, but its key, number and the
#: company name (a copy of the company's).
CONTACT_VALUES = [
    name for name in ContactSerializer.Meta.fields if name not in ("id", "no", "company_name")
]


class ContactUpdateSerializer(Strict, ModelOutput):
    """A contact's values; its number is kept once given."""

    company = serializers.SlugRelatedField(
        slug_field="no",
        queryset=Contact.objects.filter(type=ContactType.COMPANY),
        required=False,
        allow_null=True,
    )
    salesperson = code_field(Salesperson.objects.all(), required=False, allow_null=True)
    territory = code_field(Territory.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Contact
        fields = CONTACT_VALUES
        extra_kwargs = {name: {"required": False} for name in CONTACT_VALUES}


class ContactCreateSerializer(ContactUpdateSerializer):
    """A new contact; without ``no`` it takes the next number of the series (CT000001...)."""

    class Meta(ContactUpdateSerializer.Meta):
        fields = ["no", *CONTACT_VALUES]
        extra_kwargs = {
            **{name: {"required": False} for name in ["no", *CONTACT_VALUES]},
            "name": {"required": True},
        }
