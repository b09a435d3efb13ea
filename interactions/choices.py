"""The ledger's choices: information flow, initiated by, evaluation and delivery status.

Segment lines use them too (``segments`` may import ``interactions``); ``crm`` does not.
"""

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


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
