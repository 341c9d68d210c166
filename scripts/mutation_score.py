"""Print the mutation score of each module `make mutate` mutates, read from mutmut's results.

A mutant counts as killed when a test failed or timed out with it in place. Mutants listed in
scripts/mutation_equivalent.toml behave exactly like the code they replace, so no test could
kill them: they are left out of the total, each with the reason given there. A module with
mutants not yet run says so, and its score covers only those that ran: run `make mutate`
again to carry on where it stopped.

    python scripts/mutation_score.py              the table
    python scripts/mutation_score.py --survivors  the names of surviving mutants, one a line
    python scripts/mutation_score.py --markdown   the table as docs/policy.md shows it
"""

import argparse
import json
import sys
import tomllib
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

ROOT = Path(__file__).resolve().parent.parent
DETECTED = {"killed", "timeout", "caught by type check"}


def modules():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["mutmut"]["only_mutate"]


def equivalents():
    path = ROOT / "scripts" / "mutation_equivalent.toml"
    return tomllib.loads(path.read_text(encoding="utf-8")).get("equivalent", {})


def results(module):
    """{mutant name: status} for one module, or None when mutmut has not generated it yet."""
    meta = ROOT / "mutants" / f"{module}.meta"
    if not meta.exists():
        return None
    codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
    return {name: status_by_exit_code[code] for name, code in codes.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--survivors", action="store_true", help="list surviving mutants")
    parser.add_argument("--markdown", action="store_true", help="the table in Markdown")
    args = parser.parse_args()
    equivalent = equivalents()

    rows, totals, survivors = [], Counter(), []
    for module in modules():
        found = results(module)
        if found is None:
            rows.append((module, None))
            continue
        counts = Counter()
        for name, status in found.items():
            if name in equivalent:
                counts["equivalent"] += 1
            elif status in DETECTED:
                counts["killed"] += 1
            elif status == "not checked":
                counts["not run"] += 1
            else:
                counts["alive"] += 1
                survivors.append(f"{name}  ({status})")
        rows.append((module, counts))
        totals.update(counts)

    if args.survivors:
        print("\n".join(name.split()[0] for name in survivors))
        return 0

    if args.markdown:
        print(markdown_table([*rows, ("All", totals)]))
        return 0

    width = max(len(module) for module in modules())
    print(f"{'module':<{width}}  killed / total  score  equivalent  not run")
    for module, counts in [*rows, ("all", totals)]:
        if counts is None:
            print(f"{module:<{width}}  not generated yet: run make mutate")
            continue
        total = counts["killed"] + counts["alive"]
        score = f"{100 * counts['killed'] / total:4.0f}%" if total else "    -"
        partial = "*" if counts["not run"] else " "
        print(
            f"{module:<{width}}  {counts['killed']:6} / {total:<5}  {score}{partial} "
            f"{counts['equivalent']:10}  {counts['not run']:7}"
        )
    if totals["not run"]:
        print("* over the mutants run so far: the rest, usually the slowest, may score lower.")
    if survivors:
        print(f"\nAlive ({len(survivors)}); `uv run mutmut show <name>` shows the change:")
        print("\n".join(f"  {line}" for line in survivors))
    stale = sorted(set(equivalent) - {n for m in modules() for n in (results(m) or {})})
    if stale:
        print("\nListed as equivalent but no longer generated (remove from the list):")
        print("\n".join(f"  {name}" for name in stale))
    return 0


def markdown_table(rows):
    """The score table as docs/policy.md shows it, one row a module and the total last."""
    lines = [
        "| Module | Killed / total | Score | Equivalent | Not run yet |",
        "| --- | --- | --- | --- | --- |",
    ]
    for module, counts in rows:
        if counts is None:
            lines.append(f"| `{module}` | not generated yet | | | |")
            continue
        total = counts["killed"] + counts["alive"]
        score = f"{100 * counts['killed'] / total:.0f}%" if total else "-"
        if counts["not run"]:
            score += ", in part"
        name = module if module == "All" else f"`{module}`"
        lines.append(
            f"| {name} | {counts['killed']} / {total} | {score} | {counts['equivalent']} "
            f"| {counts['not run']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
