"""Who may take each accreditation step. Each function's docstring is the answer the state
documentation and refusals give; ``user`` is None when the service itself acts."""

from researchers.roles import Role, user_has_role


def _signed_in(user):
    return user is not None and user.is_authenticated and user.is_active


def is_applicant(application, user):
    """The applicant."""
    return _signed_in(user) and application.applicant_id == user.pk


def is_deciding_secretariat(application, user):
    """The secretariat, except the applicant."""
    return (
        _signed_in(user)
        and user_has_role(user, Role.SECRETARIAT)
        and application.applicant_id != user.pk
    )


def is_secretariat_for_accreditation(accreditation, user):
    """The secretariat, except the accredited researcher."""
    return (
        _signed_in(user)
        and user_has_role(user, Role.SECRETARIAT)
        and accreditation.researcher_id != user.pk
    )


def is_the_service(obj, user):
    """The service itself, on schedule."""
    return user is None
