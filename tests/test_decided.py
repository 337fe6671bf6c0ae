"""A confirmed entry change closes the issues it answers; keeping the entry leaves them blocking
with who decided and when (issue 17, item 7). Through `ctforms check` and `ctforms run`, on a
small centre made from two of the demo's students: 0012 (short of GLH; the achieved units meet
the IT Certificate 05838) and 0014 (entered for 05838, expects 05839: a top-up)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
from conftest import DEMO, invoke
from pypdf import PdfReader

from ctforms.register import load_register, note_entries_file

DECIDED_BY = "A. Person"
ON = "12/06/2024"
GLH = "glh-short/0012/05839/-"
MOVE = "move-down-available/0012/05839/-"
TOP_UP = "wrong-size-entry/0014/05839/-"


def _centre(tmp_path: Path, *decisions: tuple[str, str, str]) -> list[str | Path]:
    """The check's arguments for the two students, with these Entry Decisions rows
    (candidate, code to move to, Y or N), all decided by A. Person on 12 June 2024."""
    lines = (DEMO / "tracker.csv").read_text("utf-8").splitlines()
    tracker = tmp_path / "tracker.csv"
    mine = [line for line in lines[1:] if line.split(",")[1] in ("0012", "0014")]
    tracker.write_text("\n".join([lines[0], *mine]) + "\n", encoding="utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Expected"
    ws.append(["Candidate Number", "Qualification Code", "Certificating (Y/N)"])
    ws.append(["0012", "05839", "Y"])
    ws.append(["0014", "05839", "Y"])
    ws = wb.create_sheet("Visits")
    ws.append(
        ["Qualification Code", "Moderator", "Visit Date", "Visit Status", "Claim Submitted On"]
    )
    ws.append(["05839", "R. Moderator", "20/06/2024", "Scheduled", "30/05/2024"])
    ws = wb.create_sheet("Entry Decisions")
    ws.append(
        ["Candidate Number", "Qualification Code", "Make the Change (Y/N)", "Decided By", "Date"]
    )
    for number, code, yes in decisions:
        ws.append([number, code, yes, DECIDED_BY, ON])
    records = tmp_path / "records.xlsx"
    wb.save(records)
    return [
        tracker,
        "--centre",
        DEMO / "centre.toml",
        "--records",
        records,
        "--catalogue",
        DEMO / "rules.xlsx",
        "--as-of",
        "2024-06-12",  # the day of the decisions: a check uses what was known by then
    ]


def _check(tmp_path: Path, *decisions: tuple[str, str, str]) -> tuple[int, dict[str, Any]]:
    out = tmp_path / "issues.json"
    result = invoke("check", *_centre(tmp_path, *decisions), "--format", "json", "-o", out)
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(out.read_text("utf-8"))


def _issues(register: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["id"]: i for i in register["issues"]}


CONFIRMED = (("0012", "05838", "Y"), ("0014", "05839", "Y"))
KEPT = (("0012", "05838", "N"), ("0014", "05839", "N"))


def test_undecided_the_check_fails_on_the_blocking_issues(tmp_path: Path) -> None:
    code, register = _check(tmp_path)
    assert code == 1
    issues = _issues(register)
    assert set(issues) == {GLH, MOVE, TOP_UP}
    assert issues[GLH]["severity"] == issues[TOP_UP]["severity"] == "blocking"
    assert register["summary"]["blocking_unhandled"] == 2


def test_confirmed_changes_close_what_they_answer_and_the_check_passes(tmp_path: Path) -> None:
    code, register = _check(tmp_path, *CONFIRMED)
    assert code == 0  # no blocking issue remains
    assert register["summary"]["blocking_unhandled"] == 0
    # Each still has a change to upload (a warning until it is recorded as sent).
    assert {s["candidate_number"]: s["status"] for s in register["students"]} == {
        "0012": "check",
        "0014": "check",
    }
    issues = _issues(register)
    assert set(issues) == {GLH, MOVE, TOP_UP}  # still there, with their decision
    said = f"move-down to 05838 confirmed by {DECIDED_BY} on {ON}; it goes in the next entries file"
    # The change itself stays open, not blocking, until its file is recorded as sent.
    move = issues[MOVE]
    assert move["severity"] == "warning" and not move["handled"]
    assert move["remedy"] == f"decided: {said}"
    for ident in (GLH,):
        issue = issues[ident]
        assert issue["severity"] == "info" and issue["handled"], ident
        assert issue["remedy"] == f"decided: {said}"
        assert issue["decision"] == {
            "make_change": True,
            "decided_by": DECIDED_BY,
            "date": "2024-06-12",
            "change": "move-down",
            "code": "05838",
            "entries_file": None,
            "row": 2,
        }
        assert issue["handled_by"] == {
            "action_taken": "Move-down to 05838 confirmed in Entry Decisions; it goes in the next"
            " entries file",
            "date": "2024-06-12",
            "ocr_reference": "",
            "by": DECIDED_BY,
            "recorded_in": "Entry Decisions",
        }
    assert issues[GLH]["action"].startswith(
        f"Answered by a decision: move-down to 05838 confirmed by {DECIDED_BY} on {ON} (Entry"
        " Decisions); it goes in the next entries file."
    )
    top_up = issues[TOP_UP]
    assert top_up["severity"] == "warning" and not top_up["handled"]
    assert top_up["remedy"] == (
        f"decided: top-up to 05839 confirmed by {DECIDED_BY} on {ON}; it goes in the next"
        " entries file"
    )


def test_every_face_of_a_run_says_decided(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("run", *_centre(tmp_path, *CONFIRMED), "-o", out)
    assert result.exit_code == 0, result.output
    assert "0 blocking not handled" in result.output
    # The changes still go into the entries file: the decision closes the issue, not the change.
    edi = (out / "E6439572.X01").read_bytes()
    # New entries for the target codes: no change flag, no "from" code.
    assert b"E564395001205838 BENNETT: HARRY" in edi and b"E564395001405839" in edi
    text = (out / "issues.txt").read_text("utf-8")
    assert "BLOCKING, not handled" not in text
    warnings = text.split("Warnings, not handled (2)")[1].split("Decided")[0]
    assert f"[{MOVE}]" in warnings and f"[{TOP_UP}]" in warnings  # the changes, to upload
    decided = text.split("Decided (1): recorded in the Entry Decisions sheet\n")[1]
    assert (
        # A run names the file the change went in.
        f"-> decided: move-down to 05838 confirmed by {DECIDED_BY} on {ON}; in E6439572.X01"
        f"   [{GLH}]"
    ) in decided
    assert "decided; was by 21/06/2024  0012 BENNETT, Harry" in decided
    ws = openpyxl.load_workbook(out / "actions.xlsx")["Actions"]
    header = [c.value for c in ws[1]]
    rows = {
        r[-1]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)
    }
    glh = rows[GLH]
    assert (glh["Severity"], glh["Handled"]) == ("info", "Y")
    assert (
        glh["What was done"] == "Move-down to 05838 confirmed in Entry Decisions; in E6439572.X01"
    )
    about = dict(openpyxl.load_workbook(out / "actions.xlsx")["About"].iter_rows(values_only=True))
    assert about["Blocking, not handled"] == 0
    # The calendar keeps the change still to be made, not what it answered.
    ics = (out / "deadlines.ics").read_bytes().decode("utf-8").replace("\r\n ", "")
    assert f"[{MOVE}]" in ics and f"[{TOP_UP}]" in ics and f"[{GLH}]" not in ics
    pdf = " ".join(
        p.extract_text() or "" for p in PdfReader(out / "64395-declaration-evidence-pack.pdf").pages
    )
    pdf = " ".join(pdf.split())
    assert "Every blocking issue in the register has a recorded action" in pdf
    assert "Move-down to 05838 confirmed in Entry Decisions" in pdf


def test_keeping_the_entry_leaves_them_blocking_with_who_decided_and_when(
    tmp_path: Path,
) -> None:
    code, register = _check(tmp_path, *KEPT)
    assert code == 1
    issues = _issues(register)
    glh = issues[GLH]
    assert glh["severity"] == "blocking" and not glh["handled"]
    reason = f"move-down to 05838 declined by {DECIDED_BY} on {ON}"
    assert glh["decision"]["make_change"] is False
    assert (
        f"Entry Decisions: {reason}, so the student stays entered for this size." in (glh["action"])
    )
    assert "lets them still get a result" not in glh["action"]  # the move-down is not advised
    assert glh["remedy"].endswith(f"({reason})")
    top_up = issues[TOP_UP]
    assert top_up["severity"] == "blocking" and not top_up["handled"]
    assert top_up["remedy"] == (
        "correct the Expected sheet, or record Y in Entry Decisions (top-up to 05839 declined by"
        f" {DECIDED_BY} on {ON})"
    )
    assert issues[MOVE]["handled"]  # the proposal is answered: no
    out = tmp_path / "out"
    result = invoke("run", *_centre(tmp_path, *KEPT), "-o", out)
    assert result.exit_code == 0, result.output
    assert not list(out.glob("E6439572.X*"))  # nothing the centre confirmed to put in it
    assert (
        f"entries: not in the EDI file: candidate 0014: top-up to 05839 declined by {DECIDED_BY}"
        f" on {ON} (Entry Decisions): the entry stays as it is"
    ) in result.output
    text = (out / "issues.txt").read_text("utf-8")
    assert f"({reason})   [{GLH}]" in text.split("BLOCKING, not handled")[1]


def test_the_entries_file_a_change_went_in_is_said(tmp_path: Path) -> None:
    """The entries step names the file on the decision (a field of its own), and every issue
    the decision closes says it."""
    _check(tmp_path, *CONFIRMED)
    register = load_register(tmp_path / "issues.json")
    note_entries_file(register, "0012", "05838", "E6439572.X02")
    by_id = {i.id: i for i in register.issues}
    for ident in (GLH, MOVE):
        issue = by_id[ident]
        assert issue.decision is not None and issue.decision.entries_file == "E6439572.X02"
        assert issue.remedy == (
            f"decided: move-down to 05838 confirmed by {DECIDED_BY} on {ON}; in E6439572.X02"
        )
    glh = by_id[GLH]
    assert glh.handled_by is not None
    assert glh.handled_by.action_taken.endswith("; in E6439572.X02")
    assert "it is in E6439572.X02. Upload that file" in by_id[MOVE].action
    top_up = by_id[TOP_UP]  # another student's change: untouched
    assert top_up.decision is not None and top_up.decision.entries_file is None
