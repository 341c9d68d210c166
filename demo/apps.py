from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Development data: ``seed_demo`` (a person for every role) and ``seed_scale`` (a national
    scheme's numbers). It reads every app and nothing reads it."""

    name = "demo"
