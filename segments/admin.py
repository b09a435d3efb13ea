"""Admin for segments, their lines and history, and saved criteria."""

from django.contrib import admin
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from crm.admin_inlines import LabelledTabularInline
from interactions.forms import CheckedDocumentForm

from . import services
from .criteria import describe_action
from .locks import ensure_free
from .models import (
    CriteriaAction,
    RemovedLine,
    SavedCriteria,
    SavedCriteriaAction,
    Segment,
    SegmentLanguage,
    SegmentLine,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows only the segment services write (lines, steps, removed lines): look, never edit.

    Editing them here would skip the segment lock and break "go back undoes exactly"
    (a line with no criteria action, a renumbered step); the worksheet edits lines.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SegmentFreeForm(CheckedDocumentForm):
    """Refuses, as a form error, to change a segment a background job works on."""

    def clean(self):
        cleaned = super().clean()
        if isinstance(self.instance, Segment):
            segment = self.instance if self.instance.pk else None
        elif self.instance.segment_id:
            segment = self.instance.segment
        else:
            segment = cleaned.get("segment")
        if segment is not None:
            ensure_free(segment)  # a SegmentError is a ValidationError: shown on the form
        return cleaned


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


class SegmentLanguageInline(LabelledTabularInline):
    model = SegmentLanguage
    form = SegmentFreeForm
    extra = 0
    fields = ["language", "subject", "document"]


class SegmentLineInline(LabelledTabularInline):
    """The lines, view-only: the segment's worksheet edits them through the services."""

    model = SegmentLine
    extra = 0
    fields = LINE_FIELDS
    readonly_fields = LINE_FIELDS
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CriteriaActionInline(LabelledTabularInline):
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
    form = SegmentFreeForm

    def get_readonly_fields(self, request, obj=None):
        # The number and the record are the services' to set; the header is editable.
        if obj is None:
            return self.readonly_fields
        return [*self.readonly_fields, "no", "follow_up_of", "created_by"]

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        if change:
            header = {k: v for k, v in values.items() if k in services.HEADER_VALUE_FIELDS}
            if header:
                services.update_segment_header(obj, user=request.user, **header)
            return
        values.pop("created_by", None)
        created = services.create_segment(user=request.user, **values)
        obj.pk, obj.no, obj._state.adding = created.pk, created.no, False

    def save_formset(self, request, form, formset, change):
        # Only the language versions are editable inline; they go through the service.
        versions = formset.save(commit=False)
        with transaction.atomic():
            for version in formset.deleted_objects:
                services.delete_segment_language(version, user=request.user)
            for version in versions:
                services.save_segment_language(version, user=request.user)

    def get_deleted_objects(self, objs, request):
        # Lines, steps and removed lines are view-only here, yet go with their segment:
        # delete_segment removes them, so they need no delete permission of their own.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        own = {m._meta.verbose_name for m in (SegmentLine, CriteriaAction, RemovedLine)}
        return deleted, counts, perms_needed - own, protected

    def delete_model(self, request, obj):
        services.delete_segment(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for segment in queryset:
                services.delete_segment(segment, user=request.user)

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
    form = SegmentFreeForm
    list_display = ["segment", "language", "subject", "document"]
    list_filter = ["language"]
    list_select_related = ["segment"]
    search_fields = ["segment__no", "subject"]
    raw_id_fields = ["segment"]

    def save_model(self, request, obj, form, change):
        services.save_segment_language(obj, user=request.user)

    def delete_model(self, request, obj):
        services.delete_segment_language(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for version in queryset.select_related("segment"):
                services.delete_segment_language(version, user=request.user)


class LanguageListFilter(admin.AllValuesFieldListFilter):
    """The line's language values, the blank one shown as "(none)" rather than as an
    empty, nameless link."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if not str(choice["display"]).strip():
                choice = {**choice, "display": _("(none)")}
            yield choice


@admin.register(SegmentLine)
class SegmentLineAdmin(ReadOnlyAdmin):
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
    list_filter = ["correspondence_type", ("language", LanguageListFilter), "evaluation"]
    list_select_related = ["segment", "contact", "interaction_template"]
    search_fields = ["segment__no", "contact__no", "contact__name"]
    raw_id_fields = ["segment", "contact", "added_by", "interaction_template", "salesperson"]
    show_full_result_count = False


@admin.register(CriteriaAction)
class CriteriaActionAdmin(ReadOnlyAdmin):
    list_display = ["segment", "seq", "action", described, "added", "removed", "created_at"]
    list_filter = ["action", "expand_companies", "allow_existing", "entire_companies"]
    list_select_related = ["segment"]
    search_fields = ["segment__no", "description"]
    raw_id_fields = ["segment", "created_by"]


@admin.register(RemovedLine)
class RemovedLineAdmin(ReadOnlyAdmin):
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


class SavedCriteriaActionInline(LabelledTabularInline):
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
        "leave_out_opted_out",
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
