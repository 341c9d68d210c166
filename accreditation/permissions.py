"""Who may take each accreditation step. Each transition permission's ``message`` is the answer
the state documentation and refusals give; ``user`` is None when the service itself acts."""

from django.core.exceptions import PermissionDenied

from identity.permissions import answer
from identity.roles import Role, user_has_role, user_is_signed_in


def is_applicant(application, user):
    return user_is_signed_in(user) and application.applicant_id == user.pk


is_applicant.message = "The applicant."


def is_applicant_or_the_service(application, user):
    if user is None:
        from notifications.stale_drafts import draft_untouched_long_enough

        return application.state == application.State.DRAFT and draft_untouched_long_enough(
            application
        )
    return is_applicant(application, user)


is_applicant_or_the_service.message = (
    "The applicant, or the service itself once nobody has worked on a draft for 60 days."
)


def is_deciding_secretariat(application, user):
    return (
        user_is_signed_in(user)
        and user_has_role(user, Role.SECRETARIAT)
        and application.applicant_id != user.pk
    )


is_deciding_secretariat.message = "The secretariat, except the applicant."


def is_secretariat_for_accreditation(accreditation, user):
    return (
        user_is_signed_in(user)
        and user_has_role(user, Role.SECRETARIAT)
        and accreditation.researcher_id != user.pk
    )


is_secretariat_for_accreditation.message = "The secretariat, except the accredited researcher."


def is_the_service(obj, user):
    return user is None


is_the_service.message = "The service itself, on schedule."


# Pages. Each rule is a pair: ``check_user_can_x`` raises PermissionDenied with the sentence a
# refused person reads, and ``user_can_x``, derived from it, answers yes or no for buttons.


def check_user_is_named_supervisor(user, application):
    """The supervisor the applicant named."""
    if not (
        user_is_signed_in(user)
        and application.supervisor_id is not None
        and application.supervisor_id == user.pk
        and application.applicant_id != user.pk
    ):
        raise PermissionDenied("Only the supervisor the applicant named can answer this request.")


def check_user_can_edit_application(user, application):
    """The applicant. Whether the application is open to changes (a draft, or returned) is
    the application's own state, asked beside this."""
    if not is_applicant(application, user):
        raise PermissionDenied("Only the applicant can change this application.")


user_can_edit_application = answer(check_user_can_edit_application)


def check_user_can_screen(user):
    """The secretariat."""
    if not (user_is_signed_in(user) and user_has_role(user, Role.SECRETARIAT)):
        raise PermissionDenied("Screening applications is for the secretariat.")
