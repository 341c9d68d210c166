"""Who speaks for a department on consent, and who may manage who does. Each rule comes as a
pair: ``check_user_can_x`` raises, ``user_can_x``, derived from it, answers yes or no."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from identity.permissions import answer
from identity.roles import Role, user_has_role, user_is_signed_in
from projects.permissions import user_is_project_member


def user_represents_department(user, department_id):
    """Whether ``user`` is a data owner speaking for the department."""
    return (
        user_is_signed_in(user)
        and user_has_role(user, Role.DATA_OWNER)
        and user.represents.filter(department_id=department_id).exists()
    )


def check_user_can_answer_consent(user, dataset_request):
    """A data owner for the dataset's department who is not a member of the project: they may
    give or refuse consent to this dataset request."""
    if not user_represents_department(
        user, dataset_request.dataset.department_id
    ) or user_is_project_member(user, dataset_request.proposal):
        raise PermissionDenied(
            "Only a data owner for the department that owns this dataset can answer for it."
        )


def check_user_can_see_consent_page(user, proposal):
    """A data owner for a department whose dataset ``proposal`` requests, once it has been sent
    (a draft is its authors' alone). Anyone else is told the proposal does not exist, as it is
    none of their business."""
    if not (
        user_is_signed_in(user)
        and user_has_role(user, Role.DATA_OWNER)
        and proposal.state != "draft"
        and proposal.dataset_requests.filter(
            dataset__department__representatives__user=user
        ).exists()
    ):
        raise Http404


user_can_see_consent_page = answer(check_user_can_see_consent_page)


def is_data_owner_or_secretariat(proposal, user):
    if not user_is_signed_in(user) or user_is_project_member(user, proposal):
        return False
    if user_has_role(user, Role.SECRETARIAT):
        return True
    return user_can_see_consent_page(user, proposal)


is_data_owner_or_secretariat.message = (
    "A data owner for a department whose data the proposal requests, or the secretariat, never a "
    "member of the project."
)


def check_user_can_manage_representatives(user):
    """The secretariat: they say which data owner represents which department."""
    if not (user_is_signed_in(user) and user_has_role(user, Role.SECRETARIAT)):
        raise PermissionDenied("Only the secretariat can say who represents a department.")
