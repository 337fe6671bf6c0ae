"""The submission archive: the files of a run with a hashed manifest, optionally signed, and its
check.

The check is meant for archives from anyone, so it is bounded: members are hashed in a stream
(never read whole into memory), a member stops being read as soon as it is longer than the
manifest says, and archives past the limits below are refused before anything is unpacked."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import stat
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from ctforms import __version__
from ctforms.errors import InputError
from ctforms.files.fast import without_gc
from ctforms.files.output import check_writable, write_bytes
from ctforms.files.reproducible import document_time, fixed_entry
from ctforms.models import Register
from ctforms.produce.signing import (
    DetachedCheck,
    Signer,
    check_detached,
    sign_detached,
    signing_available,
)

MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.p7s"
SCHEME = "CMS (RFC 5652) detached signature, DER, SHA-256, over the exact bytes of manifest.json"

# Limits (docs/signing.md, "The archive"). A run of a 3,000-student centre writes about 20
# files, a few MB in all, so these are far above any real archive and far below what hurts a
# laptop.
MAX_MEMBERS = 1000
MAX_TOTAL_BYTES = 1 << 30  # 1 GiB uncompressed, as declared by the zip and by the manifest
MAX_MANIFEST_BYTES = 4 << 20
MAX_SIGNATURE_BYTES = 1 << 20
CHUNK = 1 << 20


class ManifestFile(BaseModel):
    path: str
    size: int
    sha256: str


class ManifestSignature(BaseModel):
    file: str = SIGNATURE
    scheme: str = SCHEME


class Manifest(BaseModel):
    tool: str = "ctforms"
    tool_version: str
    as_of: dt.date | None
    centre: str | None
    signed_by: str | None
    signature: ManifestSignature | None = None
    files: list[ManifestFile]


def _size(n: int) -> str:
    for unit, shift in (("GiB", 30), ("MB", 20)):
        if n >= 1 << shift:
            return f"{n >> shift} {unit}"
    return f"{n} bytes"


@dataclass
class Archived:
    path: Path
    files: list[str]
    skipped: list[tuple[str, str]]  # (name, why) of what a folder scan left out
    signer: Signer | None


def _scan(folder: Path, exclude: str | None) -> tuple[list[str], list[tuple[str, str]]]:
    """The top-level regular files of folder. Never a link's target, a hidden file, a subfolder
    or a temporary file (a killed run's `.tmp`): a run's files are all top-level."""
    keep: list[str] = []
    skipped: list[tuple[str, str]] = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        raise InputError(f"cannot read the folder ({exc.strerror})", file=folder) from None
    for entry in entries:
        name = entry.name
        if name == exclude:
            continue
        if entry.is_symlink():
            skipped.append((name, "a symbolic link"))
        elif name.startswith("."):
            skipped.append((name, "hidden"))
        elif entry.is_dir(follow_symlinks=False):
            skipped.append((name, "a folder"))
        elif name.endswith(".tmp"):
            skipped.append((name, "a temporary file"))
        elif not entry.is_file(follow_symlinks=False):
            skipped.append((name, "not a regular file"))
        else:
            keep.append(name)
    return keep, skipped


def _read(folder: Path, name: str) -> bytes:
    """A regular file's bytes, refusing a symbolic link even if one is swapped in meanwhile."""
    if not name or name in (".", "..") or "/" in name or "\\" in name:
        raise InputError(f"{name!r} is not a file name in {folder}")
    path = folder / name
    try:
        before = path.lstat()
    except FileNotFoundError:
        raise InputError(f"{name} is not in {folder}") from None
    except OSError as exc:
        raise InputError(f"cannot read it ({exc.strerror})", file=path) from None
    if stat.S_ISLNK(before.st_mode):
        raise InputError(f"{path} is a symbolic link: only files a run wrote are archived")
    if not stat.S_ISREG(before.st_mode):
        raise InputError(f"{path} is not a regular file")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise InputError(f"cannot read it ({exc.strerror})", file=path) from None
    with os.fdopen(fd, "rb") as fh:
        now = os.fstat(fh.fileno())
        if (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
            raise InputError(f"{path} was replaced while being archived; try again")
        return fh.read()


def build_archive(
    folder: Path,
    *,
    files: Sequence[str] | None = None,
    exclude: str | None = None,
    signed_by: str | None = None,
    signer: Signer | None = None,
) -> tuple[bytes, list[str], list[tuple[str, str]]]:
    """The zip's bytes, the names archived and what a folder scan skipped. With `files`,
    exactly those names; without, the folder's top-level regular files."""
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder")
    skipped: list[tuple[str, str]] = []
    if files is None:
        names, skipped = _scan(folder, exclude)
    else:
        names = sorted(set(files))
    for name in names:
        if name in (MANIFEST, SIGNATURE):
            raise InputError(f"{folder / name}: a file named {name} would clash with the manifest")
    if not names:
        raise InputError(f"{folder} has no files to archive")
    if len(names) > MAX_MEMBERS:
        raise InputError(f"{folder} has more than {MAX_MEMBERS} files: too many to archive")
    contents: list[tuple[str, bytes]] = []
    total = 0
    for name in names:
        data = _read(folder, name)
        total += len(data)
        if total > MAX_TOTAL_BYTES:
            raise InputError(
                f"{folder}: its files are too much to archive (over {_size(MAX_TOTAL_BYTES)})"
            )
        contents.append((name, data))
    register = _register_in(contents)
    as_of = register.as_of if register else None
    manifest = Manifest(
        tool_version=__version__,
        as_of=as_of,
        centre=register.centre.number if register else None,
        signed_by=signed_by,
        signature=ManifestSignature() if signer else None,
        files=[
            ManifestFile(path=p, size=len(d), sha256=hashlib.sha256(d).hexdigest())
            for p, d in contents
        ],
    )
    manifest_bytes = manifest.model_dump_json(indent=2).encode() + b"\n"
    entries = [(MANIFEST, manifest_bytes), *contents]
    if signer is not None:
        entries.append((SIGNATURE, sign_detached(manifest_bytes, signer)))
    stamp = document_time(as_of or dt.date(2024, 1, 1))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in sorted(entries):
            zf.writestr(fixed_entry(name, stamp, mode=0o600), data)  # owner-only unpacked
    return buf.getvalue(), names, skipped


def _register_in(files: list[tuple[str, bytes]]) -> Register | None:
    for name, data in files:
        if name.endswith("issues.json"):
            try:
                return Register.model_validate_json(data)
            except ValidationError:
                return None
    return None


@without_gc
def write_archive(
    folder: Path,
    output: Path,
    *,
    files: Sequence[str] | None = None,
    signed_by: str | None = None,
    signer: Signer | None = None,
    force: bool = False,
) -> Archived:
    """Write the archive (owner-only). `files`: exactly these names in folder, each a regular
    file, never a link; without it, the folder's top-level regular files (see _scan)."""
    check_writable(output, force)
    inside = output.parent.resolve() == folder.resolve()
    data, names, skipped = build_archive(
        folder,
        files=files,
        exclude=output.name if inside else None,
        signed_by=signed_by,
        signer=signer,
    )
    write_bytes(output, data, force=force)  # owner-only, as every output
    return Archived(output, names, skipped, signer)


# ---------------------------------------------------------------------------- verify


@dataclass
class Verdict:
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    manifest: Manifest | None = None
    # The manifest's signature as found (None: the archive is not signed).
    signature: DetachedCheck | None = None
    # Set when the signature could not be checked (ctforms[sign] not installed).
    unchecked: str = ""

    @property
    def ok(self) -> bool:
        return not (self.changed or self.added or self.missing)


def _refuse(path: Path, what: str) -> InputError:
    return InputError(
        f"refused: {what}, far more than any archive ctforms makes (a run's archive holds about"
        " 20 files, a few MB); check this is the archive ctforms wrote",
        file=path,
    )


def _read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes | None:
    """At most cap bytes of a member; None if it is damaged or longer."""
    try:
        with zf.open(info) as fh:
            data = fh.read(cap + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, zlib.error):
        return None
    except NotImplementedError:  # an unsupported compression method
        return None
    return data if len(data) <= cap else None


def _matches(zf: zipfile.ZipFile, info: zipfile.ZipInfo, entry: ManifestFile) -> bool:
    """The member hashed in chunks, stopping as soon as it is longer than the manifest says."""
    if info.file_size != entry.size:
        return False  # the zip's own record already disagrees: no need to unpack it
    digest = hashlib.sha256()
    read = 0
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(CHUNK):
                read += len(chunk)
                if read > entry.size:
                    return False
                digest.update(chunk)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, zlib.error):
        return False  # failed its CRC, would not inflate, or is encrypted
    except NotImplementedError:
        return False
    return read == entry.size and digest.hexdigest() == entry.sha256


def verify_archive(path: Path) -> Verdict:
    """Every member against the manifest, and the manifest against its signature if there is
    one. A damaged archive, manifest or signature is a change (exit 1); a file that is not a
    ctforms archive, or one past the limits, is refused (InputError, exit 2)."""
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
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS + 2:
            raise _refuse(path, f"{len(infos)} members, more than {MAX_MEMBERS}")
        if sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
            raise _refuse(path, f"its members unpack to over {_size(MAX_TOTAL_BYTES)}")
        members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if info.filename in members:
                verdict.changed.append(f"{info.filename} (in the zip twice)")
            members[info.filename] = info
        if MANIFEST not in members:
            raise InputError(
                f"no {MANIFEST} in the archive: not made by ctforms archive", file=path
            )
        if members[MANIFEST].file_size > MAX_MANIFEST_BYTES:
            raise _refuse(path, f"a {MANIFEST} over {_size(MAX_MANIFEST_BYTES)}")
        manifest_bytes = _read_capped(zf, members[MANIFEST], MAX_MANIFEST_BYTES)
        try:
            if manifest_bytes is None:
                raise ValueError
            manifest = Manifest.model_validate_json(manifest_bytes)
        except ValueError:  # pydantic's ValidationError is a ValueError
            verdict.changed.append(f"{MANIFEST} (damaged: not a readable manifest)")
            return verdict
        verdict.manifest = manifest
        if len(manifest.files) > MAX_MEMBERS:
            raise _refuse(path, f"a manifest listing more than {MAX_MEMBERS} files")
        if sum(max(f.size, 0) for f in manifest.files) > MAX_TOTAL_BYTES:
            raise _refuse(path, f"a manifest declaring over {_size(MAX_TOTAL_BYTES)}")
        if SIGNATURE in members:
            _check_signature(zf, members[SIGNATURE], manifest_bytes, verdict)
        elif manifest.signature is not None:
            verdict.missing.append(SIGNATURE)  # the manifest says it was signed
        listed = {f.path: f for f in manifest.files}
        for name, info in members.items():
            if name in (MANIFEST, SIGNATURE):
                continue
            entry = listed.get(name)
            if entry is None:
                verdict.added.append(name)
            elif not _matches(zf, info, entry):
                verdict.changed.append(name)
        verdict.missing += sorted(set(listed) - set(members))
    return verdict


def _check_signature(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, manifest_bytes: bytes, verdict: Verdict
) -> None:
    if not signing_available():
        verdict.unchecked = "the signature was not checked: that needs pip install 'ctforms[sign]'"
        return
    signature = _read_capped(zf, info, MAX_SIGNATURE_BYTES)
    if signature is None:
        check = DetachedCheck(problem="the signature file is damaged", damaged=True)
    else:
        check = check_detached(manifest_bytes, signature)
    verdict.signature = check
    if check.damaged:
        verdict.changed.append(f"{SIGNATURE} ({check.problem})")
    elif not check.valid:
        verdict.changed.append(f"{MANIFEST} or its signature ({check.problem})")
