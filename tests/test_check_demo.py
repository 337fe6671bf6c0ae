"""`ctforms check` on the demo centre gives exactly the golden register."""

from __future__ import annotations

import json
import random
from pathlib import Path

from conftest import DEMO, GOLDEN, invoke

from ctforms.models import IssueKind, Register


def test_demo_register_is_golden(demo_args: list[str]) -> None:
    result = invoke("check", *demo_args, "--format", "json")
    assert result.exit_code == 1  # the demo has blocking issues
    assert result.stdout == (GOLDEN / "demo-register.json").read_text("utf-8")


def test_demo_table_is_golden(demo_args: list[str]) -> None:
    result = invoke("check", *demo_args)
    assert result.exit_code == 1
    assert result.stdout == (GOLDEN / "demo-report.txt").read_text("utf-8")


def test_every_issue_kind_is_raised_by_the_demo() -> None:
    register = Register.model_validate_json((GOLDEN / "demo-register.json").read_text("utf-8"))
    # A change sent to OCR and declined since needs an earlier check and upload: the demo is one
    # check (tests/test_entries_sent.py raises it).
    # The term-time checkpoint's kinds are its own (tests/test_term_time.py: the demo's
    # term-time example raises them).
    term_time = {k for k in IssueKind if k.value.startswith("ecd-")}
    assert {i.kind for i in register.issues} == (
        set(IssueKind) - {IssueKind.SENT_CHANGE_DECLINED} - term_time
    )
    assert register.summary.students_checked >= 60
    assert any(s.status.value == "ok" for s in register.students)


def test_shuffled_tracker_gives_the_same_register(demo_args: list[str], tmp_path: Path) -> None:
    lines = (DEMO / "tracker.csv").read_bytes().splitlines(keepends=True)
    body = lines[1:]
    random.Random(7).shuffle(body)
    assert body != lines[1:]
    shuffled = tmp_path / "tracker.csv"
    shuffled.write_bytes(b"".join([lines[0], *body]))
    args = [str(shuffled), *demo_args[1:]]
    result = invoke("check", *args, "--format", "json")
    golden = json.loads((GOLDEN / "demo-register.json").read_text("utf-8"))
    got = json.loads(result.stdout)
    # Only the tracker's hash and the line numbers quoted as evidence may differ.
    for reg in (golden, got):
        reg["inputs"][0].pop("sha256")
        for issue in reg["issues"]:
            issue["evidence"].pop("source_rows", None)
    assert got == golden


def test_handled_issue_is_marked(demo_args: list[str]) -> None:
    register = Register.model_validate_json(invoke("check", *demo_args, "--format", "json").stdout)
    handled = [i for i in register.issues if i.handled]
    assert [i.id for i in handled] == ["not-certificating/0035/05835/-"]
    assert handled[0].handled_by is not None
    assert handled[0].handled_by.ocr_reference == "VQ-118842"


def test_as_of_changes_time_dependent_decisions(demo_args: list[str]) -> None:
    later = [*demo_args[:-1], "2024-06-25"]
    register = Register.model_validate_json(invoke("check", *later, "--format", "json").stdout)
    kinds = {(i.candidate_number, i.kind.value) for i in register.issues}
    # On 10 June the IT visit (20 June) is ahead: claim-needed; on 25 June it has taken place.
    assert ("0011", "missed-from-claim") in kinds
    assert ("0011", "claim-needed") not in kinds


def test_ids_are_unique_and_stable(demo_args: list[str]) -> None:
    first = invoke("check", *demo_args, "--format", "json").stdout
    second = invoke("check", *demo_args, "--format", "json").stdout
    assert first == second
    ids = [i["id"] for i in json.loads(first)["issues"]]
    assert len(ids) == len(set(ids))
