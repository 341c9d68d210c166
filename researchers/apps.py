from django.apps import AppConfig


class ResearchersConfig(AppConfig):
    name = "researchers"

    def ready(self):
        from audit import hooks as audit_hooks

        from . import audit_words

        # What the audit trail says of this app's actions, in words, and where its objects open.
        audit_hooks.action_words_register(audit_words.WORDS)
        audit_hooks.object_pages_register(audit_words.OBJECT_PAGES)
