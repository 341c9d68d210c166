"""What people are told about the confidentiality declaration: not a step of a state machine,
so the service where it happens sends it by name, through ``notifications.services.notify``.
"""

from django.urls import reverse

from notifications.services import Message

DECLARATION_VERSION_PUBLISHED = "declaration_version.publish"


def declaration_version_subject(version):
    return f"Sign version {version.number} of the confidentiality declaration"


def declaration_version_published(version, *, people):
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
