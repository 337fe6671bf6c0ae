"""The shortcuts taken for speed (issue 11) change nothing a user can see."""

from __future__ import annotations

import gc
import json
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import DEMO, DEMO_AS_OF, ROOT, invoke
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

from ctforms.files.fast import construct, gc_paused, without_gc
from ctforms.files.xlsxio import StyleMemo, safe_cell_text, set_text
from ctforms.models import Candidate, QualificationEntry, Register, Student, StudentStatus
from ctforms.produce.action_list import action_list_bytes
from ctforms.produce.forms.produce import produce_form
from ctforms.read.tracker import read_tracker
from ctforms.register import load_register


def _state(model: object) -> tuple[object, ...]:
    return (
        model.__dict__,
        model.__pydantic_fields_set__,  # type: ignore[attr-defined]
        model.__pydantic_extra__,  # type: ignore[attr-defined]
        model.__pydantic_private__,  # type: ignore[attr-defined]
    )


def test_construct_gives_what_model_construct_gives() -> None:
    values: dict[str, Any] = {
        "candidate_number": "0001",
        "surname": "Adeyemi",
        "forenames": "Tobi",
        "qualification_code": "05839",
        "qualification_title": "IT",
        "registered_code": None,
        "status": StudentStatus.OK,
        "blocking": 0,
        "warnings": 0,
        "estimated_completion": None,
        "planned_completion": None,
        "course_start": None,
        "ecd_to_set": None,
    }
    fast = construct(Student, dict(values))
    assert _state(fast) == _state(Student.model_construct(**values))
    assert fast == Student(**values)
    assert fast.model_dump_json() == Student(**values).model_dump_json()


def test_the_reader_constructs_every_field() -> None:
    """construct() is only right when given every field: a field added to Candidate or
    QualificationEntry must be added where the reader builds them."""
    tracker = read_tracker(DEMO / "tracker.csv", centre_number="64395")
    for candidate in tracker.candidates.values():
        assert list(candidate.__dict__) == list(Candidate.model_fields)
        for entry in candidate.entries.values():
            assert list(entry.__dict__) == list(QualificationEntry.model_fields)
        assert Candidate.model_validate(candidate.model_dump()) == candidate


def test_the_register_constructs_every_student_field(demo_args: list[str]) -> None:
    result = invoke("check", *demo_args, "--format", "json")
    students = json.loads(result.output)["students"]
    # The term-time checkpoint's facts are left out of Checkpoint 2's registers...
    term_time = ["estimated_completion", "planned_completion", "course_start", "ecd_to_set"]
    fields = [f for f in Student.model_fields if f not in term_time]
    assert students and all(list(s) == fields for s in students)
    # ...and are in a term-time register (the plan, course start and date to set where known).
    result = invoke("check", *demo_args, "--format", "json", "--checkpoint", "term-time")
    students = json.loads(result.stdout)["students"]
    assert all(list(s)[: len(fields) + 1] == [*fields, term_time[0]] for s in students)
    assert {k for s in students for k in s} == set(Student.model_fields)


def test_rows_in_any_order_give_the_same_register(tmp_path: Path) -> None:
    """The reader skips the lookups for a row of the same candidate and qualification as the
    row before: rows in another order (candidates interleaved) must give the same verdicts."""
    lines = (DEMO / "tracker.csv").read_text("utf-8").splitlines(keepends=True)
    rows = lines[1:]
    random.Random(11).shuffle(rows)
    shuffled = tmp_path / "tracker.csv"
    shuffled.write_text("".join([lines[0], *rows]), "utf-8")
    args: list[str | Path] = [
        "--centre",
        DEMO / "centre.toml",
        "--records",
        DEMO / "records.xlsx",
        "--catalogue",
        DEMO / "rules.xlsx",
        "--as-of",
        DEMO_AS_OF,
        "--format",
        "json",
    ]

    def verdicts(tracker: Path) -> dict[str, object]:
        register = json.loads(invoke("check", tracker, *args).output)
        for issue in register["issues"]:
            issue["evidence"].pop("source_rows", None)  # the row numbers moved, of course
        return {k: register[k] for k in ("students", "issues", "summary", "checks")}

    assert verdicts(shuffled) == verdicts(DEMO / "tracker.csv")


@pytest.mark.slow  # a real ctforms or tool process
def test_bench_run_prints_its_table(tmp_path: Path) -> None:
    """benchmarks/bench_run.py runs end to end on a tiny centre and prints the ratios."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_run.py"), "20", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    header, row = done.stdout.strip().splitlines()[-2:]
    assert "run/check" in header and "check/DictReader" in header and "run MB" in header
    assert row.split("|")[0].strip() == "20"
    assert (tmp_path / "run-20" / "run-out" / "64395-submission-archive.zip").exists()


@pytest.mark.slow  # a real ctforms or tool process
def test_bench_hostile_prints_its_table() -> None:
    """benchmarks/bench_hostile.py (the timing claims the tests do not make) runs and prints
    a row for each case; whether a target is met is the benchmark's finding, not the test's."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_hostile.py"), "surname", "yaml"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode in (0, 1), done.stderr
    header, *rows = done.stdout.strip().splitlines()
    assert header.split()[:3] == ["case", "seconds", "target"]
    assert [row.split()[0] for row in rows] == ["surname", "yaml"]
    assert all(float(row.split()[1]) > 0 for row in rows)


GOLDEN_REGISTER = Path(__file__).resolve().parent / "golden" / "demo-register.json"


def _plain_style(self: StyleMemo, cell: Cell, case: object, style: Callable[[Cell], None]) -> None:
    style(cell)  # what every cell got before the memo


def _paperwork(tmp_path: Path, register: Register) -> dict[str, bytes]:
    out: dict[str, bytes] = {"actions.xlsx": action_list_bytes(register)}
    for name in ("incorrect-claim", "missing-tag", "missed-claim"):
        folder = tmp_path / name
        folder.mkdir(parents=True)
        for path in produce_form(register, name, folder, force=True).files:
            out[path.name] = path.read_bytes()
    return out


def test_styles_worked_out_once_give_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The action list and forms made with the style memo are the bytes made without it, on a
    register with every issue kind and on one with many students."""
    register = load_register(GOLDEN_REGISTER)
    many = register.model_copy(
        update={
            "issues": [
                issue.model_copy(update={"id": f"{issue.id}/{n}"})
                for n in range(40)
                for issue in register.issues
            ]
        }
    )
    fast = {
        k: _paperwork(tmp_path / f"fast-{k}", r) for k, r in (("demo", register), ("many", many))
    }
    monkeypatch.setattr(StyleMemo, "apply", _plain_style)
    plain = {
        k: _paperwork(tmp_path / f"plain-{k}", r) for k, r in (("demo", register), ("many", many))
    }
    assert fast == plain
    assert len(fast["many"]) >= 3  # the action list and at least two forms were compared


def test_text_goes_in_as_openpyxl_would_store_it() -> None:
    """set_text skips openpyxl's scan for illegal characters: safe_cell_text must remove every
    character that scan refuses, and the cell must hold what the setter would have stored."""
    refused = [chr(c) for c in range(0x110000) if ILLEGAL_CHARACTERS_RE.match(chr(c))]
    assert refused and all(safe_cell_text(f"a{c}b") == "ab" for c in refused)
    ws = Workbook().active
    samples = ["plain", "=SUM(A1)", "#N/A", "-3", "a\tb\nc", "x" * 40_000, "é\x7f\x85ü"]
    for row, text in enumerate(samples, start=1):
        fast = set_text(ws.cell(row=row, column=1), text)
        slow = ws.cell(row=row, column=2)
        slow.value = safe_cell_text(text)
        slow.data_type = "s"
        assert (fast.value, fast.data_type) == (slow.value, slow.data_type)


def test_the_collector_is_paused_inside_and_back_after() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    seen: list[bool] = []
    action_list = without_gc(lambda: seen.append(gc.isenabled()))
    action_list()
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()
