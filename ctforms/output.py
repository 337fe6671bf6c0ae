"""Writing files safely: whole or not at all, and never over an existing file unless asked."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ctforms.errors import InputError


def check_writable(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise InputError(f"{path} already exists; use --force to overwrite it")
    if path.exists() and path.is_dir():
        raise InputError(f"{path} is a folder, not a file")


def write_bytes(path: Path, data: bytes, *, force: bool = False, mode: int = 0o644) -> None:
    """Write via a temporary file in the same folder and rename, so a reader never sees half."""
    path = Path(path)
    check_writable(path, force)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise InputError(
            f"cannot write here ({exc.strerror or type(exc).__name__}); choose another folder",
            file=path,
        ) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if not force and path.exists():
            raise InputError(f"{path} already exists; use --force to overwrite it")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str, *, force: bool = False) -> None:
    write_bytes(path, text.encode("utf-8"), force=force)
