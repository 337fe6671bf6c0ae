"""The Progress Tracker file's text and header: its encoding, and which column holds each
field (ctforms' default headers, their aliases and a centre.toml mapping)."""

from __future__ import annotations

import codecs

from ctforms.errors import InputError
from ctforms.read.parsing import norm_key

# field -> header aliases (compared with norm_key). The first alias is the default header.
FIELDS: dict[str, tuple[str, ...]] = {
    "centre_number": ("Centre Number", "Centre No", "Centre", "Centre ID"),
    "candidate_number": ("Candidate Number", "Candidate No", "Cand No", "Candidate"),
    "uln": ("ULN", "Unique Learner Number"),
    "uci": ("UCI", "Unique Candidate Identifier"),
    "surname": ("Surname", "Last Name", "Family Name", "Legal Surname"),
    "forenames": ("Forenames", "Forename", "First Name", "First Names", "Given Names"),
    "date_of_birth": ("Date of Birth", "DOB", "Birth Date"),
    "qualification_code": ("Qualification Code", "Entry Code", "Qual Code", "Qualification"),
    "qualification_title": ("Qualification Title", "Qualification Name", "Qual Title"),
    "certification_status": ("Certification Status", "Certification"),
    "estimated_completion": ("Estimated Completion", "Estimated Completion Date"),
    "entry_date": ("Entry Date", "Registration Date", "Qualification Entry Date"),
    "unit_number": ("Unit Number", "Unit No", "Unit"),
    "unit_title": ("Unit Title", "Unit Name"),
    "unit_type": ("Unit Type", "Assessment Type", "Assessment"),
    "unit_status": ("Unit Status", "Status"),
    "unit_grade": ("Unit Grade", "Grade", "Unit Result"),
    "unit_series": ("Unit Series", "Series"),
}
REQUIRED = (
    "centre_number",
    "candidate_number",
    "surname",
    "forenames",
    "qualification_code",
    "certification_status",
    "unit_number",
    "unit_status",
)


def decode(data: bytes, name: str, encoding: str | None) -> tuple[str, str]:
    """Text and the encoding used. Invalid UTF-8 means a Windows-1252 export (Excel's default)."""
    if encoding:
        try:
            text = data.decode(encoding)
            _refuse_utf8_misread(data, name, encoding)
            return text, encoding
        except LookupError:
            raise InputError(
                f"unknown encoding {encoding!r}", file=name, fields=("encoding",)
            ) from None
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise InputError(
                f"byte {data[exc.start]:#04x} is not valid {encoding}; try again without naming"
                " an encoding: ctforms reads UTF-8 and Windows-1252 by itself",
                file=name,
                fields=("encoding",),
                row=line,
            ) from None
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"byte {data[exc.start]:#04x} is neither UTF-8 nor Windows-1252 text; re-export the"
            " file as CSV UTF-8 or name its encoding",
            file=name,
            fields=("encoding",),
            row=line,
        ) from None


def _refuse_utf8_misread(data: bytes, name: str, encoding: str) -> None:
    """UTF-8 text with letters beyond ASCII, read in an 8-bit encoding, turns every such letter
    into two ('Müller' -> 'MÃ¼ller') on every paper; text in an 8-bit encoding is almost never
    also valid UTF-8, so a file that is means the encoding named is wrong."""
    if codecs.lookup(encoding).name.startswith("utf") or data.isascii():
        return
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return
    raise InputError(
        f"the file is UTF-8 text, but {encoding} was named: its names would be misread (e.g."
        " 'Müller' as 'MÃ¼ller'); try again without naming an encoding",
        file=name,
        fields=("encoding",),
    )


def is_utf16(data: bytes) -> bool:
    """A UTF-16 byte order mark, or text whose every other byte is NUL (UTF-16 without one)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    head = data[:4096]
    half = len(head) // 2
    if half < 8:
        return False
    for nuls, text in ((head[1::2], head[0::2]), (head[0::2], head[1::2])):
        if nuls.count(0) > 0.9 * half and text.count(0) < 0.1 * half:
            return True
    return False


def wide_encoding(encoding: str | None) -> bool:
    """The encoding named is utf-16 (or utf-32): NUL bytes are then expected."""
    if not encoding:
        return False
    try:
        return codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))
    except LookupError:
        return False


def _separator_hint(header: list[str]) -> str | None:
    """Why the header has no known column, when the file is not comma-separated."""
    text = ",".join(header)
    for sep, words in ((";", "semicolons (';')"), ("\t", "tabs")):
        if text.count(sep) >= 2 and text.count(sep) >= len(header):
            return (
                f"the file is separated by {words}, not commas (the header row reads as one"
                " column): in Excel use Save As > 'CSV UTF-8 (Comma delimited)', or download the"
                " CSV from the Progress Tracker again"
            )
    return None


def map_headers(
    header: list[str], mapping: dict[str, str], name: str
) -> dict[str, tuple[int, str]]:
    """field -> (column index, header as written). Unknown headers are ignored."""
    aliases: dict[str, str] = {}
    for field, names in FIELDS.items():
        for alias in names:
            aliases.setdefault(norm_key(alias), field)
    for alias, field in mapping.items():
        if field not in FIELDS:
            known = ", ".join(FIELDS)
            raise InputError(
                f"[tracker.columns] maps {alias!r} to {field!r}, which is not a field; use one of"
                f" {known}",
                file="centre.toml",
            )
        aliases[norm_key(alias)] = field
    found: dict[str, tuple[int, str]] = {}
    for index, raw in enumerate(header):
        field_name = aliases.get(norm_key(raw))
        if field_name is None:
            continue
        if field_name in found:
            other = found[field_name][1]
            raise InputError(
                f"columns {other!r} and {raw.strip()!r} both mean {field_name}; remove one or map"
                " them in centre.toml [tracker.columns]",
                file=name,
                row=1,
                column=raw.strip(),
            )
        found[field_name] = (index, raw.strip())
    missing = [f for f in REQUIRED if f not in found]
    if missing and (separator := _separator_hint(header)):
        raise InputError(separator, file=name, row=1)
    if missing:
        wanted = ", ".join(repr(FIELDS[f][0]) for f in missing)
        seen = ", ".join(repr(h.strip()[:40]) for h in header[:30] if h.strip())
        if len(seen) > 300:  # a file with no line breaks: never echo the whole file
            seen = seen[:300] + "..."
        hint = (
            " The header is one cell: is the file separated by ';' or tabs rather than commas,"
            " or is there a title line above the header?"
            if len(header) == 1
            else " Rename the column or map it in centre.toml [tracker.columns]."
        )
        raise InputError(
            f"required column {wanted} not found; the header row has {seen}.{hint}",
            file=name,
            row=1,
            column=FIELDS[missing[0]][0],
        )
    return found
