"""Groups of states live on the models beside ``STATE_OWNERS``: no service, selector, view,
reminder or report keeps its own list of them."""

import ast
from pathlib import Path

from django.conf import settings

from tests.test_layers import APPS


def _is_state(node):
    """``State.DRAFT``, ``Proposal.State.DRAFT``, ``AppState.DRAFT`` and the like."""
    if not isinstance(node, ast.Attribute):
        return False
    owner = node.value
    name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
    return name.endswith("State")


def _declared(tree):
    """The lists a model may spell out: a ``StateGroup``'s states and a transition's sources."""
    declared = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        called = getattr(node.func, "id", getattr(node.func, "attr", None))
        if called == "StateGroup" and node.args:
            declared.add(id(node.args[0]))
        elif called == "transition":
            declared.update(id(k.value) for k in node.keywords if k.arg == "source")
    return declared


def state_lists(path):
    """(line, source) of each tuple, list or set of two or more states written out in ``path``
    other than a group's or a transition's own."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    declared = _declared(tree)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Tuple | ast.List | ast.Set)
            and len(node.elts) >= 2
            and all(_is_state(element) for element in node.elts)
            and id(node) not in declared
        ):
            yield node.lineno, ast.get_source_segment(source, node)


def test_no_module_keeps_its_own_list_of_states_beside_the_models_groups():
    base = Path(settings.BASE_DIR)
    found = []
    for app in APPS:
        # The demo data draws states at random to build histories; it serves no one.
        if app == "demo":
            continue
        for path in sorted((base / app).rglob("*.py")):
            relative = path.relative_to(base).as_posix()
            if "migrations" in path.parts:
                continue
            found += [f"{relative}:{line} {text}" for line, text in state_lists(path)]

    assert not found, "Ask the model for its named group instead:\n" + "\n".join(found)
