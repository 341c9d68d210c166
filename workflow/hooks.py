"""What apps above workflow fill in, from their ``AppConfig.ready()``, so it never imports them.

One registry: the functions ``transition_fire`` calls once the transaction that fired a
transition has committed, never for a rolled-back one. Notifications registers the one that
tells people about the step (``notifications.transitions.transition_notices_send``); with
nothing registered a transition tells nobody.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    # The stubs' name for settings.AUTH_USER_MODEL, which workflow, below every app, cannot import.
    from django.contrib.auth.models import _User as User


@dataclass(frozen=True)
class TransitionEvent:
    """A transition that has committed, as ``transition_fire`` fired it.

    ``action``: the audit event's action, ``<audit label>.<transition>``.
    ``by``: who fired it, or None for the service itself (a scheduled task).
    """

    instance: models.Model
    transition: str
    from_state: str
    to_state: str
    action: str
    by: "User | None" = None
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The model's label, ``app_label.ModelName``."""
        return self.instance._meta.label


TransitionCommitted = Callable[[TransitionEvent], None]

_committed: list[TransitionCommitted] = []


def transition_committed_register(function: TransitionCommitted) -> TransitionCommitted:
    """Call ``function(event)`` after every committed transition, with its ``TransitionEvent``;
    once however often the registering app starts. Functions run in the order registered, after
    the commit, so one that fails must not undo the step: it handles its own failure."""
    if function not in _committed:
        _committed.append(function)
    return function


def transition_committed_functions() -> tuple[TransitionCommitted, ...]:
    """The registered functions, in the order they were registered."""
    return tuple(_committed)


# Who may see which data. Entitlements, high above the apps whose changes end or grant access,
# registers the function that publishes them again; each of those apps calls ``access_changed``
# by name inside the transaction of its change, so what is published commits or rolls back with
# the change itself. With nothing registered a change of access tells nobody.

AccessChanged = Callable[..., object]

_access_changed: list[AccessChanged] = []


def access_changed_register(function: AccessChanged) -> AccessChanged:
    """Call ``function(*, people, projects, reason)`` whenever who may see which data may have
    changed, with both None when it may have changed for everyone; once however often the
    registering app starts."""
    if function not in _access_changed:
        _access_changed.append(function)
    return function


def access_changed(
    *,
    people: Iterable[object] = (),
    projects: Iterable[object] = (),
    everyone: bool = False,
    reason: str = "",
) -> None:
    """Say, inside the change's transaction, that the access of ``people`` (users or their ids),
    of everyone on ``projects`` (proposals or their ids), or of ``everyone`` may have changed,
    and why."""
    if everyone:
        for function in tuple(_access_changed):
            function(people=None, projects=None, reason=reason)
        return
    people = list(people)
    projects = list(projects)
    if not people and not projects:
        return
    for function in tuple(_access_changed):
        function(people=people, projects=projects, reason=reason)
