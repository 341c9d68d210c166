"""How a machine client proves who it is: ``Authorization: Bearer <token>``."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from entitlements.services import api_token_use


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """A service account's token. ``request.user`` is the account, ``request.auth`` the token."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace")
        parts = header.split()
        if not parts or parts[0] != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Give one token after “Bearer”.")
        token = api_token_use(parts[1], request=request._request)
        if token is None:
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
