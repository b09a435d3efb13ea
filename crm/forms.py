"""Forms of the contact pages: changing a contact's consent (SPEC 9); My settings."""

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .choices import ConsentChannel
from .time_zones import INVALID_TIME_ZONE, time_zone_names

GRANTED_CHOICES = [
    ("yes", _("Yes: we may contact this person by this channel")),
    ("no", _("No: opted out, never contact by this channel")),
]


class ConsentForm(forms.Form):
    """A staff change of one channel's consent; the reason is required (it is evidence)."""

    channel = forms.ChoiceField(label=_("Channel"), choices=ConsentChannel.choices)
    granted = forms.ChoiceField(
        label=_("Consent"), choices=GRANTED_CHOICES, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why consent changes, e.g. “Asked by phone on 1 December to get no letters”."),
        error_messages={"required": _("Give the reason for the change.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError(_("Give the reason for the change."), code="required")
        return note


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
