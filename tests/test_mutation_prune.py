"""`make mutate` first removes from mutmut's copy of the project what the project no longer has,
so a moved module is not imported from a stale copy, and keeps every result."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "mutation_prune.py"
spec = importlib.util.spec_from_file_location("mutation_prune", SCRIPT)
mutation_prune = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mutation_prune)


def write(path, text=""):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_mutation_prune_finds_copies_of_removed_files_and_keeps_results(tmp_path):
    write(tmp_path / "outputs" / "models.py")
    mutants = tmp_path / "mutants"
    for kept in (
        "outputs/models.py",
        "outputs/models.py.meta",
        "outputs/signals.py.meta",
        "outputs/__pycache__/signals.cpython-311.pyc",
        "mutmut-stats.json",
    ):
        write(mutants / kept)
    write(mutants / "outputs" / "signals.py")
    write(mutants / "researchers" / "roles.py")

    stale = {path.relative_to(mutants).as_posix() for path in mutation_prune.stale_files(tmp_path)}

    assert stale == {"outputs/signals.py", "researchers/roles.py"}
