"""The sections of a proposal the secretariat can comment on when returning it, named as the
co-ordinator's question pages name them."""


def sections():
    """(section, heading) pairs of the proposal's question pages, in page order."""
    from projects.proposal.sections import SECTIONS

    return tuple((section.slug, section.label) for section in SECTIONS)


def section_names() -> dict[str, str]:
    """Section -> heading, in page order."""
    return dict(sections())
