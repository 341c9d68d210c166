from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from researchers.data_export.models import DataExport
from researchers.declaration.models import Declaration
from workflow.admin import StateMachineAdmin

from .models import User


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts by email address. Roles are shown, not edited: the secretariat changes them on
    the people pages, where every change is audited."""

    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    list_display = ("email", "full_name", "role_list", "is_active", "is_staff", "date_joined")
    list_filter = ("is_active", "is_staff", "is_superuser", "groups")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    readonly_fields = ("groups", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal details", {"fields": ("full_name",)}),
        ("Roles", {"fields": ("groups",)}),
        ("Operator access", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    )
    filter_horizontal = ()

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="Roles")
    def role_list(self, user):
        return ", ".join(user.role_labels()) or "None"


@admin.register(Declaration)
class DeclarationAdmin(StateMachineAdmin):
    """Read-only: a signature and its signed PDF change only through the declaration services."""

    list_display = ["reference", "user", "version", "state", "signed_at", "pdf_signed_at"]
    list_filter = ["state"]
    list_select_related = ["user", "version"]
    search_fields = ["reference", "user__email", "user__full_name"]


@admin.register(DataExport)
class DataExportAdmin(StateMachineAdmin):
    # Whether a copy was asked for, prepared and deleted; the zip itself is its person's alone
    # and never offered here.
    list_display = ["id", "person", "state", "size", "created_at", "expires_at"]
    list_filter = ["state"]
    list_select_related = ["person"]
    search_fields = ["person__email", "person__full_name"]
    exclude = ["file"]
