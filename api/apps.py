from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The web API (SPEC 10): the top layer, over the services of the other apps."""

    name = "api"
    verbose_name = _("Web API")
