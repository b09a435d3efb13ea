from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Per-user settings: the time zone pages show dates in."""

    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import remember_time_zone

        user_logged_in.connect(remember_time_zone, dispatch_uid="accounts_time_zone")
