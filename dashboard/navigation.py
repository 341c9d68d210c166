"""The service navigation: which links each visitor sees in the header.

Each entry names its audience: ``EVERYONE`` (the public included), ``SIGNED_IN`` (any signed-in
user), or a set of roles, any one of which shows the link. Links show who may open a page; the
views themselves still check permission.
"""

from typing import NamedTuple

from django.urls import reverse

from identity.roles import Role

EVERYONE = "everyone"
SIGNED_IN = "signed_in"


class NavEntry(NamedTuple):
    label: str
    url_name: str
    audience: object  # EVERYONE, SIGNED_IN or a frozenset of Role


NAVIGATION = (
    NavEntry("Dashboard", "dashboard:home", SIGNED_IN),
    NavEntry("Legislation", "legislation:act_list", EVERYONE),
    NavEntry("Datasets", "legislation:dataset_list", EVERYONE),
    NavEntry("Accredited researchers", "researcher_register:list", EVERYONE),
    NavEntry("Accredited projects", "project_register:list", EVERYONE),
    NavEntry("Proposals to review", "projects:reviewer_queue", frozenset({Role.PANEL_REVIEWER})),
    NavEntry("Output checking", "outputs:queue", frozenset({Role.OUTPUT_CHECKER})),
    NavEntry(
        "Your accreditation", "accreditation:application_detail", frozenset({Role.RESEARCHER})
    ),
    NavEntry("Your projects", "projects:proposal_list", frozenset({Role.RESEARCHER})),
    NavEntry("Consent requests", "projects:consent_queue", frozenset({Role.DATA_OWNER})),
    NavEntry("Accreditation", "accreditation:queue", frozenset({Role.SECRETARIAT})),
    NavEntry("Proposals", "projects:secretariat_list", frozenset({Role.SECRETARIAT})),
    NavEntry("People", "researchers:people_list", frozenset({Role.SECRETARIAT})),
    NavEntry("Reports", "reports:report", frozenset({Role.SECRETARIAT})),
    NavEntry("Audit trail", "audit:event_list", frozenset({Role.SECRETARIAT})),
    NavEntry("Service status", "health:status", frozenset({Role.SECRETARIAT})),
    NavEntry("Notifications", "notifications:notification_list", SIGNED_IN),
)


class NavLink(NamedTuple):
    label: str
    url: str
    active: bool
    count: int = 0  # shown beside the label when not 0 (unread notifications)


def entry_visible(entry, *, signed_in, roles):
    if entry.audience == EVERYONE:
        return True
    if entry.audience == SIGNED_IN:
        return signed_in
    return signed_in and bool(set(entry.audience) & set(roles))


def navigation_for(*, signed_in, roles, path, entries=None, counts=None):
    """The links to show, with the one whose address best matches ``path`` marked active.

    ``counts`` maps an entry's URL name to the number shown beside its label.
    """
    entries = NAVIGATION if entries is None else entries
    counts = counts or {}
    links = [
        (entry.label, reverse(entry.url_name), counts.get(entry.url_name, 0))
        for entry in entries
        if entry_visible(entry, signed_in=signed_in, roles=roles)
    ]
    matches = [url for _, url, _ in links if path == url or (url != "/" and path.startswith(url))]
    current = max(matches, key=len) if matches else None
    return [NavLink(label, url, url == current, count) for label, url, count in links]
