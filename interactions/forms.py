"""Forms of the ledger pages: templates and their languages, groups, cancel actions."""

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import letters
from .exceptions import LetterError
from .models import (
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
