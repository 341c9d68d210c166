from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self):
        # Tell people about every committed transition; the rules come from each domain
        # app's notices.py, registered by that app.
        from workflow.signals import transition_done

        from .transitions import transition_notices_send

        transition_done.connect(transition_notices_send, dispatch_uid="notifications.transitions")
