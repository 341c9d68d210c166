"""Read-only in the Django admin: every change of state goes through the services, which check,
lock and audit it."""

from django.contrib import admin

from workflow.admin import StateMachineAdmin

from .models import OutputRequest


@admin.register(OutputRequest)
class OutputRequestAdmin(StateMachineAdmin):
    list_display = ["id", "project", "author", "state", "submitted_at", "released_at"]
    list_filter = ["state"]
    list_select_related = ["project", "author"]
    search_fields = ["project__title", "author__email", "author__full_name"]
