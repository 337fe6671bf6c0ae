"""Receiving a form with files: each file streamed to an owner-only file inside the workspace
and refused past its size limit as it arrives, never read whole into memory or spooled to the
system's temporary folder (it holds students' personal data)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from ctforms.files.limits import too_big

FIELD_MAX_BYTES = 10_000  # a typed value (a name, a date, a reason)
MAX_PARTS = 50


class BadForm(Exception):
    """A request that no page of ctforms sends (not a form, too many parts, far too big)."""


@dataclass(frozen=True)
class FileField:
    save_as: str  # the name in the workspace, e.g. tracker.csv
    limit: int  # bytes
    what: str  # in words, for the refusal


@dataclass
class Received:
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)  # form field -> received file
    given_names: dict[str, str] = field(default_factory=dict)  # form field -> the user's name
    refused: dict[str, str] = field(default_factory=dict)  # form field -> why, in words


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    name: str = ""
    file: IO[bytes] | None = None
    spec: FileField | None = None
    size: int = 0
    data: bytearray = field(default_factory=bytearray)
    is_file: bool = False
    over: bool = False


def max_body(files: dict[str, FileField]) -> int:
    return sum(f.limit for f in files.values()) + MAX_PARTS * FIELD_MAX_BYTES


async def receive(request: Request, folder: Path, files: dict[str, FileField]) -> Received:
    """Parse a request's multipart form; each file field in `files` is written to
    folder/save_as."""
    content_type = request.headers.get("content-type", "")
    content_length = request.headers.get("content-length")
    kind, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise BadForm("not a form with files")
    cap = max_body(files)
    if content_length and content_length.isdigit() and int(content_length) > cap:
        raise BadForm("the files together are larger than ctforms reads")
    got = Received()
    parts: list[_Part] = []
    header = [b"", b""]

    def begin() -> None:
        if len(parts) >= MAX_PARTS:
            raise BadForm("too many parts")
        parts.append(_Part())

    def header_field(data: bytes, start: int, end: int) -> None:
        header[0] += data[start:end]

    def header_value(data: bytes, start: int, end: int) -> None:
        header[1] += data[start:end]

    def header_end() -> None:
        parts[-1].headers[header[0].lower()] = header[1]
        header[0] = header[1] = b""

    def headers_done() -> None:
        part = parts[-1]
        _, options = parse_options_header(part.headers.get(b"content-disposition", b""))
        part.name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in options:
            part.is_file = True
            part.spec = files.get(part.name)
            given = options[b"filename"].decode("utf-8", "replace")
            if part.spec is not None and given:
                got.given_names[part.name] = os.path.basename(given.replace("\\", "/"))
                part.file = open(folder / part.spec.save_as, "xb")  # noqa: SIM115
                os.fchmod(part.file.fileno(), 0o600)

    def data(chunk: bytes, start: int, end: int) -> None:
        part = parts[-1]
        part.size += end - start
        if not part.is_file:
            if part.size > FIELD_MAX_BYTES:
                raise BadForm("a typed value is too long")
            part.data += chunk[start:end]
        elif part.file is not None and part.spec is not None:
            if part.size > part.spec.limit:
                part.over = True
                _discard(part, folder)
            else:
                part.file.write(chunk[start:end])

    def end() -> None:
        part = parts[-1]
        if not part.is_file:
            got.fields[part.name] = part.data.decode("utf-8", "replace")
        elif part.spec is not None and part.over:
            got.refused[part.name] = too_big(part.spec.what, part.size, part.spec.limit).detail
        elif part.file is not None and part.spec is not None:
            part.file.close()
            if part.size:
                got.files[part.name] = folder / part.spec.save_as
            else:
                _discard(part, folder)
                given = got.given_names.pop(part.name, None)
                if given:  # a file chosen, but empty (an empty input has no name)
                    got.refused[part.name] = (
                        f"'{given}' is empty (0 bytes), so there is nothing in it to check."
                        " Choose the right file."
                    )

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": begin,
            "on_part_data": data,
            "on_part_end": end,
            "on_header_field": header_field,
            "on_header_value": header_value,
            "on_header_end": header_end,
            "on_headers_finished": headers_done,
        },
    )
    total = 0
    try:
        async for chunk in request.stream():
            total += len(chunk)
            if total > cap:
                raise BadForm("the files together are larger than ctforms reads")
            parser.write(chunk)
        parser.finalize()
    except BadForm:
        raise
    except Exception as exc:  # python-multipart's own errors: a damaged request
        raise BadForm(f"a damaged form ({type(exc).__name__})") from None
    finally:
        for part in parts:
            if part.file is not None and not part.file.closed:
                part.file.close()
    return got


def _discard(part: _Part, folder: Path) -> None:
    if part.file is not None:
        part.file.close()
        part.file = None
    if part.spec is not None:
        (folder / part.spec.save_as).unlink(missing_ok=True)
