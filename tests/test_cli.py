"""Every command through the CLI: help, init, records template, run, schema, xlsx output."""

from __future__ import annotations

import datetime
import json
import re
import subprocess
import sys
from pathlib import Path

import click
import openpyxl
import pytest
from click.testing import CliRunner
from conftest import DEMO, ROOT, invoke

from ctforms.cli import cli
from ctforms.models import MODELS, Register
from ctforms.read.centre import centre_template_for
from ctforms.read.records import SHEETS


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, cmd in group.commands.items():
        path = (*prefix, name)
        found.append(path)
        if isinstance(cmd, click.Group):
            found.extend(_commands(cmd, path))
    return found


@pytest.mark.parametrize("path", _commands(cli), ids=" ".join)
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = invoke(*path, "--help")
    assert result.exit_code == 0
    cmd = cli
    for name in path:
        assert isinstance(cmd, click.Group)
        cmd = cmd.commands[name]  # type: ignore[assignment]
    if isinstance(cmd, click.Group):
        assert cmd.help
    else:
        assert "Example" in result.output, f"{' '.join(path)} --help has no example"


@pytest.mark.slow  # a real ctforms or tool process
def test_python_dash_m_works() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "ctforms", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("ctforms, version")


def _process(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "ctforms", *args], capture_output=True)


@pytest.mark.slow  # a real ctforms or tool process
def test_the_process_exit_code_and_output_survive_the_fast_exit(demo_args: list[str]) -> None:
    """main() ends with os._exit: the codes (1 = blocking issues, 2 = bad input) and every
    byte written to a pipe must still reach the caller."""
    out = _process("check", *demo_args, "--format", "json")
    assert out.returncode == 1
    assert json.loads(out.stdout)["summary"]["blocking_unhandled"] > 0
    assert out.stdout == invoke("check", *demo_args, "--format", "json").stdout_bytes
    bad = _process("check", str(DEMO / "records.xlsx"), *demo_args[1:])
    assert bad.returncode == 2
    assert bad.stderr.decode().count("\n") == 1 and bad.stderr.startswith(b"Error:")
    assert _process("--version").returncode == 0


@pytest.mark.slow  # a real ctforms or tool process
def test_a_closed_pipe_ends_quietly(demo_args: list[str]) -> None:
    """More than a pipe holds (64 KB), to a reader that stops after 10 bytes."""
    reader = subprocess.Popen(["head", "-c", "10"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    out = subprocess.run(
        [sys.executable, "-m", "ctforms", "check", *demo_args, "--format", "json"],
        stdout=reader.stdin,
        stderr=subprocess.PIPE,
    )
    assert reader.stdin is not None
    reader.stdin.close()
    assert reader.wait() == 0
    assert out.returncode in (0, 1) and out.stderr == b""


def test_init_writes_and_refuses_to_overwrite(tmp_path: Path) -> None:
    result = invoke("init", tmp_path / "centre")
    assert result.exit_code == 0, result.output
    toml = (tmp_path / "centre" / "centre.toml").read_text()
    assert 'number = "12345"' in toml and "# " in toml
    # The year depends on today (tested with fixed dates below): only check it is this
    # year's summer or next year's.
    years = re.findall(r"^year = (\d{4})", toml, flags=re.MULTILINE)
    today = datetime.date.today()
    assert len(years) == 1 and int(years[0]) in (today.year, today.year + 1)
    assert (tmp_path / "centre" / "records.xlsx").exists()
    again = invoke("init", tmp_path / "centre")
    assert again.exit_code == 2
    assert "already exists; ctforms overwrites a file only when told to (--force)" in again.stderr


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (datetime.date(2026, 11, 25), 2027),  # after the summer: next year's
        (datetime.date(2027, 3, 1), 2027),
        (datetime.date(2027, 8, 31), 2027),  # results in August: still this summer
        (datetime.date(2027, 9, 1), 2028),
        (datetime.date(2027, 1, 1), 2027),
        (datetime.date(2027, 12, 31), 2028),
    ],
)
def test_init_template_is_for_the_coming_summer(today: datetime.date, year: int) -> None:
    text = (ROOT / "templates" / "centre.toml").read_text("utf-8")
    toml = centre_template_for(text, today)
    assert re.findall(r"^year = (\d{4})", toml, flags=re.MULTILINE) == [str(year)]
    assert f"# final_moderation_deadline = {year}-06-30" in toml
    assert "2024" not in toml


def test_init_centre_toml_is_readable_by_check(tmp_path: Path) -> None:
    invoke("init", tmp_path)
    # The template's centre number differs from the demo tracker's: a clear refusal, not a crash.
    result = invoke(
        "check",
        DEMO / "tracker.csv",
        "--centre",
        tmp_path / "centre.toml",
        "--records",
        tmp_path / "records.xlsx",
    )
    assert result.exit_code == 2
    assert "not this centre's (12345" in result.stderr


def test_records_template_sheets_headers_and_dropdowns(tmp_path: Path) -> None:
    out = tmp_path / "records.xlsx"
    result = invoke("records", "template", "-o", out)
    assert result.exit_code == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "Instructions"
    assert wb["Lists"].sheet_state == "hidden"
    assert wb["Lists"]["A1"].value == "05834"
    for sheet, (_m, _a, columns) in SHEETS.items():
        ws = wb[sheet]
        assert [c.value for c in ws[1]] == [title for title, *_ in columns]
        assert ws.freeze_panes == "A2"
    formulas = {dv.formula1 for dv in wb["Claims"].data_validations.dataValidation}
    assert '"D,M,P,R,U,N"' in formulas
    assert any(f.startswith("Lists!") for f in formulas)
    assert '"Y,N"' in {dv.formula1 for dv in wb["Expected"].data_validations.dataValidation}
    visit = {dv.formula1 for dv in wb["Visits"].data_validations.dataValidation}
    assert '"Scheduled,Completed,Cancelled"' in visit
    # A blank template reads back as empty sheets.
    check = invoke(
        "check",
        DEMO / "tracker.csv",
        "--centre",
        DEMO / "centre.toml",
        "--records",
        out,
        "--as-of",
        "2024-06-10",
    )
    assert check.exit_code in (0, 1)


def test_records_template_is_deterministic(tmp_path: Path) -> None:
    invoke("records", "template", "-o", tmp_path / "a.xlsx")
    invoke("records", "template", "-o", tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_check_xlsx_action_list(demo_args: list[str], tmp_path: Path) -> None:
    out = tmp_path / "actions.xlsx"
    result = invoke("check", *demo_args, "--format", "xlsx", "-o", out)
    assert result.exit_code == 1
    register = Register.model_validate_json(invoke("check", *demo_args, "--format", "json").stdout)
    wb = openpyxl.load_workbook(out)
    ws = wb["Actions"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:R{len(register.issues) + 1}"
    ids = [row[-1] for row in ws.iter_rows(min_row=2, values_only=True)]  # Issue ID is last
    assert sorted(ids) == sorted(i.id for i in register.issues)  # order: test_report_order.py
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    again = tmp_path / "again.xlsx"
    invoke("check", *demo_args, "--format", "xlsx", "-o", again)
    assert out.read_bytes() == again.read_bytes()


def test_check_output_refuses_overwrite(demo_args: list[str], tmp_path: Path) -> None:
    out = tmp_path / "issues.json"
    out.write_text("keep me")
    result = invoke("check", *demo_args, "--format", "json", "-o", out)
    assert result.exit_code == 2
    assert out.read_text() == "keep me"
    forced = invoke("check", *demo_args, "--format", "json", "-o", out, "--force")
    assert forced.exit_code == 1
    assert json.loads(out.read_text())["centre"]["number"] == "64395"


def test_check_needs_centre_and_xlsx_needs_output() -> None:
    result = invoke("check", DEMO / "tracker.csv")
    assert result.exit_code == 2 and "--centre centre.toml is required" in result.stderr
    result = invoke(
        "check", DEMO / "tracker.csv", "--centre", DEMO / "centre.toml", "--format", "xlsx"
    )
    assert result.exit_code == 2 and "needs -o" in result.stderr


def test_bad_as_of_date_is_a_usage_error() -> None:
    result = invoke(
        "check", DEMO / "tracker.csv", "--centre", DEMO / "centre.toml", "--as-of", "10/06/2024"
    )
    assert result.exit_code == 2
    assert "is not a date" in result.output


def test_run_demo_writes_everything(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("run", "--demo", "-o", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "64395-applied-science-department-actions.xlsx",  # one list a subject
        "64395-business-department-actions.xlsx",
        "64395-declaration-evidence-pack.pdf",
        "64395-digital-media-department-actions.xlsx",
        "64395-entries-listing.xlsx",
        "64395-incorrect-unit-grade-claimed.xlsx",
        "64395-information-technology-department-actions.xlsx",
        "64395-missed-from-moderation-claim.xlsx",
        "64395-missing-mid-flight-tag.xlsx",
        "64395-missing-tag-hoc-declaration.docx",
        "64395-submission-archive.zip",
        "E6439572.X01",
        "actions.xlsx",
        "deadlines.ics",
        "issues.json",
        "issues.txt",
    ]
    assert "(1 row)" in result.output and "(1 rows)" not in result.output
    assert "declaration.docx (" not in result.output  # a declaration has no rows
    assert (out / "E6439572.X01").read_bytes() == (ROOT / "tests/golden/E6439572.X01").read_bytes()
    golden = (ROOT / "tests" / "golden" / "demo-register.json").read_text("utf-8")
    register = json.loads((out / "issues.json").read_text("utf-8"))
    # Same answer as `check` on the same files, but the demo files are named by their path.
    assert register["issues"] == json.loads(golden)["issues"]
    assert "65 students checked" in result.output
    verified = invoke("verify", out / "64395-submission-archive.zip")
    assert verified.exit_code == 0 and "OK" in verified.stdout


@pytest.mark.slow  # several whole checks in a row
def test_run_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("x")
    result = invoke("run", "--demo", "-o", tmp_path)
    assert result.exit_code == 2
    assert "not empty; ctforms writes into it only when told to" in result.stderr
    assert result.stderr.endswith("(--force)\n")
    # --force replaces a run's own files only: a file no run made is refused, never lost.
    forced = invoke("run", "--demo", "-o", tmp_path, "--force")
    assert forced.exit_code == 2 and "holds keep.txt, which no run made" in forced.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
    (tmp_path / "keep.txt").unlink()
    assert invoke("run", "--demo", "-o", tmp_path, "--force").exit_code == 0
    # A second forced run keeps an identical entries file rather than writing it again...
    assert invoke("run", "--demo", "-o", tmp_path, "--force").exit_code == 0
    assert not (tmp_path / "E6439572.X02").exists()
    # ...and never replaces one with other entries: that takes the next sequence, and the
    # earlier file, not in the new archive, is moved aside (never deleted: it may be sent).
    (tmp_path / "E6439572.X01").write_bytes(b"sent earlier\r\n")
    result = invoke("run", "--demo", "-o", tmp_path, "--force")
    assert result.exit_code == 0
    assert (tmp_path / "earlier-entries" / "E6439572.X01").read_bytes() == b"sent earlier\r\n"
    assert (tmp_path / "E6439572.X02").exists() and not (tmp_path / "E6439572.X01").exists()
    assert "moved the earlier entries file E6439572.X01 to" in result.stdout


@pytest.mark.slow  # several whole checks in a row
def test_forced_run_does_not_keep_stale_forms(tmp_path: Path) -> None:
    stale = tmp_path / "64395-missed-from-moderation-claim.xlsx"
    assert invoke("run", "--demo", "-o", tmp_path).exit_code == 0
    assert stale.exists()
    stale.write_bytes(b"old")
    assert invoke("run", "--demo", "-o", tmp_path, "--force").exit_code == 0
    assert stale.read_bytes() != b"old"


def test_run_with_own_files(tmp_path: Path, demo_args: list[str]) -> None:
    result = invoke("run", *demo_args, "-o", tmp_path / "o")
    assert result.exit_code == 0
    assert (tmp_path / "o" / "issues.json").exists()


def test_run_without_inputs_is_a_clear_error(tmp_path: Path) -> None:
    result = invoke("run", "-o", tmp_path / "o")
    assert result.exit_code == 2
    assert "give TRACKER.csv" in result.stderr


def test_schema_lists_and_prints_models() -> None:
    listing = invoke("schema")
    assert listing.exit_code == 0
    for name in MODELS:
        assert name in listing.stdout
    schema = json.loads(invoke("schema", "register").stdout)
    assert "issues" in schema["properties"]
    issue = json.loads(invoke("schema", "issue").stdout)
    assert set(issue["required"]) >= {
        "id",
        "kind",
        "severity",
        "candidate_number",
        "qualification_code",
        "unit_number",
    }
    assert invoke("schema", "nope").exit_code == 2


def test_no_traceback_on_unwritable_output(demo_args: list[str], tmp_path: Path) -> None:
    # Under a regular file no user can create anything, root included.
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    result = CliRunner().invoke(
        cli, ["check", *demo_args, "--format", "json", "-o", str(afile / "out.json")]
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:")
    assert afile.read_text() == "not a folder"
