"""Where apps built on projects take part in a project's life without projects importing them.

Imports flow one way (DESIGN.md): outputs uses projects, never the reverse. So when closing a
project, the end of its grace period or its register entry depends on its outputs, projects asks
the functions registered here, and the outputs app registers them from its
``AppConfig.ready()``. With nothing registered each hook is neutral: nothing holds a project
open, nothing is closed at the end of the grace period, and no output is listed.
"""

from dataclasses import dataclass


class Hook:
    """Functions other apps register, each once, called in the order they were registered."""

    def __init__(self, name):
        self.name = name
        self._functions = []

    def register(self, function):
        """Add ``function`` (once, however often the app starts); usable as a decorator."""
        if function not in self._functions:
            self._functions.append(function)
        return function

    def unregister(self, function):
        if function in self._functions:
            self._functions.remove(function)

    def __iter__(self):
        return iter(list(self._functions))


publication_checks = Hook("publication_checks")
"""Functions ``(project) -> bool``: False while the project has released outputs that are
neither published nor covered by a waiver. ``lifecycle_conditions.released_outputs_published``
asks every one before a project may close."""


checking_checks = Hook("checking_checks")
"""Functions ``(project) -> bool``: False while an output request of the project is still with
the output checkers. ``lifecycle_conditions.nothing_in_checking`` asks every one before an ended
project may close."""


grace_over = Hook("grace_over")
"""Functions ``(*, project) -> int``: called by the daily close for each ended project whose grace
period (``Proposal.checking_grace_until``) is over, to close unreleased the work still open in
it; each returns how many items it closed. Safe to call again: what it closed is closed."""


@dataclass(frozen=True)
class PublishedOutput:
    """What the public register says of one published output, and nothing more."""

    title: str
    citation: str
    doi: str = ""
    url: str = ""


published_outputs = Hook("published_outputs")
"""Functions ``(projects) -> {project pk: [PublishedOutput, ...]}`` for a page of register
entries, each in a fixed number of queries however many projects there are."""


def published_outputs_for(projects):
    """Every registered function's published outputs of ``projects``, by project pk."""
    found = {}
    if not projects:
        return found
    for function in published_outputs:
        for pk, outputs in function(projects).items():
            found.setdefault(pk, []).extend(outputs)
    return found
