"""Admin for interaction templates and the ledger; the ledger is view-only here too."""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from crm.admin_inlines import LabelledTabularInline

from . import services
from .forms import CheckedDocumentForm
from .models import (
    Campaign,
    CampaignContactSummary,
    CampaignEntry,
    CampaignSegmentSummary,
    InteractionDaySummary,
    InteractionDraft,
    InteractionGroup,
    InteractionLogEntry,
    InteractionNote,
    InteractionTemplate,
    InteractionTemplateLanguage,
    LoggedSegment,
)
from .services import CAMPAIGN_FIELDS, create_campaign, delete_campaigns, update_campaign


@admin.register(InteractionGroup)
class InteractionGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "description"]
    search_fields = ["code", "description"]


class InteractionTemplateLanguageInline(LabelledTabularInline):
    model = InteractionTemplateLanguage
    form = CheckedDocumentForm
    extra = 1
    fields = ["language", "description", "subject", "document"]


@admin.register(InteractionTemplate)
class InteractionTemplateAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "description",
        "group",
        "correspondence_type",
        "unit_cost",
        "unit_duration",
        "information_flow",
        "initiated_by",
        "default_language",
    ]
    list_filter = ["group", "correspondence_type", "information_flow", "initiated_by"]
    list_select_related = ["group"]
    search_fields = ["code", "description"]
    autocomplete_fields = ["group"]
    inlines = [InteractionTemplateLanguageInline]

    def save_model(self, request, obj, form, change):
        # Through the service, which records who created or changed the template.
        services.save_interaction_template(obj, user=request.user, fields=form.changed_data)


@admin.register(InteractionTemplateLanguage)
class InteractionTemplateLanguageAdmin(admin.ModelAdmin):
    form = CheckedDocumentForm
    list_display = ["template", "language", "description", "subject", "document"]
    list_filter = ["language"]
    list_select_related = ["template"]
    search_fields = ["template__code", "description", "subject"]
    autocomplete_fields = ["template"]


class LedgerAdmin(admin.ModelAdmin):
    """Append-only records: the admin may look, never add, change or delete."""

    # A million entries: skip the second COUNT(*) the changelist would run.
    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LoggedSegment)
class LoggedSegmentAdmin(LedgerAdmin):
    list_display = ["entry_no", "segment_no", "description", "canceled", "created_by", "created_at"]
    list_filter = ["canceled", "created_at"]
    list_select_related = ["created_by"]
    search_fields = ["segment_no", "description"]
    date_hierarchy = "created_at"
    readonly_fields = ["criteria_text"]

    @admin.display(description=_("criteria it was built from"))
    def criteria_text(self, logged) -> str:
        """Each step described from its criteria in the admin's language."""
        return format_html_join(
            mark_safe("<br>"),
            "{}. {}",
            ((s.get("seq", ""), s["shown"]) for s in logged.criteria_steps),
        )


@admin.register(InteractionLogEntry)
class InteractionLogEntryAdmin(LedgerAdmin):
    list_display = [
        "entry_no",
        "date",
        "contact_no",
        "contact_name",
        "segment_no",
        "description",
        "template",
        "correspondence_type",
        "cost",
        "duration",
        "evaluation",
        "canceled",
        "delivery_status",
    ]
    list_filter = [
        "canceled",
        "correspondence_type",
        "delivery_status",
        "evaluation",
        "information_flow",
        "initiated_by",
        "attempt_failed",
        "template",
        "group",
    ]
    list_select_related = ["contact", "template"]
    search_fields = ["contact__no", "contact_name", "segment_no", "description", "subject"]
    date_hierarchy = "date"

    @admin.display(description=_("contact no."), ordering="contact__no")
    def contact_no(self, entry):
        return entry.contact.no


@admin.register(InteractionNote)
class InteractionNoteAdmin(LedgerAdmin):
    """Notes are append-only like the ledger: the admin only looks."""

    list_display = ["entry", "created_at", "created_by", "evaluation", "attempt_failed", "comment"]
    list_filter = ["evaluation", "attempt_failed", "created_at"]
    list_select_related = ["entry", "created_by"]
    search_fields = ["comment", "entry__contact_name", "entry__contact__no"]
    date_hierarchy = "created_at"


@admin.register(InteractionDraft)
class InteractionDraftAdmin(admin.ModelAdmin):
    list_display = ["contact", "template", "description", "date", "created_by", "updated_at"]
    list_filter = ["template", "created_at"]
    list_select_related = ["contact", "template", "created_by"]
    search_fields = ["contact__no", "contact__name", "description", "subject"]
    autocomplete_fields = ["contact", "template", "salesperson"]
    readonly_fields = ["created_by", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Campaigns are saved through the campaign services, like on the pages."""

    list_display = ["no", "description", "status", "starting_date", "ending_date", "salesperson"]
    list_filter = ["status", "starting_date"]
    list_select_related = ["salesperson"]
    search_fields = ["no", "description"]
    autocomplete_fields = ["salesperson"]
    readonly_fields = ["created_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        # The number is the campaign's identity once it exists.
        return [*self.readonly_fields, "no"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        values = {
            name: form.cleaned_data[name] for name in CAMPAIGN_FIELDS if name in form.cleaned_data
        }
        if change:
            update_campaign(obj, user=request.user, **values)
        else:
            created = create_campaign(
                user=request.user, no=form.cleaned_data.get("no", ""), **values
            )
            obj.pk, obj.no = created.pk, created.no

    def delete_model(self, request, obj):
        delete_campaigns(Campaign.objects.filter(pk=obj.pk), user=request.user)

    def delete_queryset(self, request, queryset):
        delete_campaigns(queryset, user=request.user)


@admin.register(CampaignEntry)
class CampaignEntryAdmin(LedgerAdmin):
    """Written by logging; canceled with the entries that hold it: the admin only looks."""

    list_display = [
        "entry_no",
        "campaign",
        "segment_no",
        "description",
        "date",
        "canceled",
        "created_by",
    ]
    list_filter = ["canceled", "date", "campaign"]
    list_select_related = ["campaign", "created_by"]
    search_fields = ["campaign__no", "segment_no", "description"]
    date_hierarchy = "date"


@admin.register(InteractionDaySummary)
class InteractionDaySummaryAdmin(LedgerAdmin):
    """The ledger's figures per day (issue 16): kept by the ledger's writers, never here."""

    list_display = [
        "day",
        "template_key",
        "group_key",
        "campaign_key",
        "entries",
        "canceled",
        "cost",
        "duration",
        "attempts_failed",
        "targets",
        "responses",
    ]
    date_hierarchy = "day"


@admin.register(CampaignContactSummary)
class CampaignContactSummaryAdmin(LedgerAdmin):
    list_display = ["campaign", "contact", "entries", "targets", "responses"]
    list_select_related = ["campaign", "contact"]
    raw_id_fields = ["campaign", "contact"]


@admin.register(CampaignSegmentSummary)
class CampaignSegmentSummaryAdmin(LedgerAdmin):
    list_display = ["campaign", "segment_no", "entries", "canceled", "cost", "duration"]
    list_select_related = ["campaign"]
    raw_id_fields = ["campaign"]
