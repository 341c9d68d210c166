"""The versions of a project and what changed between them, for the differences page.

A project's past versions are read from its snapshots, its version in force from the project
itself, and an amendment still being written or considered from the amendment.
"""

import datetime
import difflib
import itertools
from dataclasses import dataclass, field

from legislation.access_modes import AccessMode
from projects.lifecycle.selectors import amendment_open_for
from projects.models import EthicsQuestion, Purpose

# Text longer than this, or over several lines, is compared word by word.
LONG_TEXT = 80

FIELDS = (
    ("title", "Title"),
    ("lay_summary", "Lay summary"),
    ("purposes", "Public-good purposes"),
    ("purpose_explanation", "How the project serves the public good"),
    ("aims", "Aims"),
    ("methods", "Methods"),
    ("software", "Software"),
    ("start_date", "Start date"),
    ("end_date", "End date"),
    ("datasets", "Datasets"),
    ("team", "Team"),
    ("ethics", "Ethics self-assessment"),
    ("dpia_needed", "Data protection impact assessment needed"),
    ("access_mode", "Access mode"),
    ("outputs_plan", "Outputs"),
    ("publication_plan", "Publication plan"),
)


@dataclass
class Version:
    number: int
    label: str
    data: dict


@dataclass
class Change:
    label: str
    before: str
    after: str
    # For long text: (kind, words) pieces, kind being "same", "removed" or "added".
    pieces: list = field(default_factory=list)


@dataclass
class Difference:
    before: Version
    after: Version
    changes: list


def _date(value):
    if not value:
        return ""
    return f"{datetime.date.fromisoformat(str(value)):%-d %B %Y}"


def _text(name, value):
    """A snapshot value in words."""
    if name in ("start_date", "end_date"):
        return _date(value)
    if name == "purposes":
        labels = dict(Purpose.choices)
        return "\n".join(str(labels.get(purpose, purpose)) for purpose in value or [])
    if name == "access_mode":
        return str(dict(AccessMode.choices).get(value, value or ""))
    if name == "dpia_needed":
        return {True: "Yes", False: "No"}.get(value, "")
    if name == "datasets":
        return "\n".join(
            f"{entry.get('name', entry.get('dataset', ''))}: {entry.get('variables', '')}".rstrip(
                ": "
            )
            for entry in value or []
        )
    if name == "team":
        return "\n".join(
            entry.get("email", "")
            + (" (co-ordinator)" if entry.get("role") == "coordinator" else "")
            for entry in value or []
        )
    if name == "ethics":
        labels = dict(EthicsQuestion.choices)
        lines = []
        for question, answer in (value or {}).items():
            answer = answer or {}
            line = f"{labels.get(question, question)}: {answer.get('answer', '')}"
            if answer.get("details"):
                line += f" ({answer['details']})"
            lines.append(line)
        return "\n".join(lines)
    return "" if value is None else str(value)


def _pieces(before, after):
    """Word-by-word differences between two long texts."""
    old, new = before.split(), after.split()
    pieces = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(("same", " ".join(old[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("removed", " ".join(old[i1:i2])))
        if j2 > j1:
            pieces.append(("added", " ".join(new[j1:j2])))
    return pieces


def version_changes(before, after):
    """The fields that differ between two snapshot ``data`` dicts, in the proposal's order."""
    changes = []
    for name, label in FIELDS:
        old, new = _text(name, before.get(name)), _text(name, after.get(name))
        if old == new:
            continue
        long = max(len(old), len(new)) > LONG_TEXT and "\n" not in old + new
        changes.append(
            Change(label=label, before=old, after=new, pieces=_pieces(old, new) if long else [])
        )
    return changes


def project_versions(project):
    """Each version of ``project``, oldest first: past ones from snapshots, the one in force,
    and an amendment in progress."""
    from projects.amendment.services import snapshot_data

    versions = {}
    for snapshot in project.snapshots.order_by("version", "created_at", "pk"):
        if snapshot.version < project.version:
            versions[snapshot.version] = Version(
                snapshot.version, f"Version {snapshot.version}", snapshot.data
            )
    versions[project.version] = Version(
        project.version, f"Version {project.version} (in force)", snapshot_data(project)
    )
    amendment = amendment_open_for(project)
    if amendment is not None:
        versions[amendment.version] = Version(
            amendment.version,
            f"Version {amendment.version} (amendment, {amendment.get_state_display().lower()})",
            snapshot_data(amendment),
        )
    return [versions[number] for number in sorted(versions)]


def project_differences(project):
    """What changed from each version to the next, newest change first."""
    versions = project_versions(project)
    return [
        Difference(before=before, after=after, changes=version_changes(before.data, after.data))
        for before, after in itertools.pairwise(versions)
    ][::-1]


def project_in_force(proposal):
    """The project a proposal belongs to: the one it amends, or itself."""
    return proposal.amends if proposal.amends_id else proposal
