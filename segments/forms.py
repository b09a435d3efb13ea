"""Forms of the segment pages: they validate input; the services do the work."""

from django import forms
from django.forms.models import modelform_factory
from django.utils import formats
from django.utils.html import escape
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from crm.models import MailingGroup
from interactions.forms import checked_letter
from interactions.labels import LABEL_FORMATS
from interactions.models import LoggedSegment

from .criteria import ACTION_OPTIONS, SOURCES
from .models import ActionOptions, CriteriaActionType, SavedCriteria, Segment, SegmentLine

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DialogIds:
    """Ids of a form shown inside the segment page (its dialogs, a line's inline edit).

    The page already holds the header form (``id_description``...); a dialog's fields get
    ids of their own (``id_save-criteria-description``), so its labels point at its own
    fields. Only the ids change: the field names, and so what the form posts, stay.
    """

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class SegmentCreateForm(forms.ModelForm):
    class Meta:
        model = Segment
        fields = ["description", "interaction_template", "campaign"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].empty_label = _("(none, or the template's)")


#: The header fields of the worksheet, in the order the form shows them.
HEADER_FIELDS = [
    "description",
    "date",
    "salesperson",
    "interaction_template",
    "language",
    "subject",
    "correspondence_type",
    "ignore_contact_correspondence_type",
    "unit_cost",
    "unit_duration",
    "information_flow",
    "initiated_by",
    "send_as_attachment",
    "campaign",
    "campaign_target",
    "campaign_response",
]


class SegmentHeaderForm(forms.ModelForm):
    """The segment header; a blank field shows what it inherits as its placeholder."""

    class Meta:
        model = Segment
        fields = HEADER_FIELDS
        widgets = {
            "date": DATE_INPUT,
            "ignore_contact_correspondence_type": forms.NullBooleanSelect,
            "campaign_target": forms.NullBooleanSelect,
            "campaign_response": forms.NullBooleanSelect,
        }

    def __init__(self, *args, inherited: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk:
            self.initial["description"] = self.instance.shown_description
        inherited = inherited or {}
        fields = self.fields
        fields["salesperson"].empty_label = _("(each contact's salesperson)")
        fields["interaction_template"].empty_label = _("(no template)")
        for name in ("description", "language", "subject", "unit_cost", "unit_duration"):
            value = inherited.get(name)
            if value not in (None, ""):
                fields[name].widget.attrs["placeholder"] = _("From the template: %(value)s") % {
                    "value": formats.localize(value)
                }
        for name in ("correspondence_type", "information_flow", "initiated_by"):
            value = inherited.get(name)
            label = (
                _("(from the template: %(value)s)") % {"value": value}
                if value
                else _("(from the template)")
            )
            fields[name].widget.choices = [("", label), *list(fields[name].widget.choices)[1:]]
        campaign = inherited.get("campaign")
        fields["campaign"].empty_label = (
            _("(from the template: %(value)s)") % {"value": campaign}
            if campaign
            else _("(the line's template's campaign, if any)")
        )
        for name in ("campaign_target", "campaign_response"):
            fields[name].widget.choices = [
                ("unknown", _("(no)")),
                ("true", _("Yes")),
                ("false", _("No")),
            ]
        ignore = inherited.get("ignore_contact_correspondence_type")
        fields["ignore_contact_correspondence_type"].widget.choices = [
            (
                "unknown",
                _("(from the template: %(value)s)") % {"value": _("Yes") if ignore else _("No")}
                if ignore is not None
                else _("(from the template)"),
            ),
            ("true", _("Yes")),
            ("false", _("No")),
        ]


#: Line values the worksheet edits in place; each can be reset to its inherited value.
LINE_FIELDS = [
    "interaction_template",
    "description",
    "subject",
    "date",
    "salesperson",
    "language",
    "correspondence_type",
    "cost",
    "duration",
    "information_flow",
    "initiated_by",
    "evaluation",
    "campaign",
    "campaign_target",
    "campaign_response",
]


def line_value_form(field: str) -> type[forms.ModelForm]:
    """A form editing one override of a segment line."""
    widgets = {"date": DATE_INPUT} if field == "date" else {}
    form_class = modelform_factory(SegmentLine, fields=[field], widgets=widgets)
    widget = form_class.base_fields[field].widget
    css = "form-select" if isinstance(widget, forms.Select) else "form-control"
    widget.attrs["class"] = f"{css} form-control-sm d-inline-block w-auto"
    return form_class


class PersonalNoteForm(DialogIds, forms.ModelForm):
    id_prefix = "note"

    class Meta:
        model = SegmentLine
        fields = ["personal_note"]
        widgets = {"personal_note": forms.Textarea(attrs={"rows": 4})}


class LineDocumentForm(DialogIds, forms.Form):
    """A personalised letter for one line: checked before anything reads it."""

    id_prefix = "line-document"

    document = forms.FileField(label=_("Personalised document (.docx)"))

    def clean_document(self):
        return checked_letter(self.cleaned_data["document"])


class AddLineForm(forms.Form):
    contact = forms.CharField(
        label=_("Contact no."),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "contact-suggestions"}),
    )


#: What each option of a criteria action does, shown under its checkbox (SPEC 4.1).
OPTION_HELP = {
    "allow_existing": _(
        "Also add contacts that are already on the segment: each gets a second line."
    ),
    "expand_companies": _(
        "Add every contact of each matching contact's company: the company and all its "
        "people, not only the one that matches."
    ),
    "allow_related_companies": _(
        "For each matching person, add that person's company as a contact too."
    ),
    "ignore_exclusion": _(
        'Also add contacts marked "exclude from segment". Privacy blocked contacts are never added.'
    ),
    "entire_companies": _(
        "Apply to whole companies: when one contact of a company matches, every line of "
        "that company counts as matching."
    ),
    "leave_out_opted_out": _(
        "Leave out contacts who opted out of this segment's channel: they would be refused "
        "at logging"
    ),
}


#: Options the dialog ticks at first (the services default every option to off).
OPTIONS_ON_AT_FIRST = {"leave_out_opted_out"}


class CriteriaOptionsForm(DialogIds, forms.Form):
    """The options of one criteria action (add, reduce or refine), each explained."""

    id_prefix = "criteria-options"

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ACTION_OPTIONS[CriteriaActionType(action)]:
            self.fields[name] = forms.BooleanField(
                label=capfirst(ActionOptions._meta.get_field(name).verbose_name),
                help_text=OPTION_HELP.get(name, ""),
                required=False,
                initial=name in OPTIONS_ON_AT_FIRST,
            )


def criteria_filtersets(data=None) -> dict:
    """Every criteria source's FilterSet, bound to ``data`` when given, prefixed by name."""
    return {
        name: filterset_class(
            data, prefix=name, queryset=filterset_class._meta.model.objects.none()
        )
        for name, filterset_class in SOURCES.items()
    }


def criteria_from(filtersets: dict) -> dict:
    """The criteria JSON of valid, bound FilterSets: only the filters given a value."""
    criteria = {}
    for name, filterset in filtersets.items():
        chosen = {key: value for key, value in filterset.form.cleaned_data.items() if value}
        if chosen:
            criteria[name] = chosen
    return criteria


class SaveCriteriaForm(DialogIds, forms.Form):
    id_prefix = "save-criteria"
    code = forms.CharField(
        label=_("Code"), max_length=SavedCriteria._meta.get_field("code").max_length
    )
    description = forms.CharField(label=_("Description"), max_length=100, required=False)


class ReuseCriteriaForm(DialogIds, forms.Form):
    id_prefix = "reuse-criteria"
    saved = forms.ModelChoiceField(
        queryset=SavedCriteria.objects.order_by("code"), label=_("Saved criteria")
    )


class ReuseLoggedSegmentForm(DialogIds, forms.Form):
    id_prefix = "reuse-logged-segment"
    logged = forms.ModelChoiceField(
        queryset=LoggedSegment.objects.order_by("-entry_no"),
        to_field_name="segment_no",
        label=_("Logged segment"),
    )
    skip_canceled = forms.BooleanField(
        label=_("Skip canceled interaction log entries"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["logged"].label_from_instance = lambda logged: (
            f"{logged.segment_no} {logged.description}".strip()
        )


class MailingGroupForm(DialogIds, forms.Form):
    id_prefix = "mailing-group"
    mailing_group = forms.ModelChoiceField(
        queryset=MailingGroup.objects.order_by("code"), label=_("Mailing group")
    )
    delete_old_assignments = forms.BooleanField(
        label=_("Delete old assignments (empty the group first)"), required=False
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class LogSegmentForm(DialogIds, forms.Form):
    id_prefix = "log"
    deliver = forms.BooleanField(
        label=_("Deliver: send the emails and make a print batch of the hard copies"),
        required=False,
    )
    create_follow_up = forms.BooleanField(
        label=_("Create a follow-up segment with the same contacts"), required=False
    )


class LabelsForm(forms.Form):
    """Mailing labels: which A4 label sheet, and whether to print our sender line."""

    label_format = forms.ChoiceField(
        label=_("Label sheet"),
        choices=[(code, label_format.name) for code, label_format in LABEL_FORMATS.items()],
        initial=next(iter(LABEL_FORMATS)),
        widget=forms.RadioSelect,
    )
    sender = forms.BooleanField(label=_("Print the sender line"), required=False)

    def __init__(self, *args, sender_line: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # Crispy renders help text as HTML: the company's name is escaped here.
        self.fields["sender"].help_text = (
            escape(_("Above each address, in small print: %(sender)s") % {"sender": sender_line})
            if sender_line
            else _("The company information has no name or address yet.")
        )
