"""Small helpers more than one command's report uses."""

from __future__ import annotations

from pathlib import Path

from ctforms.words import count


def row_count(path: Path, rows: int) -> str:
    # The declaration beside a form has no rows of its own.
    return f" ({count(rows, 'row')})" if path.suffix == ".xlsx" else ""
