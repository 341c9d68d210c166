import django_filters
from django.db.models import Q

from identity.roles import Role

from .models import User


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Name or email address",
        method="search",
        help_text="Part of a name or email address is enough",
    )
    role = django_filters.ChoiceFilter(
        label="Role",
        field_name="groups__name",
        choices=Role.choices,
        empty_label="Any role",
    )

    class Meta:
        model = User
        fields = ["q", "role"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(full_name__icontains=value) | Q(email__icontains=value))
