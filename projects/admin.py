"""Read-only in the Django admin: every change of state goes through the services, which check,
lock and audit it."""

from django.contrib import admin

from workflow.admin import StateMachineAdmin

from .models import DatasetRequest, Proposal


class DatasetRequestInline(admin.TabularInline):
    model = DatasetRequest
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Proposal)
class ProposalAdmin(StateMachineAdmin):
    list_display = ["title", "coordinator", "state", "start_date", "end_date", "fast_tracked"]
    list_filter = ["state", "fast_tracked"]
    list_select_related = ["coordinator"]
    search_fields = ["title", "coordinator__email", "coordinator__full_name"]
    inlines = [DatasetRequestInline]
