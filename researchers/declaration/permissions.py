"""Who may see a signed declaration: the researcher who signed it, and the secretariat."""

from django.http import Http404

from identity.roles import Role, user_has_role


def user_can_download_declaration(user, declaration):
    # An anonymous visitor has no primary key and no role, so neither branch lets them in.
    return declaration.user_id == user.pk or user_has_role(user, Role.SECRETARIAT)


def check_user_can_download_declaration(user, declaration):
    # Not found rather than forbidden, so a guessed number says nothing about whose it is.
    if not user_can_download_declaration(user, declaration):
        raise Http404
