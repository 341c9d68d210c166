"""Who may fire a step that no person takes: the service itself, in a background task.

``transition_fire`` is called with ``by=None`` for such a step and audits it with no actor, as
the scheduled steps of the other machines are.
"""


def is_the_service(obj, user):
    return user is None


is_the_service.message = "The service itself, in the background, never a person."
