"""The public register of accredited researchers: who holds accreditation today.

The register is worked out from the accreditations themselves each time it is read, so a
suspension, revocation or end date takes a researcher off it at once, without waiting for the
daily expiry task. Only researchers who consented, in the application that accredited them, to
appear are listed.
"""

import django_filters
from django.core.paginator import Paginator
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, Value, When
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from govuk.csv_export import csv_response
from researchers.models import Organisation

from .models import Accreditation, Level

ENTRIES_PER_PAGE = 50


def _in_force(accreditations, on):
    return accreditations.filter(
        state=Accreditation.State.ACTIVE,
        valid_from__lte=on,
        valid_until__gte=on,
    )


def register_entries(*, on=None):
    """Accreditations in force on ``on`` (today by default), one per consenting researcher.

    Each carries ``name``, ``organisation`` (empty unless the organisation is on the
    secretariat's approved list, since the register is public), ``level`` and
    ``valid_until``, read in one query. A researcher holding two accreditations at once (a
    renewal approved before the old one ends) is listed once, by the one that lasts longest.
    """
    on = on or timezone.localdate()
    superseded = _in_force(
        Accreditation.objects.filter(researcher=OuterRef("researcher")), on
    ).filter(
        Q(valid_until__gt=OuterRef("valid_until"))
        | Q(valid_until=OuterRef("valid_until"), pk__gt=OuterRef("pk"))
    )
    return (
        _in_force(Accreditation.objects.all(), on)
        .filter(researcher__is_active=True, application__register_consent=True)
        .exclude(Exists(superseded))
        .annotate(
            name=F("researcher__full_name"),
            organisation=Case(
                When(
                    researcher__profile__organisation__status=Organisation.Status.APPROVED,
                    then=F("researcher__profile__organisation__name"),
                ),
                default=Value(""),
                output_field=CharField(),
            ),
        )
        .only("level", "valid_until", "state")
        .order_by("name", "organisation", "pk")
    )


class RegisterFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(
        label="Name",
        field_name="name",
        lookup_expr="icontains",
        help_text="All or part of the researcher's name",
    )
    organisation = django_filters.CharFilter(
        label="Organisation",
        field_name="organisation",
        lookup_expr="icontains",
        help_text="All or part of the organisation's name",
    )
    level = django_filters.ChoiceFilter(
        label="Accreditation",
        choices=Level.choices,
        empty_label="Full or provisional",
        error_messages={"invalid_choice": "Select full or provisional accreditation"},
    )

    class Meta:
        model = Accreditation
        fields = ["name", "organisation", "level"]


def _filtered(query):
    """The register filter for ``query``, and whether its input can be used."""
    register_filter = RegisterFilter(query or None, queryset=register_entries())
    usable = not register_filter.is_bound or register_filter.form.is_valid()
    return register_filter, usable


def _without_page(query):
    query = query.copy()
    query.pop("page", None)
    return query


def register_list(request):
    register_filter, usable = _filtered(request.GET)
    page_obj = None
    if usable:
        # With a filter in error the page shows the error and no one, rather than everyone.
        page_obj = Paginator(register_filter.qs, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    form = register_filter.form
    searched = (
        usable
        and register_filter.is_bound
        and any(value not in (None, "") for value in form.cleaned_data.values())
    )
    return render(
        request,
        "accreditation/register/list.html",
        {
            "form": form,
            "page_obj": page_obj,
            "entries": page_obj.object_list if page_obj else [],
            "searched": searched,
            "csv_query": _without_page(request.GET).urlencode(),
        },
    )


CSV_HEADER = ("Name", "Organisation", "Accreditation", "Valid until")


def register_csv(request):
    """The researchers the list's search selects, every page of them, as a streamed CSV file."""
    query = _without_page(request.GET)
    register_filter, usable = _filtered(query)
    if not usable:
        # The list explains what is wrong with the search.
        return redirect(f"{reverse('researcher_register:list')}?{query.urlencode()}")
    entries = register_filter.qs.iterator(chunk_size=2000)
    return csv_response(
        header=CSV_HEADER,
        rows=(
            (entry.name, entry.organisation, entry.get_level_display(), entry.valid_until)
            for entry in entries
        ),
        filename=f"accredited-researchers-{timezone.localdate():%Y-%m-%d}.csv",
    )
