"""The one exception type that means "the user's input is wrong": the CLI prints it and exits 2."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad input. The message names the file, the row (or sheet) and the column, and what to do."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        sheet: str | None = None,
        column: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.row = row
        self.sheet = sheet
        self.column = column
        self.detail = message
        super().__init__(self._render())

    def _render(self) -> str:
        where: list[str] = []
        if self.file:
            where.append(Path(self.file).name)
        if self.sheet:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        prefix = ", ".join(where)
        text = f"{prefix}: {self.detail}" if prefix else self.detail
        # One line, whatever a parser's message (PyYAML's span lines) or the input holds.
        return " ".join(text.splitlines())
