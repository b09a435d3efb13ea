"""What the API itself stores: the answers of idempotent requests."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    """An ``Idempotency-Key`` a user sent to log a segment, and the answer it got.

    Unique per user and key: of two concurrent requests with the same key, the second
    waits on the first one's row and then answers what the first answered.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("user")
    )
    key = models.CharField(_("key"), max_length=255)
    segment_no = models.CharField(_("segment no."), max_length=20)
    logged_segment = models.ForeignKey(
        "interactions.LoggedSegment",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logged segment"),
    )
    status = models.PositiveSmallIntegerField(_("status"))
    response = models.JSONField(_("response"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_unique_key")
        ]

    def __str__(self):
        return f"{self.key} ({self.segment_no})"
