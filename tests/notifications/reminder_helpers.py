"""Running the reminder sweep on a chosen day, as Celery beat would in the early morning."""

import datetime

import time_machine
from django.utils import timezone

from notifications.models import Notification
from notifications.reminders import reminders_sweep


def morning(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(6, 0)))


def sweep_on(day, *, kinds=None, batch_size=None, sent=None):
    """The sweep on ``day`` at 06:00 with the clock frozen there; its counts by kind.

    With ``sent`` (the fixture), the emails queued after each batch's commit are sent.
    """
    with time_machine.travel(morning(day), tick=False):
        if sent is None:
            return reminders_sweep(kinds=kinds, batch_size=batch_size)
        with sent.capture():
            return reminders_sweep(kinds=kinds, batch_size=batch_size)


def sent_days(days, *, kind, **kwargs):
    """Of ``days``, those on which the sweep sent a reminder of ``kind``."""
    return [day for day in days if sweep_on(day, kinds=[kind], **kwargs)[kind]]


def told(kind):
    """(recipient email, subject) of every notification of ``kind``, sorted."""
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__email", "subject"))


def output_request_at(state, **fields):
    """A request by the co-ordinator of an active project, put straight into ``state``."""
    from outputs.models import OutputRequest
    from tests.outputs.factories import OutputRequestFactory

    output_request = OutputRequestFactory()
    OutputRequest.objects.filter(pk=output_request.pk).update(state=state, **fields)
    output_request.refresh_from_db()
    return output_request


def released_with_a_file(released_on, **kwargs):
    """A request released on ``released_on`` with one file (``settings.MEDIA_ROOT`` set)."""
    from outputs.models import OutputRequest
    from tests.outputs.factories import FileGroupFactory, OutputFileFactory

    output_request = output_request_at(
        OutputRequest.State.RELEASED, released_at=morning(released_on), **kwargs
    )
    output_file = OutputFileFactory(group=FileGroupFactory(request=output_request))
    return output_request, output_file
