"""One plural helper (ctforms/words.py): every output counts in words the same way, and no
module writes its own 's' again."""

from __future__ import annotations

import re
from pathlib import Path

import ctforms
from ctforms.words import count, plural

PACKAGE = Path(ctforms.__file__).parent
# A hand-made plural: `'' if n == 1 else 's'`, `'s' if n != 1 else ''`, `'s' if n > 1 else ''`.
HAND_MADE = re.compile(
    r"""(['"]['"] if [^'"]+ ?== ?-?1 else ['"]s)|(['"]s['"] if [^'"]+ ?(!=|>) ?1 else)"""
)


def test_count_and_plural() -> None:
    assert [count(n, "issue") for n in (0, 1, 2)] == ["0 issues", "1 issue", "2 issues"]
    assert count(1, "new entry", "new entries") == "1 new entry"
    assert count(3, "new entry", "new entries") == "3 new entries"
    assert [plural(n, "is", "are") for n in (0, 1, 2)] == ["are", "is", "are"]


def test_no_module_writes_its_own_plural() -> None:
    found = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in sorted([*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.html")])
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if HAND_MADE.search(line)
    ]
    assert found == []


def test_the_guard_sees_a_hand_made_plural() -> None:
    assert HAND_MADE.search("f\"{n} issue{'' if n == 1 else 's'}\"")
    assert HAND_MADE.search("{{ '' if total == 1 else 's' }}")
    assert HAND_MADE.search("f\"cell{'s' if len(used) > 1 else ''}\"")
    assert not HAND_MADE.search("count(n, 'issue')")
