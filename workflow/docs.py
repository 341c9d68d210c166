"""docs/states.md, written from the state machines so it cannot drift from the code."""

from pathlib import Path

from django.conf import settings

from .graph import Machine, state_machines

HEADER = """# States and transitions

Written by `python manage.py write_state_docs` from the django-fsm declarations on the models;
do not edit by hand. A test fails when this file differs from what the command writes.

Every transition goes through `workflow.services.transition_fire`: it locks the row, refuses with
the condition's sentence when a rule is not met, checks who is asking, saves and writes one audit
event in the same database transaction.

Beside its states, each machine names the groups of states the code asks about (which states its
author may still edit, which are open, which wait in a queue, which are on a public register);
services, selectors and views ask the model for a group and keep no list of their own.
"""


def states_doc_path() -> Path:
    path: Path = settings.BASE_DIR / "docs" / "states.md"
    return path


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _owner(owner: object) -> str:
    if owner is None:
        return "nobody"
    return str(getattr(owner, "label", owner))


def _machine_section(machine: Machine) -> list[str]:
    lines = [f"## {machine.name}", "", f"`{machine.label}`, field `{machine.field.name}`.", ""]

    lines += ["| State | Meaning | Next step taken by |", "|---|---|---|"]
    owners = machine.owners or {}
    for value, label in machine.states:
        marks: list[str] = []
        if value == machine.initial:
            marks.append("start")
        if value in machine.final_states:
            marks.append("end")
        suffix = f" ({', '.join(marks)})" if marks else ""
        owner = _owner(owners[value]) if value in owners else "**unmapped**"
        lines.append(f"| `{value}`{suffix} | {_cell(label)} | {_cell(owner)} |")
    lines.append("")

    if machine.groups:
        lines += ["| Group of states | States | In the code |", "|---|---|---|"]
        order = {value: index for index, value in enumerate(machine.state_values)}
        for name, group in machine.groups:
            states = ", ".join(
                f"`{state}`"
                for state in sorted(map(str, group), key=lambda state: order.get(state, len(order)))
            )
            code = f"`{machine.model.__name__}.{name}`"
            lines.append(f"| {_cell(group.meaning)} | {states} | {code} |")
        lines.append("")

    lines += [
        "| Transition | From | To | Who may fire it | Conditions |",
        "|---|---|---|---|---|",
    ]
    for step in machine.steps:
        sources = ", ".join(f"`{source}`" for source in step.sources)
        conditions = "<br>".join(_cell(text) for text in step.condition_sentences) or "none"
        lines.append(
            f"| `{step.name}` ({_cell(step.label)}) | {sources} | `{step.target}` "
            f"| {_cell(step.who)} | {conditions} |"
        )
    lines.append("")

    lines += ["```mermaid", "stateDiagram-v2", f"    [*] --> {machine.initial}"]
    seen: set[tuple[str, str, str]] = set()
    for step in machine.steps:
        for source in step.sources:
            edge = (source, step.target, step.name)
            if edge not in seen:
                seen.add(edge)
                lines.append(f"    {source} --> {step.target}: {step.name}")
    for value in machine.final_states:
        lines.append(f"    {value} --> [*]")
    lines += ["```", ""]
    return lines


def render_states_doc() -> str:
    lines = [HEADER]
    for machine in state_machines():
        lines += _machine_section(machine)
    return "\n".join(lines).rstrip("\n") + "\n"
