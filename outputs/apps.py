from django.apps import AppConfig


class OutputsConfig(AppConfig):
    name = "outputs"

    def ready(self):
        # Connects the receiver that forgets the votes on a file when it is replaced.
        from . import review_services  # noqa: F401
