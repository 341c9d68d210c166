from typing import TYPE_CHECKING

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

if TYPE_CHECKING:
    # ModelAdmin takes its model as a type argument only in the stubs.
    ModelAdmin = admin.ModelAdmin[models.Model]
else:
    ModelAdmin = admin.ModelAdmin


class StateMachineAdmin(ModelAdmin):
    """The admin shows workflow records and never changes them.

    Adding, editing or deleting here would skip the services that check, lock and audit every
    step, so operators see these records read-only and act through the service's own pages.
    """

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False
