from django.apps import AppConfig


class OutputsConfig(AppConfig):
    name = "outputs"

    def ready(self):
        # What the audit trail says of this app's actions, in words.
        from . import audit_words

        audit_words.register()

        # Projects asks these without importing outputs: whether every released output is
        # published or waived and nothing is still being checked before a project closes, what
        # to close unreleased once an ended project's grace period is over, and what its
        # register entry lists.
        from projects import hooks

        from . import publication_selectors, request_selectors, request_services

        hooks.publication_checks.register(publication_selectors.project_outputs_settled)
        hooks.checking_checks.register(request_selectors.project_nothing_in_checking)
        hooks.grace_over.register(request_services.requests_close_unreleased)
        hooks.published_outputs.register(publication_selectors.published_outputs_by_project)

        # Reminders about late checks, stale drafts and unpublished outputs.
        from . import reminders

        reminders.register()

        # Who is told about each step of an output request.
        from notifications.transitions import notices_register

        from . import notices

        notices_register(notices.NOTICES)

        # What the output-checker role gives, ended when the role is taken away.
        from researchers.role_grants import role_grants_register

        from . import role_grants

        role_grants_register(*role_grants.ROLE_GRANTS)
