from django.apps import AppConfig


class EntitlementsConfig(AppConfig):
    name = "entitlements"
    verbose_name = "Entitlements and the API"

    def ready(self):
        # Each line fills a registry an app below this one declares in its hooks.py.
        from audit import hooks as audit_hooks
        from workflow import hooks as workflow_hooks

        from . import audit_words
        from .webhooks.services import entitlements_publish

        # What the audit trail says of this app's actions, in words, and where its objects open.
        audit_hooks.action_words_register(audit_words.WORDS)
        audit_hooks.object_pages_register(audit_words.OBJECT_PAGES)

        # Publish the entitlements again, in the same transaction, wherever access changes.
        workflow_hooks.access_changed_register(entitlements_publish)

        # A second factor is one of the conditions: allauth says when one is added or removed.
        from allauth.mfa import signals as mfa_signals

        from .webhooks.receivers import second_factor_added, second_factor_removed

        mfa_signals.authenticator_added.connect(second_factor_added, dispatch_uid="entitlements")
        mfa_signals.authenticator_removed.connect(
            second_factor_removed, dispatch_uid="entitlements"
        )
