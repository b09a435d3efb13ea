"""A user's own settings: one row per user, created when they first save My settings."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .zones import validate_time_zone


class UserPreferences(models.Model):
    """What a user chose for themselves; a blank value means the site's default."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="preferences",
        verbose_name=_("user"),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Dates and times are shown in this zone. Blank: the site's default."),
    )

    class Meta:
        verbose_name = _("user preferences")
        verbose_name_plural = _("user preferences")

    def __str__(self):
        return str(self.user)
