"""The folders of ctforms/ follow the data: a module imports only from its own floor or below."""

from __future__ import annotations

import ast
import re
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


# ---------------------------------------------------------------------------- rooms and words

LIBRARY = ("files", "models", "read", "checks", "register", "produce", "pipeline")
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]+")
# Officer's instructions printed inside the rules workbook, for both faces (not an error).
OPTION_WORDS_ALLOWED = {("produce/rules_template.py", "'--catalogue' uses it.")}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ("ctforms", *path.relative_to(PACKAGE).with_suffix("").parts)
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The ctforms modules a module imports, at any depth (a lazy import closes a circle too)."""

    def known(name: str) -> str:
        while name not in modules:
            name = name.rpartition(".")[0]
        return name

    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ctforms"):
            assert node.module is not None
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in modules else known(node.module))
        elif isinstance(node, ast.Import):
            found.update(known(a.name) for a in node.names if a.name.startswith("ctforms."))
    return found


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles: each a path that comes back to where it began."""
    circles, done = [], set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            circles.append([*trail[trail.index(name) :], name])
            return
        if name in done:
            return
        for target in sorted(graph.get(name, ())):
            visit(target, [*trail, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    return circles


def test_no_import_circle() -> None:
    modules = _modules()
    graph = {name: _imports(path, modules) - {name} for name, path in modules.items()}
    assert _circles(graph) == []


def test_the_test_sees_a_circle() -> None:
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_no_module_over_600_lines() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text("utf-8").splitlines())) > 600
    }
    assert long == {}


def _strings(path: Path) -> list[str]:
    return _strings_of(path.read_text("utf-8"))


def _strings_of(source: str) -> list[str]:
    tree = ast.parse(source)
    return [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def test_no_library_string_names_an_option() -> None:
    """The library says what went wrong and which input (errors.Field); the faces name the
    option or the form field. Comments aside, no string of the library names an option."""
    named = []
    for room in LIBRARY:
        for path in sorted((PACKAGE / room).rglob("*.py")):
            where = str(path.relative_to(PACKAGE))
            for text in _strings(path):
                allowed = any(w == where and part in text for w, part in OPTION_WORDS_ALLOWED)
                if OPTION.search(text) and not allowed:
                    named.append(f"{where}: {text[:80]!r}")
    for path in sorted(PACKAGE.glob("*.py")):  # the ground floor's modules
        if path.stem not in ("options", "terminal", "__main__"):
            named += [f"{path.name}: {t[:80]!r}" for t in _strings(path) if OPTION.search(t)]
    assert named == []


def test_the_test_sees_an_option() -> None:
    said = 'raise InputError(f"{p} exists; use --force")\nx = "a -- b, 2024-06-10"\n'
    assert [t for t in _strings_of(said) if OPTION.search(t)] == [" exists; use --force"]


def test_no_page_names_the_readme() -> None:
    web = PACKAGE / "web"
    texts = [p for p in web.rglob("*") if p.suffix in (".py", ".html", ".css", ".js")]
    assert [str(p.relative_to(web)) for p in texts if "README" in p.read_text("utf-8")] == []


def test_every_input_the_library_names_has_an_option() -> None:
    """A Field without an option would reach the CLI user unnamed (options.in_cli_words)."""
    from typing import get_args

    from ctforms.errors import Field
    from ctforms.options import OPTION_FOR

    assert set(OPTION_FOR) == set(get_args(Field))
    assert all(option.startswith("--") for option in OPTION_FOR.values())
