"""Forms of the ledger pages: templates and their languages, groups, cancel actions."""

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.choices import CorrespondenceType
from crm.models import Salesperson

from . import letters
from .choices import Evaluation, InformationFlow, InitiatedBy
from .exceptions import LetterError
from .models import (
    Campaign,
    CampaignStatus,
    InteractionGroup,
    InteractionLogEntry,
    InteractionTemplate,
    InteractionTemplateLanguage,
)


class FilterForm(forms.Form):
    """The form of a list page's FilterSet: rendered inside the page's own GET form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class CrispyModelForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


def _upper_code(value: str) -> str:
    # Codes are upper-case identifiers (SPEC 2); typing "news" means NEWS.
    return value.strip().upper()


class InteractionGroupForm(CrispyModelForm):
    class Meta:
        model = InteractionGroup
        fields = ["code", "description"]

    def clean_code(self):
        return _upper_code(self.cleaned_data["code"])


class InteractionTemplateForm(CrispyModelForm):
    class Meta:
        model = InteractionTemplate
        fields = [
            "code",
            "group",
            "description",
            "unit_cost",
            "unit_duration",
            "information_flow",
            "initiated_by",
            "correspondence_type",
            "ignore_contact_correspondence_type",
            "default_language",
        ]

    def clean_code(self):
        return _upper_code(self.cleaned_data["code"])

    def clean_default_language(self):
        return self.cleaned_data["default_language"].strip().lower()


class StoredDocument:
    """A stored document as a form shows it ("Currently: <name>"), linked to ``url``."""

    def __init__(self, name: str, url: str):
        self.name = name
        self.url = url

    def __str__(self) -> str:
        return self.name


class StoredDocumentField(forms.FileField):
    """A document field whose "Currently:" link is a permission-checked download view.

    Stored letters are not served from a public media URL (the storage's own ``url``
    answers 404), so the link points at ``download_url`` instead.
    """

    download_url = ""

    def prepare_value(self, value):
        if self.download_url and value and not isinstance(value, UploadedFile):
            name = getattr(value, "name", "")
            if name:
                return StoredDocument(name, self.download_url)
        return value


def checked_letter(document):
    """An uploaded letter after ``letters.check_upload``, rewound: what every form that
    takes a document (template languages, segment languages, lines, the admin) cleans with.
    Anything but a new upload (an already stored file, nothing) is returned as it is."""
    if not isinstance(document, UploadedFile):
        return document
    try:
        letters.check_upload(document, document.size)
    except LetterError as error:
        raise ValidationError(error.messages, code=error.code) from None
    finally:
        document.seek(0)
    return document


class InteractionTemplateLanguageForm(CrispyModelForm):
    """A template's language version; an uploaded letter is checked before it is stored.

    ``report`` holds the uploaded document's merge fields (known and unknown) once valid.
    """

    class Meta:
        model = InteractionTemplateLanguage
        fields = ["language", "description", "subject", "document"]
        field_classes = {"document": StoredDocumentField}
        widgets = {
            "document": forms.ClearableFileInput(
                attrs={
                    "accept": ".docx,application/vnd.openxmlformats-officedocument"
                    ".wordprocessingml.document"
                }
            )
        }

    def __init__(self, *args, template: InteractionTemplate, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.template = template
        self.report: dict[str, list[str]] | None = None
        if self.instance.pk:
            self.fields["document"].download_url = reverse(
                "interactions:template-language-document", args=[template.pk, self.instance.pk]
            )

    def clean_language(self):
        language = self.cleaned_data["language"].strip().lower()
        # The unique constraint covers the template too, which is not a form field, so
        # ModelForm would not check it and the database would refuse it instead.
        taken = InteractionTemplateLanguage.objects.filter(
            template=self.instance.template, language=language
        ).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(
                _("Interaction template %(template)s already has a version in %(language)s."),
                code="duplicate_language",
                params={"template": self.instance.template.code, "language": language},
            )
        return language

    def clean_document(self):
        document = checked_letter(self.cleaned_data.get("document"))
        if isinstance(document, UploadedFile):
            try:
                self.report = letters.template_report(document.read())
            finally:
                document.seek(0)
        return document


class CheckedDocumentForm(forms.ModelForm):
    """The admin's form for any model with a ``document``: an upload is checked first.

    The admin stores files itself, so without this a macro document or a zip bomb would
    reach the letters code unchecked.
    """

    def clean_document(self):
        return checked_letter(self.cleaned_data.get("document"))


BOOLEAN_CHOICES = [("true", _("Yes")), ("false", _("No"))]


def _as_bool(value: str) -> bool:
    return value == "true"


class CancelForm(forms.Form):
    """Cancel (``canceled=true``) or un-cancel (``canceled=false``)."""

    canceled = forms.TypedChoiceField(choices=BOOLEAN_CHOICES, coerce=_as_bool)


class CancelEntriesForm(CancelForm):
    entries = forms.ModelMultipleChoiceField(
        queryset=InteractionLogEntry.objects.all(),
        error_messages={
            "required": _("Select at least one interaction log entry."),
            "invalid_choice": _("Interaction log entry %(value)s does not exist."),
            "invalid_pk_value": _("%(pk)s is not an interaction log entry number."),
        },
    )


class StatisticsForm(FilterForm):
    date_from = forms.DateField(
        label=_("Date from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Date to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise ValidationError(
                _("The date from (%(start)s) is after the date to (%(end)s)."),
                code="date_range",
                params={"start": start, "end": end},
            )
        return cleaned


# --- interactions with one contact (SPEC 7) -------------------------------------------------


def _blank_choice(choices, label):
    return [("", label), *choices]


class LogInteractionForm(forms.Form):
    """What ``log_interaction`` takes; blank fields take the template's values."""

    template = forms.ModelChoiceField(
        queryset=InteractionTemplate.objects.select_related("group"),
        label=_("Interaction template"),
    )
    description = forms.CharField(label=_("Description"), max_length=100, required=False)
    date = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    correspondence_type = forms.ChoiceField(
        label=_("Correspondence type"),
        choices=_blank_choice(CorrespondenceType.choices, _("From the template or contact")),
        required=False,
    )
    salesperson = forms.ModelChoiceField(
        queryset=Salesperson.objects.filter(blocked=False),
        label=_("Salesperson"),
        required=False,
        empty_label=_("Yours, else the contact's"),
    )
    cost = forms.DecimalField(label=_("Cost"), min_value=0, decimal_places=2, required=False)
    duration = forms.DecimalField(
        label=_("Duration (minutes)"), min_value=0, decimal_places=2, required=False
    )
    information_flow = forms.ChoiceField(
        label=_("Information flow"),
        choices=_blank_choice(InformationFlow.choices, _("From the template")),
        required=False,
    )
    initiated_by = forms.ChoiceField(
        label=_("Initiated by"),
        choices=_blank_choice(InitiatedBy.choices, _("From the template")),
        required=False,
    )
    evaluation = forms.ChoiceField(
        label=_("Evaluation"), choices=_blank_choice(Evaluation.choices, "-"), required=False
    )
    attempt_failed = forms.BooleanField(label=_("Attempt failed"), required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    language = forms.CharField(label=_("Language"), max_length=10, required=False)
    campaign = forms.ModelChoiceField(
        queryset=Campaign.objects.exclude(status=CampaignStatus.COMPLETED),
        label=_("Campaign"),
        required=False,
        empty_label=_("From the template"),
    )
    campaign_target = forms.BooleanField(label=_("Campaign target"), required=False)
    campaign_response = forms.BooleanField(
        label=_("Campaign response"),
        required=False,
        help_text=_("The contact answered the campaign: a reply, a registration, a call back."),
    )
    personal_note = forms.CharField(
        label=_("Personal note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Merged into the letter where it has the PersonalNote field."),
    )
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        help_text=_("A PDF, an image, a scanned letter, a Word or Excel document."),
    )
    deliver = forms.BooleanField(
        label=_("Send the email now"),
        required=False,
        help_text=_("For an email interaction: the letter goes to the contact."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        # Choosing a template re-renders the form with its defaults and letter.
        self.fields["template"].widget.attrs.update(
            {
                "hx-get": reverse("interactions:log-interaction"),
                "hx-include": "closest form",
                "hx-target": "#log-form-body",
                "hx-select": "#log-form-body",
                "hx-swap": "outerHTML",
            }
        )

    def show_template_defaults(self, template: InteractionTemplate | None) -> None:
        """Blank fields show what the template gives them (as placeholders)."""
        if template is None:
            return
        defaults = {
            "description": template.description,
            "cost": template.unit_cost,
            "duration": template.unit_duration,
            "language": template.default_language,
        }
        for name, value in defaults.items():
            self.fields[name].widget.attrs["placeholder"] = str(value)


class InteractionNoteForm(forms.Form):
    """A note on an entry: a comment, and where chosen a new evaluation or flag."""

    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    evaluation = forms.ChoiceField(
        label=_("Evaluation"),
        choices=_blank_choice(Evaluation.choices, _("Unchanged")),
        required=False,
    )
    attempt_failed = forms.TypedChoiceField(
        label=_("Attempt failed"),
        choices=[("", _("Unchanged")), ("true", _("Yes")), ("false", _("No"))],
        coerce=lambda value: value == "true",
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
