"""Issue 10: what a fresh adversarial probe found, each held shut."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import DEMO, DEMO_ARGS, GOLDEN, invoke

from ctforms.cli import cli
from ctforms.files import output

REGISTER = GOLDEN / "demo-register.json"
SIGN = [
    "--signed-by",
    "Ben Okoro",
    "--role",
    "Exams Officer",
    "--allow-outstanding",
    "Visits rebooked for 27 June",
]


def _run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def _one_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


@pytest.fixture(scope="module")
def two_keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("keys")
    for who in ("centre", "impostor"):
        made = _run("keys", "new", "-o", base / who, "--name", "Riverside Sixth Form College")
        assert made.exit_code == 0, made.output
    return base / "centre", base / "impostor"


def test_a_key_that_is_not_the_certificate_s_signs_nothing(
    tmp_path: Path, two_keys: tuple[Path, Path]
) -> None:
    centre, impostor = two_keys
    pdf = tmp_path / "pack.pdf"
    result = _run(
        "declaration",
        REGISTER,
        *SIGN,
        "--sign",
        impostor / "centre-key.pem",
        "--cert",
        centre / "centre-cert.pem",
        "-o",
        pdf,
    )
    assert "this key does not belong to the certificate" in _one_error(result)
    assert not pdf.exists()


@pytest.mark.parametrize("where", ["--sign", "--cert"])
def test_a_device_as_key_or_certificate_is_refused_at_once(
    tmp_path: Path, two_keys: tuple[Path, Path], where: str
) -> None:
    centre, _ = two_keys
    key, cert = centre / "centre-key.pem", centre / "centre-cert.pem"
    args = {"--sign": "/dev/zero", "--cert": str(cert)}
    if where == "--cert":
        args = {"--sign": str(key), "--cert": "/dev/zero"}
    result = _run("declaration", REGISTER, *SIGN, *sum(args.items(), ()), "-o", tmp_path / "p.pdf")
    _one_error(result)
    assert list(tmp_path.iterdir()) == []


def test_verify_refuses_a_device_and_a_pdf_past_the_limit(tmp_path: Path) -> None:
    assert "must be a regular file" in _one_error(_run("verify", "/dev/zero"))
    big = tmp_path / "big.pdf"
    with open(big, "wb") as fh:  # sparse: no disk used
        fh.write(b"%PDF-1.7\n")
        fh.truncate(300_000_000)
    assert "larger than ctforms reads" in _one_error(_run("verify", big))


def test_a_pipe_as_the_tracker_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "tracker.csv"
    os.mkfifo(fifo)
    result = _run("check", fifo, "--centre", DEMO / "centre.toml")
    assert "pipe" in _one_error(result)


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("", "the certificate's name is empty; give the centre's name"),
        ("A" * 65, "must be 1 to 64 characters (a certificate's limit), not 65; shorten it"),
        ("Riverside\x1b[31m", "holds control characters"),
    ],
)
def test_a_certificate_name_a_certificate_cannot_hold_is_refused(
    tmp_path: Path, name: str, said: str
) -> None:
    result = _run("keys", "new", "-o", tmp_path / "keys", "--name", name)
    assert said in _one_error(result) and _one_error(result).endswith("(--name)")
    assert list(tmp_path.iterdir()) == []


def test_control_characters_in_centre_toml_are_refused_with_the_key(tmp_path: Path) -> None:
    text = (DEMO / "centre.toml").read_text("utf-8")
    centre = tmp_path / "centre.toml"
    centre.write_text(text.replace('"Riverside Sixth Form College"', '"Ysgol\\u001b[31m"'))
    result = _run("check", DEMO / "tracker.csv", "--centre", centre)
    assert _one_error(result) == (
        "Error: centre.toml: [centre] name: holds control characters (invisible codes such as"
        " ESC); type the value plainly"
    )


def test_a_yaml_number_thousands_of_digits_long_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text("catalogue_version: " + "9" * 100_000 + "\n")
    assert "thousands of digits" in _one_error(_run("catalogue", "check", bad))


@pytest.mark.slow  # a real ctforms or tool process
@pytest.mark.parametrize("args", [["--help"], ["--version"], ["catalogue", "list"]])
def test_output_into_a_full_device_is_one_line(args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "ctforms", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert done.returncode == 2
    assert done.stderr.startswith("Error: ") and "No space left on device" in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.slow  # a real ctforms or tool process
def test_a_reader_that_stops_early_ends_it_quietly() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "ctforms", "schema", "register"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(10)
    proc.stdout.close()  # as `| head -c 10` does
    err = proc.stderr.read().decode()
    assert proc.wait() in (0, 1)
    assert "Traceback" not in err and "Error" not in err


@pytest.mark.parametrize("command", ["init", "keys"])
def test_a_failed_two_file_command_leaves_no_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    real = output.write_bytes
    calls = {"n": 0}

    def second_fails(path: Path, data: bytes, **kwargs: bool) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(path, data, **kwargs)

    monkeypatch.setattr(output, "write_bytes", second_fails)
    target = tmp_path / "new" / "folder"
    args: list[str | Path] = (
        ["init", target] if command == "init" else ["keys", "new", "-o", target]
    )
    assert "No space left on device" in _one_error(_run(*args))
    assert list(tmp_path.iterdir()) == []


def test_a_terminated_run_removes_its_staging_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`kill` (SIGTERM) during the run: the staging folder goes, the target is not made."""
    import ctforms.produce.pack

    real = ctforms.produce.pack.build_pack

    def killed(*args: object, **kwargs: object) -> bytes:
        os.kill(os.getpid(), signal.SIGTERM)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ctforms.produce.pack, "build_pack", killed)
    result = _run("run", *DEMO_ARGS, "-o", tmp_path / "results")
    assert result.exit_code == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # put back as it was


def test_a_leftover_staging_folder_is_removed_and_said(tmp_path: Path) -> None:
    left = tmp_path / f"{output.STAGE_PREFIX}abc"
    left.mkdir()
    (left / "issues.json").write_text("personal data")
    result = invoke("run", *DEMO_ARGS, "-o", tmp_path / "results")
    assert result.exit_code == 0
    assert f"removed {left}: the unfinished outputs of a run that was stopped" in result.stderr
    assert not left.exists()


def test_a_rules_workbook_conflict_is_said_as_typed(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(DEMO / "rules.xlsx")
    ws = wb["Units"]
    rows = [r for r in range(2, ws.max_row + 1) if ws.cell(r, 2).value == 4]
    first, later = rows[0], rows[1]
    assert ws.cell(first, 5).value == "Moderated"
    ws.cell(later, 5).value = "Examined"
    bad = tmp_path / "rules.xlsx"
    wb.save(bad)
    line = _one_error(_run("catalogue", "check", bad))
    assert "has Assessment 'Examined' here but 'Moderated' on row" in line
    assert "Assessment." not in line


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_register_dated_outside_any_real_series_is_refused(tmp_path: Path, day: str) -> None:
    import json

    data = json.loads(REGISTER.read_text("utf-8"))
    data["as_of"] = day
    bad = tmp_path / "issues.json"
    bad.write_text(json.dumps(data), "utf-8")
    line = _one_error(_run("forms", "missed-claim", bad, "-o", tmp_path / "out"))
    assert "as_of" in line
    assert not (tmp_path / "out").exists()


def test_archive_members_are_regular_owner_only_files(tmp_path: Path) -> None:
    import stat
    import zipfile

    assert invoke("run", *DEMO_ARGS, "-o", tmp_path).exit_code == 0
    with zipfile.ZipFile(next(tmp_path.glob("*.zip"))) as zf:
        for info in zf.infolist():
            mode = info.external_attr >> 16
            assert stat.S_ISREG(mode) and stat.S_IMODE(mode) == 0o600, info.filename


def test_control_characters_inside_a_name_are_refused_with_the_row(tmp_path: Path) -> None:
    text = (DEMO / "tracker.csv").read_text("utf-8")
    bad = tmp_path / "tracker.csv"
    bad.write_text(text.replace(",Müller,Lena,", ",Mü\x07\x1b[31mller,Lena,"), "utf-8")
    line = _one_error(_run("run", bad, *DEMO_ARGS[1:], "-o", tmp_path / "out"))
    assert "column 'Surname': the surname holds control characters" in line
    assert "row " in line and "\x1b" not in line
    assert not (tmp_path / "out").exists()


def test_a_signer_name_with_control_characters_is_refused(tmp_path: Path) -> None:
    result = _run(
        "declaration",
        REGISTER,
        "--signed-by",
        "Ben\x1b[31m Okoro",
        "--role",
        "Exams Officer",
        "--allow-outstanding",
        "x",
        "-o",
        tmp_path / "pack.pdf",
    )
    assert "the person signing off: give a person's name, typed plainly" in _one_error(result)
    assert list(tmp_path.iterdir()) == []
