"""Who is told about each step of an accreditation application and of an accreditation, and
about the supervision a provisional application asks for.

The steps' notices are registered in ``notifications.hooks`` by ``AccreditationConfig.ready()``;
the emails are sent once the step has committed.
"""

from typing import TYPE_CHECKING

from django.urls import reverse

from notifications.hooks import Notice, notices_to
from notifications.services import Message, object_about, object_key

from .selectors import secretariat_users

if TYPE_CHECKING:
    from researchers.models import User

    from .models import AccreditationApplication

APPLICATION = "accreditation.AccreditationApplication"
ACCREDITATION = "accreditation.Accreditation"


def secretariat_recipients(event):
    """Everyone in the secretariat: the people a step concerns when the secretariat acts next."""
    return list(secretariat_users())


def secretariat_unless_from_draft(event):
    """The secretariat, unless the step left a draft: a draft was never in front of them."""
    if event.from_state == "draft":
        return []
    return list(secretariat_users())


def _application_page(event):
    return reverse("accreditation:application_detail")


def _screen_page(event):
    return reverse("accreditation:screen", kwargs={"pk": event.instance.pk})


def _application(event):
    return {"application": event.instance, "applicant": event.instance.applicant}


def _decided(event):
    application = event.instance
    context = _application(event)
    if event.transition == "approve":
        context["accreditation"] = getattr(application, "accreditation", None)
    elif event.transition == "return_to_applicant":
        context["comments"] = application.return_comments
    elif event.transition == "reject":
        context["reasons"] = application.decision_reasons
    return context


def _accreditation(event):
    accreditation = event.instance
    return {
        "accreditation": accreditation,
        "reasons": event.payload.get("reasons") or accreditation.state_reasons,
    }


_to_applicant = notices_to("applicant", link=_application_page, action_text="See your application")
_to_researcher = notices_to(
    "researcher",
    link=_application_page,
    action_text="See your accreditation",
    context=_accreditation,
)


NOTICES = {
    (APPLICATION, "submit"): (
        Notice(
            to=secretariat_recipients,
            subject="An accreditation application is waiting to be screened",
            template="application_submitted",
            link=_screen_page,
            action_text="Screen the application",
            asks=True,
            context=_application,
            summary="Screen it, then approve it, reject it or return it with comments.",
        ),
        _to_applicant(
            "Your accreditation application has been sent",
            "application_sent",
            context=_application,
            summary="The secretariat will screen it and tell you their decision.",
            tell_actor=True,
        ),
    ),
    (APPLICATION, "return_to_applicant"): _to_applicant(
        "Your accreditation application needs changes",
        "application_returned",
        action_text="See what to change",
        asks=True,
        context=_decided,
        summary="Make the changes the secretariat asks for, then send it again.",
    ),
    (APPLICATION, "approve"): _to_applicant(
        "You are now an accredited researcher",
        "application_approved",
        action_text="See your accreditation",
        context=_decided,
        summary="Your application for accreditation has been approved.",
    ),
    (APPLICATION, "reject"): _to_applicant(
        "Your accreditation application has been rejected",
        "application_rejected",
        context=_decided,
        summary="Read the secretariat's reasons.",
    ),
    (APPLICATION, "withdraw"): Notice(
        to=secretariat_unless_from_draft,
        subject="An accreditation application has been withdrawn",
        template="application_withdrawn",
        link=_screen_page,
        action_text="See the application",
        context=_application,
        summary="You do not need to do anything.",
    ),
    (ACCREDITATION, "suspend"): _to_researcher(
        "Your accreditation has been suspended",
        "accreditation_suspended",
        summary="Your accreditation has been suspended.",
    ),
    (ACCREDITATION, "reinstate"): _to_researcher(
        "Your accreditation has been reinstated",
        "accreditation_reinstated",
        summary="Your accreditation has been reinstated.",
    ),
    (ACCREDITATION, "revoke"): _to_researcher(
        "Your accreditation has been revoked",
        "accreditation_revoked",
        summary="Your accreditation has been revoked.",
    ),
    (ACCREDITATION, "expire"): _to_researcher(
        "Your accreditation has expired",
        "accreditation_expired",
        summary="Your accreditation has expired.",
    ),
}


# Not steps of a state machine: the service where each happens sends it by name, through
# ``notifications.services.notify``.

SUPERVISION_REQUEST = "accreditation_application.supervision_request"


def supervision_request(application: "AccreditationApplication", *, supervisor: "User") -> Message:
    """The supervisor a provisional applicant names is asked to confirm or decline."""
    link = reverse("accreditation:supervision", kwargs={"pk": application.pk})
    return Message(
        to=(supervisor,),
        kind=SUPERVISION_REQUEST,
        subject="Please confirm you will supervise a researcher",
        template="supervision_requested",
        context={
            "application": application,
            "applicant": application.applicant,
            "person": supervisor,
            "action_url": link,
            "action_text": "Confirm or decline supervision",
        },
        link=link,
        summary="Confirm or decline that you will supervise them.",
        about=object_about(application),
        object_key=object_key(application),
        needs_action=True,
    )


def supervision_answered(
    application: "AccreditationApplication", *, supervisor: "User", confirmed: bool
) -> Message:
    """The applicant hears whether the supervisor they named has confirmed or declined."""
    link = reverse("accreditation:application_detail")
    verb = "confirm" if confirmed else "decline"
    return Message(
        to=(application.applicant,),
        kind=f"accreditation_application.supervision_{verb}",
        subject="Your supervisor has confirmed" if confirmed else "Your supervisor has declined",
        template="supervision_confirmed" if confirmed else "supervision_declined",
        context={
            "application": application,
            "person": application.applicant,
            "action_url": link,
            "supervisor": supervisor,
        },
        link=link,
        about=object_about(application),
        object_key=object_key(application),
    )
