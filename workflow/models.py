from collections.abc import Iterable
from typing import ClassVar, Self

from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMModelMixin


class StateGroup(tuple[str, ...]):
    """A named group of a machine's states, declared on the model beside ``STATE_OWNERS``:
    ``EDITABLE = StateGroup([State.DRAFT, State.RETURNED], meaning="Editable by the applicant")``.

    Services, selectors and views ask the model for the group instead of keeping their own
    list, so a group changes in one place. It is a tuple, so ``state in Model.EDITABLE``,
    ``state__in=Model.EDITABLE`` and a transition's ``source=Model.EDITABLE`` all work;
    ``meaning`` is what docs/states.md says of it. The states come first because Django copies
    a tuple it is given as a lookup value by calling its type with the values alone.
    """

    meaning: str

    def __new__(cls, states: Iterable[str] = (), meaning: str = "") -> Self:
        group = super().__new__(cls, states)
        group.meaning = meaning
        return group

    def __getnewargs__(self) -> tuple[tuple[str, ...], str]:
        return (tuple(self), self.meaning)


class StateMachineModel(ConcurrentTransitionMixin, models.Model):
    """Base for a model with a protected ``FSMField``.

    ``refresh_from_db`` works despite the protected field, in any number of threads at once,
    and a save from a copy whose state has moved on since it was read fails
    (``ConcurrentTransition``) instead of undoing the step.
    Declare ``STATE_OWNERS`` (every state -> the role that takes the next step, None for nobody),
    a ``StateGroup`` for each group of states the code asks about (editable, open, in a queue,
    on the register), ``STATE_TAG_COLOURS`` (every state -> the colour of the GOV.UK tag that
    shows it, which the ``state_tag`` template tag reads) and, optionally, ``audit_label`` (the
    prefix of the audit actions; the model name otherwise).
    """

    STATE_OWNERS: ClassVar[dict[str, object]] = {}
    STATE_TAG_COLOURS: ClassVar[dict[str, str]] = {}

    class Meta:
        abstract = True

    def refresh_from_db(
        self,
        using: str | None = None,
        fields: Iterable[str] | None = None,
        from_queryset: models.QuerySet[Self] | None = None,
    ) -> None:
        # django-fsm reloads a protected state by switching the protection off on the field,
        # which every instance in every thread shares: a thread whose reload overlaps another's
        # finds it switched back on and fails with "Direct state modification is not allowed".
        # The protection only guards a value the instance already holds, so this instance's
        # own value is taken away and the reload sets it afresh; nothing shared is touched.
        protected = self._get_protected_fsm_fields()
        if fields is None:
            protected -= self.get_deferred_fields()
        else:
            protected &= set(fields)
        held = {name: self.__dict__.pop(name) for name in protected if name in self.__dict__}
        reload = super(FSMModelMixin, self).refresh_from_db
        try:
            reload(using=using, fields=fields, from_queryset=from_queryset)
            # Without its value the state counts as deferred, which a whole reload may leave.
            missing = [name for name in held if name not in self.__dict__]
            if missing:
                reload(using=using, fields=missing, from_queryset=from_queryset)
        except Exception:
            for name, value in held.items():
                self.__dict__.setdefault(name, value)
            raise
        self._update_initial_state()
