"""Issue 17, items 4-6: "as of" means as of. A check uses only what was known on its date: a
decision or action dated later is left out (and said once, by sheet and rows), a moderation
visit dated later has not happened (no post-moderation form for it), and a claim dated later is
planned, not done. Through the command line, on the demo's files changed one cell at a time;
the page's flow (a decision recorded after a check is used by the next) through its client."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import DEMO, invoke
from webkit import Site, copy_site, make_site

from ctforms.models import Register
from ctforms.produce.decisions import record_action, record_entry_decision
from ctforms.read.records import DATED_SHEETS, SHEETS

AS_OF = "2024-06-10"
LATER = dt.date(2024, 6, 12)
MOVE_DOWN = "move-down-available/0012/05839/-"
CLAIM = "claim-needed/0011/05839/9"
WRONG_CLAIM = "incorrect-claim/0015/05839/12"  # the IT visit (20/06) is after 10/06
HELD_CLAIM = "incorrect-claim/0033/05835/5"  # the Business visit took place on 22/05


def _records(tmp_path: Path) -> Path:
    path = tmp_path / "records.xlsx"
    shutil.copyfile(DEMO / "records.xlsx", path)
    return path


def _args(records: Path) -> list[str | Path]:
    return [
        DEMO / "tracker.csv", "--centre", DEMO / "centre.toml", "--records", records,
        "--catalogue", DEMO / "rules.xlsx",
    ]  # fmt: skip


def _check(records: Path, as_of: str = AS_OF) -> tuple[Register, str]:
    result = invoke("check", *_args(records), "--as-of", as_of, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return Register.model_validate_json(result.stdout), result.stderr


def _decide_and_act(records: Path, day: dt.date) -> None:
    record_entry_decision(
        records,
        candidate_number="0012",
        qualification_code="05838",
        make_change=True,
        decided_by="Ben Okoro",
        date=day,
    )
    record_action(records, issue_id=CLAIM, action_taken="Claim submitted", date=day, by="Ben Okoro")


def _set(records: Path, sheet: str, row: int, column: str, value: Any) -> None:
    wb = openpyxl.load_workbook(records)
    ws = wb[sheet]
    col = next(c.column for c in ws[1] if c.value == column)
    ws.cell(row=row, column=col).value = value
    wb.save(records)


def _without(register: Register, *fields: str) -> dict[str, Any]:
    return register.model_dump(mode="json", exclude={"inputs", *fields})


# ------------------------------------------------------------------ 4: records dated later


@pytest.mark.slow  # several whole checks in a row
def test_a_check_dated_before_a_decision_and_an_action_does_not_use_them(tmp_path: Path) -> None:
    known_then = _check(DEMO / "records.xlsx")[0]
    records = _records(tmp_path)
    _decide_and_act(records, LATER)
    before, err = _check(records)
    # What was known on 10/06: the register of the records without the later rows.
    assert _without(before, "warnings") == _without(known_then, "warnings")
    issues = {i.id: i for i in before.issues}
    assert issues[MOVE_DOWN].decision is None and not issues[CLAIM].handled
    # Said once per sheet, naming the sheet, the row and its date.
    said = [w for w in before.warnings if "after the check's date" in w]
    assert said == [
        "records.xlsx Entry Decisions row 2 is dated 12/06/2024, after the check's date"
        " (10/06/2024): not used by this check (a check dated on or after 12/06/2024 uses it)",
        "records.xlsx Actions row 3 is dated 12/06/2024, after the check's date (10/06/2024):"
        " not used by this check (a check dated on or after 12/06/2024 uses it)",
    ]
    assert all(f"warning: {w}" in err for w in said)
    # On the day of the decision, the check uses both, and says nothing of them.
    on_the_day, _ = _check(records, LATER.isoformat())
    issues = {i.id: i for i in on_the_day.issues}
    decision = issues[MOVE_DOWN].decision
    assert decision is not None and decision.make_change and decision.date == LATER
    assert issues[CLAIM].handled
    assert not [w for w in on_the_day.warnings if "after the check's date" in w]
    # Re-run on the earlier date: what was known then, again.
    again, _ = _check(records)
    assert _without(again) == _without(before)


def test_several_later_rows_of_a_sheet_are_said_in_one_warning(tmp_path: Path) -> None:
    records = _records(tmp_path)
    wb = openpyxl.load_workbook(records)
    ws = wb["Actions"]
    ws.append([CLAIM, "Claim submitted", dt.datetime(2024, 6, 14), "", "Ben Okoro"])
    ws.append([MOVE_DOWN, "Talked to the student", None, "", "Ben Okoro"])  # undated: used
    ws.append([WRONG_CLAIM, "Claim corrected", dt.datetime(2024, 6, 11), "", "Ben Okoro"])
    wb.save(records)
    register, _ = _check(records)
    said = [w for w in register.warnings if "after the check's date" in w]
    assert said == [
        "records.xlsx Actions rows 3 (14/06/2024) and 5 (11/06/2024) are dated after the"
        " check's date (10/06/2024): not used by this check (a check dated on or after a"
        " row's date uses that row)"
    ]
    handled = {i.id for i in register.issues if i.handled}
    assert MOVE_DOWN in handled and CLAIM not in handled and WRONG_CLAIM not in handled


def test_every_dated_sheet_is_a_sheet_the_records_reader_reads() -> None:
    """The rule is one table: each sheet named there is read, with the date field named."""
    for sheet, field in DATED_SHEETS.items():
        assert field in {f for _, f, _, _ in SHEETS[sheet][2]}, sheet


# ------------------------------------------------------------------ 5: visits not yet held


def _form_candidates(folder: Path) -> list[str]:
    wb = openpyxl.load_workbook(folder / "64395-incorrect-unit-grade-claimed.xlsx")
    ws = wb.active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[:2] == ("Centre Number", "Candidate Number"))
    return [str(r[1]) for r in rows[header + 1 :] if r[1]]


def _run(records: Path, out: Path, as_of: str = AS_OF) -> dict[str, Any]:
    result = invoke("run", *_args(records), "--as-of", as_of, "-o", out)
    assert result.exit_code in (0, 1), result.output
    issues = json.loads((out / "issues.json").read_text("utf-8"))["issues"]
    return {i["id"]: i for i in issues}


@pytest.mark.slow  # several whole checks in a row
def test_an_incorrect_claim_before_its_visit_is_corrected_in_interchange(tmp_path: Path) -> None:
    issues = _run(DEMO / "records.xlsx", tmp_path / "before")
    wrong = issues[WRONG_CLAIM]
    assert wrong["action"].startswith(
        "The unit or grade claimed does not match the markbook, and the moderation visit has"
        " not taken place yet. Correct the claim in Interchange"
    )
    assert "Upload" not in wrong["action"]
    assert wrong["remedy"] == "correct the claim in Interchange before the visit"
    # Two weeks before the visit on Thursday 20/06: Thursday 06/06, passed by 10/06.
    assert (wrong["deadline"], wrong["overdue"]) == ("2024-06-06", True)
    assert wrong["evidence"]["visit_taken_place"] is False
    assert wrong["summary"].endswith("; the visit on 20/06/2024 is still ahead")
    # The visit held on 22/05 is the one whose claim goes on the form.
    assert issues[HELD_CLAIM]["action"].startswith("The unit or grade claimed does not match")
    assert "Upload 64395-incorrect-unit-grade-claimed.xlsx" in issues[HELD_CLAIM]["action"]
    assert _form_candidates(tmp_path / "before") == ["0033"]
    # From the day of the visit, it has taken place: the upload form applies.
    issues = _run(DEMO / "records.xlsx", tmp_path / "after", "2024-06-20")
    assert "Upload 64395-incorrect-unit-grade-claimed.xlsx" in issues[WRONG_CLAIM]["action"]
    assert _form_candidates(tmp_path / "after") == ["0033", "0015"]


def test_the_deadline_is_the_last_working_day_two_weeks_before_the_claims_visit(
    tmp_path: Path,
) -> None:
    records = _records(tmp_path)
    # The claim names its visit: Saturday 22/06 (no Visits row on that day). Two weeks
    # before is Saturday 08/06, so the deadline is Friday 07/06.
    _set(records, "Claims", 30, "Visit Date", dt.datetime(2024, 6, 22))
    issues = _run(records, tmp_path / "out")
    wrong = issues[WRONG_CLAIM]
    assert wrong["deadline"] == "2024-06-07"
    assert wrong["evidence"]["visit_date"] == "2024-06-22"
    assert wrong["evidence"]["visit_taken_place"] is False
    assert _form_candidates(tmp_path / "out") == ["0033"]


def test_a_visit_marked_completed_but_dated_after_the_check_is_not_held(tmp_path: Path) -> None:
    records = _records(tmp_path)
    _set(records, "Visits", 2, "Visit Status", "Completed")  # the IT visit on 20/06
    result = invoke("run", *_args(records), "--as-of", AS_OF, "-o", tmp_path / "out")
    assert result.exit_code in (0, 1), result.output
    assert (
        "warning: records.xlsx Visits row 2: marked Completed but dated 20/06/2024, after the"
        " check's date (10/06/2024): treated as not yet held; correct its status or its date,"
        " or check the date the check is judged on"
    ) in result.stderr
    issues = json.loads((tmp_path / "out" / "issues.json").read_text("utf-8"))["issues"]
    kinds = {i["id"].split("/")[0] for i in issues if i["candidate_number"] == "0011"}
    assert kinds == {"claim-needed"}  # not "missed from the claim": the visit is ahead
    assert _form_candidates(tmp_path / "out") == ["0033"]


# ------------------------------------------------------------------ 6: claims not yet made


@pytest.mark.slow  # several whole checks in a row
def test_a_claim_dated_after_the_check_is_said_as_planned(tmp_path: Path) -> None:
    issues = _run(DEMO / "records.xlsx", tmp_path / "before")
    late = issues["claim-too-late/-/05843/-/2024-07-03"]
    assert late["summary"] == (
        "The claim planned for 25/06/2024 would be 8 days before the visit on 03/07/2024:"
        " submit it by 19/06/2024 (claims are due at least 14 days before a visit)"
    )
    assert late["action"].startswith("The claim is planned for less than two weeks")
    assert late["deadline"] == "2024-06-19"
    # Checked after it went in, the claim is one that was submitted.
    issues = _run(DEMO / "records.xlsx", tmp_path / "after", "2024-06-26")
    late = issues["claim-too-late/-/05843/-/2024-07-03"]
    assert late["summary"] == (
        "Claim submitted 8 days before the visit on 03/07/2024 (claims are due at least 14 days"
        " before a visit)"
    )


# ------------------------------------------------------------------ the page keeps its flow


def _check_again(site: Site) -> Register:
    assert site.post("check/again").status_code == 303
    assert site.wait().status_code == 303
    run = site.workspace.run_folder(None)
    assert run is not None
    return run.register()


@pytest.mark.slow  # several whole checks in a row
def test_a_decision_recorded_after_the_pages_check_is_used_by_the_next(
    tmp_path: Path, checked_demo: Path
) -> None:
    site = copy_site(checked_demo, tmp_path / "ws")  # judged on 10/06
    page = site.get("check").text
    assert "on the same date as the last check (Monday 10 June 2024)" in page
    form = {"proposal": "0012/05838", "make_change": "yes", "by": "Ben Okoro"}
    r = site.post("decisions/entry", form | {"date": LATER.isoformat()})
    assert r.status_code == 303
    done = site.client.get(r.headers["location"]).text
    assert "The check is then judged on Wednesday 12 June 2024, the date of what you" in done
    page = site.get("check").text
    assert "on Wednesday 12 June 2024: the date of the latest decision or action" in page
    register = _check_again(site)
    assert register.as_of == LATER
    move = next(i for i in register.issues if i.id == MOVE_DOWN)
    assert move.decision is not None and move.decision.date == LATER
    assert not [w for w in register.warnings if "after the check's date" in w]
    # Checking again once more keeps the date: nothing was recorded after it.
    assert _check_again(site).as_of == LATER


def test_the_page_refuses_a_record_dated_after_today(tmp_path: Path, checked_demo: Path) -> None:
    site = copy_site(checked_demo, tmp_path / "ws")
    before = (site.workspace.root / "records.xlsx").read_bytes()
    form = {"proposal": "0012/05838", "make_change": "yes", "by": "Ben Okoro"}
    r = site.post("decisions/entry", form | {"date": "2100-06-01"})
    assert r.status_code == 400
    assert "Tuesday 1 June 2100 is after today: give the day it was decided." in r.text
    form = {"issue": CLAIM, "action": "Claim submitted", "handled_by": "Ben Okoro"}
    r = site.post("decisions/handled", form | {"handled_on": "2100-06-01"})
    assert r.status_code == 400
    assert "Tuesday 1 June 2100 is after today: give the day it was done." in r.text
    assert (site.workspace.root / "records.xlsx").read_bytes() == before


def _demo_wait(site: Site) -> None:
    end = time.monotonic() + 60
    while time.monotonic() < end:
        r = site.get("demo/check/progress", follow=False)
        if r.status_code != 200 or 'http-equiv="refresh"' not in r.text:
            assert r.status_code == 303, r.text
            return
        time.sleep(0.05)
    raise AssertionError("the demo's check did not finish")


@pytest.mark.slow  # several whole checks in a row
def test_the_demo_records_on_its_own_date_so_its_next_check_uses_it(tmp_path: Path) -> None:
    """The demo centre lives on 10 June 2024: what is recorded there, left at the date the
    page offers, is used by its next check, which stays on that date."""
    site = make_site(tmp_path / "ws")
    assert site.post("check/demo").status_code == 303
    _demo_wait(site)
    page = site.get("demo/decisions").text
    assert "The demo's date (Monday 10 June 2024) unless you change it." in page
    assert 'name="date" value="2024-06-10"' in page
    form = {"proposal": "0012/05838", "make_change": "yes", "by": "Ben Okoro", "date": ""}
    assert site.post("demo/decisions/entry", form).status_code == 303
    assert site.post("demo/check/again").status_code == 303
    _demo_wait(site)
    run = site.workspace.demo.run_folder(None)
    assert run is not None
    register = run.register()
    assert register.as_of == dt.date(2024, 6, 10)
    move = next(i for i in register.issues if i.id == MOVE_DOWN)
    assert move.decision is not None and move.decision.date == dt.date(2024, 6, 10)


def test_a_planned_claim_for_a_visit_marked_completed_too_early_is_not_refused(
    tmp_path: Path,
) -> None:
    """The Digital Media visit (03/07, claim planned for 25/06) marked Completed on 10/06: the
    visit is ahead whatever its status says, so the claim is planned, not a false record."""
    records = _records(tmp_path)
    _set(records, "Visits", 4, "Visit Status", "Completed")
    register, err = _check(records)
    assert "Visits row 4: marked Completed but dated 03/07/2024" in err
    (late,) = [i for i in register.issues if i.kind.value == "claim-too-late"]
    assert late.summary.startswith("The claim planned for 25/06/2024 would be 8 days before")
    # Held on 03/07 and checked on 04/07, a claim dated 25/06 is one that went in.
    register, err = _check(records, "2024-07-04")
    assert "marked Completed" not in err
    (late,) = [i for i in register.issues if i.kind.value == "claim-too-late"]
    assert late.summary.startswith("Claim submitted 8 days before the visit on 03/07/2024")
