"""Choices shared by contacts, the ledger and segments (crm imports nothing else)."""

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class ContactType(TextChoices):
    COMPANY = "company", _("Company")
    PERSON = "person", _("Person")


class CorrespondenceType(TextChoices):
    HARD_COPY = "hard_copy", _("Hard copy")
    EMAIL = "email", _("Email")


class InformationFlow(TextChoices):
    OUTBOUND = "outbound", _("Outbound")
    INBOUND = "inbound", _("Inbound")


class InitiatedBy(TextChoices):
    US = "us", _("Us")
    THEM = "them", _("Them")


class Evaluation(TextChoices):
    VERY_POSITIVE = "very_positive", _("Very positive")
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")
    VERY_NEGATIVE = "very_negative", _("Very negative")


class DeliveryStatus(TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


def blank_or(field: str, choices: type[TextChoices]):
    """A check condition: the field is blank or one of the choices' values."""
    from django.db.models import Q

    return Q(**{field: ""}) | Q(**{f"{field}__in": choices.values})
