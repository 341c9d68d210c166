"""The public registers, for machine clients: the same entries and searches as the register
pages, paged the same way (by sort order, with next and previous links)."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accreditation.register.filters import register_filter as researcher_register_filter
from entitlements.models import Scope
from govuk.search import seek_page
from projects.register.filters import register_filter as project_register_filter
from projects.register.selectors import register_entry, with_published_outputs

from . import serializers as s
from .permissions import HasScope
from .views import ERRORS, TokenAudited

PER_PAGE = 100


def _searched(request, query_serializer, filter_for):
    """The register's search for the request's query string, checked first by
    ``query_serializer`` (which the schema documents), or a 400 saying what is wrong."""
    checked = query_serializer(data=request.query_params)
    checked.is_valid(raise_exception=True)
    search = {
        name: value
        for name, value in checked.validated_data.items()
        if name not in ("after", "before")
    }
    filterset = filter_for(search)
    if filterset.is_bound and not filterset.form.is_valid():
        raise ValidationError(filterset.form.errors)
    return filterset.qs


def _page(request, queryset, describe):
    page = seek_page(queryset, request.query_params, per_page=PER_PAGE)

    def link(query):
        return None if query is None else request.build_absolute_uri(f"{request.path}?{query}")

    return Response(
        {
            "next": link(page.next_query),
            "previous": link(page.previous_query),
            "results": describe(page.entries),
        }
    )


@extend_schema(
    parameters=[s.ResearcherRegisterQuery],
    responses={200: s.ResearcherRegisterPage, **ERRORS},
    extensions={"x-scope": Scope.REGISTERS_READ.value},
)
class ResearcherRegister(TokenAudited, APIView):
    """The register of accredited researchers, as the public page shows it: those holding
    accreditation today who agreed to be listed, by name."""

    permission_classes = [HasScope]
    required_scope = Scope.REGISTERS_READ

    def get(self, request):
        entries = _searched(request, s.ResearcherRegisterQuery, researcher_register_filter)

        def describe(page):
            return [
                {
                    "name": entry.name,
                    "organisation": entry.organisation,
                    "accreditation": entry.level,
                    "valid_until": entry.valid_until,
                }
                for entry in page
            ]

        return _page(request, entries, describe)


@extend_schema(
    parameters=[s.ProjectRegisterQuery],
    responses={200: s.ProjectRegisterPage, **ERRORS},
    extensions={"x-scope": Scope.REGISTERS_READ.value},
)
class ProjectRegister(TokenAudited, APIView):
    """The register of accredited projects, as the public page shows it, by title."""

    permission_classes = [HasScope]
    required_scope = Scope.REGISTERS_READ

    def get(self, request):
        projects = _searched(request, s.ProjectRegisterQuery, project_register_filter)

        def describe(page):
            entries = with_published_outputs([register_entry(project) for project in page])
            return [
                {
                    "id": entry.pk,
                    "title": entry.title,
                    "lay_summary": entry.lay_summary,
                    "organisations": entry.organisations,
                    "datasets": entry.dataset_names,
                    "legal_gateways": [act.title for act in entry.gateways],
                    "decision_date": timezone.localdate(entry.decision_date)
                    if entry.decision_date
                    else None,
                    "approved_by": entry.route_label,
                    "status": entry.state,
                    "published_outputs": [
                        {
                            "citation": output.citation,
                            "doi": output.doi or "",
                            "url": output.url or "",
                        }
                        for output in entry.published_outputs
                    ],
                }
                for entry in entries
            ]

        return _page(request, projects, describe)
