"""One writer at a time: a folder (or a file) is written by one ctforms at once.

A lock is flock() on a small file. The kernel releases it when its holder ends, however it ends
(`kill -9` too), so a lock is never stale: a run stopped dead leaves nothing to clear by hand.
The lock files live in a folder of ctforms' own in the user's cache folder (~/.cache/ctforms/locks),
never in the officer's folders: they are not outputs, never archived, never
clutter to delete. A lock file names its holder (process id and what it is doing) so that a
refusal can say who holds it; it is emptied and removed when released, so one found holding
a name was left by a holder that was stopped dead.

writing(path) holds path exclusively and every folder above it shared: two writers of one
folder, or of a folder and something inside it (the page's workspace and a run into one of its
check folders), exclude each other; writers of two sibling folders do not.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ctforms.errors import InputError

WRITE = "write"
TRIES = 20  # a lock file replaced under us this many times in a row: call it busy
RETRIES, PAUSE = 5, 0.01  # a held lock is tried again this often, this many seconds apart


class Busy(InputError):
    """Another ctforms holds the lock: said in one line, naming it where it can be known."""


@dataclass(frozen=True)
class Holder:
    """Who holds (or held) a lock: from the lock file."""

    pid: int
    doing: str
    path: str

    def said(self) -> str:
        return f"process {self.pid}, {self.doing}" if self.doing else f"process {self.pid}"


@dataclass
class Held:
    """A lock taken by writing() or claim(). stopped: who held it last and was stopped dead
    before it could let it go (its lock file still named it)."""

    path: Path
    stopped: Holder | None = None
    _handles: list[tuple[IO[bytes], Path, bool]] = field(default_factory=list, repr=False)


# --------------------------------------------------------------------------- where they live


def lock_folder() -> Path:
    """ctforms' own owner-only folder for lock files: the user's cache folder (the same for the
    page and every terminal of this user, whatever their session), else the temporary folder."""
    tried: list[Path] = []
    with contextlib.suppress(RuntimeError):  # no home folder
        if sys.platform == "win32":
            local = os.environ.get("LOCALAPPDATA")
            tried.append(Path(local) if local else Path.home() / "AppData" / "Local")
        elif sys.platform == "darwin":
            tried.append(Path.home() / "Library" / "Caches")
        else:
            tried.append(Path.home() / ".cache")
    tried = [folder / "ctforms" / "locks" for folder in tried]
    uid = os.getuid() if hasattr(os, "getuid") else 0
    tried.append(Path(tempfile.gettempdir()) / f"ctforms-locks-{uid}")
    for folder in tried:
        if _usable(folder):
            return folder
    raise InputError(
        f"cannot make a folder for ctforms' locks (tried {', '.join(map(str, tried))});"
        " make one of them writable"
    )


def _usable(folder: Path) -> bool:
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = folder.stat()
    except (OSError, RuntimeError):  # RuntimeError: Path.home() without a home
        return False
    if not folder.is_dir():
        return False
    if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o022):
        return False  # another user's folder (a planted one in /tmp): never trust its files
    return os.access(folder, os.W_OK | os.X_OK)


def key_of(path: Path) -> Path:
    """The one spelling of path a lock is taken on: absolute, links resolved."""
    return Path(os.path.normcase(os.path.realpath(Path(path).absolute())))


def _lock_file(folder: Path, kind: str, key: Path) -> Path:
    digest = hashlib.sha256(f"{kind}\0{key}".encode("utf-8", "surrogateescape")).hexdigest()
    return folder / f"{kind}-{digest[:32]}.lock"


# --------------------------------------------------------------------------- flock


def _flock(handle: IO[bytes], exclusive: bool) -> bool:
    """Take the lock without waiting; False when another holds it."""
    if sys.platform == "win32":
        import msvcrt

        if not exclusive:
            return True  # Windows has no shared lock: only the folder itself is held there
        handle.seek(1 << 20)  # a byte past the holder's name, which others must read
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(
            handle.fileno(), (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
        )
    except BlockingIOError:
        return False
    except OSError as exc:
        raise InputError(f"cannot take a lock ({exc.strerror})", file=handle.name) from None
    return True


def _open(path: Path, exclusive: bool) -> IO[bytes] | None:
    """The lock file at path, locked; None when another holds it. A lock file removed or
    replaced between the open and the lock (its last holder let it go) is opened again, and a
    lock found held is tried a few times more over a moment: a holder letting it go holds it
    alone for an instant to remove the file."""
    for attempt in range(TRIES):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except OSError as exc:
            raise InputError(f"cannot take a lock ({exc.strerror})", file=path) from None
        handle = os.fdopen(fd, "r+b")
        try:
            if not _flock(handle, exclusive):
                handle.close()
                if attempt >= RETRIES:
                    return None
                time.sleep(PAUSE)
                continue
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(path))
            except FileNotFoundError:
                same = False
        except BaseException:
            handle.close()
            raise
        if same:
            return handle
        handle.close()  # it was let go and removed meanwhile: the file at path is another
    return None


def _release(handle: IO[bytes], path: Path, exclusive: bool) -> None:
    """Empty and remove the lock file when no one else holds it, then let it go."""
    with contextlib.suppress(OSError):
        if exclusive:
            handle.truncate(0)
            handle.flush()
        if sys.platform != "win32":
            import fcntl

            # Shared: the last holder removes it (taking it alone proves no one else holds it).
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            if os.path.samestat(os.fstat(handle.fileno()), os.stat(path)):
                path.unlink()
    handle.close()


def _read_holder(handle: IO[bytes]) -> Holder | None:
    try:
        handle.seek(0)
        data = json.loads(handle.read(4096).decode("utf-8"))
        return Holder(int(data["pid"]), str(data.get("doing", "")), str(data.get("path", "")))
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None


def _write_holder(handle: IO[bytes], key: Path, doing: str) -> Holder | None:
    """Name this process in the lock file; returns who it named before (stopped dead)."""
    before = _read_holder(handle)
    with contextlib.suppress(OSError):
        handle.seek(0)
        handle.truncate(0)
        handle.write(json.dumps({"pid": os.getpid(), "doing": doing, "path": str(key)}).encode())
        handle.flush()
    return before


# --------------------------------------------------------------------------- holding


_mine = threading.local()  # the keys this thread holds for writing


def _covered(key: Path) -> bool:
    held: list[Path] = getattr(_mine, "keys", [])
    return any(key == k or k in key.parents for k in held)


@contextmanager
def writing(path: Path, doing: str) -> Iterator[Held]:
    """Hold path (a folder or a file, there or not yet) for writing for the block. Refused at
    once (Busy) while another ctforms writes it, a folder it is in, or anything inside it.
    Within the block, this thread's writing() of anything inside path holds nothing more."""
    key = key_of(path)
    if _covered(key):
        yield Held(Path(path))
        return
    folder = lock_folder()
    held = Held(Path(path))
    try:
        # From the top down, each folder above shared and the path itself exclusive.
        chain = [(p, False) for p in reversed(key.parents)] + [(key, True)]
        if sys.platform == "win32":
            chain = chain[-1:]
        for part, exclusive in chain:
            lock_path = _lock_file(folder, WRITE, part)
            handle = _open(lock_path, exclusive)
            if handle is None:
                raise Busy(_busy(folder, Path(path), key))
            held._handles.append((handle, lock_path, exclusive))
            if exclusive:
                held.stopped = _write_holder(handle, key, doing)
        keys: list[Path] = getattr(_mine, "keys", [])
        _mine.keys = [*keys, key]
        try:
            yield held
        finally:
            _mine.keys = keys
    finally:
        for handle, lock_path, exclusive in reversed(held._handles):
            _release(handle, lock_path, exclusive)


@contextmanager
def claim(path: Path, kind: str, doing: str) -> Iterator[Held | None]:
    """Hold one lock of its own kind on path (not the folders above it): e.g. one server per
    workspace, or a staging folder in use. Yields None when another holds it."""
    key = key_of(path)
    lock_path = _lock_file(lock_folder(), kind, key)
    handle = _open(lock_path, True)
    if handle is None:
        yield None
        return
    held = Held(Path(path), _write_holder(handle, key, doing), [(handle, lock_path, True)])
    try:
        yield held
    finally:
        _release(handle, lock_path, True)


def holder(path: Path, kind: str) -> Holder | None:
    """Who holds claim(path, kind) now (None: no one, or not known)."""
    return _holding(_lock_file(lock_folder(), kind, key_of(path)))


def _holding(lock_path: Path) -> Holder | None:
    """The name in a lock file that is held now; None when free or nameless."""
    try:
        handle = open(lock_path, "rb")  # noqa: SIM115 (closed below; flock needs the handle)
    except OSError:
        return None
    with handle:
        if os.fstat(handle.fileno()).st_size == 0:
            return None  # let go, or its holder has not written its name yet
        if sys.platform != "win32":
            import fcntl

            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError:
                return _read_holder(handle)
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            return None  # free: a holder stopped dead left its name
        return _read_holder(handle)


def _busy(folder: Path, path: Path, key: Path) -> str:
    """The refusal: who writes path, a folder it is in, or something inside it."""
    found: list[Holder] = []
    with contextlib.suppress(OSError):
        for lock_path in sorted(folder.glob(f"{WRITE}-*.lock")):
            who = _holding(lock_path)
            if who is None:
                continue
            there = Path(who.path)
            if there == key or there in key.parents or key in there.parents:
                found.append(who)
    if not found:
        return (
            f"another ctforms is writing {path} or a folder it is in; try again when it has"
            " finished"
        )
    # The holder of this very path first, then the nearest.
    who = min(found, key=lambda h: (Path(h.path) != key, -len(Path(h.path).parts)))
    by = "" if who.pid == os.getpid() else " by another ctforms"  # the page's own check
    return f"{path} is in use{by} ({who.said()}); try again when it has finished"
