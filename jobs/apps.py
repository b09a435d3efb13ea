from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """Long operations as tasks with progress and an outcome; generic, used by the apps above."""

    name = "jobs"
    verbose_name = _("Jobs")
