"""The folders of ctforms/ follow the data: a module imports only from its own floor or below."""

from __future__ import annotations

import ast
from pathlib import Path

import ctforms

FLOORS = {
    "files": 0,
    "models": 0,
    "errors": 0,
    "paperwork": 0,
    "people": 0,
    "demo": 0,
    "data": 0,
    "words": 0,
    "read": 1,
    "checks": 2,
    "register": 3,
    "produce": 4,
    "pipeline": 5,
    "cli": 6,
    "options": 6,
    "terminal": 6,
    "web": 6,
}
PACKAGE = Path(ctforms.__file__).parent


def _targets(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if parts[0] != "ctforms":
                continue
            if len(parts) > 1:
                found.add(parts[1])
            else:
                found.update(a.name for a in node.names if a.name != "__version__")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "ctforms" and len(parts) > 1:
                    found.add(parts[1])
    return found


def test_no_module_imports_from_a_floor_above() -> None:
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        room = path.relative_to(PACKAGE).with_suffix("").parts[0]
        if room in ("__init__", "__main__"):
            continue
        assert room in FLOORS, f"{path}: give its room a floor in this test"
        tree = ast.parse(path.read_text("utf-8"))
        for target in _targets(tree):
            if FLOORS[target] > FLOORS[room]:
                upward.append(f"{path.relative_to(PACKAGE)} imports {target}")
    assert upward == []


def test_the_test_sees_an_upward_import() -> None:
    tree = ast.parse("from ctforms.pipeline import run\nfrom ctforms import cli\n")
    assert _targets(tree) == {"pipeline", "cli"}
