"""The one exception type that means "the user's input is wrong": the CLI prints it and exits 2.

The library says what went wrong in its own words; when the mistake (or its remedy) lies in a
value the person gave rather than in a file, the error names that input as a `Field`, and each
face words it: the CLI by its option (cli/words.py), the page by its form field."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

# The inputs a person gives a command or a page, beside the files it reads.
Field = Literal[
    "as_of",  # the date the check is judged on
    "encoding",  # the tracker's text encoding, when it is not UTF-8
    "force",  # leave to replace what an earlier command wrote
    "sequence",  # an entries file's sequence number
    "catalogue",  # the centre's rules files
    "records",  # the centre's records workbook
    "signed_by",  # who signs the declaration off
    "reason",  # why the declaration is signed off with blocking issues left
    "key",  # the private key that signs
    "cert",  # the certificate a signature is made or checked with
    "name",  # the name on a new certificate
    "template",  # a form's own template workbook, with its map
    "by",  # who records a decision, an action or an upload
]


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
        fields: tuple[Field, ...] = (),
    ) -> None:
        self.file = str(file) if file is not None else None
        self.row = row
        self.sheet = sheet
        self.column = column
        self.fields = fields
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
