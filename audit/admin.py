from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: events are written by services, never added, edited or removed here."""

    list_display = [
        "created_at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "from_state",
        "to_state",
        "ip_address",
    ]
    list_filter = ["action", "object_type", "created_at"]
    search_fields = ["actor__email", "object_id", "object_repr", "action"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in AuditEvent._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
