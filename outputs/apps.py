from django.apps import AppConfig


class OutputsConfig(AppConfig):
    name = "outputs"

    def ready(self):
        # Each line fills a registry an app below this one declares in its hooks.py.
        from audit import hooks as audit_hooks
        from notifications import hooks as notification_hooks
        from projects import hooks as project_hooks
        from researchers import hooks as researcher_hooks

        from . import audit_words, notices, personal_data, reminders, role_grants
        from .publication import selectors as publication_selectors
        from .request import selectors as request_selectors
        from .request import services as request_services

        # What the audit trail says of this app's actions, in words.
        audit_hooks.action_words_register(audit_words.WORDS)

        # Projects asks these without importing outputs: whether every released output is
        # published or waived and nothing is still being checked before a project closes, what
        # to close unreleased once an ended project's grace period is over, and what its
        # register entry lists.
        project_hooks.publication_checks.register(publication_selectors.project_outputs_settled)
        project_hooks.checking_checks.register(request_selectors.project_nothing_in_checking)
        project_hooks.grace_over.register(request_services.output_requests_close_unreleased)
        project_hooks.published_outputs.register(publication_selectors.published_outputs_by_project)

        # Who is told about each step of an output request.
        notification_hooks.notices_register(notices.NOTICES)

        # Reminders about late checks, stale drafts and unpublished outputs.
        notification_hooks.reminder_rules_register(*reminders.RULES)

        # What the output-checker role gives, ended when the role is taken away.
        researcher_hooks.role_grants_register(*role_grants.ROLE_GRANTS)

        # What a person's copy of their data holds of their output requests and files.
        researcher_hooks.personal_data_register(*personal_data.PARTS)
