"""The workspace folder: the centre's saved files and one folder per check, all owner-only.

ctforms-workspace/
    centre.toml, tracker.csv, records.xlsx, rules.xlsx   the files the next check reads
    runs/2024-06-10-1/                                   everything one check made
    .uploads/                                            files being received (temporary)
    .uploads/kept/                                       files of a refused try, for the next
    demo/                                                the demo centre: a workspace of its own
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ctforms.demo import DEMO_AS_OF, DEMO_TERM_TIME_AS_OF, demo_dir
from ctforms.errors import InputError
from ctforms.files.output import make_folder, write_bytes
from ctforms.models import Register
from ctforms.register import load_register

CENTRE = "centre.toml"
TRACKER = "tracker.csv"
RECORDS = "records.xlsx"
RULES = "rules.xlsx"
INPUTS = (TRACKER, RECORDS, RULES)
DEMO = "demo"
RUN_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-(\d{1,4})$")


# Registers already read, by file and its size and time: a page reads the latest several times.
_READ: dict[tuple[Path, int, int], Register | InputError] = {}


@dataclass(frozen=True)
class RunFolder:
    id: str
    path: Path

    @property
    def register_file(self) -> Path:
        return self.path / "issues.json"

    def _load(self) -> Register | InputError:
        try:
            st = self.register_file.stat()
        except OSError:
            return InputError("the check's list of issues is missing", file=self.register_file)
        key = (self.register_file, st.st_size, st.st_mtime_ns)
        if key not in _READ:
            if len(_READ) > 64:
                _READ.clear()
            try:
                _READ[key] = load_register(self.register_file)
            except InputError as exc:
                _READ[key] = exc
        return _READ[key]

    def readable(self) -> bool:
        return not isinstance(self._load(), InputError)

    def problem(self) -> str:
        """Why this check cannot be shown, in words ('' when it can)."""
        found = self._load()
        if not isinstance(found, InputError):
            return ""
        return (
            f"The check {self.id} cannot be shown: its list of issues (issues.json) cannot be"
            f" read ({found.detail}). It is left out; its files are still in {self.path}."
        )

    def register(self) -> Register:
        found = self._load()
        if isinstance(found, InputError):
            raise found
        return found

    def files(self) -> list[Path]:
        """The run's own regular files (never a hidden file, a link or a folder)."""
        return sorted(
            p
            for p in self.path.iterdir()
            if not p.name.startswith(".") and stat.S_ISREG(p.lstat().st_mode)
        )

    def file(self, name: str) -> Path | None:
        """One of files() by name, or None: a name from a URL never reaches outside the run."""
        return next((p for p in self.files() if p.name == name), None)


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = Path(root).absolute()

    def open(self) -> list[str]:
        """Make the folders (owner-only); warnings about an existing folder others can read."""
        make_folder(self.root)
        make_folder(self.runs)
        warnings = []
        if not self.private():
            warnings.append(
                f"{self.root} can be read by other users of this computer; it will hold"
                " students' personal data: make it private (owner-only)"
            )
        shutil.rmtree(self.root / ".uploads", ignore_errors=True)  # an earlier start's leftovers
        return warnings

    def private(self) -> bool:
        """Whether only its owner can open the folder (others' permission bits all clear)."""
        try:
            return not self.root.stat().st_mode & 0o077
        except OSError:
            return False

    @property
    def runs(self) -> Path:
        return self.root / "runs"

    @property
    def centre(self) -> Path:
        return self.root / CENTRE

    def saved(self, name: str) -> Path | None:
        path = self.root / name
        return path if path.is_file() else None

    def upload_folder(self) -> Path:
        """A new, owner-only folder inside the workspace for the files of one request."""
        base = self.root / ".uploads"
        make_folder(base)
        return Path(tempfile.mkdtemp(dir=base))

    def keep(self, uploaded: dict[str, Path]) -> None:
        """Uploaded files that passed the check replace the saved ones (each a rename)."""
        for name, path in uploaded.items():
            os.replace(path, self.root / name)

    def all_run_folders(self) -> list[RunFolder]:
        """Every finished check, the latest first (by when its register was written), with
        those whose register cannot be read."""
        if not self.runs.is_dir():
            return []
        found = []
        for p in self.runs.iterdir():
            if RUN_NAME.match(p.name) and (p / "issues.json").is_file():
                try:
                    found.append(
                        (p.joinpath("issues.json").stat().st_mtime_ns, RunFolder(p.name, p))
                    )
                except OSError:
                    continue
        return [r for _, r in sorted(found, key=lambda t: t[0], reverse=True)]

    def run_folders(self) -> list[RunFolder]:
        """Every check that can be shown, the latest first."""
        return [r for r in self.all_run_folders() if r.readable()]

    def unreadable_runs(self) -> list[RunFolder]:
        """Checks left out because their register cannot be read (a damaged issues.json)."""
        return [r for r in self.all_run_folders() if not r.readable()]

    def run_folder(self, run_id: str | None) -> RunFolder | None:
        """The run of that id, or the latest one when id is None or empty (only those that can
        be read)."""
        folders = self.run_folders()
        if not run_id:
            return folders[0] if folders else None
        return next((r for r in folders if r.id == run_id), None)

    # ------------------------------------------------------------------ kept from a refused try

    @property
    def kept_folder(self) -> Path:
        return self.root / ".uploads" / "kept"

    def kept(self) -> dict[str, tuple[Path, str]]:
        """Files chosen for a check that was refused for another reason, kept so they need not
        be chosen again: workspace name (tracker.csv) -> (the file, the name the user chose)."""
        folder = self.kept_folder
        try:
            names = json.loads((folder / "names.json").read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(names, dict):
            return {}
        return {
            name: (folder / name, str(given))
            for name, given in names.items()
            if name in INPUTS and (folder / name).is_file()
        }

    def keep_for_later(self, files: dict[str, tuple[Path, str]]) -> None:
        """These files (workspace name -> (received file, the user's name)) replace the kept
        ones; each is moved, never copied (one already kept stays where it is)."""
        if not files:
            self.forget_kept()
            return
        folder = self.kept_folder
        make_folder(folder)
        for name in INPUTS:
            target = folder / name
            if name in files:
                if files[name][0] != target:
                    os.replace(files[name][0], target)
            else:
                target.unlink(missing_ok=True)
        write_bytes(
            folder / "names.json",
            json.dumps({name: given for name, (_, given) in files.items()}).encode(),
            force=True,
        )

    def forget_kept(self) -> None:
        shutil.rmtree(self.kept_folder, ignore_errors=True)

    def new_run_path(self, as_of: dt.date) -> Path:
        n = 1
        while (self.runs / f"{as_of.isoformat()}-{n}").exists():
            n += 1
        return self.runs / f"{as_of.isoformat()}-{n}"

    @property
    def demo(self) -> Workspace:
        """The demo centre's own workspace, inside this one: the demo never touches the centre's
        files or checks."""
        return Workspace(self.root / DEMO)

    def reset_demo(self, checkpoint: str = "2") -> dt.date:
        """(For the demo workspace) the demo centre's files afresh; its date (for the
        term-time checkpoint, a March date)."""
        self.open()
        demo = demo_dir()
        for name in (CENTRE, *INPUTS):
            write_bytes(self.root / name, (demo / name).read_bytes(), force=True)
        return DEMO_TERM_TIME_AS_OF if checkpoint == "term-time" else DEMO_AS_OF
