"""The live machinery stands on its own: feature apps build on ``live``'s
API, and ``live`` knows none of them; inside, no module imports another
that imports it back."""

from __future__ import annotations

import ast

from ..live_server import ROOT, run_fresh_python

LIVE = ROOT / "live"
FEATURE_APPS = {"quizzes", "sdgmap", "reports"}


def _imports(path) -> set[str]:
    """Every module a file imports, TYPE_CHECKING blocks and function bodies included."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: inside live/
                base = f"live.{node.module}" if node.module else "live"
                found |= {base} if node.module else {f"live.{a.name}" for a in node.names}
            elif node.module == "live":
                found |= {"live", *(f"live.{a.name}" for a in node.names)}
            else:
                found.add(node.module or "")
    return found


def _live_graph() -> dict[str, set[str]]:
    modules = {f"live.{p.stem}": p for p in LIVE.glob("*.py") if p.stem != "__init__"}
    return {name: _imports(path) & set(modules) for name, path in modules.items()}


def test_live_imports_no_feature_app():
    found = {
        (path.name, module)
        for path in LIVE.glob("*.py")
        for module in _imports(path)
        if module.split(".")[0] in FEATURE_APPS
    }
    assert found == set()


def test_no_live_module_imports_itself_back():
    graph = _live_graph()

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph[start]:
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    circles = sorted(name for name in graph if reaches(name, name, {name}))
    assert circles == []


def test_the_hub_and_the_actions_do_not_need_the_consumer():
    graph = _live_graph()
    assert "live.consumers" not in graph["live.hub"]
    assert "live.consumers" not in graph["live.actions"]


def test_the_api_imports_before_django_is_set_up():
    """A feature app registers its topics, regions and actions at import or
    in ready(): the API may not need the models."""
    check = (
        "import live; "
        "assert callable(live.register_topic) and callable(live.register_region); "
        "assert callable(live.register_action) and callable(live.changed); "
        "from django.apps import apps; assert not apps.ready"
    )
    result = run_fresh_python(check)
    assert result.returncode == 0, result.stderr
