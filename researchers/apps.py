from django.apps import AppConfig


class ResearchersConfig(AppConfig):
    name = "researchers"

    def ready(self):
        # What the audit trail says of this app's actions, in words.
        from . import audit_words

        audit_words.register()
