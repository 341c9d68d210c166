from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "workflow"

    def ready(self) -> None:
        from audit import hooks as audit_hooks

        from . import audit_words

        # What the audit trail says of every transition, in words.
        audit_hooks.action_words_register(audit_words.transition_words())
