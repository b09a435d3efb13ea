from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Background jobs are written by their tasks only; the admin shows them."""

    list_display = ["pk", "kind", "target", "state", "done", "total", "created_by", "created_at"]
    list_filter = ["state", "kind"]
    search_fields = ["target", "description", "error"]
    date_hierarchy = "created_at"
    list_select_related = ["created_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A finished job may be cleared away one at a time; a queued or running one holds
        # its target's lock, so deleting it would let edits in under a working task.
        return obj is not None and obj.state not in Job.ACTIVE
