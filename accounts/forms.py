"""My settings: the form a user changes their own preferences with."""

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .zones import INVALID_TIME_ZONE, time_zone_names


def _zone_choices() -> list[tuple[str, str]]:
    default = _("The site's default (%(zone)s)") % {"zone": settings.TIME_ZONE}
    return [("", default), *((name, name.replace("_", " ")) for name in time_zone_names())]


class PreferencesForm(forms.Form):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=_zone_choices,
        required=False,
        help_text=_("Dates and times on every page are shown in this zone."),
        error_messages={"invalid_choice": INVALID_TIME_ZONE},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
