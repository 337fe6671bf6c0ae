"""Reading the Progress Tracker download (CSV, one row per candidate per unit).

OCR does not publish the download's columns, so the default layout is ctforms' own
(docs/inputs.md), with aliases and a centre.toml mapping for other headers. Values repeat
across a candidate's rows, so every parser is memoised: a million-row file is read in seconds.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

from ctforms.errors import InputError
from ctforms.files.limits import TRACKER_MAX_BYTES, read_limited
from ctforms.models import Tracker, UnitStatus

# FIELDS and MAX_NAME are imported from here by other modules and the tests.
from ctforms.read.tracker_columns import FIELDS as FIELDS
from ctforms.read.tracker_columns import decode, is_utf16, map_headers, wide_encoding
from ctforms.read.tracker_rows import MAX_NAME as MAX_NAME
from ctforms.read.tracker_rows import Reader, read_rows

Progress = Callable[[float], None]  # told the fraction of the file read, now and then


def read_tracker(
    path: Path,
    *,
    centre_number: str | None = None,
    mapping: dict[str, str] | None = None,
    statuses: dict[str, UnitStatus] | None = None,
    encoding: str | None = None,
    progress: Progress | None = None,
    as_of: dt.date | None = None,
) -> Tracker:
    path = Path(path)
    try:
        data = read_limited(path, TRACKER_MAX_BYTES, "the tracker")
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})", file=path) from None
    return parse_tracker(
        data,
        path.name,
        centre_number=centre_number,
        mapping=mapping or {},
        statuses=statuses or {},
        encoding=encoding,
        progress=progress,
        as_of=as_of,
    )


def parse_tracker(
    data: bytes,
    name: str,
    *,
    centre_number: str | None = None,
    mapping: dict[str, str] | None = None,
    statuses: dict[str, UnitStatus] | None = None,
    encoding: str | None = None,
    progress: Progress | None = None,
    as_of: dt.date | None = None,
) -> Tracker:
    """as_of: the date the checks are judged on, against which a date of birth must be
    plausible."""
    blank = b" \t\r\n\xef\xbb\xbf"
    # The head first: stripping a whole big file only to find it is not empty copies it.
    if not data[:4096].strip(blank) and not data.strip(blank):
        raise InputError(
            "the file is empty; download it again from the Progress Tracker (Results detailed"
            " view, Download (.csv))",
            file=name,
        )
    if data.startswith(b"PK\x03\x04"):
        raise InputError(
            "this is an Excel workbook (.xlsx), not a CSV: use the Progress Tracker's 'Download"
            " (.csv)', or save the sheet as 'CSV UTF-8'",
            file=name,
        )
    if is_utf16(data) and not wide_encoding(encoding):
        raise InputError(
            "this is UTF-16 text (Excel's 'Unicode Text'), not CSV UTF-8: open it in Excel and"
            " use Save As > 'CSV UTF-8 (Comma delimited)', then give that file",
            file=name,
        )
    if b"\x00" in data[:65536] and not wide_encoding(encoding):
        raise InputError(
            "this is not a text file (it holds binary data): give the CSV downloaded from the"
            " Progress Tracker",
            file=name,
        )
    # Decoded whole once, to choose the encoding and refuse a bad byte before any row is read;
    # then read through a decoding stream: a StringIO of the text would hold a copy of it at
    # four bytes a character (70 MB for a 17 MB file), and is slower to read lines from.
    if encoding is None and data.isascii():
        used = "utf-8"  # ASCII is UTF-8, and the usual case: no need to decode it all to know
    else:
        _, used = decode(data, name, encoding)
    warnings: list[str] = []
    if used == "windows-1252" and not encoding:
        warnings.append(f"{name}: not UTF-8, read as Windows-1252")
    codec = encoding or ("utf-8-sig" if used == "utf-8" else "cp1252")
    raw = io.BytesIO(data)
    buffer = io.TextIOWrapper(raw, encoding=codec, newline="")
    reader = csv.reader(buffer)
    try:
        header: list[str] | None = None
        for header in reader:
            if any(cell.strip() for cell in header):
                break
        else:
            header = None
        if header is None:
            raise InputError("the file has no header row", file=name)
        columns = map_headers(header, mapping or {}, name)
        r = Reader(name, columns, centre_number, statuses or {}, header, as_of)
        if progress is not None:
            size = max(len(data), 1)
            r.progress = lambda: progress(raw.tell() / size)
        candidates, rows = read_rows(reader, r, warnings)
        if progress is not None:
            progress(1.0)
    except csv.Error as exc:
        raise InputError(f"not readable as CSV ({exc})", file=name, row=reader.line_num) from None
    if not candidates or r.centre is None:
        raise InputError("the file has a header row but no data rows", file=name)
    return Tracker.model_construct(
        centre_number=r.centre,
        candidates=candidates,
        rows=rows,
        warnings=warnings,
    )
