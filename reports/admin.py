"""Read-only in the Django admin: an export's state changes only through the report services."""

from django.contrib import admin

from workflow.admin import StateMachineAdmin

from .models import ReportExport


@admin.register(ReportExport)
class ReportExportAdmin(StateMachineAdmin):
    list_display = ["id", "requested_by", "state", "progress", "created_at", "finished_at"]
    list_filter = ["state"]
    list_select_related = ["requested_by"]
    search_fields = ["requested_by__email", "requested_by__full_name"]
