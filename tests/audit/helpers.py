from django.db import transaction

from audit.services import audit_record


def record_event(*, actor=None, action="test.happened", obj=None, **kwargs):
    """Write one audit event the way services do: inside a transaction."""
    with transaction.atomic():
        return audit_record(actor=actor, action=action, obj=obj, **kwargs)
