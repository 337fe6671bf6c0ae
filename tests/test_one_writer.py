"""One writer at a time: two runs into one folder, a run killed dead, the page and the CLI on
one workspace, and a forced re-run beside an earlier entries file. The runs are real processes
(`python -m ctforms`); every wait is on a condition (a lock held, a folder made), never a sleep.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import DEMO, DEMO_ARGS, ROOT, invoke
from webkit import make_site

from ctforms.files.lock import WRITE, Busy, holder, lock_folder, writing
from ctforms.files.output import STAGE_PREFIX

# Real processes paused and killed by signal: POSIX only (Windows has no SIGSTOP nor flock).
pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and flock"),
    pytest.mark.slow,  # real ctforms processes, started and waited on
]

ARCHIVE = "64395-submission-archive.zip"
PATIENCE = 120  # seconds a condition may take on a loaded machine before the test fails


def start(*args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ctforms", *map(str, args)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def ctforms(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ctforms", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
    )


def until(condition: Callable[[], object], what: str, process: subprocess.Popen[str]) -> None:
    """Wait for condition (polled); fail if the process ends first or it never comes."""
    end = time.monotonic() + PATIENCE
    while not condition():
        if process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(f"the run ended before {what}: {out}{err}")
        if time.monotonic() > end:
            process.kill()
            raise AssertionError(f"no {what} within {PATIENCE} s")
        time.sleep(0.01)


def archive_lists(folder: Path) -> set[str]:
    with zipfile.ZipFile(folder / ARCHIVE) as zf:
        return set(zf.namelist()) - {"manifest.json"}


def folder_files(folder: Path) -> set[str]:
    """The folder's own files as an archive counts them: all but hidden ones and folders."""
    return {p.name for p in folder.iterdir() if not p.name.startswith(".") and p.is_file()}


def holds_exactly_its_archive(folder: Path) -> None:
    assert folder_files(folder) == archive_lists(folder) | {ARCHIVE}
    verified = invoke("verify", folder / ARCHIVE)
    assert verified.exit_code == 0, verified.output


# ---------------------------------------------------------------------------- two runs


def test_the_second_of_two_runs_into_one_folder_is_refused_and_the_first_completes(
    tmp_path: Path,
) -> None:
    out = tmp_path / "results"
    first = start("run", *DEMO_ARGS, "-o", out)
    until(lambda: holder(out, WRITE), "hold on the folder", first)
    # The first is paused while it holds the folder, however fast or slow the machine is.
    os.kill(first.pid, signal.SIGSTOP)
    try:
        second = ctforms("run", *DEMO_ARGS, "-o", out)
    finally:
        os.kill(first.pid, signal.SIGCONT)
    out_1, err_1 = first.communicate(timeout=PATIENCE)
    assert second.returncode == 2
    lines = second.stderr.splitlines()
    assert len(lines) == 1 and second.stdout == ""
    assert lines[0] == (
        f"Error: {out} is in use by another ctforms (process {first.pid}, writing a run's"
        f" outputs into {out}); try again when it has finished"
    )
    assert first.returncode == 0, err_1
    # Every file the first said it wrote is there, and nothing else: its archive's files.
    wrote = {
        line.split("wrote ", 1)[1].split(" (")[0] for line in out_1.splitlines() if "wrote" in line
    }
    assert {Path(p).name for p in wrote} == folder_files(out)
    holds_exactly_its_archive(out)
    assert holder(out, WRITE) is None  # let go at the end


def test_two_forced_runs_into_one_folder_started_together_leave_one_whole_run(
    tmp_path: Path,
) -> None:
    """Started as close together as can be: one is refused or runs after the other; either
    way the folder holds exactly one run's files, all listed in its archive."""
    out = tmp_path / "results"
    out.mkdir()
    runs = [start("run", *DEMO_ARGS, "-o", out, "--force") for _ in range(2)]
    errors = [r.communicate(timeout=PATIENCE)[1] for r in runs]
    done = [(r.returncode, err) for r, err in zip(runs, errors, strict=True)]
    codes = sorted(code for code, _ in done)
    assert codes in ([0, 0], [0, 2]), done
    for code, err in done:
        if code == 2:
            assert "is in use by another ctforms (process" in err
    holds_exactly_its_archive(out)


def test_a_run_is_refused_while_another_holds_the_folder_it_is_in(tmp_path: Path) -> None:
    with writing(tmp_path, "a test holding it"):
        refused = ctforms("run", *DEMO_ARGS, "-o", tmp_path / "results")
    assert refused.returncode == 2
    assert refused.stderr == (
        f"Error: {tmp_path / 'results'} is in use by another ctforms (process {os.getpid()},"
        " a test holding it); try again when it has finished\n"
    )
    assert list(tmp_path.iterdir()) == []
    # Let go: the same run goes through.
    assert ctforms("run", *DEMO_ARGS, "-o", tmp_path / "results").returncode == 0


def test_a_folder_is_refused_while_a_run_writes_inside_it(tmp_path: Path) -> None:
    """A run into a folder inside the workspace and the page's check of the workspace (or a
    decision recorded there) exclude each other, both ways."""
    with writing(tmp_path / "runs" / "one", "writing a run's outputs into one"):
        with (
            pytest.raises(Busy, match=r"process \d+, writing a run's outputs into one"),
            writing(tmp_path, "the page"),
        ):
            pass
        with writing(tmp_path / "runs" / "two", "a sibling"):  # a sibling is not held
            pass


def test_a_decision_is_not_recorded_while_the_page_checks_the_workspace(tmp_path: Path) -> None:
    records = tmp_path / "records.xlsx"
    records.write_bytes((DEMO / "records.xlsx").read_bytes())
    before = records.read_bytes()
    with writing(tmp_path, f"making a check from the page in {tmp_path}"):
        refused = ctforms(
            "records", "decide", records, "--candidate", "0012", "--qualification", "05838",
            "--make-change", "--by", "Ben Okoro", "--date", "2024-06-12",
        )  # fmt: skip
    assert refused.returncode == 2
    assert f"(process {os.getpid()}, making a check from the page in {tmp_path})" in refused.stderr
    assert records.read_bytes() == before


def test_the_page_does_not_check_while_a_command_writes_its_workspace(tmp_path: Path) -> None:
    from test_web import demo_files, save_demo_centre

    site = make_site(tmp_path / "ws")
    save_demo_centre(site)
    with writing(site.workspace.runs / "2024-06-10-9", "a ctforms run from the command line"):
        assert site.post("check", {"as_of": "2024-06-10"}, files=demo_files()).status_code == 303
        page = site.wait()
        if page.status_code == 303:
            page = site.get(page.headers["location"].split("/", 2)[-1])
    assert "is in use (process" in page.text
    assert "a ctforms run from the command line" in page.text
    assert site.workspace.run_folders() == []  # no check was made


# ---------------------------------------------------------------------------- killed dead


def test_a_run_killed_dead_is_cleared_by_the_next_and_said(tmp_path: Path) -> None:
    out = tmp_path / "results"
    killed = start("run", *DEMO_ARGS, "-o", out)
    until(lambda: list(tmp_path.glob(f"{STAGE_PREFIX}*/issues.json")), "outputs staged", killed)
    os.kill(killed.pid, signal.SIGKILL)
    killed.communicate(timeout=PATIENCE)
    (stage,) = tmp_path.glob(f"{STAGE_PREFIX}*")  # personal data, left behind
    assert holder(out, WRITE) is None  # the kernel let the lock go with the process
    again = ctforms("run", *DEMO_ARGS, "-o", out)
    assert again.returncode == 0, again.stderr
    assert f"removed {stage}: the unfinished outputs of a run that was stopped" in again.stderr
    assert f"(process {killed.pid}, writing a run's outputs into {out}) no longer" in again.stderr
    assert not stage.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]
    holds_exactly_its_archive(out)
    # The lock files are not left behind either: none names the killed process any more.
    assert not any(str(killed.pid) in p.read_text() for p in lock_folder().glob("*.lock"))


def test_a_run_into_a_folder_that_exists_clears_a_killed_runs_staging_inside_it(
    tmp_path: Path,
) -> None:
    """A staging folder inside the target would make it 'not empty': it is cleared first."""
    out = tmp_path / "results"
    out.mkdir()
    killed = start("run", *DEMO_ARGS, "-o", out)
    until(lambda: list(out.glob(f"{STAGE_PREFIX}*/issues.json")), "outputs staged", killed)
    os.kill(killed.pid, signal.SIGKILL)
    killed.communicate(timeout=PATIENCE)
    again = ctforms("run", *DEMO_ARGS, "-o", out)  # no --force: the folder is empty again
    assert again.returncode == 0, again.stderr
    assert "removed" in again.stderr and not list(out.glob(f"{STAGE_PREFIX}*"))
    holds_exactly_its_archive(out)


def test_a_live_runs_staging_folder_is_never_taken_for_a_leftover(tmp_path: Path) -> None:
    """Two runs into sibling folders stage beside each other: neither removes the other's."""
    busy = start("run", *DEMO_ARGS, "-o", tmp_path / "one")
    until(lambda: list(tmp_path.glob(f"{STAGE_PREFIX}*")), "a staging folder", busy)
    os.kill(busy.pid, signal.SIGSTOP)
    try:
        (stage,) = tmp_path.glob(f"{STAGE_PREFIX}*")
        other = ctforms("run", *DEMO_ARGS, "-o", tmp_path / "two")
        assert other.returncode == 0 and "removed" not in other.stderr
        assert stage.is_dir()
    finally:
        os.kill(busy.pid, signal.SIGCONT)
    assert busy.wait(PATIENCE) == 0
    busy.communicate()
    holds_exactly_its_archive(tmp_path / "one")
    holds_exactly_its_archive(tmp_path / "two")


# ---------------------------------------------------------------------------- earlier entries


def _tracker_without(candidates: set[str], to: Path) -> Path:
    rows = list(csv.reader(io.StringIO((DEMO / "tracker.csv").read_text("utf-8"))))
    kept = [rows[0], *(r for r in rows[1:] if r[1] not in candidates)]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(kept)
    to.write_text(buffer.getvalue(), "utf-8")
    return to


def test_a_forced_run_that_makes_no_entries_file_moves_the_earlier_one_aside(
    tmp_path: Path,
) -> None:
    out = tmp_path / "results"
    assert invoke("run", *DEMO_ARGS, "-o", out).exit_code == 0
    sent = (out / "E6439572.X01").read_bytes()
    # The students whose entries changed have left: this run has no entries file to make.
    tracker = _tracker_without({"0014", "0036", "0063"}, tmp_path / "tracker.csv")
    again = invoke("run", tracker, *DEMO_ARGS[1:], "-o", out, "--force")
    assert again.exit_code == 0, again.output
    assert "no EDI file written" in again.stdout
    assert (
        f"moved the earlier entries file E6439572.X01 to {out / 'earlier-entries'}{os.sep}"
        in again.stdout
    )
    assert (out / "earlier-entries" / "E6439572.X01").read_bytes() == sent
    assert "E6439572.X01" not in archive_lists(out)
    holds_exactly_its_archive(out)
    # The series still sees it: other entries take .X02, never .X01 again...
    tracker = _tracker_without({"0014"}, tmp_path / "tracker.csv")
    third = invoke("run", tracker, *DEMO_ARGS[1:], "-o", out, "--force")
    assert third.exit_code == 0
    assert (out / "E6439572.X02").exists() and not (out / "E6439572.X01").exists()
    assert (out / "earlier-entries" / "E6439572.X01").read_bytes() == sent
    holds_exactly_its_archive(out)
    # ...and the same entries as .X01 are .X01 again: moved back, in the archive.
    (out / "E6439572.X02").unlink()  # as if never made, so .X01 is the last of the series
    fourth = invoke("run", *DEMO_ARGS, "-o", out, "--force")
    assert fourth.exit_code == 0
    assert f"moved the earlier entries file E6439572.X01 to {out}{os.sep} (this run makes it" in (
        fourth.stdout
    )
    assert (out / "E6439572.X01").read_bytes() == sent
    assert not (out / "earlier-entries").exists()
    holds_exactly_its_archive(out)


def test_an_earlier_entries_file_that_would_meet_another_of_its_name_is_refused(
    tmp_path: Path,
) -> None:
    out = tmp_path / "results"
    assert invoke("run", *DEMO_ARGS, "-o", out).exit_code == 0
    (out / "earlier-entries").mkdir()
    (out / "earlier-entries" / "E6439572.X01").write_bytes(b"another file\r\n")
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    tracker = _tracker_without({"0014", "0036", "0063"}, tmp_path / "tracker.csv")
    refused = invoke("run", tracker, *DEMO_ARGS[1:], "-o", out, "--force")
    assert refused.exit_code == 2
    assert "is not the same file as" in refused.stderr and "never replaced" in refused.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


# ---------------------------------------------------------------------------- other writers


@pytest.mark.parametrize(
    ("command", "what"),
    [
        (["entries", ROOT / "tests" / "golden" / "demo-register.json", "-o", "{out}"], "{out}"),
        (["check", *DEMO_ARGS, "-o", "{out}/issues.json"], "{out}/issues.json"),
        (["init", "{out}"], "{out}"),
    ],
    ids=["entries", "check", "init"],
)
def test_a_command_writing_into_a_folder_a_run_holds_is_refused(
    tmp_path: Path, command: list[str | Path], what: str
) -> None:
    out = tmp_path / "results"
    args = [str(a).format(out=out) for a in command]
    with writing(out, f"writing a run's outputs into {out}"):
        refused = ctforms(*args)
    assert refused.returncode == 2
    assert refused.stderr == (
        f"Error: {what.format(out=out)} is in use by another ctforms (process {os.getpid()},"
        f" writing a run's outputs into {out}); try again when it has finished\n"
    )
    assert not out.exists()
    assert ctforms(*args).returncode in (0, 1)  # once let go (check: 1, blocking issues found)


def test_the_page_does_not_save_the_centre_while_a_command_writes_it(tmp_path: Path) -> None:
    site = make_site(tmp_path / "ws")
    values = {
        "number": "64395",
        "name": "Riverside Sixth Form College",
        "head_of_centre": "Dr Margaret O'Neill",
        "officer_name": "Ben Okoro",
        "officer_email": "exams@riverside.example",
        "year": "2024",
        "declaration_closes": "2024-06-21",
    }
    with writing(site.workspace.root, "ctforms init writing the workspace"):
        r = site.post("centre", values)
    assert r.status_code == 400
    assert "is in use (process" in r.text and "ctforms init writing the workspace" in r.text
    assert not site.workspace.centre.exists()
    assert site.post("centre", values).status_code == 303  # once let go
