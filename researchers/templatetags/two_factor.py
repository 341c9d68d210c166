"""What the two-factor and passkey pages need from their context that allauth does not give."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder

from ..selectors import second_factors

register = template.Library()


@register.filter
def json_attribute(value):
    """``value`` as JSON, for a data attribute (escaped there like any text). The content security
    policy forbids inline scripts, so the options the browser needs for a passkey travel this
    way rather than in a script element."""
    return json.dumps(value, cls=DjangoJSONEncoder)


@register.filter
def second_factor_types(user):
    """The kinds of second factor ``user`` has set up: "totp", "webauthn", both or neither."""
    if user is None or not getattr(user, "pk", None):
        return set()
    return set(second_factors().filter(user_id=user.pk).values_list("type", flat=True))
