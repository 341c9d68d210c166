"""The house has floors: an app imports only apps below it, so no two apps import each other,
directly or round a loop (the README's architecture section draws the floors)."""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

# Imports flow one way. The floors of the house, lowest first; within a floor, an app may import
# the apps to its left. An app imports only apps below it or to its left, so no two apps can
# import each other, directly or round a loop. ``config`` wires the project and is no app.
FLOORS = [
    ["identity", "govuk", "audit", "workflow", "notifications", "documents", "uploads", "health"],
    ["legislation", "researchers"],
    ["accreditation"],
    ["projects"],
    ["outputs"],
    ["entitlements"],
    ["reports", "retention", "dashboard", "demo"],
]
APPS = [app for floor in FLOORS for app in floor]


def apps_below(app):
    allowed = set()
    for floor in FLOORS:
        if app in floor:
            return allowed | set(floor[: floor.index(app)])
        allowed |= set(floor)
    raise AssertionError(f"{app} is on no floor")


def imported_apps(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


def test_every_app_of_the_project_is_on_a_floor():
    installed = {
        config.name.split(".")[0]
        for config in apps.get_app_configs()
        if Path(config.path).parent == Path(settings.BASE_DIR)
    }

    assert installed == set(APPS)


@pytest.mark.parametrize("app", APPS)
def test_app_imports_only_apps_below_it(app):
    allowed = apps_below(app)
    wrong = [
        f"{path.relative_to(settings.BASE_DIR)} imports {name}"
        for path in sorted(Path(settings.BASE_DIR, app).rglob("*.py"))
        for name in set(imported_apps(path))
        if name in APPS and name != app and name not in allowed
    ]
    assert not wrong, "\n".join(wrong)
