"""A user's own settings (re-exported by ``crm.models``): what each table shows.

One row per user, created on first save; a user without a row has the defaults.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .time_zones import validate_time_zone


class UserPreferences(models.Model):
    """Per-user settings; written only by ``crm.services.save_columns``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="preferences",
        verbose_name=_("user"),
    )
    columns = models.JSONField(
        _("columns"),
        default=dict,
        blank=True,
        help_text=_("Per table, the columns the user shows, in order (table name: list)."),
    )
    # Written by crm.services.time_zones.set_time_zone (My settings).
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
