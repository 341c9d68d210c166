"""Rate limits per token, so one misbehaving client cannot starve the others."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from entitlements.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_rate(self):
        return settings.API_TOKEN_RATE

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None  # pages read with a browser session are limited like any page
        return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}
