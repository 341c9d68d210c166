"""What the domain apps fill in, from their ``AppConfig.ready()``, so notifications never
imports them: two tables of declared messages.

- Notices: for each step of a state machine, keyed by ``(model label, transition)``, who is told
  and what (``Notice``). Each domain app declares its own in ``notices.py``; the step's own app
  registers its rule (``notices_register``), and an app above it whose people the step also
  concerns adds to it (``notices_add``). ``transitions.transition_notices_send`` reads them once
  a transition has committed. Most notices tell the one person the object names (its applicant,
  researcher, author or co-ordinator): ``person`` and ``notices_to`` build those.
- Reminders: each kind a rule saying which objects are due on a day and who is told
  (``ReminderRule``). Each domain app declares its own in ``reminders.py`` and registers them
  (``reminder_rules_register``); ``reminders.reminders_sweep`` runs them daily.
"""

from collections.abc import Callable
from dataclasses import dataclass

# Notices


@dataclass(frozen=True)
class Notice:
    """One thing to tell some people when a transition has happened.

    ``to(event)``: the users to tell (None and repeats are dropped).
    ``subject``: the email's subject and the notification's heading; a string, or a function
    of the event.
    ``template``: ``notifications/email/<template>.txt`` and ``.html``.
    ``link``: the path of the page the person acts on, or reads the outcome on; a string, or
    a function of the event.
    ``context(event)``: more for the template; the template always gets ``person`` (the
    recipient), ``action_url`` (the link) and ``action_text``.
    ``person_context(event, user)``: more for one person's message (a data owner's own
    department, say).
    ``summary``: one line for the notification list; a string, or a function of the event.
    ``tell_actor``: whether the person who fired the transition is told too (a confirmation).
    ``asks``: whether it asks its people to do something (screen, check, decide, change): it
    waits in their list under "Needs action" until the object moves on.
    """

    to: Callable
    subject: object
    template: str
    link: object
    action_text: str = "Open the service"
    context: Callable | None = None
    person_context: Callable | None = None
    summary: object = ""
    tell_actor: bool = False
    asks: bool = False

    def text(self, value, event):
        return value(event) if callable(value) else value


def person(field):
    """A notice's ``to``: the one user the object names in ``field`` ("applicant", "author")."""

    def to(event):
        return [getattr(event.instance, field)]

    return to


def notices_to(field, **shared):
    """A maker of notices to the one person the object names in ``field``, each with ``shared``
    (the page they open, the words of its link, the template's context) unless it says
    otherwise: ``to_author = notices_to("author", link=...)``, then
    ``to_author("Subject", "template", summary="...")``."""
    to = person(field)

    def notice(subject, template, **own):
        return Notice(to=to, subject=subject, template=template, **{**shared, **own})

    return notice


_notices = {}


def notices_register(notices):
    """Add ``{(model label, transition): Notice or (Notice, ...)}`` to the table.

    Registering a key twice with different notices is an error: each step has one rule.
    """
    for key, value in notices.items():
        rule = tuple(value) if isinstance(value, list | tuple) else (value,)
        existing = _notices.get(key)
        if existing is not None and existing != rule:
            raise ValueError(f"Notices for {key[0]} {key[1]!r} are already registered.")
        _notices[key] = rule


_notices_added = {}


def notices_add(notices):
    """Add ``{(model label, transition): Notice or (Notice, ...)}`` after a step's own rule.

    For an app above the machine's own, whose people a step also concerns: a researcher's
    accreditation is suspended, and the co-ordinators of their projects must know. Told after
    the rule's own notices, each person still at most once.
    """
    for key, value in notices.items():
        added = tuple(value) if isinstance(value, list | tuple) else (value,)
        existing = _notices_added.get(key, ())
        _notices_added[key] = existing + tuple(n for n in added if n not in existing)


def notice_rule(label, transition):
    """The notices for ``transition`` of the model labelled ``label``, or None without a rule.

    An empty rule, registered as ``()``, is a step that tells nobody by design: a step the
    service takes in the background that the person concerned sees on the page they are on.
    """
    rule = _notices.get((label, transition))
    if rule is None:
        return None
    return rule + _notices_added.get((label, transition), ())


def notice_rules():
    return dict(_notices)


# Reminders


@dataclass(frozen=True)
class ReminderRule:
    """One kind of reminder.

    ``candidates(today)``: a queryset of the objects that may be due today, with what
    ``recipients``, ``context`` and ``link`` read already selected or prefetched.
    ``due_date(obj)``: the day the reminder is due; an object is reminded once per due date,
    on that day or, if a sweep was missed, on the first sweep after it (never before), and not
    at all when it returns None.
    ``recipients(obj, audience)``: the users to tell; ``audience`` is what ``audience()``
    returned once per sweep (for example every output checker), or None.
    ``subject``, ``link(obj)`` and ``action_text``: what the message says, the path of the page
    to act on and the words of the link to it; ``subject`` and ``summary`` may be functions of
    the object (a count in a digest).
    ``template``: ``notifications/email/<template>.txt`` and ``.html``.
    ``context(obj)``: more for the template (the object is always there as ``object``).
    ``action(objects)``: run on the objects this sweep won, before anyone is told, inside the
    same transaction; returns the objects it acted on, and only those are told (an automatic
    withdrawal refused because the draft changed meanwhile tells nobody). Its queries are its
    own: withdrawing goes through ``transition_fire``, one object at a time.
    ``batch_prepare(objects, today)``: run once on each batch of candidates before their due
    dates are read, to attach what ``due_date``, ``context`` and the rest need that
    ``select_related``/``prefetch_related`` cannot fetch (a digest of other objects for each
    person), in a fixed number of queries for the whole batch.
    ``once_per_object``: the due date never changes for an object, so objects already reminded
    of this kind are left out of the candidates in the database instead of in the ledger.
    """

    kind: str
    candidates: Callable
    due_date: Callable
    recipients: Callable
    subject: str | Callable
    template: str
    link: Callable
    summary: str | Callable = ""
    action_text: str = "Open the service"
    context: Callable | None = None
    audience: Callable | None = None
    action: Callable | None = None
    batch_prepare: Callable | None = None
    once_per_object: bool = False


_reminder_rules = {}


def reminder_rules_register(*rules):
    """Add each rule to the reminders every sweep runs; registering a kind twice with another
    rule is an error."""
    for rule in rules:
        existing = _reminder_rules.get(rule.kind)
        if existing is not None and existing != rule:
            raise ValueError(f"A reminder rule of kind {rule.kind!r} is already registered.")
        _reminder_rules[rule.kind] = rule


def reminder_rules():
    """The registered rules, by kind, in the order they were registered."""
    return dict(_reminder_rules)
