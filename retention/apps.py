from django.apps import AppConfig


class RetentionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "retention"
    verbose_name = "Retention and destruction"

    def ready(self):
        # Each line fills a registry an app below this one declares in its hooks.py.
        from audit import hooks as audit_hooks
        from notifications import hooks as notification_hooks

        from . import audit_words, notices, reminders

        audit_hooks.action_words_register(audit_words.WORDS)
        audit_hooks.object_pages_register(audit_words.OBJECT_PAGES)
        notification_hooks.notices_register(notices.NOTICES)
        notification_hooks.reminder_rules_register(*reminders.RULES)
