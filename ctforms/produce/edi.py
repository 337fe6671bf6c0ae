"""Fixed-width EDI entries files, written and read through one layout kept as data.

The layout (ctforms/data/edi-entries-layout.yaml) is ctforms' assumption: the JCQ field-by-field
format is not public. Every value is checked against it; nothing that does not fit is written.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from ctforms.errors import InputError
from ctforms.models import SentChange
from ctforms.read.parsing import entries_file_parts, parse_entries_file_name

LAYOUT_FILE = "edi-entries-layout.yaml"
EOL = "\r\n"


class FieldSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    width: int = Field(ge=1)
    type: Literal["N", "A"]
    fixed: str | None = None
    blank: bool = False
    allowed: str = " "


class RecordSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str
    fields: list[FieldSpec]


class FileType(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str
    entry_record: str  # the record kind that carries an entry in a file of this type


class NameRule(BaseModel):
    """How a candidate's name is written and shortened (the steps are said in words; names.py
    follows them in that order)."""

    model_config = ConfigDict(extra="forbid")

    max_length: int = Field(ge=3)
    source: str
    shortening: list[str]


class Layout(BaseModel):
    model_config = ConfigDict(extra="forbid")

    layout_version: int
    source: str
    record_width: int
    file_types: dict[str, FileType]
    candidate_name: NameRule
    records: dict[str, RecordSpec]


Record = dict[str, str]


@cache
def load_layout() -> Layout:
    text = resources.files("ctforms.data").joinpath(LAYOUT_FILE).read_text("utf-8")
    layout = Layout.model_validate(yaml.safe_load(text))
    for kind, spec in layout.records.items():
        used = sum(f.width for f in spec.fields)
        if used > layout.record_width:
            raise ValueError(f"layout record {kind} is {used} wide, over {layout.record_width}")
    for kind, file_type in layout.file_types.items():
        if file_type.entry_record not in layout.records:
            raise ValueError(f"layout file type {kind} names no record {file_type.entry_record}")
    name = next(f for f in layout.records["C"].fields if f.name == "name")
    if layout.candidate_name.max_length > name.width:
        raise ValueError(f"candidate_name.max_length is over the C name field's {name.width}")
    return layout


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
    layout = load_layout()
    spec = layout.records[kind]
    line = "".join(_check(f, values.get(f.name, ""), kind) for f in spec.fields)
    return line.ljust(layout.record_width)


def parse_record(line: str, where: str = "") -> tuple[str, Record]:
    layout = load_layout()
    if len(line) != layout.record_width:
        raise InputError(f"{where}record is {len(line)} characters, not {layout.record_width}")
    kind = line[:1]
    spec = layout.records.get(kind)
    if spec is None:
        raise InputError(f"{where}unknown record type {kind!r}")
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


def read_file(data: bytes, name: str) -> list[tuple[str, Record]]:
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as exc:
        raise InputError(f"not an ASCII EDI file (byte {exc.start})", file=name) from None
    if text and not text.endswith(EOL):
        raise InputError("the last line does not end with CRLF", file=name)
    out: list[tuple[str, Record]] = []
    for n, line in enumerate(text.split(EOL)[:-1] if text else [], start=1):
        if "\r" in line or "\n" in line:
            raise InputError("lines must end with CRLF", file=name, row=n)
        try:
            out.append(parse_record(line))
        except InputError as exc:
            raise InputError(exc.detail, file=name, row=n) from None
    return out


def file_name(centre: str, sequence: int, awarding_body: str = "72", data_type: str = "E") -> str:
    """Data type (E entries, A amendments) + centre + awarding body + .X + two-digit sequence
    (DOMAIN.md)."""
    if not 1 <= sequence <= 99:
        raise InputError(f"--sequence must be 1 to 99, not {sequence}")
    return f"{data_type}{centre}{awarding_body}.X{sequence:02d}"


def changes_in(data: bytes, name: str) -> list[SentChange]:
    """The entry changes an entries file carries, after checking its header agrees with its
    name (data type, centre, sequence): what a file recorded as sent put before OCR."""
    try:
        name = parse_entries_file_name(name)
    except ValueError as exc:
        raise InputError(str(exc), file=name) from None
    data_type, centre, sequence = entries_file_parts(name)
    records = read_file(data, name)
    header = next((values for kind, values in records if kind == "H"), None)
    said = (
        None
        if header is None
        else (header.get("file_type"), header.get("centre_number"), header.get("sequence"))
    )
    if said != (data_type, centre, f"{sequence:02d}"):
        raise InputError(
            "its header does not agree with its name (data type, centre number and sequence):"
            " is it the file that was sent, renamed?",
            file=name,
        )
    entry = load_layout().file_types[data_type].entry_record
    return [
        SentChange(
            candidate_number=values["candidate_number"],
            from_code=values["from_code"] or None,
            to_code=values["entry_code"],
        )
        for kind, values in records
        if kind == entry
    ]
