"""Read-only in the Django admin: every change of state goes through the services, which check,
lock and audit it."""

from django.contrib import admin

from workflow.admin import StateMachineAdmin

from .models import Accreditation, AccreditationApplication


@admin.register(AccreditationApplication)
class AccreditationApplicationAdmin(StateMachineAdmin):
    list_display = ["id", "applicant", "kind", "state", "created_at", "submitted_at"]
    list_filter = ["state", "kind"]
    list_select_related = ["applicant"]
    search_fields = ["applicant__email", "applicant__full_name"]


@admin.register(Accreditation)
class AccreditationAdmin(StateMachineAdmin):
    list_display = ["id", "researcher", "level", "state", "valid_from", "valid_until"]
    list_filter = ["state", "level"]
    list_select_related = ["researcher"]
    search_fields = ["researcher__email", "researcher__full_name"]
