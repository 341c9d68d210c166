"""docs/policy.md names real code and real tests, so the map of the policy cannot rot."""

import re

from django.conf import settings

POLICY_DOC = settings.BASE_DIR / "docs" / "policy.md"
# `path.py`, `tests/x.py::test_name`, or `::test_name` continuing the last test file named.
REFERENCE = re.compile(r"`(?:(?P<path>[\w./-]+\.py)(?:::(?P<test>\w+))?|::(?P<more>\w+))`")


def references():
    last_test_file = None
    for line_number, line in enumerate(POLICY_DOC.read_text().splitlines(), start=1):
        for match in REFERENCE.finditer(line):
            path, test = match["path"], match["test"] or match["more"]
            if path and path.startswith("tests/"):
                last_test_file = path
            elif match["more"]:
                path = last_test_file
            yield line_number, path, test


def test_policy_doc_names_only_files_that_exist():
    missing = [
        f"line {line}: {path}"
        for line, path, _ in references()
        if path and not (settings.BASE_DIR / path).is_file()
    ]

    assert not missing, "docs/policy.md names missing files:\n" + "\n".join(missing)


def test_policy_doc_names_only_tests_that_exist():
    missing = []
    for line, path, test in references():
        if not test or not (settings.BASE_DIR / path).is_file():
            continue
        if not re.search(rf"^def {test}\(", (settings.BASE_DIR / path).read_text(), re.MULTILINE):
            missing.append(f"line {line}: {path}::{test}")

    assert list(references()), "found no references in docs/policy.md"
    assert not missing, "docs/policy.md names missing tests:\n" + "\n".join(missing)
