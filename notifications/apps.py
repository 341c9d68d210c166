from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self):
        # Tell people about every committed transition; the rules come from each domain
        # app's notices.py, registered by that app.
        from workflow import hooks as workflow_hooks

        from .transitions import transition_notices_send

        workflow_hooks.transition_committed_register(transition_notices_send)
