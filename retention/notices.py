"""Who is told about each step of an erasure request, and of the request itself.

The steps tell nobody through the transition table: the secretariat's answer is sent by name
from ``erasure.services.erasure_request_decide``, because an erased person is told at the
address they had, which is gone by the time a committed step's notices are sent. A withdrawal
is seen by the person on the page they are on, and leaves the secretariat nothing to do.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse

from notifications.services import Message, object_about, object_key

if TYPE_CHECKING:
    from researchers.models import User

    from .models import ErasureRequest

ERASURE_REQUEST = "retention.ErasureRequest"
ERASURE_REQUESTED = "erasure_request.requested"

NOTICES = {
    (ERASURE_REQUEST, "erase"): (),
    (ERASURE_REQUEST, "erase_in_part"): (),
    (ERASURE_REQUEST, "refuse"): (),
    (ERASURE_REQUEST, "withdraw"): (),
}


def erasure_requested(erasure: "ErasureRequest", *, people: Iterable["User"]) -> Message:
    """The secretariat hears that a person asked for their data to be erased; it waits in their
    lists as needing action until the request is decided or withdrawn."""
    link = reverse("retention:erasure_decide", kwargs={"pk": erasure.pk})
    return Message(
        to=tuple(people),
        kind=ERASURE_REQUESTED,
        subject="A person has asked for their data to be erased",
        template="erasure_requested",
        context={"erasure": erasure, "action_url": link},
        link=link,
        summary=f"Erasure request {erasure.reference} is waiting for a decision.",
        about=object_about(erasure),
        object_key=object_key(erasure),
        needs_action=True,
    )


ANSWER_SUBJECTS = {
    "erased": "We have erased your data",
    "partly_erased": "We have erased part of your data",
    "refused": "We have refused your request to erase your data",
}


def erasure_answered(erasure: "ErasureRequest", *, to: "User | str") -> Message:
    """The person hears the decision: what was erased and, for what was kept, why and until
    when. ``to`` is the person, or the address they had once their account is erased."""
    link = reverse("retention:erasure_request")
    subject = ANSWER_SUBJECTS[erasure.state]
    return Message(
        to=(to,),
        kind=f"erasure_request.{erasure.state}",
        subject=subject,
        template="erasure_answered",
        context={"erasure": erasure, "action_url": link},
        link=link,
        summary=subject,
        about=object_about(erasure),
        object_key=object_key(erasure),
    )
