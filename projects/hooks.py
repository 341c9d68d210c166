"""Where apps built on projects take part in a project's life without projects importing them.

Imports flow one way (DESIGN.md): outputs uses projects, never the reverse. So when closing a
project or showing its register entry depends on its outputs, projects asks the functions
registered here, and the outputs app registers them from its ``AppConfig.ready()``. With nothing
registered each hook is neutral: nothing holds a project open, and no output is listed.
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
