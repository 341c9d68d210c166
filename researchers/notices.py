"""What people are told about the confidentiality declaration.

A new version of the declaration is not a step of a state machine, so the service where it
happens sends it by name, through ``notifications.services.notify``.

A person's copy of their data tells them when it is ready, or could not be prepared
(``NOTICES``). The steps of a declaration's signed PDF tell nobody (``NOTICES``, registered in
``notifications.hooks`` by ``ResearchersConfig.ready()``): the worker prepares the PDF within
moments of the signature, and the declaration page the researcher is on says so once it is
ready; if it cannot be prepared, the page offers the declaration to sign again.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse

from notifications.hooks import notices_to
from notifications.services import Message

if TYPE_CHECKING:
    from researchers.declaration.models import DeclarationVersion
    from researchers.models import User

DECLARATION = "researchers.Declaration"
DATA_EXPORT = "researchers.DataExport"
DECLARATION_VERSION_PUBLISHED = "declaration_version.publish"


def _data_export_page(event):
    return reverse("researchers:data_export")


def _data_export(event):
    return {"export": event.instance}


# A copy of a person's data may take minutes to prepare: they are told once it is ready, or
# that it could not be, wherever they are. Its deletion tells nobody: the ready message said
# when it goes.
_to_person = notices_to(
    "person", link=_data_export_page, action_text="Download your data", context=_data_export
)

NOTICES = {
    (DECLARATION, "prepare"): (),
    (DECLARATION, "fail"): (),
    # Destroyed by the nightly retention run, years after the researcher's last accreditation
    # ended; the run's certificate records it and the declaration page shows it.
    (DECLARATION, "destroy"): (),
    (DATA_EXPORT, "finish"): _to_person(
        "Your data is ready to download",
        "data_export_ready",
        summary="The copy of your data you asked for is ready to download.",
    ),
    (DATA_EXPORT, "fail"): _to_person(
        "Your data could not be prepared",
        "data_export_failed",
        summary="The copy of your data you asked for could not be prepared. Ask for it again.",
        action_text="Ask for your data again",
    ),
    (DATA_EXPORT, "expire"): (),
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
