from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"

    def ready(self):
        from . import audit_words, hooks

        hooks.action_words_register(audit_words.WORDS)
