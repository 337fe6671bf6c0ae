"""Writing files safely: whole or not at all, owner-only, never over an existing file unless asked.

Outputs hold names, dates of birth and ULNs, so every file is 0600 and every folder ctforms
creates is 0700, whatever the umask.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ctforms.errors import InputError
from ctforms.files.lock import claim

FILE_MODE = 0o600
FOLDER_MODE = 0o700
STAGE_PREFIX = ".ctforms-unfinished-"
STAGE = "stage"  # the kind of lock a staging folder in use is held by


def _cannot_write(path: Path, exc: OSError) -> InputError:
    reason = exc.strerror or type(exc).__name__
    return InputError(f"cannot write here ({reason}); choose another folder", file=path)


def check_writable(path: Path, force: bool) -> None:
    if path.is_dir():
        raise InputError(f"{path} is a folder, not a file")
    if path.is_symlink() or (path.exists() and not path.is_file()):
        # /dev/full, a FIFO, a link: replacing it would not write where the user thinks.
        raise InputError(f"{path} is not a regular file; choose another name")
    if path.exists() and not force:
        raise InputError(
            f"{path} already exists; ctforms overwrites a file only when told to",
            fields=("force",),
        )


def make_folder(path: Path) -> list[Path]:
    """Create path and any missing parents, each owner-only; an existing folder is left as is.
    Returns the folders it created, outermost first."""
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise InputError(f"{probe} is a file, not a folder; choose another folder", file=path)
    created: list[Path] = []
    try:
        for folder in reversed(missing):
            folder.mkdir(mode=FOLDER_MODE)
            os.chmod(folder, FOLDER_MODE)  # mkdir's mode is cut by the umask
            created.append(folder)
    except FileExistsError:
        if not path.is_dir():
            raise InputError(f"{path} is not a folder; choose another folder") from None
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    return created


def write_bytes(path: Path, data: bytes, *, force: bool = False) -> None:
    """Write via a temporary file in the same folder and rename, so a reader never sees half."""
    path = Path(path)
    check_writable(path, force)
    make_folder(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), FILE_MODE)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if not force and path.exists():
            raise InputError(
                f"{path} already exists; ctforms overwrites a file only when told to",
                fields=("force",),
            )
        os.replace(tmp, path)
    except OSError as exc:  # a full disk, a quota, a folder removed under us
        Path(tmp).unlink(missing_ok=True)
        raise _cannot_write(path, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_all(files: list[tuple[Path, bytes]], *, force: bool = False) -> None:
    """Several files of one command: all refused before any is written, and those written
    removed again if a later one fails, so the command leaves all of them or none."""
    for path, _ in files:
        check_writable(Path(path), force)
    made: list[Path] = []  # folders and files this call created, to take away on failure
    try:
        for path, data in files:
            made += make_folder(Path(path).parent)
            if not Path(path).exists():
                made.append(Path(path))
            write_bytes(path, data, force=force)
    except BaseException:
        for path in reversed(made):
            with contextlib.suppress(OSError):
                path.rmdir() if path.is_dir() else path.unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str, *, force: bool = False) -> None:
    write_bytes(path, text.encode("utf-8"), force=force)


def _nearest_existing(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


@contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """A hidden, owner-only folder beside target (same disk, so the final move is a rename) in
    which a command builds all its outputs. Removed whatever happens; the caller moves the
    finished files into place with publish(). It is held (a lock) while in use, so that
    leftovers() never takes a live one for one a stopped run left."""
    base = _nearest_existing(target)
    if not base.is_dir():
        raise InputError(f"{base} is a file, not a folder; choose another folder", file=target)
    while True:
        stage = base / f"{STAGE_PREFIX}{secrets.token_hex(6)}"
        with claim(stage, STAGE, f"building outputs for {target}") as held:
            if held is None:
                continue  # that name is in use (all but impossible): draw another
            try:
                stage.mkdir(mode=FOLDER_MODE)
                os.chmod(stage, FOLDER_MODE)  # mkdir's mode is cut by the umask
            except FileExistsError:
                continue
            except OSError as exc:
                raise _cannot_write(target, exc) from None
            with _cleanup_on_terminate():
                try:
                    yield stage
                finally:
                    shutil.rmtree(stage, ignore_errors=True)
            return


def leftovers(target: Path) -> list[Path]:
    """Staging folders beside target that a run stopped dead (kill -9, a power cut) left: those
    no running ctforms holds. They hold personal data."""
    base = _nearest_existing(target)
    if not base.is_dir():
        return []
    found = []
    for stage in sorted(base.glob(f"{STAGE_PREFIX}*")):
        with claim(stage, STAGE, "checking it is not in use") as held:
            if held is not None and stage.is_dir() and not stage.is_symlink():
                found.append(stage)
    return found


def clear_leftovers(target: Path) -> list[Path]:
    """Remove leftovers(target), each while holding it; the ones removed."""
    removed = []
    for stage in leftovers(target):
        with claim(stage, STAGE, "removing a stopped run's staging folder") as held:
            if held is None:
                continue  # taken since: not a leftover after all
            shutil.rmtree(stage, ignore_errors=True)
            if not stage.exists():
                removed.append(stage)
    return removed


@contextmanager
def _cleanup_on_terminate() -> Iterator[None]:
    """SIGTERM (a `kill`, a closing terminal, a timeout) ends the command as Ctrl-C would, so
    the staging folder is removed; SIGKILL cannot be caught."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _same(a: Path, b: Path) -> bool:
    return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()


def publish(stage: Path, target: Path, names: list[str]) -> None:
    """Move the staged files into target: the whole folder in one rename when target is new,
    else file by file (each an atomic replace)."""
    try:
        if not target.exists():
            make_folder(target.parent)
            os.chmod(stage, FOLDER_MODE)
            os.rename(stage, target)
            return
        for name in names:
            source, dest = stage / name, target / name
            if not stat.S_ISREG(source.lstat().st_mode):
                continue
            if dest.is_file() and not dest.is_symlink() and _same(source, dest):
                continue  # e.g. an EDI file kept from an earlier run: never replaced
            os.replace(source, dest)
    except OSError as exc:
        raise _cannot_write(target, exc) from None
