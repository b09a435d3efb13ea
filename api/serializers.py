"""What the API reads and writes. Input serializers only parse; the services decide."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm.models import Contact, Salesperson
from interactions.models import (
    Campaign,
    InteractionLogEntry,
    InteractionNote,
    InteractionTemplate,
    LoggedSegment,
)
from segments.forms import HEADER_FIELDS
from segments.models import CriteriaAction, SavedCriteria, Segment, SegmentLine

from .fields import CountField, ModelOutput, Strict, code_field

# --- contacts ------------------------------------------------------------------------------


class ContactSerializer(ModelOutput):
    company = serializers.SlugRelatedField(slug_field="no", read_only=True)
    salesperson = serializers.SlugRelatedField(slug_field="code", read_only=True)
    territory = serializers.SlugRelatedField(slug_field="code", read_only=True)
    country = serializers.CharField(read_only=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "no",
            "type",
            "name",
            "first_name",
            "middle_name",
            "surname",
            "initials",
            "job_title",
            "company",
            "company_name",
            "address",
            "address_2",
            "post_code",
            "city",
            "county",
            "country",
            "phone",
            "mobile_phone",
            "email",
            "home_page",
            "language",
            "salesperson",
            "territory",
            "correspondence_type",
            "exclude_from_segment",
            "privacy_blocked",
        ]
        read_only_fields = fields


class ContactRefSerializer(ModelOutput):
    class Meta:
        model = Contact
        fields = ["id", "no", "name", "type", "company_name"]
        read_only_fields = fields


# --- segments ------------------------------------------------------------------------------


def campaign_field(**kwargs):
    """A campaign named by its number (CP00001), as the pages name it."""
    return serializers.SlugRelatedField(slug_field="no", queryset=Campaign.objects.all(), **kwargs)


class SegmentHeaderSerializer(Strict, ModelOutput):
    """The header values a client may set; blank or null means "take it from the template"."""

    salesperson = code_field(Salesperson.objects.all(), required=False, allow_null=True)
    interaction_template = code_field(
        InteractionTemplate.objects.all(), required=False, allow_null=True
    )
    campaign = campaign_field(required=False, allow_null=True)

    class Meta:
        model = Segment
        fields = HEADER_FIELDS
        extra_kwargs = {name: {"required": False} for name in HEADER_FIELDS}


class SegmentSerializer(ModelOutput):
    salesperson = serializers.SlugRelatedField(slug_field="code", read_only=True)
    interaction_template = serializers.SlugRelatedField(slug_field="code", read_only=True)
    campaign = serializers.SlugRelatedField(slug_field="no", read_only=True)
    follow_up_of = serializers.PrimaryKeyRelatedField(read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    lines = CountField(source="line_count")
    actions = CountField(source="action_count")

    class Meta:
        model = Segment
        fields = [
            "id",
            "no",
            *HEADER_FIELDS,
            "follow_up_of",
            "lines",
            "actions",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


#: What a segment line may override (SPEC 4.2); null or "" resets it to the inherited value.
LINE_OVERRIDES = [
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
    "personal_note",
    "campaign",
    "campaign_target",
    "campaign_response",
]


class LineOverridesSerializer(Strict, ModelOutput):
    salesperson = code_field(Salesperson.objects.all(), required=False, allow_null=True)
    interaction_template = code_field(
        InteractionTemplate.objects.all(), required=False, allow_null=True
    )
    campaign = campaign_field(required=False, allow_null=True)

    class Meta:
        model = SegmentLine
        fields = LINE_OVERRIDES
        extra_kwargs = {name: {"required": False} for name in LINE_OVERRIDES}

    def to_internal_value(self, data):
        # null resets a text override too: its blank value is "".
        if isinstance(data, dict):
            data = {
                name: (
                    ""
                    if value is None
                    and name in self.fields
                    and isinstance(self.fields[name], serializers.CharField)
                    else value
                )
                for name, value in data.items()
            }
        return super().to_internal_value(data)


class EffectiveValuesSerializer(serializers.Serializer):
    """A line's effective values (SPEC 4.2), computed in SQL."""

    interaction_template = serializers.CharField(source="effective_template_code", allow_null=True)
    description = serializers.CharField(source="effective_description", allow_null=True)
    subject = serializers.CharField(source="effective_subject", allow_null=True)
    date = serializers.DateField(source="effective_date", allow_null=True)
    salesperson = serializers.CharField(source="effective_salesperson_code", allow_null=True)
    language = serializers.CharField(source="effective_language", allow_null=True)
    correspondence_type = serializers.CharField(
        source="effective_correspondence_type", allow_null=True
    )
    cost = serializers.DecimalField(
        source="effective_cost", max_digits=12, decimal_places=2, allow_null=True
    )
    duration = serializers.DecimalField(
        source="effective_duration", max_digits=12, decimal_places=2, allow_null=True
    )
    information_flow = serializers.CharField(source="effective_information_flow", allow_null=True)
    initiated_by = serializers.CharField(source="effective_initiated_by", allow_null=True)
    campaign = serializers.CharField(source="effective_campaign_no", allow_null=True)
    campaign_target = serializers.BooleanField(source="effective_campaign_target")
    campaign_response = serializers.BooleanField(source="effective_campaign_response")


class SegmentLineSerializer(ModelOutput):
    contact = ContactRefSerializer(read_only=True)
    overrides = serializers.SerializerMethodField()
    effective = EffectiveValuesSerializer(source="*", read_only=True)

    class Meta:
        model = SegmentLine
        fields = ["id", "line_no", "contact", "overrides", "effective"]
        read_only_fields = fields

    def get_overrides(self, line) -> dict:
        """Only the values this line overrides, as codes and plain values."""
        data = LineOverridesSerializer(line).data
        return {name: value for name, value in data.items() if value not in (None, "")}


CRITERIA_HELP = _(
    '{source: {filter: value or [values]}} (SPEC 3), e.g. {"contact": {"country": ["NO"]}}'
)


class AddInputSerializer(Strict, serializers.Serializer):
    """Add contacts: the criteria JSON of SPEC 3 and the add options."""

    criteria = serializers.JSONField(help_text=CRITERIA_HELP)
    allow_existing = serializers.BooleanField(required=False, default=False)
    expand_companies = serializers.BooleanField(required=False, default=False)
    allow_related_companies = serializers.BooleanField(required=False, default=False)
    ignore_exclusion = serializers.BooleanField(required=False, default=False)
    leave_out_opted_out = serializers.BooleanField(required=False, default=False)


class RefineInputSerializer(Strict, serializers.Serializer):
    """Reduce or refine: the criteria JSON of SPEC 3 and the entire-companies option."""

    criteria = serializers.JSONField(help_text=CRITERIA_HELP)
    entire_companies = serializers.BooleanField(required=False, default=False)


class PreviewInputSerializer(Strict, serializers.Serializer):
    """An action to preview: its name, criteria and options (only that action's)."""

    action = serializers.ChoiceField(choices=["add", "reduce", "refine"])
    criteria = serializers.JSONField(help_text=CRITERIA_HELP)
    allow_existing = serializers.BooleanField(required=False)
    expand_companies = serializers.BooleanField(required=False)
    allow_related_companies = serializers.BooleanField(required=False)
    ignore_exclusion = serializers.BooleanField(required=False)
    leave_out_opted_out = serializers.BooleanField(required=False)
    entire_companies = serializers.BooleanField(required=False)


class CriteriaActionSerializer(ModelOutput):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = CriteriaAction
        fields = [
            "seq",
            "action",
            "criteria",
            "allow_existing",
            "expand_companies",
            "allow_related_companies",
            "ignore_exclusion",
            "leave_out_opted_out",
            "entire_companies",
            "manual",
            "description",
            "added",
            "removed",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class PreviewSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    removed = serializers.IntegerField()
    description = serializers.CharField()
    sample = ContactRefSerializer(many=True)
    left_out = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=_(
            "Matching contacts an add leaves out, per reason: excluded, privacy_blocked, "
            "already_on_segment, and opted_out when the add leaves out opted-out contacts."
        ),
    )


class SaveCriteriaSerializer(Strict, serializers.Serializer):
    code = serializers.CharField(max_length=SavedCriteria._meta.get_field("code").max_length)
    description = serializers.CharField(max_length=100, required=False, default="")


class SavedCriteriaSerializer(ModelOutput):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = SavedCriteria
        fields = ["id", "code", "description", "created_by", "created_at"]
        read_only_fields = fields


class ReuseCriteriaSerializer(Strict, serializers.Serializer):
    saved = code_field(SavedCriteria.objects.all())


class LogInputSerializer(Strict, serializers.Serializer):
    deliver = serializers.BooleanField(required=False, default=False)
    create_follow_up = serializers.BooleanField(required=False, default=False)


class JobStartedSerializer(serializers.Serializer):
    job = serializers.IntegerField()
    description = serializers.CharField()
    state = serializers.CharField()
    url = serializers.CharField(help_text="The job's progress page.")


# --- the ledger ----------------------------------------------------------------------------


class LoggedSegmentSerializer(ModelOutput):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    active_entries = CountField()
    canceled_entries = CountField()

    class Meta:
        model = LoggedSegment
        fields = [
            "entry_no",
            "segment_no",
            "description",
            "criteria",
            "canceled",
            "send_as_attachment",
            "active_entries",
            "canceled_entries",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class CancelSerializer(Strict, serializers.Serializer):
    canceled = serializers.BooleanField()


class FollowUpSerializer(Strict, serializers.Serializer):
    skip_canceled = serializers.BooleanField(required=False, default=False)


class EntrySerializer(ModelOutput):
    contact = serializers.SlugRelatedField(slug_field="no", read_only=True)
    template = serializers.SlugRelatedField(slug_field="code", read_only=True)
    group = serializers.SlugRelatedField(slug_field="code", read_only=True)
    salesperson = serializers.SlugRelatedField(slug_field="code", read_only=True)
    campaign = serializers.SlugRelatedField(slug_field="no", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    has_letter = serializers.SerializerMethodField()

    class Meta:
        model = InteractionLogEntry
        fields = [
            "entry_no",
            "contact",
            "contact_name",
            "logged_segment",
            "segment_no",
            "date",
            "description",
            "subject",
            "template",
            "group",
            "language",
            "correspondence_type",
            "cost",
            "duration",
            "information_flow",
            "initiated_by",
            "salesperson",
            "evaluation",
            "attempt_failed",
            "campaign",
            "campaign_target",
            "campaign_response",
            "canceled",
            "delivery_status",
            "delivery_error",
            "merge_data",
            "has_letter",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_has_letter(self, entry) -> bool:
        # The document it was merged from: merge data is empty for a letter with no merge
        # fields, and an erased contact's entry keeps some but no letter.
        return bool(entry.document)


class NoteSerializer(Strict, ModelOutput):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = InteractionNote
        fields = ["id", "comment", "evaluation", "attempt_failed", "created_by", "created_at"]
        read_only_fields = ["id", "created_by", "created_at"]
        extra_kwargs = {
            "comment": {"required": False},
            "evaluation": {"required": False},
            "attempt_failed": {"required": False},
        }


class InteractionInputSerializer(Strict, serializers.Serializer):
    """One interaction with one contact (SPEC 7); blank values come from the template."""

    contact = serializers.SlugRelatedField(slug_field="no", queryset=Contact.objects.all())
    template = code_field(InteractionTemplate.objects.all())
    description = serializers.CharField(max_length=100, required=False, default="")
    date = serializers.DateField(required=False, allow_null=True, default=None)
    correspondence_type = serializers.ChoiceField(
        choices=InteractionLogEntry._meta.get_field("correspondence_type").choices,
        required=False,
        allow_null=True,
        default=None,
    )
    salesperson = code_field(
        Salesperson.objects.all(), required=False, allow_null=True, default=None
    )
    cost = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    duration = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    information_flow = serializers.ChoiceField(
        choices=InteractionLogEntry._meta.get_field("information_flow").choices,
        required=False,
        allow_null=True,
        default=None,
    )
    initiated_by = serializers.ChoiceField(
        choices=InteractionLogEntry._meta.get_field("initiated_by").choices,
        required=False,
        allow_null=True,
        default=None,
    )
    evaluation = serializers.ChoiceField(
        choices=InteractionLogEntry._meta.get_field("evaluation").choices,
        required=False,
        allow_blank=True,
        default="",
    )
    attempt_failed = serializers.BooleanField(required=False, default=False)
    subject = serializers.CharField(max_length=200, required=False, default="")
    language = serializers.CharField(max_length=10, required=False, allow_null=True, default=None)
    personal_note = serializers.CharField(required=False, default="")
    campaign = campaign_field(required=False, allow_null=True, default=None)
    campaign_target = serializers.BooleanField(required=False, default=False)
    campaign_response = serializers.BooleanField(required=False, default=False)
    deliver = serializers.BooleanField(required=False, default=False)
