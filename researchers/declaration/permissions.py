"""Who may see a signed declaration: the researcher who signed it, and the secretariat."""

from django.http import Http404

from identity.roles import Role, user_has_role


def check_user_can_download_declaration(user, declaration):
    """The researcher who signed it, and the secretariat. Anyone else is told it does not exist,
    so a guessed number says nothing about whose it is."""
    # An anonymous visitor has no primary key and no role, so neither branch lets them in.
    if not (declaration.user_id == user.pk or user_has_role(user, Role.SECRETARIAT)):
        raise Http404
