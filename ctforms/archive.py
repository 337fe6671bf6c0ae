"""The submission archive: every file of a run folder with a hashed manifest, and its check."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from ctforms import __version__
from ctforms.errors import InputError
from ctforms.models import Register
from ctforms.output import check_writable, write_bytes
from ctforms.reproducible import document_time, fixed_entry

MANIFEST = "manifest.json"


class ManifestFile(BaseModel):
    path: str
    size: int
    sha256: str


class Manifest(BaseModel):
    tool: str = "ctforms"
    tool_version: str
    as_of: dt.date | None
    centre: str | None
    signed_by: str | None
    files: list[ManifestFile]


def _collect(folder: Path, exclude: Path | None) -> list[tuple[str, bytes]]:
    files = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or (exclude is not None and path.resolve() == exclude.resolve()):
            continue
        rel = path.relative_to(folder).as_posix()
        if rel == MANIFEST:
            raise InputError(f"{path}: a file named {MANIFEST} would clash with the manifest")
        files.append((rel, path.read_bytes()))
    return files


def build_archive(
    folder: Path, *, exclude: Path | None = None, signed_by: str | None = None
) -> bytes:
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder")
    files = _collect(folder, exclude)
    if not files:
        raise InputError(f"{folder} has no files to archive")
    register = _register_in(files)
    as_of = register.as_of if register else None
    manifest = Manifest(
        tool_version=__version__,
        as_of=as_of,
        centre=register.centre.number if register else None,
        signed_by=signed_by,
        files=[
            ManifestFile(path=p, size=len(d), sha256=hashlib.sha256(d).hexdigest())
            for p, d in files
        ],
    )
    stamp = document_time(as_of or dt.date(2024, 1, 1))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        entries = [(MANIFEST, manifest.model_dump_json(indent=2).encode() + b"\n"), *files]
        for name, data in sorted(entries):
            zf.writestr(fixed_entry(name, stamp, mode=0o600), data)  # owner-only unpacked
    return buf.getvalue()


def _register_in(files: list[tuple[str, bytes]]) -> Register | None:
    for name, data in files:
        if name.endswith("issues.json"):
            try:
                return Register.model_validate_json(data)
            except ValidationError:
                return None
    return None


def write_archive(
    folder: Path, output: Path, *, force: bool = False, signed_by: str | None = None
) -> Path:
    check_writable(output, force)
    data = build_archive(folder, exclude=output, signed_by=signed_by)
    write_bytes(output, data, force=force, mode=0o600)
    os.chmod(output, 0o600)
    return output


@dataclass
class Verdict:
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    manifest: Manifest | None = None

    @property
    def ok(self) -> bool:
        return not (self.changed or self.added or self.missing)


def verify_archive(path: Path) -> Verdict:
    verdict = Verdict()
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        with open(path, "rb") as fh:
            is_zip = fh.read(4) == b"PK\x03\x04"
        if not is_zip:
            raise InputError(
                "not a ctforms archive (.zip) nor a PDF: nothing to verify", file=path
            ) from None
        verdict.changed.append("(the zip structure itself is damaged)")
        return verdict
    except OSError as exc:
        raise InputError(f"cannot read the archive ({exc.strerror})", file=path) from None
    with zf:
        names = [n for n in zf.namelist() if n != MANIFEST]
        try:
            manifest = Manifest.model_validate_json(zf.read(MANIFEST))
        except KeyError:
            raise InputError(
                f"no {MANIFEST} in the archive: not made by ctforms archive", file=path
            ) from None
        except (ValidationError, zipfile.BadZipFile, OSError) as exc:
            raise InputError(f"the manifest is damaged ({type(exc).__name__})", file=path) from None
        verdict.manifest = manifest
        listed = {f.path: f for f in manifest.files}
        for name in names:
            entry = listed.get(name)
            if entry is None:
                verdict.added.append(name)
                continue
            try:
                data = zf.read(name)
            except (zipfile.BadZipFile, OSError, ValueError, zlib.error):
                verdict.changed.append(name)  # failed its CRC or would not inflate
                continue
            if len(data) != entry.size or hashlib.sha256(data).hexdigest() != entry.sha256:
                verdict.changed.append(name)
        verdict.missing = sorted(set(listed) - set(names))
    return verdict
