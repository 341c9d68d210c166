from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"

    def ready(self):
        # An approved amendment is put in force in the same transaction as its approval.
        from . import amendment_services  # noqa: F401
