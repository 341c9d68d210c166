"""Signing a person in to a browser journey without the sign-in pages."""

from django.conf import settings
from django.test import Client


def session_cookie(user, live_server):
    """A signed-in session for ``user``, as the browser's cookie."""
    client = Client()
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": value, "url": live_server.url}
