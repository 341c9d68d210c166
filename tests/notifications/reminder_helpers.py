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


def released_with_a_file(released_on):
    """A request released through the services on ``released_on``, and its file."""
    from outputs.models import OutputRequest
    from tests.outputs.states import files_of, output_request_at

    output_request = output_request_at(OutputRequest.State.RELEASED, on=morning(released_on))
    return output_request, files_of(output_request)[0]


def stale_draft_found(kind, draft):
    """Take the service's automatic withdrawal of ``draft`` as far as finding it: untouched for
    61 days and warned 31 days ago (``kind`` is the rules' prefix, "proposal"). Returns what the
    withdrawal rule found, not yet withdrawn: a person may still act on the draft before
    ``stale_draft_withdraw`` runs."""
    from notifications.hooks import reminder_rules

    # At a morning's hour, not now's: late in the evening a clock change between the two days
    # would put them 29 local days apart, not 30.
    touched = morning(timezone.localdate() - datetime.timedelta(days=61))
    type(draft).objects.filter(pk=draft.pk).update(updated_at=touched)
    with time_machine.travel(touched + datetime.timedelta(days=30), tick=False):
        assert reminders_sweep(kinds=[f"{kind}_stale"]) == {f"{kind}_stale": 1}
    found = list(reminder_rules()[f"{kind}_withdrawn"].candidates(timezone.localdate()))
    assert [obj.pk for obj in found] == [draft.pk]
    return found


def stale_draft_withdraw(kind, found):
    """The withdrawal rule's action on what ``stale_draft_found`` found; returns those withdrawn."""
    from notifications.hooks import reminder_rules

    return list(reminder_rules()[f"{kind}_withdrawn"].action(found))
