"""Every message a person gets is declared in its app's ``notices.py`` and sent through
``notifications.services.notify``, so it reaches their notification list as well as their
inbox; an address nobody has an account for, which has no list, is handed to it too."""

import ast
from pathlib import Path

from django.conf import settings

from tests.test_layers import APPS


def app_modules():
    for app in APPS:
        if app == "notifications":
            continue
        yield from sorted(Path(settings.BASE_DIR, app).rglob("*.py"))


def calls(path, name):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            called = getattr(node.func, "id", getattr(node.func, "attr", None))
            if called == name:
                yield node.lineno


def test_messages_are_written_only_in_notices_modules():
    written_elsewhere = [
        f"{path.relative_to(settings.BASE_DIR)}:{line}"
        for path in app_modules()
        if path.name != "notices.py"
        for line in calls(path, "Message")
    ]
    assert not written_elsewhere


def test_email_on_commit_called_by_notifications_alone():
    callers = [
        f"{path.relative_to(settings.BASE_DIR)}:{line}"
        for path in app_modules()
        for line in calls(path, "email_on_commit")
    ]
    assert not callers
