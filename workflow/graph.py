"""The state machines, read from the django-fsm declarations on the models.

Nothing here names a domain app: machines are found through the app registry, so the apps above
this one add a machine by declaring an ``FSMField`` and its ``@transition`` methods.
"""

import inspect
from dataclasses import dataclass
from functools import cached_property

from django.apps import apps
from django_fsm import ANY_OTHER_STATE, ANY_STATE, FSMFieldMixin

from .models import StateGroup


def sentence(rule):
    """A rule's words: the ``message`` set beside the condition or permission function.

    An attribute rather than the docstring, so the words survive anything that wraps the
    function, and a docstring is free to explain the rule to a reader of the code. It is set by
    assignment after the function rather than by a decorator, because mutation testing
    (``make mutate``) leaves decorated functions unmutated.
    """
    try:
        return rule.message
    except AttributeError:
        raise AttributeError(
            f"{rule.__module__}.{rule.__qualname__} has no message: set "
            f"{rule.__name__}.message to the sentence it gives."
        ) from None


def transition_label(transition):
    """The words on the button: ``custom={"label": ...}``, else the method name."""
    label = transition.custom.get("label")
    return label or transition.name.replace("_", " ").capitalize()


def transition_method(obj_or_model, name):
    """The ``@transition`` method ``name`` of a model, or ValueError when there is none."""
    method = getattr(obj_or_model, name, None)
    if method is None or not hasattr(method, "_django_fsm"):
        model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
        raise ValueError(f"{model._meta.label} has no transition named {name!r}.")
    return method


def state_field(model):
    """The model's FSM field, or None when the model has no state machine."""
    for field in model._meta.concrete_fields:
        if isinstance(field, FSMFieldMixin):
            return field
    return None


def declared_line(method):
    func = inspect.unwrap(method)
    return func.__code__.co_firstlineno


@dataclass(frozen=True)
class Step:
    """One transition method and the sources that share its target, rule and conditions."""

    name: str
    label: str
    sources: tuple
    target: str
    permission: object
    conditions: tuple

    @property
    def who(self):
        if self.permission is None:
            return "Anyone"
        if callable(self.permission):
            return sentence(self.permission)
        return f"Holders of the {self.permission} permission"

    @property
    def condition_sentences(self):
        return [sentence(condition) for condition in self.conditions]


@dataclass(frozen=True)
class Machine:
    model: type
    field: FSMFieldMixin

    @property
    def label(self):
        return self.model._meta.label

    @property
    def name(self):
        return self.model._meta.verbose_name.capitalize()

    @property
    def states(self):
        """(value, label) for every state, in the order the model declares them."""
        return [(str(value), str(label)) for value, label in self.field.choices]

    @property
    def state_values(self):
        return [value for value, _ in self.states]

    def state_label(self, value):
        return dict(self.states).get(str(value), str(value))

    @property
    def initial(self):
        return str(self.field.get_default())

    @property
    def owners(self):
        """The model's ``STATE_OWNERS``: who takes the next step from each state (None: nobody)."""
        return getattr(self.model, "STATE_OWNERS", None)

    @property
    def groups(self):
        """``(name, StateGroup)`` for each group the model declares, in declaration order."""
        return [
            (name, value)
            for name, value in vars(self.model).items()
            if isinstance(value, StateGroup)
        ]

    @property
    def tag_colours(self):
        """The model's ``STATE_TAG_COLOURS``: the colour of the tag that shows each state."""
        return getattr(self.model, "STATE_TAG_COLOURS", None)

    @cached_property
    def steps(self):
        methods = sorted(
            self.field.transitions[self.model].items(), key=lambda item: declared_line(item[1])
        )
        order = {value: index for index, value in enumerate(self.state_values)}
        steps = []
        for name, method in methods:
            groups = {}
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
                flat = sorted({state for group in sources for state in group}, key=order.get)
                steps.append(Step(name, label, tuple(flat), target, permission, conditions))
        return steps

    def _source_states(self, source, target):
        if source == ANY_STATE:
            return list(self.state_values)
        if source == ANY_OTHER_STATE:
            return [value for value in self.state_values if value != str(target)]
        return [str(source)]

    @property
    def final_states(self):
        """States no transition leaves."""
        leaving = {source for step in self.steps for source in step.sources}
        return [value for value in self.state_values if value not in leaving]


def state_machines():
    """Every model with a state machine, in app and declaration order."""
    machines = []
    for model in apps.get_models():
        field = state_field(model)
        if field is not None and not model._meta.proxy:
            machines.append(Machine(model, field))
    return machines
