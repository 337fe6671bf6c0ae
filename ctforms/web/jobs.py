"""A check running in the background while its progress page refreshes itself: one at a time.

The pipeline writes every output into a hidden folder and moves it into place only when all
of it is made, so a check that fails leaves no run folder; the files uploaded for it replace
the saved ones only when it succeeds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ctforms import pipeline
from ctforms.errors import InputError
from ctforms.files.lock import writing
from ctforms.models import Checkpoint
from ctforms.web.workspace import CENTRE, INPUTS, RECORDS, RULES, TRACKER, Workspace


@dataclass
class Failure:
    message: str  # the CLI's one-line reason
    field: str | None  # the form field it belongs beside (tracker, records, rules, centre)


@dataclass
class Job:
    as_of: dt.date
    names_in_calendar: bool = False  # students' names in deadlines.ics (the form's box)
    checkpoint: Checkpoint = "2"  # which declaration the check is for (the form's choice)
    steps: list[str] = field(default_factory=lambda: list(pipeline.RUN_STEPS))
    index: int = -1
    fraction: float = 0.0
    done: bool = False
    run_id: str | None = None
    failure: Failure | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # pipeline.Progress
    def step(self, name: str) -> None:
        with self.lock:
            self.index = self.steps.index(name) if name in self.steps else self.index + 1
            self.fraction = 0.0

    def part(self, fraction: float) -> None:
        with self.lock:
            self.fraction = max(0.0, min(1.0, fraction))

    @property
    def percent(self) -> int:
        with self.lock:
            if self.done:
                return 100
            if self.index < 0:
                return 0
            return int(100 * (self.index + self.fraction) / len(self.steps))

    @property
    def step_name(self) -> str:
        with self.lock:
            return self.steps[self.index] if 0 <= self.index < len(self.steps) else "Starting"


class Runner:
    """Starts checks in a thread and remembers the last one."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.job: Job | None = None
        self.thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.stopping = False  # set by the server when it stops a check at once (server.py)

    def busy(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def start(
        self,
        as_of: dt.date,
        uploaded: dict[str, Path],
        upload_folder: Path | None,
        names: dict[str, str] | None = None,
        names_in_calendar: bool = False,
        checkpoint: Checkpoint = "2",
    ) -> Job:
        """Check with the uploaded files (workspace name -> received file) in place of the saved
        ones; names: the names the user chose them by (workspace name -> theirs), for the
        refusals; names_in_calendar: students' names in deadlines.ics. Refused while another
        check runs (the caller shows that one's progress)."""
        with self._lock:
            if self.busy():
                raise RuntimeError("a check is already running")
            job = Job(as_of, names_in_calendar, checkpoint)
            self.job = job
            # Not a daemon: stopping the server waits for a check to finish, so its staging
            # folder (which holds personal data) is always removed.
            self.thread = threading.Thread(
                target=self._work,
                args=(job, uploaded, upload_folder, names or {}),
                name="ctforms-check",
            )
            self.thread.start()
            return job

    def _work(
        self,
        job: Job,
        uploaded: dict[str, Path],
        upload_folder: Path | None,
        names: dict[str, str],
    ) -> None:
        ws = self.workspace
        hold = contextlib.ExitStack()
        try:
            # The workspace is written by one at a time: the page, or a `ctforms` command.
            hold.enter_context(writing(ws.root, f"making a check from the page in {ws.root}"))
            given = {name: uploaded.get(name) or ws.saved(name) for name in INPUTS}
            tracker = given[TRACKER]
            if tracker is None:
                raise InputError("choose the Progress Tracker download (.csv) to check")
            sources = pipeline.Sources(
                tracker,
                ws.centre,
                given[RECORDS],
                tuple(p for p in [given[RULES]] if p is not None),
                checkpoint=job.checkpoint,
            )
            outdir = ws.new_run_path(job.as_of)
            # Each check has a folder of its own, but the entries files of all of them are one
            # series: a new one takes the next sequence, never the name of one already made.
            earlier = [run.path for run in ws.all_run_folders()]
            pipeline.run(
                sources,
                job.as_of,
                outdir,
                progress=job,
                earlier_runs=earlier,
                names_in_calendar=job.names_in_calendar,
            )
            ws.keep(uploaded)
            ws.forget_kept()
            job.run_id = outdir.name
        except InputError as exc:
            job.failure = Failure(_their_words(exc, uploaded, names), _field_of(exc))
            # The other files chosen are kept for the next try, so they need not be chosen again.
            refused = Path(exc.file).name if exc.file else None
            ws.keep_for_later(
                {
                    name: (path, names.get(name, name))
                    for name, path in uploaded.items()
                    if name != refused and path.is_file()
                }
            )
        except Exception as exc:
            if self.stopping:  # not a fault: the exception the server stopped it with, rewrapped
                job.failure = Failure("ctforms was stopped before this check finished.", None)
            else:
                job.failure = Failure(unexpected(exc), None)
        finally:
            hold.close()
            if upload_folder is not None:
                shutil.rmtree(upload_folder, ignore_errors=True)
            with job.lock:
                job.done = True

    def wait(self) -> None:
        if self.thread is not None:
            self.thread.join()


def _their_words(exc: InputError, uploaded: dict[str, Path], names: dict[str, str]) -> str:
    """The reason, naming the file by the name the user chose it by ('ProgressTracker.csv',
    not ctforms' own copy 'tracker.csv'), or as the saved file when it was not chosen now."""
    said = str(exc)
    if exc.file is None:
        return said
    name = Path(exc.file).name
    if name not in INPUTS or not said.startswith(name):
        return said
    if name in uploaded and name in names:
        return f"'{names[name]}'" + said[len(name) :]
    if name not in uploaded:
        return f"The saved {name} (from an earlier check)" + said[len(name) :]
    return said


def _field_of(exc: InputError) -> str | None:
    """Which file (or typed input) an error is about: the form field to show it beside."""
    if exc.file is None:
        return "as_of" if "as_of" in exc.fields else None
    name = Path(exc.file).name
    if name == CENTRE:
        return "centre"
    return name.split(".")[0] if name in INPUTS else None


def unexpected(exc: BaseException) -> str:
    """A fault of ctforms, not of the input: one line in the terminal, words in the page."""
    said = " ".join(str(exc).split())[:200]
    print(
        f"ctforms: unexpected {type(exc).__name__}: {said} (nothing was written;"
        " set CTFORMS_DEBUG=1 to see where)",
        file=sys.stderr,
    )
    if os.environ.get("CTFORMS_DEBUG"):
        import traceback

        traceback.print_exception(exc)
    return (
        "Something went wrong inside ctforms, not in your files; nothing was written. The"
        " window where ctforms runs shows one line to report."
    )
