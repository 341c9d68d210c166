from django.apps import AppConfig


class LegislationConfig(AppConfig):
    name = "legislation"

    def ready(self):
        from audit import hooks as audit_hooks

        from . import audit_words

        # What the audit trail says of this app's actions, in words.
        audit_hooks.action_words_register(audit_words.WORDS)
