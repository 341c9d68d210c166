import ast
import re

from django.conf import settings


def variables_settings_read():
    tree = ast.parse((settings.BASE_DIR / "config" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        function = node.func
        reads_env = (isinstance(function, ast.Name) and function.id == "env") or (
            isinstance(function, ast.Attribute)
            and isinstance(function.value, ast.Name)
            and function.value.id == "env"
        )
        first = node.args[0]
        if reads_env and isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
    return names


def test_env_example_lists_every_variable_settings_read():
    example = (settings.BASE_DIR / ".env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))

    missing = variables_settings_read() - listed

    assert variables_settings_read(), "found no environment variables in config/settings.py"
    assert not missing, f".env.example does not list: {', '.join(sorted(missing))}"
