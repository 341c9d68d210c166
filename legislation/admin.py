"""The Django admin edits the catalogue through the same services as the secretariat's pages, so
every change is validated and audited the same way. Nothing is deleted here: projects and audit
events refer to these rows."""

from django.contrib import admin

from . import services
from .forms import ActForm, DatasetForm
from .models import Act, Dataset, DatasetGateway, Department


class CatalogueAdmin(admin.ModelAdmin):
    fields_for_service = ()

    def has_delete_permission(self, request, obj=None):
        return False

    def _service_fields(self, form, change):
        names = form.changed_data if change else form.cleaned_data
        return {name: form.cleaned_data[name] for name in names if name in self.fields_for_service}

    def save_related(self, request, form, formsets, change):
        # The service has already saved the relations, with the audit event.
        pass


@admin.register(Act)
class ActAdmin(CatalogueAdmin):
    form = ActForm
    fields_for_service = services.ACT_FIELDS
    list_display = ["title", "year", "governs"]
    search_fields = ["title", "summary"]
    list_filter = ["year"]
    prepopulated_fields = {"slug": ["title"]}

    def save_model(self, request, obj, form, change):
        fields = self._service_fields(form, change)
        if change:
            services.act_update(act=obj, by=request.user, request=request, **fields)
        else:
            obj.pk = services.act_create(by=request.user, request=request, **fields).pk


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["short_name"]}

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Dataset)
class DatasetAdmin(CatalogueAdmin):
    form = DatasetForm
    fields_for_service = services.DATASET_FIELDS
    list_display = ["name", "department", "access_mode", "consent_required"]
    list_filter = ["department", "access_mode", "consent_required"]
    list_select_related = ["department"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        fields = self._service_fields(form, change)
        if change:
            services.dataset_update(dataset=obj, by=request.user, request=request, **fields)
        else:
            obj.pk = services.dataset_create(by=request.user, request=request, **fields).pk


@admin.register(DatasetGateway)
class DatasetGatewayAdmin(admin.ModelAdmin):
    list_display = ["dataset", "act"]
    list_select_related = ["dataset", "act"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
