from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from workflow.docs import render_states_doc, states_doc_path


def test_states_doc_matches_the_state_machines():
    written = states_doc_path().read_text(encoding="utf-8")

    assert written == render_states_doc(), (
        "docs/states.md is out of date: run `python manage.py write_state_docs` and commit it."
    )


def test_write_state_docs_check_passes_when_current():
    out = StringIO()

    call_command("write_state_docs", "--check", stdout=out)

    assert "up to date" in out.getvalue()


def test_write_state_docs_check_fails_when_stale_then_writes(settings, tmp_path):
    settings.BASE_DIR = tmp_path

    with pytest.raises(CommandError, match="out of date"):
        call_command("write_state_docs", "--check", stdout=StringIO())
    call_command("write_state_docs", stdout=StringIO())
    call_command("write_state_docs", "--check", stdout=StringIO())

    assert (tmp_path / "docs" / "states.md").read_text() == render_states_doc()


def test_states_doc_names_who_may_fire_each_transition():
    text = render_states_doc()

    assert "| `fast_track_approve` (Approve under delegated authority) | `screening` |" in text
    assert "An output checker who is not a member of the project." in text
    assert "stateDiagram-v2" in text


def test_states_doc_lists_each_machines_groups_of_states():
    text = render_states_doc()

    assert (
        "| Editable by the applicant | `draft`, `returned` | `AccreditationApplication.EDITABLE` |"
    ) in text
    assert "| On the public register of projects | `approved`, `approved_with_conditions`, " in text
