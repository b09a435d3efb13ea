"""Choices of contacts, shared with the apps above (crm imports nothing else).

The ledger's own choices (information flow, initiated by, evaluation, delivery status)
live in ``interactions.choices``.
"""

from functools import reduce
from operator import or_

from django.db.models import Q, TextChoices
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries


class ContactType(TextChoices):
    COMPANY = "company", _("Company")
    PERSON = "person", _("Person")


class CorrespondenceType(TextChoices):
    HARD_COPY = "hard_copy", _("Hard copy")
    EMAIL = "email", _("Email")


class ConsentChannel(TextChoices):
    """The channels a contact may say no to (SPEC 9), each with its opt-out flag."""

    EMAIL = "email", _("Email")
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone")

    @property
    def opt_out_field(self) -> str:
        return f"{self.value}_opt_out"


#: The consent channel each correspondence type writes through (SPEC 9).
CORRESPONDENCE_CHANNELS = {
    CorrespondenceType.EMAIL: ConsentChannel.EMAIL,
    CorrespondenceType.HARD_COPY: ConsentChannel.LETTER,
}


def opted_out_of(correspondence_type: str, contact: str = "") -> Q:
    """A condition: the contact (reached through ``contact``) opted out of the channel
    of the correspondence type held by the field or annotation ``correspondence_type``."""
    return reduce(
        or_,
        (
            Q(**{correspondence_type: kind, f"{contact}{channel.opt_out_field}": True})
            for kind, channel in CORRESPONDENCE_CHANNELS.items()
        ),
    )


class ConsentSource(TextChoices):
    """Where a consent event came from."""

    STAFF = "staff", _("Staff")
    IMPORT = "import", _("Import")
    UNSUBSCRIBE_LINK = "unsubscribe_link", _("Unsubscribe link")
    FORM = "form", _("Form")


def blank_or(field: str, choices: type[TextChoices]):
    """A check condition: the field is blank or one of the choices' values."""
    return Q(**{field: ""}) | Q(**{f"{field}__in": choices.values})


def country_choices() -> list[tuple[str, str]]:
    """Every ISO 3166 alpha-2 code with its name in the active language, sorted by name."""
    return [(code, str(name)) for code, name in countries]


def country_name(code: str) -> str:
    """The country's name in the active language; an unknown code is shown as stored."""
    return str(countries.name(code)) if code and countries.name(code) else code


def country_code(value: str) -> str | None:
    """The ISO alpha-2 code for a code or a country name (in English or the active
    language, any case); None when ``value`` names no country."""
    value = value.strip()
    if len(value) == 2 and countries.name(value.upper()):
        return value.upper()
    for language in dict.fromkeys([get_language() or "en", "en"]):
        code = countries.by_name(value, language=language)
        if code:
            return code
    return None
