"""How a machine client proves who it is: ``Authorization: Bearer <token>``."""

from django.conf import settings
from django.core.cache import cache
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from audit.services import client_ip
from entitlements.services import api_token_use

# Refused tokens are counted per client address over this many seconds.
REFUSALS_WINDOW = 60


def _refusals_key(request):
    return f"api-refusals:{client_ip(request._request) or 'unknown'}"


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """A service account's token. ``request.user`` is the account, ``request.auth`` the token."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace")
        parts = header.split()
        if not parts or parts[0] != self.keyword:
            return None
        refusals = _refusals_key(request)
        if (cache.get(refusals) or 0) >= settings.API_REFUSALS_PER_MINUTE:
            raise exceptions.Throttled(wait=REFUSALS_WINDOW)
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Give one token after “Bearer”.")
        token = api_token_use(parts[1], request=request._request)
        if token is None:
            cache.add(refusals, 0, REFUSALS_WINDOW)
            cache.incr(refusals)
            raise exceptions.AuthenticationFailed(
                "The token is not valid, has expired or was revoked."
            )
        return token.account, token

    def authenticate_header(self, request):
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token the secretariat issued to a service account, with scopes.",
        }
