import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Each test runs pytest in a process of its own.
pytestmark = pytest.mark.slow

ONLY_SKIPS = """
import pytest

def test_needs_another_database():
    pytest.skip("runs on PostgreSQL only")
"""

ONE_PASSES = (
    ONLY_SKIPS
    + """

def test_runs_anywhere():
    assert True
"""
)


def _pytest(folder, *args):
    """Run pytest on ``folder`` with the suite's run guard, as ``make test`` would have it."""
    (folder / "conftest.py").write_text("from tests.run_guard import pytest_configure\n")
    (folder / "pytest.ini").write_text("[pytest]\n")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:django", "-p", "no:cacheprovider", *args],
        cwd=folder,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_run_whose_every_test_skips_fails(tmp_path):
    (tmp_path / "test_sample.py").write_text(ONLY_SKIPS)

    run = _pytest(tmp_path)

    assert run.returncode == pytest.ExitCode.TESTS_FAILED, run.stdout
    assert "No test passed (1 skipped): a run that tests nothing fails." in run.stdout


def test_a_run_that_collects_no_test_fails(tmp_path):
    (tmp_path / "test_sample.py").write_text(ONE_PASSES)

    run = _pytest(tmp_path, "-k", "no_such_test")

    assert run.returncode != pytest.ExitCode.OK, run.stdout


def test_a_run_in_which_a_test_passes_passes(tmp_path):
    (tmp_path / "test_sample.py").write_text(ONE_PASSES)

    run = _pytest(tmp_path)

    assert run.returncode == pytest.ExitCode.OK, run.stdout
    assert "1 passed, 1 skipped" in run.stdout
