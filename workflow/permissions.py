"""Who may fire a step that no person takes: the service itself, in a background task.

``transition_fire`` is called with ``by=None`` for such a step and audits it with no actor, as
the scheduled steps of the other machines are.
"""

from django.db import models


def is_the_service(obj: models.Model, user: object) -> bool:
    return user is None


# A function attribute, which a type cannot declare: read by workflow.graph.sentence.
is_the_service.message = "The service itself, in the background, never a person."  # type: ignore[attr-defined]
