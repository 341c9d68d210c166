from django.contrib import admin


class StateMachineAdmin(admin.ModelAdmin):
    """The admin shows workflow records and never changes them.

    Adding, editing or deleting here would skip the services that check, lock and audit every
    step, so operators see these records read-only and act through the service's own pages.
    """

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
