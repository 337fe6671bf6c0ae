"""The one exception type that means "the user's input is wrong": the CLI prints it and exits 2.

The library says what went wrong in its own words; when the mistake (or its remedy) lies in a
value the person gave rather than in a file, the error names that input as a `Field`, and each
face words it: the CLI by its option (options.py), the page by its form field. An error about
one key of a TOML file (centre.toml) names it as a `TomlKey` and keeps the reason apart from the
remedy, and that remedy apart from how to write it in the file (`in_file`): a face that puts the
value in the file for the person (the Centre page) says the key its own way and leaves the
file's spelling out."""

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
    "action",  # what was done about an issue
    "role",  # the role of the person signing off
]

# A key of a TOML file as (section, key), the key as it is written there: ("centre", "number"),
# ("tracker.columns", '"Candidate No"'); ("exams_officer", "") is the section itself.
TomlKey = tuple[str, str]


def key_name(key: TomlKey) -> str:
    """How a key is named in the file: '[centre] number'."""
    section, name = key
    if not section:
        return name
    return f"[{section}] {name}" if name else f"[{section}]"


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
        key: TomlKey | None = None,
        remedy: str = "",
        in_file: str = "",
    ) -> None:
        self.file = str(file) if file is not None else None
        self.row = row
        self.sheet = sheet
        self.column = column
        self.fields = fields
        self.key = key
        self.reason = message  # what went wrong (said of the key, when there is one)
        self.remedy = remedy  # what to do, in any face's words ('' when only in_file says it)
        self.in_file = in_file  # what to do, as it is written in the file
        fix = in_file or remedy
        if key is not None:
            self.detail = self.said_of(key_name(key), fix)
        else:
            self.detail = f"{message}; {fix}" if fix else message
        super().__init__(self._render())

    @property
    def plainly(self) -> str:
        """The reason and the remedy in any face's words: without where it is, and without
        how to write it in a file (for a face that takes the value in a form)."""
        return f"{self.reason}; {self.remedy}" if self.remedy else self.reason

    def said_of(self, name: str, remedy: str) -> str:
        """The reason said of the key, called `name` (the file's '[centre] number' or a form's
        'Centre number'), then `remedy`. A reason that goes on from the name ('is missing')
        follows it; any other ('"1234" is not ...') follows a colon."""
        joined = " " if self.reason.startswith("is ") else ": "
        said = f"{name}{joined}{self.reason}"
        return f"{said}; {remedy}" if remedy else said

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
