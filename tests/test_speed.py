"""The shortcuts taken for speed (issue 11) change nothing a user can see."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

from conftest import DEMO, DEMO_AS_OF, ROOT, invoke

from ctforms.construct import construct
from ctforms.models import Candidate, QualificationEntry, Student, StudentStatus
from ctforms.tracker import read_tracker


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
    assert students and all(list(s) == list(Student.model_fields) for s in students)


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
