"""Forms of the contact pages: changing a contact's consent (SPEC 9)."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import ConsentChannel

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


class ContactImportForm(forms.Form):
    """The admin's contact import: the file; ``services.start_import`` checks it."""

    import_file = forms.FileField(
        label=_("File to import"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
