"""The one way a state changes: lock the row, check who and whether, fire, save, audit, notify.

Each app's services call ``transition_fire`` from their own ``<thing>_<verb>`` functions; views,
the admin and tasks call those services and never touch a state field.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, cast

from django.contrib.auth.models import AnonymousUser
from django.db import models, transaction
from django.http import HttpRequest
from django_fsm import FSMFieldMixin, Transition

from audit.services import audit_record

from .errors import TransitionNotPermitted, TransitionRefused
from .graph import (
    TransitionMethod,
    declared_line,
    sentence,
    state_field,
    transition_label,
    transition_method,
)
from .hooks import TransitionEvent, transition_committed_functions

if TYPE_CHECKING:
    # The stubs' name for settings.AUTH_USER_MODEL, which workflow, below every app, cannot import.
    from django.contrib.auth.models import _User as User

M = TypeVar("M", bound=models.Model)

# Who asks: a person, signed in or not, or None for the service itself (a scheduled task).
Asker: TypeAlias = "User | AnonymousUser | None"


def audit_label(model: type[models.Model]) -> str:
    """The first part of the audit action of ``model``'s transitions."""
    label: str | None = getattr(model, "audit_label", None)
    return label or str(model._meta.model_name)


def _current(obj: models.Model, name: str) -> tuple[TransitionMethod, Transition | None, str]:
    """(method, the Transition that applies from the object's current state or None, state)."""
    method = transition_method(obj, name)
    meta = method._django_fsm
    # Given by name or as the field, django-fsm puts the field there when the model is prepared.
    state = cast(FSMFieldMixin, meta.field).get_state(obj)
    current = meta.get_transition(state) if meta.has_transition(state) else None
    return method, current, state


def _not_from_state(obj: models.Model, name: str, state: str) -> str:
    """Why a transition that does not leave the current state cannot happen."""
    method = transition_method(obj, name)
    for declared in method._django_fsm.transitions.values():
        words: str | None = declared.custom.get("refused")
        if words:
            return words
    meta = obj._meta
    fsm_field = cast(FSMFieldMixin, method._django_fsm.field)
    state_label = dict(fsm_field.choices or ()).get(state, state)
    label = transition_label(next(iter(method._django_fsm.transitions.values())))
    return (
        f"This {meta.verbose_name} is {str(state_label).lower()}, so “{label}” is not possible now."
    )


def unmet_conditions(obj: models.Model, transition: str) -> list[str]:
    """The sentences that say why ``transition`` cannot be fired on ``obj`` now, whoever asks.

    Empty when the step is possible. A step that does not leave the current state gives one
    sentence saying so; otherwise each unmet condition gives its ``message``.
    """
    _, current, state = _current(obj, transition)
    if current is None:
        return [_not_from_state(obj, transition, state)]
    return [sentence(condition) for condition in current.conditions if not condition(obj)]


def user_may_fire(obj: models.Model, transition: str, user: Asker) -> bool:
    """Whether ``user`` is the kind of person who may fire ``transition`` on ``obj`` now."""
    _, current, _ = _current(obj, transition)
    return current is not None and current.has_perm(obj, user)  # type: ignore[arg-type]  # django-fsm leaves out None


def check_user_may_fire(obj: models.Model, transition: str, user: Asker) -> None:
    """``user_may_fire``, raising ``TransitionNotPermitted`` (a 403) with who may instead."""
    _, current, state = _current(obj, transition)
    if current is None:
        raise TransitionRefused([_not_from_state(obj, transition, state)])
    _check_permission(obj, current, user)


def _check_permission(obj: models.Model, current: Transition, user: Asker) -> None:
    if current.has_perm(obj, user):  # type: ignore[arg-type]  # django-fsm leaves out None
        return
    who = sentence(current.permission) if callable(current.permission) else ""
    who = who[:1].lower() + who[1:] if who else "other people."
    raise TransitionNotPermitted(
        f"“{transition_label(current)}” on this {obj._meta.verbose_name} is for {who}"
    )


@dataclass(frozen=True)
class AvailableTransition:
    """A step ``user`` may take from the object's current state, for a button or a task list."""

    name: str
    label: str
    target: str
    reasons: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.reasons


def available_transitions(obj: models.Model, user: Asker) -> list[AvailableTransition]:
    """Steps out of the current state that ``user`` may take, each with its unmet conditions.

    A step whose conditions are not met is still listed, with ``reasons``, so a page can say
    what is missing instead of hiding the button without a word.
    """
    model = type(obj)
    field = state_field(model)
    if field is None:
        raise ValueError(f"{model._meta.label} has no state machine.")
    available = []
    for name in sorted(field.transitions[model], key=lambda n: declared_line(getattr(model, n))):
        _, current, _ = _current(obj, name)
        if current is None or not current.has_perm(obj, user):  # type: ignore[arg-type]  # django-fsm leaves out None
            continue
        available.append(
            AvailableTransition(
                name=name,
                label=transition_label(current),
                target=str(current.target),
                reasons=[sentence(c) for c in current.conditions if not c(obj)],
            )
        )
    return available


def transition_fire(
    *,
    obj: M,
    transition: str,
    by: "User | None",
    request: HttpRequest | None = None,
    payload: dict[str, Any] | None = None,
    person: int | None = None,
    personal: dict[str, Any] | None = None,
    **kwargs: Any,
) -> M:
    """Fire ``transition`` on ``obj`` for ``by`` and return the saved, fresh object.

    Inside one database transaction: lock the row; refuse if the step does not leave the current
    state (``TransitionRefused``), if ``by`` may not take it (``TransitionNotPermitted``, a
    PermissionDenied) or if a condition is unmet (``TransitionRefused``, with every unmet
    condition's sentence); run the transition method with ``kwargs``; save; write the audit
    event, with ``payload`` in the clear and ``personal`` (free text such as reasons) sealed
    under the key of ``person``, by default the person the object belongs to
    (``audit_record``). ``by=None`` is the service itself (a scheduled task). After the commit,
    never for a rolled-back change, every function registered in
    ``hooks.transition_committed_register`` is called with the ``TransitionEvent``, whose
    payload holds the sealed values too.

    ``obj`` is only read for its class and primary key: the caller should use the returned object.
    """
    model = type(obj)
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=obj.pk)
        method, current, from_state = _current(locked, transition)
        if current is None:
            raise TransitionRefused([_not_from_state(locked, transition, from_state)])
        _check_permission(locked, current, by)
        reasons = [sentence(c) for c in current.conditions if not c(locked)]
        if reasons:
            raise TransitionRefused(reasons)

        method(**kwargs)
        to_state = cast(FSMFieldMixin, method._django_fsm.field).get_state(locked)
        locked.save()
        audit_record(
            actor=by,
            action=f"{audit_label(model)}.{transition}",
            obj=locked,
            from_state=from_state,
            to_state=to_state,
            payload=payload,
            request=request,
            person=person,
            personal=personal,
        )
        event = TransitionEvent(
            instance=locked,
            transition=transition,
            from_state=str(from_state),
            to_state=str(to_state),
            action=f"{audit_label(model)}.{transition}",
            by=by,
            # What happens next (the notices) reads the sealed values as given.
            payload={**(payload or {}), **(personal or {})},
        )
        transaction.on_commit(lambda: _committed(event))
    return locked


def _committed(event: TransitionEvent) -> None:
    for function in transition_committed_functions():
        function(event)
