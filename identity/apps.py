from django.apps import AppConfig


class IdentityConfig(AppConfig):
    """Roles and the signed-in checks every app uses: the ground floor, importing no app."""

    name = "identity"
