"""The API's endpoints, version 1."""

from django.contrib.auth import get_user_model
from django.shortcuts import render
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import generics
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from documents.jws import jwks
from entitlements.models import ApiToken, Scope
from entitlements.selectors import entitlements_current
from entitlements.services import api_token_used
from entitlements.visas import visa_for
from entitlements.webhooks.selectors import entitlements_changed_since

from .docs import api_schema, operations
from .permissions import HasScope
from .serializers import (
    EntitlementFilterSerializer,
    EntitlementSerializer,
    ErrorSerializer,
    JwksSerializer,
    PageQuery,
    PassportFilterSerializer,
    PassportSerializer,
)

# What a client with a token may be answered besides its data, for every endpoint that needs one.
ERRORS = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="A parameter is wrong: each one in error, with what is wrong with it.",
    ),
    401: OpenApiResponse(ErrorSerializer, description="No token, or one not valid any more."),
    403: OpenApiResponse(ErrorSerializer, description="The token lacks the scope this needs."),
    429: OpenApiResponse(
        ErrorSerializer, description="Too many requests with this token: wait Retry-After seconds."
    ),
}


class Pages(LimitOffsetPagination):
    """``?limit=`` (100 by default, at most 1000) and ``?offset=``, each checked by PageQuery
    before anything is read: a wrong one is answered 400, not quietly ignored."""

    def paginate_queryset(self, queryset, request, view=None):
        wanted = PageQuery(data=request.query_params)
        wanted.is_valid(raise_exception=True)
        self.wanted = wanted.validated_data
        return super().paginate_queryset(queryset, request, view)

    def get_limit(self, request):
        return self.wanted["limit"]

    def get_offset(self, request):
        return self.wanted["offset"]

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        fields = PageQuery().fields
        for parameter in parameters:
            field = fields[parameter["name"]]
            parameter["schema"].update(minimum=field.min_value, maximum=field.max_value)
        return parameters


class TokenAudited:
    """A view whose every answer to a token is audited with its status, once it is known: a
    refusal for want of a scope too, though not one for asking too often (the rate limit is
    what stops a flood, and a row for each would be one)."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(request.auth, ApiToken) and response.status_code != 429:
            api_token_used(request.auth, request=request._request, status=response.status_code)
        return response


@extend_schema(
    parameters=[EntitlementFilterSerializer],
    responses={200: EntitlementSerializer(many=True), **ERRORS},
    extensions={"x-scope": Scope.ENTITLEMENTS_READ.value},
)
class EntitlementList(TokenAudited, generics.ListAPIView):
    """The entitlements in force today: who may see which dataset, for which project, until
    when. An entitlement past its end date is never listed as in force. With `changed_since`,
    what was granted, changed or ended since then, for a consumer that polls."""

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
        chosen = {
            "person": person,
            "project": wanted.get("project"),
            "dataset": wanted.get("dataset"),
        }
        if "changed_since" in wanted:
            return entitlements_changed_since(wanted["changed_since"], **chosen)
        return entitlements_current(**chosen)


@extend_schema(
    parameters=[PassportFilterSerializer],
    responses={200: PassportSerializer, **ERRORS},
    extensions={"x-scope": Scope.ENTITLEMENTS_READ.value},
)
class Passport(TokenAudited, APIView):
    """A person's GA4GH Passport visas: one ControlledAccessGrants visa for each of their
    entitlements in force today, each lasting an hour at most."""

    permission_classes = [HasScope]
    required_scope = Scope.ENTITLEMENTS_READ

    def get(self, request):
        wanted = PassportFilterSerializer(data=request.query_params)
        wanted.is_valid(raise_exception=True)
        person = get_user_model().objects.filter(email__iexact=wanted.validated_data["person"])
        visas = []
        if person.exists():
            visas = [visa_for(e) for e in entitlements_current(person=person.get())]
        return Response({"ga4gh_passport_v1": visas})


@extend_schema(responses=JwksSerializer)
class Jwks(APIView):
    """The service's public signing key, as a JSON Web Key Set: what verifies its visas."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []

    def get(self, request):
        return Response(jwks())


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
