"""A person's own records, read with their signed-in browser session: what the service holds
that decides their access to data, and their GA4GH Passport. Only the person themselves: a
machine client's token reads nothing here, and nobody reads another person's."""

from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accreditation.selectors import accreditation_latest_for
from projects.proposal.selectors import proposals_for_user
from researchers.declaration.selectors import declaration_counts_until, declaration_latest_signed

from ..selectors import entitlements_current
from ..visas import visa_for
from .serializers import ErrorSerializer, MeSerializer, PassportSerializer

ERRORS = {
    403: OpenApiResponse(
        ErrorSerializer, description="Not signed in (this reads the browser's session)."
    ),
}


class IsPerson(BasePermission):
    """Open to a person signed in to the service in this browser."""

    message = "Sign in to the service to read your own records."

    def has_permission(self, request, view):
        return isinstance(request.user, get_user_model()) and request.user.is_active


class _Own(APIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsPerson]
    throttle_classes: list = []  # limited like any page read with a session


@extend_schema(responses={200: MeSerializer, **ERRORS})
class Me(_Own):
    """The signed-in person's own records that decide their access to data: accreditation,
    declaration, projects and the entitlements in force today."""

    def get(self, request):
        user = request.user
        today = timezone.localdate()
        declaration = declaration_latest_signed(user=user)
        counts_until = None
        if declaration is not None:
            counts_until = declaration_counts_until(user=user, on=today)
        projects = [
            {
                "pk": project.pk,
                "title": project.title,
                "state": project.state,
                "role": "coordinator" if project.coordinator_id == user.pk else "member",
                "start_date": project.start_date,
                "end_date": project.end_date,
            }
            for project in proposals_for_user(user).filter(amends__isnull=True)
        ]
        body = {
            "id": user.pk,
            "name": user.full_name,
            "email": user.email,
            "accreditation": accreditation_latest_for(user),
            "declaration": declaration,
            "declaration_counts_until": counts_until,
            "projects": projects,
            "entitlements": entitlements_current(person=user, on=today),
        }
        return Response(MeSerializer(body).data)


@extend_schema(responses={200: PassportSerializer, **ERRORS})
class MyPassport(_Own):
    """The signed-in person's GA4GH Passport visas: one ControlledAccessGrants visa for each of
    their entitlements in force today, each lasting an hour at most."""

    def get(self, request):
        visas = [visa_for(entitlement) for entitlement in entitlements_current(person=request.user)]
        return Response({"ga4gh_passport_v1": visas})
