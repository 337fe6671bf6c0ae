"""Fixed-width EDI entries files, written and read through layouts kept as data.

The layout (ctforms/data/edi-entries-layout.yaml, version 2) follows the public facts of the JCQ
format and marks every field it assumed; files written in the first layout (version 1, one-letter
record types) are still read. Every value is checked; nothing that does not fit is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ctforms.errors import InputError
from ctforms.models import SentChange
from ctforms.read.parsing import entries_file_parts, parse_entries_file_name

LAYOUT_FILE = "edi-entries-layout.yaml"
OLD_LAYOUT_FILE = "edi-entries-layout-v1.yaml"  # read only: files written before layout 2
EOL = "\r\n"
HEADER, DETAIL, TRAILER = "1", "5", "9"  # the record-type digits of layout 2


class FieldSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    width: int = Field(ge=1)
    type: Literal["N", "A"]
    fixed: str | None = None
    blank: bool = False
    allowed: str = " "
    at: int | None = None  # the first position a public source gives (checked on loading)
    source: str = ""  # what a public source confirms about the field
    assumed: str = ""  # what ctforms assumed (its position, a value): '' when nothing


class RecordSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str
    fields: list[FieldSpec]


class FileType(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str
    entry_record: str | None = None  # layout 1: the record kind that carries an entry
    what_to_do: str = ""


class NameRule(BaseModel):
    """How a candidate's name is written and shortened (the steps are said in words; names.py
    follows them in that order)."""

    model_config = ConfigDict(extra="forbid")

    max_length: int = Field(ge=3)
    separator: str = ":"
    source: str
    shortening: list[str]


class Layout(BaseModel):
    model_config = ConfigDict(extra="forbid")

    layout_version: int
    source: str
    record_width: int
    record_width_source: str = ""
    file_types: dict[str, FileType]
    candidate_name: NameRule
    records: dict[str, RecordSpec]

    @model_validator(mode="after")
    def _said(self) -> Layout:
        # From layout 2 on, every field says what confirms it or that it is assumed.
        if self.layout_version >= 2:
            for kind, spec in self.records.items():
                for f in spec.fields:
                    if not (f.source or f.assumed):
                        raise ValueError(
                            f"layout record {kind} field {f.name}: no source or assumed"
                        )
        return self


Record = dict[str, str]


@dataclass(frozen=True)
class Span:
    """Where a field sits in its record (1-based, inclusive), and what confirms it."""

    record: str  # e.g. 'E5 entry detail'
    field: str
    first: int
    last: int
    source: str
    assumed: str

    @property
    def positions(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


def _load(file: str) -> Layout:
    text = resources.files("ctforms.data").joinpath(file).read_text("utf-8")
    layout = Layout.model_validate(yaml.safe_load(text))
    for kind, spec in layout.records.items():
        pos = 1
        for f in spec.fields:
            if f.at is not None and f.at != pos:
                raise ValueError(f"layout record {kind} field {f.name} is at {pos}, not {f.at}")
            pos += f.width
        if pos - 1 > layout.record_width:
            raise ValueError(f"layout record {kind} is {pos - 1} wide, over {layout.record_width}")
    for kind, file_type in layout.file_types.items():
        if file_type.entry_record and file_type.entry_record not in layout.records:
            raise ValueError(f"layout file type {kind} names no record {file_type.entry_record}")
    return layout


@cache
def load_layout() -> Layout:
    """The layout ctforms writes (version 2)."""
    layout = _load(LAYOUT_FILE)
    name = next(f for f in layout.records[DETAIL].fields if f.name == "name")
    if layout.candidate_name.max_length > name.width:
        raise ValueError(f"candidate_name.max_length is over the name field's {name.width}")
    return layout


@cache
def load_old_layout() -> Layout:
    """The first layout (version 1), to read files written in it."""
    return _load(OLD_LAYOUT_FILE)


def spans(layout: Layout | None = None, data_type: str = "E") -> list[Span]:
    """Every field of every record with its positions and what confirms it, record by record."""
    layout = layout or load_layout()
    out = []
    for kind, spec in layout.records.items():
        label = f"{data_type}{kind}" if layout.layout_version >= 2 else kind
        pos = 1
        for f in spec.fields:
            out.append(
                Span(
                    f"{label} {spec.description}",
                    f.name,
                    pos,
                    pos + f.width - 1,
                    f.source,
                    f.assumed,
                )
            )
            pos += f.width
    return out


def assumed_positions(layout: Layout | None = None, data_type: str = "E") -> list[str]:
    """One line per record: the positions ctforms assumed ('E5 entry detail: 2, 3-7, ...')."""
    by_record: dict[str, list[str]] = {}
    for span in spans(layout, data_type):
        if span.assumed:
            by_record.setdefault(span.record, []).append(f"{span.positions} ({span.field})")
    return [f"{record}: {', '.join(said)}" for record, said in by_record.items()]


def _check(spec: FieldSpec, value: str, kind: str) -> str:
    """The value padded to its width, or a ValueError saying why it does not fit."""
    if spec.fixed is not None:
        value = spec.fixed
    if value == "":
        if spec.blank:
            return " " * spec.width
        raise ValueError(f"{kind}.{spec.name} is required")
    if len(value) > spec.width:
        raise ValueError(f"{kind}.{spec.name} {value!r} is longer than {spec.width}")
    if spec.type == "N":
        if not value.isascii() or not value.isdigit():
            raise ValueError(f"{kind}.{spec.name} {value!r} must be digits")
        return value.rjust(spec.width, "0")
    pattern = "[A-Z0-9" + re.escape(spec.allowed) + "]*"
    if not re.fullmatch(pattern, value):
        raise ValueError(
            f"{kind}.{spec.name} {value!r} has characters outside A-Z, 0-9 and {spec.allowed!r}"
        )
    return value.ljust(spec.width)


def format_record(kind: str, values: Record) -> str:
    """One record of the current layout; kind: the record-type digit, values: data_type too."""
    layout = load_layout()
    spec = layout.records[kind]
    data_type = values.get("data_type", "")
    if data_type not in layout.file_types:
        raise ValueError(f"data type {data_type!r} is not one of {', '.join(layout.file_types)}")
    line = "".join(_check(f, values.get(f.name, ""), kind) for f in spec.fields)
    return line.ljust(layout.record_width)


def parse_record(line: str, where: str = "", layout: Layout | None = None) -> tuple[str, Record]:
    """(kind, values): kind is the record-type digit in layout 2, the letter in layout 1."""
    layout = layout or load_layout()
    if len(line) != layout.record_width:
        raise InputError(f"{where}record is {len(line)} characters, not {layout.record_width}")
    if layout.layout_version >= 2:
        if line[:1] not in layout.file_types:
            raise InputError(
                f"{where}a record begins with {line[:1]!r}, not a data type letter"
                f" ({', '.join(layout.file_types)})"
            )
        kind = line[1:2]
    else:
        kind = line[:1]
    spec = layout.records.get(kind)
    if spec is None:
        raise InputError(
            f"{where}unknown record type {line[:2] if layout.layout_version >= 2 else kind!r}"
        )
    values: Record = {}
    pos = 0
    for f in spec.fields:
        raw = line[pos : pos + f.width]
        pos += f.width
        values[f.name] = raw.strip() if f.type == "A" else ("" if not raw.strip() else raw)
    if line[pos:].strip():
        raise InputError(f"{where}characters after the last field of a {kind} record")
    return kind, values


def write_file(records: list[tuple[str, Record]]) -> bytes:
    try:
        lines = [format_record(kind, values) for kind, values in records]
    except ValueError as exc:
        raise InputError(f"the entries file cannot hold this value: {exc}") from None
    return "".join(line + EOL for line in lines).encode("ascii")


@dataclass(frozen=True)
class Read:
    """An entries file as read: the layout it is written in, and its records."""

    layout: Layout
    records: list[tuple[str, Record]]

    @property
    def old(self) -> bool:
        return self.layout.layout_version < 2

    def entries(self) -> list[Record]:
        """The records that carry an entry (with candidate_number and entry_code)."""
        if self.old:
            kinds = {t.entry_record for t in self.layout.file_types.values()}
            return [v for k, v in self.records if k in kinds]
        return [v for k, v in self.records if k == DETAIL]


def read_file(data: bytes, name: str) -> Read:
    """Reads either layout: a file whose first record is a one-letter H header is layout 1."""
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise InputError(f"not an ASCII EDI file (byte {exc.start})", file=name) from None
    if text and not text.endswith(EOL):
        raise InputError("the last line does not end with CRLF", file=name)
    lines = text.split(EOL)[:-1] if text else []
    layout = load_old_layout() if lines and lines[0][:1] == "H" else load_layout()
    out: list[tuple[str, Record]] = []
    for n, line in enumerate(lines, start=1):
        if "\r" in line or "\n" in line:
            raise InputError("lines must end with CRLF", file=name, row=n)
        try:
            out.append(parse_record(line, layout=layout))
        except InputError as exc:
            raise InputError(exc.detail, file=name, row=n) from None
    if layout.layout_version >= 2:
        letters = sorted({values["data_type"] for _, values in out})
        if len(letters) > 1:
            raise InputError(
                f"its records begin with different data type letters ({', '.join(letters)}):"
                " every record of one file begins with the same letter",
                file=name,
            )
    return Read(layout, out)


def file_name(centre: str, sequence: int, awarding_body: str = "72", data_type: str = "E") -> str:
    """Data type (E entries, A amendments) + centre + awarding body + .X + two-digit sequence
    (DOMAIN.md)."""
    if not 1 <= sequence <= 99:
        raise InputError(
            f"an entries file's sequence number is 1 to 99, not {sequence}", fields=("sequence",)
        )
    return f"{data_type}{centre}{awarding_body}.X{sequence:02d}"


def changes_in(data: bytes, name: str) -> list[SentChange]:
    """The entry changes an entries file carries, after checking its header agrees with its
    name (data type, centre, sequence): what a file recorded as sent put before OCR."""
    try:
        name = parse_entries_file_name(name)
    except ValueError as exc:
        raise InputError(str(exc), file=name) from None
    data_type, centre, sequence = entries_file_parts(name)
    read = read_file(data, name)
    if read.old:
        header = next((values for kind, values in read.records if kind == "H"), None)
        said = (
            None
            if header is None
            else (header.get("file_type"), header.get("centre_number"), header.get("sequence"))
        )
    else:
        header = next((values for kind, values in read.records if kind == HEADER), None)
        said = (
            None
            if header is None
            else (header.get("data_type"), header.get("centre_number"), header.get("sequence"))
        )
    if said != (data_type, centre, f"{sequence:02d}"):
        raise InputError(
            "its header does not agree with its name (data type, centre number and sequence):"
            " is it the file that was sent, renamed?",
            file=name,
        )
    # A layout-1 entry carried its "from" code; a layout-2 file carries new entries only.
    return [
        SentChange(
            candidate_number=values["candidate_number"],
            from_code=values.get("from_code") or None,
            to_code=values["entry_code"],
        )
        for values in read.entries()
    ]
