"""Issue 10 (1, 4, 5): every output owner-only whatever the umask; a failed run writes nothing;
an unwritable place or a full disk is one line, never a traceback."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import DEMO, DEMO_ARGS, GOLDEN, SIGN_OFF_ANYWAY, invoke

from ctforms.cli import cli
from ctforms.files import output

REGISTER = GOLDEN / "demo-register.json"


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The most careless umask there is: nothing is taken away from 0666/0777."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def _modes(top: Path) -> dict[str, int]:
    found = {top.name: stat.S_IMODE(top.stat().st_mode)}
    for path in top.rglob("*"):
        found[str(path.relative_to(top))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def _assert_owner_only(top: Path) -> None:
    modes = _modes(top)
    assert len(modes) > 1
    for name, mode in modes.items():
        path = top.parent / name if name == top.name else top / name
        want = 0o700 if path.is_dir() else 0o600
        assert mode == want, f"{name}: {oct(mode)}, want {oct(want)}"


@pytest.mark.slow  # several whole checks in a row
def test_every_output_of_run_is_owner_only(tmp_path: Path, open_umask: None) -> None:
    out = tmp_path / "new" / "deeper" / "results"
    result = invoke("run", *DEMO_ARGS, "-o", out)
    assert result.exit_code == 0, result.output
    assert len(list(out.iterdir())) >= 10
    _assert_owner_only(tmp_path / "new")  # the folders run created on the way, too
    # a re-run into the same folder keeps it so
    assert invoke("run", *DEMO_ARGS, "-o", out, "--force").exit_code == 0
    _assert_owner_only(out)


def test_every_other_command_writes_owner_only(tmp_path: Path, open_umask: None) -> None:
    out = tmp_path / "out"
    commands: list[list[str | Path]] = [
        ["init", out / "init"],
        ["records", "template", "-o", out / "records.xlsx"],
        ["catalogue", "template", DEMO / "tracker.csv", "-o", out / "rules.xlsx"],
        ["catalogue", "export", DEMO / "rules.xlsx", "--format", "yaml", "-o", out / "r.yaml"],
        ["check", *DEMO_ARGS, "-o", out / "issues.json"],
        ["forms", "missing-tag", REGISTER, "-o", out / "forms"],
        ["entries", REGISTER, "-o", out / "entries", "--catalogue", DEMO / "rules.xlsx"],
        ["keys", "new", "-o", out / "keys", "--name", "Riverside Sixth Form College"],
        ["archive", out / "forms", "-o", out / "forms.zip"],
    ]
    for args in commands:
        result = _run(*args)
        assert result.exit_code in ((0, 1) if args[0] == "check" else (0,)), (args, result.output)
    signed = _run(
        "declaration",
        REGISTER,
        *SIGN_OFF_ANYWAY,
        "-o",
        out / "pack.pdf",
    )
    assert signed.exit_code == 0, signed.output
    _assert_owner_only(out)


def _refuse_an_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    """The entries file refuses a change after the forms are made (a name it cannot carry no
    longer stops a run: issue 17, item 11)."""
    from ctforms.errors import InputError
    from ctforms.produce import entries

    def refuse(ch: entries.Change) -> None:
        if ch.candidate_number == "0014":
            raise InputError("candidate 0014: UCI fails its check character")

    monkeypatch.setattr(entries, "_check_identifiers", refuse)


def test_a_run_that_fails_half_way_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry change refused after the forms are made: still no file."""
    _refuse_an_entry(monkeypatch)
    out = tmp_path / "results"
    result = _run("run", *DEMO_ARGS, "-o", out)
    assert result.exit_code == 2
    assert result.output.startswith("Error: candidate 0014: UCI fails its check character")
    assert len(result.output.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.slow  # several whole checks in a row
def test_a_failed_forced_rerun_leaves_the_earlier_run_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "results"
    assert invoke("run", *DEMO_ARGS, "-o", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    _refuse_an_entry(monkeypatch)
    result = _run("run", *DEMO_ARGS, "-o", out, "--force")
    assert result.exit_code == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(output.STAGE_PREFIX)]


def test_a_full_disk_is_one_line_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}
    real = os.fsync

    def fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 6:  # part-way through the run's files
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    result = _run("run", *DEMO_ARGS, "-o", tmp_path / "results")
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Error: ")
    assert "No space left on device" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_an_unexpected_fault_is_one_line_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ctforms.produce.pack

    def broken(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("Flowable too large\nwith cell(0,0)")

    monkeypatch.delenv("CTFORMS_DEBUG", raising=False)
    monkeypatch.setattr(ctforms.produce.pack, "build_pack", broken)
    result = _run("run", *DEMO_ARGS, "-o", tmp_path / "results")
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output.startswith("Error: ctforms failed unexpectedly (RuntimeError")
    assert "no output was written" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "target",
    ["file/under/a/file", "/dev/full", "/dev/null"],
)
def test_an_output_path_that_cannot_be_written_is_one_line(tmp_path: Path, target: str) -> None:
    (tmp_path / "file").write_text("not a folder")
    where = target if target.startswith("/") else str(tmp_path / target)
    for args in (
        ["check", *DEMO_ARGS, "-o", where, "--force"],
        ["run", *DEMO_ARGS, "-o", where, "--force"],
        ["records", "template", "-o", where, "--force"],
    ):
        result = _run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith("Error: ")
        assert len(result.output.strip().splitlines()) == 1, result.output
    assert Path("/dev/full").is_char_device()  # untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_forms_writes_both_files_or_neither(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """missing-tag makes a workbook and a Head of Centre declaration: a failure on the second
    takes the first away again."""
    real = output.write_bytes

    def second_fails(path: Path, data: bytes, **kwargs: bool) -> None:
        if Path(path).suffix == ".docx":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(path, data, **kwargs)

    monkeypatch.setattr(output, "write_bytes", second_fails)
    result = _run("forms", "missing-tag", REGISTER, "-o", tmp_path / "forms")
    assert result.exit_code == 2
    assert list(tmp_path.iterdir()) == []  # not even the folder it made for them


def test_the_pack_survives_text_taller_than_a_page() -> None:
    """Readers limit names, but any text reaching the pack (a note, a title) is cut to fit."""
    from ctforms.models import Register
    from ctforms.produce.pack import build_pack

    register = Register.model_validate_json(REGISTER.read_text("utf-8"))
    issue = next(i for i in register.issues if i.candidate is not None)
    assert issue.candidate is not None
    issue.candidate.surname = "A" * 100_000
    issue.summary = "line\n" * 5_000
    issue.unit_title = "B" * 50_000
    pdf = build_pack(register, prepared_by="Ben Okoro")
    assert pdf.startswith(b"%PDF")


def test_a_run_archives_exactly_the_files_it_wrote(tmp_path: Path) -> None:
    """A forced re-run into a folder holding a link, a hidden file, a subfolder, a stray file
    and a .tmp of a killed run: refused while anything but hidden files is not a run's own
    (nothing lost); then the folder holds exactly the files its archive lists."""
    import shutil
    import zipfile

    out = tmp_path / "results"
    out.mkdir()
    (out / "notes.txt").symlink_to("/etc/passwd")
    (out / ".hidden").write_text("secret")
    (out / "sub").mkdir()
    (out / "sub" / "inner.txt").write_text("x")
    (out / "keep.txt").write_text("the centre's own file")
    (out / ".issues.json.abc.tmp").write_text("half")
    before = sorted(p.name for p in out.iterdir())
    result = invoke("run", *DEMO_ARGS, "-o", out, "--force")
    assert result.exit_code == 2
    assert "holds keep.txt, notes.txt, sub/, which no run made" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == before
    assert (out / "keep.txt").read_text() == "the centre's own file"  # left alone
    (out / "notes.txt").unlink()
    (out / "keep.txt").unlink()
    shutil.rmtree(out / "sub")
    result = invoke("run", *DEMO_ARGS, "-o", out, "--force")
    assert result.exit_code == 0, result.output
    archive = next(out.glob("*-submission-archive.zip"))
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
    shown = {p.name for p in out.iterdir() if not p.name.startswith(".")}
    assert names == shown - {archive.name} | {"manifest.json"}
    assert invoke("verify", archive).exit_code == 0
