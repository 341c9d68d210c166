from django.apps import AppConfig


class ResearchersConfig(AppConfig):
    name = "researchers"

    def ready(self):
        # Each line fills a registry an app below this one declares in its hooks.py.
        from audit import hooks as audit_hooks
        from notifications import hooks as notification_hooks

        from . import audit_words, hooks, notices
        from .data_export.parts import PARTS

        # What the audit trail says of this app's actions, in words, and where its objects open.
        audit_hooks.action_words_register(audit_words.WORDS)
        audit_hooks.object_pages_register(audit_words.OBJECT_PAGES)
        audit_hooks.people_concerned_register(audit_words.PEOPLE_CONCERNED)

        # Who is told about each step of a declaration's signed PDF.
        notification_hooks.notices_register(notices.NOTICES)

        # What a person's copy of their data holds of this app, their notifications and the
        # audit trail; the apps above add their own parts.
        hooks.personal_data_register(*PARTS)
