"""Who may download a copy of a person's data: that person alone, while it is kept."""

from typing import Any

from django.http import Http404

from identity.permissions import answer


def check_user_can_download_data_export(user: Any, export: Any) -> None:
    """The person whose data it is, until it is deleted. Anyone else, the secretariat
    included, is told it does not exist: a copy of someone's data is theirs alone."""
    # An anonymous visitor has no primary key, so is never the person.
    if export.person_id != user.pk or not export.is_downloadable:
        raise Http404("There is no copy of your data here.")


user_can_download_data_export = answer(check_user_can_download_data_export)
