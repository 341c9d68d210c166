"""The API's endpoints, version 1."""

from django.contrib.auth import get_user_model
from django.shortcuts import render
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import generics
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import AllowAny

from entitlements.models import Scope
from entitlements.selectors import entitlements_current

from .docs import api_schema, operations
from .permissions import HasScope
from .serializers import EntitlementFilterSerializer, EntitlementSerializer


class Pages(LimitOffsetPagination):
    default_limit = 100
    max_limit = 1000


@extend_schema(
    parameters=[EntitlementFilterSerializer],
    extensions={"x-scope": Scope.ENTITLEMENTS_READ.value},
)
class EntitlementList(generics.ListAPIView):
    """The entitlements in force today: who may see which dataset, for which project, until
    when. An entitlement past its end date is never listed."""

    serializer_class = EntitlementSerializer
    permission_classes = [HasScope]
    required_scope = Scope.ENTITLEMENTS_READ
    pagination_class = Pages

    def get_queryset(self):
        filters = EntitlementFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        person = None
        if "person" in wanted:
            person = get_user_model().objects.filter(email__iexact=wanted["person"]).first()
            if person is None:
                return []
        return entitlements_current(
            person=person, project=wanted.get("project"), dataset=wanted.get("dataset")
        )


class Schema(SpectacularAPIView):
    """The OpenAPI 3 schema, for client generators and contract tests."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []


def documentation(request):
    document = api_schema()
    return render(
        request,
        "entitlements/api_docs.html",
        {"info": document["info"], "operations": operations()},
    )
