"""Admin for segments, their lines and history, and saved criteria."""

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from interactions.forms import CheckedDocumentForm

from .criteria import describe_action
from .models import (
    CriteriaAction,
    RemovedLine,
    SavedCriteria,
    SavedCriteriaAction,
    Segment,
    SegmentLanguage,
    SegmentLine,
)

# Above this many lines a segment's lines are edited in their own list, not inline:
# an inline form per line would make the page unusably large.
MAX_INLINE_LINES = 200

LINE_FIELDS = [
    "line_no",
    "contact",
    "interaction_template",
    "description",
    "subject",
    "language",
    "correspondence_type",
    "salesperson",
    "date",
    "cost",
    "duration",
    "information_flow",
    "initiated_by",
    "evaluation",
]


@admin.display(description=_("description"))
def described(action) -> str:
    """The action described from its criteria in the admin's language, not as stored."""
    return describe_action(action)


class SegmentLanguageInline(admin.TabularInline):
    model = SegmentLanguage
    form = CheckedDocumentForm
    extra = 0
    fields = ["language", "subject", "document"]


class SegmentLineInline(admin.TabularInline):
    model = SegmentLine
    form = CheckedDocumentForm
    extra = 0
    fields = LINE_FIELDS
    raw_id_fields = ["contact", "interaction_template", "salesperson"]


class CriteriaActionInline(admin.TabularInline):
    model = CriteriaAction
    extra = 0
    fields = ["seq", "action", described, "added", "removed", "created_by", "created_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        # Actions are recorded by the segment services, which also write the lines.
        return False


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = [
        "no",
        "description",
        "date",
        "salesperson",
        "interaction_template",
        "line_count",
        "created_by",
    ]
    list_filter = ["date", "salesperson", "interaction_template", "correspondence_type"]
    list_select_related = ["salesperson", "interaction_template", "created_by"]
    search_fields = ["no", "description", "subject"]
    raw_id_fields = ["follow_up_of", "created_by"]
    autocomplete_fields = ["salesperson", "interaction_template"]
    readonly_fields = ["lines_link", "created_at", "updated_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(line_count=Count("lines"))

    @admin.display(description=_("lines"), ordering="line_count")
    def line_count(self, segment):
        return segment.line_count

    @admin.display(description=_("segment lines"))
    def lines_link(self, segment):
        if not segment.pk:
            return "-"
        url = reverse("admin:segments_segmentline_changelist") + f"?segment__id__exact={segment.pk}"
        return format_html('<a href="{}">{}</a>', url, _("All lines of this segment"))

    def get_inlines(self, request, obj):
        inlines = [SegmentLanguageInline]
        if obj is None or obj.lines.count() <= MAX_INLINE_LINES:
            inlines.append(SegmentLineInline)
        if obj is not None:
            inlines.append(CriteriaActionInline)
        return inlines


@admin.register(SegmentLanguage)
class SegmentLanguageAdmin(admin.ModelAdmin):
    form = CheckedDocumentForm
    list_display = ["segment", "language", "subject", "document"]
    list_filter = ["language"]
    list_select_related = ["segment"]
    search_fields = ["segment__no", "subject"]
    raw_id_fields = ["segment"]


@admin.register(SegmentLine)
class SegmentLineAdmin(admin.ModelAdmin):
    form = CheckedDocumentForm
    list_display = [
        "segment",
        "line_no",
        "contact",
        "interaction_template",
        "language",
        "correspondence_type",
        "date",
        "cost",
        "evaluation",
    ]
    list_filter = ["correspondence_type", "language", "evaluation"]
    list_select_related = ["segment", "contact", "interaction_template"]
    search_fields = ["segment__no", "contact__no", "contact__name"]
    raw_id_fields = ["segment", "contact", "added_by", "interaction_template", "salesperson"]
    show_full_result_count = False


@admin.register(CriteriaAction)
class CriteriaActionAdmin(admin.ModelAdmin):
    list_display = ["segment", "seq", "action", described, "added", "removed", "created_at"]
    list_filter = ["action", "expand_companies", "allow_existing", "entire_companies"]
    list_select_related = ["segment"]
    search_fields = ["segment__no", "description"]
    raw_id_fields = ["segment", "created_by"]


@admin.register(RemovedLine)
class RemovedLineAdmin(admin.ModelAdmin):
    form = CheckedDocumentForm
    list_display = ["segment", "line_no", "contact", "removed_by"]
    list_select_related = ["segment", "contact", "removed_by__segment"]
    search_fields = ["segment__no", "contact__no", "contact__name"]
    raw_id_fields = [
        "segment",
        "contact",
        "added_by",
        "removed_by",
        "interaction_template",
        "salesperson",
    ]
    show_full_result_count = False


class SavedCriteriaActionInline(admin.TabularInline):
    model = SavedCriteriaAction
    extra = 0
    fields = [
        "seq",
        "action",
        "criteria",
        "allow_existing",
        "expand_companies",
        "allow_related_companies",
        "ignore_exclusion",
        "entire_companies",
        "manual",
        "description",
        described,
    ]
    readonly_fields = [described]


@admin.register(SavedCriteria)
class SavedCriteriaAdmin(admin.ModelAdmin):
    list_display = ["code", "description", "created_by", "created_at"]
    list_select_related = ["created_by"]
    search_fields = ["code", "description"]
    raw_id_fields = ["created_by"]
    inlines = [SavedCriteriaActionInline]


@admin.register(SavedCriteriaAction)
class SavedCriteriaActionAdmin(admin.ModelAdmin):
    list_display = ["saved", "seq", "action", described]
    list_filter = ["action"]
    list_select_related = ["saved"]
    search_fields = ["saved__code", "description"]
    raw_id_fields = ["saved"]
