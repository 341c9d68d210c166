"""The state machines, read from the django-fsm declarations on the models.

Nothing here names a domain app: machines are found through the app registry, so the apps above
this one add a machine by declaring an ``FSMField`` and its ``@transition`` methods.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

from django.apps import apps
from django.db import models
from django_fsm import ANY_OTHER_STATE, ANY_STATE, FSMFieldMixin, FSMMeta, Transition

from .models import StateGroup


class TransitionMethod(Protocol):
    """A model's ``@transition`` method: django-fsm keeps its transitions on ``_django_fsm``."""

    _django_fsm: FSMMeta

    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...


def sentence(rule: Callable[..., object]) -> str:
    """A rule's words: the ``message`` set beside the condition or permission function.

    An attribute rather than the docstring, so the words survive anything that wraps the
    function, and a docstring is free to explain the rule to a reader of the code. It is set by
    assignment after the function rather than by a decorator, because mutation testing
    (``make mutate``) leaves decorated functions unmutated.
    """
    try:
        message: str = rule.message  # type: ignore[attr-defined]  # set beside each rule
        return message
    except AttributeError:
        raise AttributeError(
            f"{rule.__module__}.{rule.__qualname__} has no message: set "
            f"{rule.__name__}.message to the sentence it gives."
        ) from None


def transition_label(transition: Transition) -> str:
    """The words on the button: ``custom={"label": ...}``, else the method name."""
    label: str | None = transition.custom.get("label")
    return label or transition.name.replace("_", " ").capitalize()


def transition_method(
    obj_or_model: models.Model | type[models.Model], name: str
) -> TransitionMethod:
    """The ``@transition`` method ``name`` of a model, or ValueError when there is none."""
    method: TransitionMethod | None = getattr(obj_or_model, name, None)
    if method is None or not hasattr(method, "_django_fsm"):
        model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
        raise ValueError(f"{model._meta.label} has no transition named {name!r}.")
    return method


def state_field(model: type[models.Model]) -> FSMFieldMixin | None:
    """The model's FSM field, or None when the model has no state machine."""
    for field in model._meta.concrete_fields:
        if isinstance(field, FSMFieldMixin):
            fsm_field: FSMFieldMixin = field
            return fsm_field
    return None


def declared_line(method: Callable[..., Any]) -> int:
    line: int = inspect.unwrap(method).__code__.co_firstlineno
    return line


@dataclass(frozen=True)
class Step:
    """One transition method and the sources that share its target, rule and conditions."""

    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    permission: str | Callable[..., bool] | None
    conditions: tuple[Callable[[Any], bool], ...]

    @property
    def who(self) -> str:
        if self.permission is None:
            return "Anyone"
        if callable(self.permission):
            return sentence(self.permission)
        return f"Holders of the {self.permission} permission"

    @property
    def condition_sentences(self) -> list[str]:
        return [sentence(condition) for condition in self.conditions]


@dataclass(frozen=True)
class Machine:
    model: type[models.Model]
    field: FSMFieldMixin

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def name(self) -> str:
        return str(self.model._meta.verbose_name).capitalize()

    @property
    def states(self) -> list[tuple[str, str]]:
        """(value, label) for every state, in the order the model declares them."""
        return [(str(value), str(label)) for value, label in self.field.choices or ()]

    @property
    def state_values(self) -> list[str]:
        return [value for value, _ in self.states]

    def state_label(self, value: object) -> str:
        return dict(self.states).get(str(value), str(value))

    @property
    def initial(self) -> str:
        return str(self.field.get_default())

    @property
    def owners(self) -> dict[str, object] | None:
        """The model's ``STATE_OWNERS``: who takes the next step from each state (None: nobody)."""
        return getattr(self.model, "STATE_OWNERS", None)

    @property
    def groups(self) -> list[tuple[str, StateGroup]]:
        """``(name, StateGroup)`` for each group the model declares, in declaration order."""
        return [
            (name, value)
            for name, value in vars(self.model).items()
            if isinstance(value, StateGroup)
        ]

    @property
    def tag_colours(self) -> dict[str, str] | None:
        """The model's ``STATE_TAG_COLOURS``: the colour of the tag that shows each state."""
        return getattr(self.model, "STATE_TAG_COLOURS", None)

    @cached_property
    def steps(self) -> list[Step]:
        methods = sorted(
            self.field.transitions[self.model].items(), key=lambda item: declared_line(item[1])
        )
        order = {value: index for index, value in enumerate(self.state_values)}
        steps = []
        for name, method in methods:
            groups: dict[
                tuple[
                    str, str | Callable[..., bool] | None, tuple[Callable[[Any], bool], ...], str
                ],
                list[list[str]],
            ] = {}
            for transition in method._django_fsm.transitions.values():
                key = (
                    str(transition.target),
                    transition.permission,
                    tuple(transition.conditions),
                    transition_label(transition),
                )
                groups.setdefault(key, []).append(
                    self._source_states(transition.source, transition.target)
                )
            for (target, permission, conditions, label), sources in groups.items():
                flat = sorted(
                    {state for group in sources for state in group},
                    key=lambda state: order.get(state, len(order)),
                )
                steps.append(Step(name, label, tuple(flat), target, permission, conditions))
        return steps

    def _source_states(self, source: object, target: object) -> list[str]:
        if source == ANY_STATE:
            return list(self.state_values)
        if source == ANY_OTHER_STATE:
            return [value for value in self.state_values if value != str(target)]
        return [str(source)]

    @property
    def final_states(self) -> list[str]:
        """States no transition leaves."""
        leaving = {source for step in self.steps for source in step.sources}
        return [value for value in self.state_values if value not in leaving]


def state_machines() -> list[Machine]:
    """Every model with a state machine, in app and declaration order."""
    machines = []
    for model in apps.get_models():
        field = state_field(model)
        if field is not None and not model._meta.proxy:
            machines.append(Machine(model, field))
    return machines
