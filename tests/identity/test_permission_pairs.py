"""Permissions come in pairs by construction: in every ``*permissions.py`` the rule lives in
``check_user_can_x(user, obj)``, which raises with the sentence a refused person reads, and its
yes-or-no twin is ``user_can_x = answer(check_user_can_x)``, so a button and the server never
disagree. The user comes first, and no rule is kept that nothing uses."""

import ast
import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404

from identity.permissions import answer
from identity.roles import Role
from legislation.permissions import check_user_can_edit_catalogue, user_can_edit_catalogue
from researchers.declaration.permissions import check_user_can_download_declaration
from tests.factories import UserFactory, declaration_signed_row

BASE = Path(settings.BASE_DIR)
PAIR = re.compile(r"^(check_)?user_(can|is)_\w+$")
RULE = re.compile(r"^(check_)?user_\w+$")


def project_apps():
    return sorted(
        Path(config.path) for config in apps.get_app_configs() if Path(config.path).parent == BASE
    )


def permission_modules():
    return sorted(path for app in project_apps() for path in app.rglob("*permissions.py"))


def source_files():
    """Every Python file of the project's apps (tests are not callers)."""
    return sorted(path for app in project_apps() for path in app.rglob("*.py"))


def module_name(path):
    return ".".join(path.relative_to(BASE).with_suffix("").parts)


def derivation(node):
    """``(name, check)`` for a module-level ``user_can_x = answer(check_user_can_x)``, else None."""
    if not (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
    ):
        return None
    value = node.value
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "answer"
        and len(value.args) == 1
        and not value.keywords
        and isinstance(value.args[0], ast.Name)
    ):
        return node.targets[0].id, value.args[0].id
    return node.targets[0].id, None


def rules(path):
    """The module's rules: ``{name: ast node}`` for each top-level function or assignment whose
    name begins ``user_`` or ``check_user_``."""
    found = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef) and RULE.match(node.name):
            found[node.name] = node
        elif isinstance(node, ast.Assign):
            derived = derivation(node)
            if derived and RULE.match(derived[0]):
                found[derived[0]] = node
    return found


def used_names():
    """Every name the project's code reads, outside tests, leaving out the check a derivation
    hands to ``answer`` (deriving a twin is not calling the rule)."""
    used = set()
    for path in source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        handed = {
            id(node.value.args[0])
            for node in tree.body
            if (derived := derivation(node)) and derived[1] is not None
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and id(node) not in handed:
                used.add(node.id)
            elif isinstance(node, ast.Attribute):
                used.add(node.attr)
    return used


MODULES = permission_modules()


def test_every_permissions_module_is_found():
    found = {path.relative_to(BASE).as_posix() for path in MODULES}

    assert {
        "identity/permissions.py",
        "accreditation/permissions.py",
        "outputs/release/permissions.py",
        "projects/panel/permissions.py",
        "researchers/declaration/permissions.py",
    } <= found


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.relative_to(BASE).as_posix())
def test_user_can_x_is_derived_from_its_check(path):
    found = rules(path)
    module = importlib.import_module(module_name(path))
    wrong = []
    for name, node in found.items():
        check = f"check_{name}"
        answered = derivation(node)[1] if isinstance(node, ast.Assign) else None
        if answered is not None and answered != check:
            wrong.append(f"{name} answers {answered}, not {check}")
        elif name.startswith("check_") or check not in found:
            continue
        elif answered is None:
            wrong.append(f"{name} is written by hand: make it answer({check})")
        elif getattr(module, name).__wrapped__ is not getattr(module, check):
            wrong.append(f"{name} is not identity.permissions.answer({check})")

    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.relative_to(BASE).as_posix())
def test_every_rule_takes_the_user_first(path):
    wrong = [
        f"{name}({', '.join(arg.arg for arg in node.args.args)})"
        for name, node in rules(path).items()
        if isinstance(node, ast.FunctionDef)
        and (not node.args.args or node.args.args[0].arg != "user")
    ]

    assert not wrong, "the user comes first: " + ", ".join(wrong)


def test_every_rule_is_used_outside_tests():
    used = used_names()
    dead = [
        f"{path.relative_to(BASE).as_posix()} {name}"
        for path in MODULES
        for name in rules(path)
        if PAIR.match(name) and name not in used
    ]

    assert not dead, "nothing calls:\n" + "\n".join(dead)


def test_rules_live_in_permissions_modules():
    strays = [
        f"{path.relative_to(BASE).as_posix()} {node.name}"
        for path in source_files()
        if not path.name.endswith("permissions.py")
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.FunctionDef) and re.match(r"^(check_)?user_can_", node.name)
    ]

    assert not strays, "\n".join(strays)


def test_answer_keeps_the_checks_name_and_docstring():
    assert user_can_edit_catalogue.__name__ == "user_can_edit_catalogue"
    assert user_can_edit_catalogue.__doc__ == check_user_can_edit_catalogue.__doc__


@pytest.mark.django_db
def test_answer_says_no_where_the_check_refuses_and_yes_where_it_lets_through():
    secretariat = UserFactory(roles=[Role.SECRETARIAT])
    researcher = UserFactory(roles=[Role.RESEARCHER])
    stranger = UserFactory(roles=[Role.RESEARCHER])
    declaration = declaration_signed_row(researcher)
    user_can_download_declaration = answer(check_user_can_download_declaration)

    with pytest.raises(PermissionDenied):
        check_user_can_edit_catalogue(researcher)
    with pytest.raises(Http404):
        check_user_can_download_declaration(stranger, declaration)
    assert (user_can_edit_catalogue(secretariat), user_can_edit_catalogue(researcher)) == (
        True,
        False,
    )
    assert [
        user_can_download_declaration(person, declaration)
        for person in (researcher, secretariat, stranger)
    ] == [True, True, False]
