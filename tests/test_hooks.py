"""A change's side effects are called by name where the change happens; no Django signal carries
a domain rule. Where an app below must call one above it, the app below declares what may be
filled in its ``hooks.py``, and the app above fills it in its ``AppConfig.ready()`` (the README's
architecture section lists each registry)."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

from tests.test_layers import APPS

# Framework signals the project must receive, by module, each with why. Sign-up, sign-in and
# the rest of allauth's steps are met through its adapter, and Celery's through its own task and
# beat settings.
ALLOWED_SIGNALS = {
    "entitlements/apps.py": "allauth's authenticator_added and authenticator_removed: a second "
    "factor is a condition of access to data, and allauth's adapter has no step for adding or "
    "removing one, so its signals are the only place to publish entitlements at once",
}


def modules():
    for folder in (*APPS, "config"):
        yield from sorted(Path(settings.BASE_DIR, folder).rglob("*.py"))


def signal_uses(source):
    """Each import through which ``source`` could define, send or receive a signal."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        for name in names:
            if name.startswith("django.dispatch") or "signals" in name.split("."):
                yield f"line {node.lineno} imports {name}"
                break


@pytest.mark.parametrize(
    "source",
    [
        "from django.dispatch import Signal\nfile_replaced = Signal()",
        "from django.dispatch import receiver",
        "from django_fsm.signals import post_transition",
        "from django.db.models import signals",
        "import django.db.models.signals",
        "from outputs.signals import file_replaced",
    ],
)
def test_signal_uses_finds_a_signal_defined_or_connected(source):
    assert list(signal_uses(source))


def test_no_module_defines_or_connects_a_signal_but_the_framework_ones_listed():
    found = [
        f"{path.relative_to(settings.BASE_DIR)} {use}"
        for path in modules()
        if str(path.relative_to(settings.BASE_DIR)) not in ALLOWED_SIGNALS
        for use in signal_uses(path.read_text(encoding="utf-8"))
    ]
    assert not found, "\n".join(found)


def test_no_app_has_a_signals_module():
    assert not [path for path in modules() if path.stem == "signals"]


def imports_of_other_apps(path, app):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules_named = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if "." in node.module:
                modules_named = [node.module]
            else:
                modules_named = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in modules_named:
            if name.split(".")[0] in APPS and name.split(".")[0] != app:
                yield name


@pytest.mark.parametrize("app", APPS)
def test_app_config_reaches_other_apps_only_through_their_hooks(app):
    path = Path(settings.BASE_DIR, app, "apps.py")
    wrong = [name for name in imports_of_other_apps(path, app) if name.split(".")[1:] != ["hooks"]]
    assert not wrong, f"{app}/apps.py imports {wrong}: fill a registry declared in hooks.py"


@pytest.mark.parametrize("app", APPS)
def test_app_config_imports_nothing_for_its_side_effects(app):
    """A ``# noqa`` import in ``ready()`` connects something by being imported; a registry is
    filled by a call instead."""
    source = Path(settings.BASE_DIR, app, "apps.py").read_text(encoding="utf-8")
    assert "noqa" not in source
