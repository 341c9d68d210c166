from django.db import models
from django_fsm import ConcurrentTransitionMixin


class StateMachineModel(ConcurrentTransitionMixin, models.Model):
    """Base for a model with a protected ``FSMField``.

    ``refresh_from_db`` works despite the protected field, and a save from a copy whose state
    has moved on since it was read fails (``ConcurrentTransition``) instead of undoing the step.
    Declare ``STATE_OWNERS`` (every state -> the role that takes the next step, None for nobody)
    and, optionally, ``audit_label`` (the prefix of the audit actions; the model name otherwise).
    """

    STATE_OWNERS = {}

    class Meta:
        abstract = True
