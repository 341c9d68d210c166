"""Who may take each accreditation step. Each transition permission's ``message`` is the answer
the state documentation and refusals give; ``user`` is None when the service itself acts."""

from django.core.exceptions import PermissionDenied

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


# Pages. Each rule is a pair: ``user_can_x`` for buttons and templates, ``check_user_can_x``
# raising PermissionDenied for views.


def user_is_named_supervisor(application, user):
    """The supervisor the applicant named."""
    return (
        user_is_signed_in(user)
        and application.supervisor_id is not None
        and application.supervisor_id == user.pk
        and application.applicant_id != user.pk
    )


def check_user_is_named_supervisor(application, user):
    if not user_is_named_supervisor(application, user):
        raise PermissionDenied("Only the supervisor the applicant named can answer this request.")


def user_can_edit_application(application, user):
    """The applicant, while the application is a draft or returned for changes."""
    return is_applicant(application, user) and application.state in ("draft", "returned")


def check_user_can_edit_application(application, user):
    if not is_applicant(application, user):
        raise PermissionDenied("Only the applicant can change this application.")


def user_can_screen(user):
    """The secretariat."""
    return user_is_signed_in(user) and user_has_role(user, Role.SECRETARIAT)


def check_user_can_screen(user):
    if not user_can_screen(user):
        raise PermissionDenied("Screening applications is for the secretariat.")
