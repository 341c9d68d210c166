"""Remove from mutmut's copy of the project (mutants/) every file the project no longer has.

mutmut copies the project into mutants/ at each run but never deletes there, so a module moved
or removed since an earlier run would still be imported by the tests it runs. Results (.meta)
and the recorded test durations are kept, so a run still carries on where it stopped.

    python scripts/mutation_prune.py
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEPT_SUFFIXES = {".meta", ".spans"}
KEPT_FOLDERS = {"__pycache__", "var"}


def stale_files(root=ROOT):
    """The files in ``root``/mutants/ that ``root`` no longer has."""
    mutants = root / "mutants"
    if not mutants.is_dir():
        return
    for path in sorted(mutants.rglob("*")):
        relative = path.relative_to(mutants)
        if not path.is_file() or path.suffix in KEPT_SUFFIXES:
            continue
        if KEPT_FOLDERS & set(relative.parts) or relative.name.startswith("mutmut-"):
            continue
        if not (root / relative).exists():
            yield path


def main():
    for path in stale_files():
        print(f"removed {path.relative_to(ROOT)}: the project no longer has it")
        path.unlink()


if __name__ == "__main__":
    main()
