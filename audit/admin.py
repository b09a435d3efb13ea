from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Action, AuditEntry


class ActionFilter(admin.SimpleListFilter):
    """Filter by action: the field has no ``choices=``, so the filter lists ``Action``."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return Action.choices

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail is written by the services only; the admin shows it, read-only."""

    list_display = ["at", "user", "action_label", "content_type", "object_repr", "details"]
    list_filter = [ActionFilter, ("user", admin.RelatedOnlyFieldListFilter), "at"]
    search_fields = ["object_repr"]
    date_hierarchy = "at"
    list_select_related = ["user", "content_type"]
    fields = ["at", "user", "action_label", "content_type", "object_id", "object_repr", "details"]
    readonly_fields = fields

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, entry: AuditEntry) -> str:
        return entry.action_label

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
