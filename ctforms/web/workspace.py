"""The workspace folder: the centre's saved files and one folder per check, all owner-only.

ctforms-workspace/
    centre.toml, tracker.csv, records.xlsx, rules.xlsx   the files the next check reads
    runs/2024-06-10-1/                                   everything one check made
    .uploads/                                            files being received (temporary)
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ctforms.demo import DEMO_AS_OF, demo_dir
from ctforms.errors import InputError
from ctforms.files.output import make_folder, write_bytes
from ctforms.models import Register
from ctforms.read.centre import load_centre
from ctforms.register import load_register

CENTRE = "centre.toml"
TRACKER = "tracker.csv"
RECORDS = "records.xlsx"
RULES = "rules.xlsx"
INPUTS = (TRACKER, RECORDS, RULES)
RUN_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-(\d{1,4})$")


@dataclass(frozen=True)
class RunFolder:
    id: str
    path: Path

    @property
    def register_file(self) -> Path:
        return self.path / "issues.json"

    def register(self) -> Register:
        return load_register(self.register_file)

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
        mode = self.root.stat().st_mode
        if mode & 0o077:
            warnings.append(
                f"{self.root} can be read by other users of this computer; it will hold"
                " students' personal data: make it private (owner-only)"
            )
        shutil.rmtree(self.root / ".uploads", ignore_errors=True)  # an earlier start's leftovers
        return warnings

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

    def run_folders(self) -> list[RunFolder]:
        """Every finished check, the latest first (by when its register was written)."""
        if not self.runs.is_dir():
            return []
        found = [
            RunFolder(p.name, p)
            for p in self.runs.iterdir()
            if RUN_NAME.match(p.name) and (p / "issues.json").is_file()
        ]
        return sorted(found, key=lambda r: r.register_file.stat().st_mtime_ns, reverse=True)

    def run_folder(self, run_id: str | None) -> RunFolder | None:
        """The run of that id, or the latest one when id is None or empty."""
        folders = self.run_folders()
        if not run_id:
            return folders[0] if folders else None
        return next((r for r in folders if r.id == run_id), None)

    def new_run_path(self, as_of: dt.date) -> Path:
        n = 1
        while (self.runs / f"{as_of.isoformat()}-{n}").exists():
            n += 1
        return self.runs / f"{as_of.isoformat()}-{n}"

    def use_demo(self) -> dt.date:
        """Copy the demo centre's files into the workspace; refused over another centre's."""
        demo = demo_dir()
        if self.centre.is_file() and _number(self.centre) != _number(demo / CENTRE):
            raise InputError(
                "this workspace already holds your centre's profile, which the demo would"
                " replace; to try the demo, start ctforms with another, empty workspace folder"
            )
        for name in (CENTRE, *INPUTS):
            write_bytes(self.root / name, (demo / name).read_bytes(), force=True)
        return DEMO_AS_OF


def _number(centre: Path) -> str | None:
    """The centre number of a profile, None if it cannot be read."""
    try:
        return load_centre(centre).centre.number
    except InputError:
        return None
