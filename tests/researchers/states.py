"""Drive declarations through the services to the state a test needs."""

from django.test import RequestFactory

from researchers.declaration.services import declaration_render_and_sign, declaration_sign
from tests.factories import DEFAULT_PASSWORD


def signing_request(user):
    request = RequestFactory().post(
        "/declaration/", HTTP_USER_AGENT="Test browser/1.0", REMOTE_ADDR="192.0.2.10"
    )
    request.user = user
    return request


def declaration_pending(user):
    return declaration_sign(
        user=user,
        typed_name=user.full_name,
        password=DEFAULT_PASSWORD,
        request=signing_request(user),
    )


def declaration_signed(user):
    return declaration_render_and_sign(declaration=declaration_pending(user))
