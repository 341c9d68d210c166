"""Who may take each output-checking step. Each transition permission's ``message`` is the
answer the state documentation and refusals give."""

from identity.roles import Role, user_has_role, user_is_signed_in
from projects.permissions import user_is_project_member


def is_author_in_project(output_request, user):
    return (
        user_is_signed_in(user)
        and output_request.author_id == user.pk
        and user_is_project_member(user, output_request.project)
    )


is_author_in_project.message = "The author, while a member of the project."


def is_author(output_request, user):
    """The author."""
    return user_is_signed_in(user) and output_request.author_id == user.pk


def is_author_or_the_service_on_draft(output_request, user):
    if user is None:
        from notifications.stale_drafts import draft_untouched_long_enough

        return output_request.state == output_request.State.DRAFT and (
            draft_untouched_long_enough(output_request)
        )
    return is_author(output_request, user)


is_author_or_the_service_on_draft.message = (
    "The author, or the service itself once nobody has worked on a draft for 60 days."
)


def is_independent_output_checker(output_request, user):
    return (
        user_is_signed_in(user)
        and user_has_role(user, Role.OUTPUT_CHECKER)
        and output_request.author_id != user.pk
        and not user_is_project_member(user, output_request.project)
    )


is_independent_output_checker.message = "An output checker who is not a member of the project."
