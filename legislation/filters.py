import django_filters
from django import forms

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
    consent_required = django_filters.TypedChoiceFilter(
        label="Owning department's consent",
        choices=[("yes", "Needed"), ("no", "Not needed")],
        coerce=lambda value: {"yes": True, "no": False}.get(value, value),
        empty_label="Either",
        widget=forms.Select,
    )

    class Meta:
        model = Dataset
        fields = ["department", "access_mode", "act", "consent_required"]
