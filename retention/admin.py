from django.contrib import admin

from workflow.admin import StateMachineAdmin

from .models import ErasureRequest


@admin.register(ErasureRequest)
class ErasureRequestAdmin(StateMachineAdmin):
    # Read only, like every machine: a request is decided on its page, through its service.
    list_display = ["id", "person", "state", "created_at", "decided_at"]
    list_filter = ["state"]
    list_select_related = ["person"]
