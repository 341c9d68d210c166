"""What people are told about the confidentiality declaration.

A new version of the declaration is not a step of a state machine, so the service where it
happens sends it by name, through ``notifications.services.notify``.

The steps of a declaration's signed PDF tell nobody (``NOTICES``, registered in
``notifications.hooks`` by ``ResearchersConfig.ready()``): the worker prepares the PDF within
moments of the signature, and the declaration page the researcher is on says so once it is
ready; if it cannot be prepared, the page offers the declaration to sign again.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse

from notifications.services import Message

if TYPE_CHECKING:
    from researchers.declaration.models import DeclarationVersion
    from researchers.models import User

DECLARATION = "researchers.Declaration"
DECLARATION_VERSION_PUBLISHED = "declaration_version.publish"

NOTICES = {
    (DECLARATION, "prepare"): (),
    (DECLARATION, "fail"): (),
}


def declaration_version_subject(version: "DeclarationVersion") -> str:
    return f"Sign version {version.number} of the confidentiality declaration"


def declaration_version_published(
    version: "DeclarationVersion", *, people: Iterable["User"]
) -> Message:
    """``people`` hear that ``version`` of the declaration is published and they must sign it."""
    link = reverse("researchers:declaration")
    return Message(
        to=tuple(people),
        kind=DECLARATION_VERSION_PUBLISHED,
        subject=declaration_version_subject(version),
        template="declaration_version_published",
        context={"version": version, "action_url": link},
        link=link,
        summary=(
            f"Version {version.number} of the confidentiality declaration is published. Sign it "
            "to go on using the service."
        ),
    )
