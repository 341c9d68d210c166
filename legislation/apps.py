from django.apps import AppConfig


class LegislationConfig(AppConfig):
    name = "legislation"

    def ready(self):
        # What the audit trail says of this app's actions, in words.
        from . import audit_words

        audit_words.register()
