"""`make lint` runs mypy strictly on workflow/ and every services module. The modules it checks
are listed in pyproject.toml, so a new services module must be added there to be checked."""

import tomllib
from pathlib import Path

from django.apps import apps
from django.conf import settings


def _checked_paths():
    config = tomllib.loads(Path(settings.BASE_DIR, "pyproject.toml").read_text(encoding="utf-8"))
    return [Path(settings.BASE_DIR, name) for name in config["tool"]["mypy"]["files"]]


def test_mypy_checks_every_services_module():
    checked = _checked_paths()
    project_apps = [
        Path(config.path)
        for config in apps.get_app_configs()
        if Path(config.path).parent == Path(settings.BASE_DIR)
    ]
    unchecked = [
        str(path.relative_to(settings.BASE_DIR))
        for app in project_apps
        for path in sorted(app.rglob("services.py"))
        if not any(path == name or name in path.parents for name in checked)
    ]

    assert not unchecked, "Add to [tool.mypy] files in pyproject.toml: " + ", ".join(unchecked)


def test_mypy_checks_only_paths_that_exist():
    missing = [
        str(path.relative_to(settings.BASE_DIR)) for path in _checked_paths() if not path.exists()
    ]

    assert not missing, "[tool.mypy] files names what is not there: " + ", ".join(missing)
