"""What a token may read: the scopes it was issued with."""

from rest_framework.permissions import BasePermission

from entitlements.models import ApiToken


class HasScope(BasePermission):
    """Open to a token carrying the view's ``required_scope``."""

    message = "This token was not issued to read this."

    def has_permission(self, request, view):
        token = request.auth
        return isinstance(token, ApiToken) and token.has_scope(view.required_scope)
