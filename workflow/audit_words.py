"""The words the audit trail shows for every transition: "Returned for changes (accreditation
application)" for ``accreditation_application.return_to_applicant``. Read from the machines'
own button labels, so a new transition has its words without anyone writing them."""

from .graph import state_machines

# The past tense of the verb each button label starts with; a verb not here keeps its label.
PAST = {
    "activate": "Activated",
    "approve": "Approved",
    "close": "Closed",
    "end": "Ended",
    "expire": "Expired",
    "prepare": "Prepared",
    "record": "Recorded",
    "reinstate": "Reinstated",
    "reject": "Rejected",
    "release": "Released",
    "reopen": "Reopened",
    "return": "Returned",
    "revoke": "Revoked",
    "send": "Sent",
    "start": "Started",
    "store": "Stored",
    "submit": "Submitted",
    "suspend": "Suspended",
    "withdraw": "Withdrew",
}


def past(label: str) -> str:
    """ "Send to the panel" as "Sent to the panel"."""
    verb, _, rest = label.partition(" ")
    done = PAST.get(verb.lower())
    if done is None:
        return label
    return f"{done} {rest}".strip()


def transition_words() -> dict[str, str]:
    """``{action code: words}`` for every transition of every machine."""
    from .services import audit_label

    words: dict[str, str] = {}
    for machine in state_machines():
        for step in machine.steps:
            action = f"{audit_label(machine.model)}.{step.name}"
            words.setdefault(action, f"{past(step.label)} ({machine.model._meta.verbose_name})")
    return words
