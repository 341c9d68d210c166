import django_filters

from .access_modes import AccessMode
from .models import Act, Dataset, Department


class DatasetFilter(django_filters.FilterSet):
    department = django_filters.ModelChoiceFilter(
        label="Owning department",
        queryset=Department.objects.order_by("name"),
        to_field_name="slug",
        empty_label="All departments",
    )
    access_mode = django_filters.ChoiceFilter(
        label="Required access mode",
        choices=AccessMode.choices,
        empty_label="Any access mode",
    )
    act = django_filters.ModelChoiceFilter(
        label="Legal gateway",
        field_name="acts",
        queryset=Act.objects.order_by("title"),
        to_field_name="slug",
        empty_label="Any act",
    )
    consent_required = django_filters.ChoiceFilter(
        label="Owning department's consent",
        choices=[("yes", "Needed"), ("no", "Not needed")],
        empty_label="Needed or not",
        method="filter_consent_required",
    )

    class Meta:
        model = Dataset
        fields = ["department", "access_mode", "act", "consent_required"]

    def filter_consent_required(self, queryset, name, value):
        return queryset.filter(consent_required=value == "yes")
