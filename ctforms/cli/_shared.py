"""Small helpers more than one command's report uses."""

from __future__ import annotations

from pathlib import Path


def count(n: int, word: str) -> str:
    """'1 row', '2 rows': the CLI's messages count in words people read."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def row_count(path: Path, rows: int) -> str:
    # The declaration beside a form has no rows of its own.
    return f" ({count(rows, 'row')})" if path.suffix == ".xlsx" else ""
