"""A list for every head of department (issue 20 item 8), through the command line: each run
writes one workbook per subject (Checkpoint 2: the subject's open issues and what the
department must do; term-time: its students' ECDs to confirm); `records confirmations` reads a
returned list into records.xlsx and refuses one ctforms did not make for this centre; the
term-time check warns (ecd-not-confirmed) until a teacher has confirmed a student's ECD."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import DEMO, invoke

from ctforms.read.department import subject_file_part
from ctforms.read.records import read_records

SUBJECTS = ["applied-science", "business", "digital-media", "information-technology"]
TERM_AS_OF = "2024-03-15"


def run_demo(out: Path, *extra: str) -> None:
    result = invoke("run", "--demo", "-o", out, *extra)
    assert result.exit_code in (0, 1), result.output


@pytest.fixture(scope="module")
def cp2(tmp_path_factory: pytest.TempPathFactory, demo_run: Path) -> Path:
    out = tmp_path_factory.mktemp("cp2") / "out"
    shutil.copytree(demo_run, out)  # the demo's checkpoint 2 run
    return out


@pytest.fixture(scope="module")
def term(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("term") / "out"
    run_demo(out, "--checkpoint", "term-time", "--as-of", TERM_AS_OF)
    return out


def rows(path: Path, sheet: str, header: int = 3) -> list[dict[str, Any]]:
    ws = openpyxl.load_workbook(path)[sheet]
    values = list(ws.iter_rows(min_row=header, values_only=True))
    titles = values[0]
    return [dict(zip(titles, r, strict=True)) for r in values[1:] if any(r)]


def stamp(path: Path) -> dict[str, Any]:
    wb = openpyxl.load_workbook(path)
    ws = wb["ctforms"]
    assert ws.sheet_state == "hidden"
    return {r[0]: r[1] for r in ws.iter_rows(values_only=True)}


def test_subject_file_names_are_safe() -> None:
    assert subject_file_part("Health & Social Care") == "health-social-care"
    assert subject_file_part("Ingeniería / Engineering (L3)") == "ingenieria-engineering-l3"
    assert subject_file_part("../..") == "subject"


def test_a_checkpoint_2_run_writes_one_list_per_subject_in_its_archive(cp2: Path) -> None:
    names = {p.name for p in cp2.iterdir()}
    lists = sorted(n for n in names if n.endswith("-department-actions.xlsx"))
    assert lists == [f"64395-{s}-department-actions.xlsx" for s in SUBJECTS]
    with zipfile.ZipFile(cp2 / "64395-submission-archive.zip") as z:
        archived = {Path(n).name for n in z.namelist()}
    assert set(lists) <= archived
    register = json.loads((cp2 / "issues.json").read_text())
    it = cp2 / "64395-information-technology-department-actions.xlsx"
    assert stamp(it) == {
        "Made by": "ctforms department list",
        "Centre Number": "64395",
        "Checkpoint": "2",
        "Subject": "Information Technology",
        "Checked as of": "2024-06-10",
    }
    listed = rows(it, "Issues")
    # Exactly the subject's open issues (IT: 05838, 05839), most urgent first, with actions.
    expected = [
        i
        for i in register["issues"]
        if i["qualification_code"] in {"05838", "05839"} and not i["handled"]
    ]
    assert sorted(r["Issue ID"] for r in listed) == sorted(i["id"] for i in expected)
    assert listed[0]["Severity"] == "blocking"
    by_id = {i["id"]: i for i in expected}
    for r in listed:
        assert r["What the department must do"] == by_id[r["Issue ID"]]["action"]
    ws = openpyxl.load_workbook(it)["Issues"]
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows in ("3:3", "$3:$3")  # the header on every page


def test_a_term_time_run_writes_the_students_to_confirm(term: Path) -> None:
    lists = sorted(p.name for p in term.iterdir() if p.name.endswith("-ecd-check.xlsx"))
    assert lists == [f"64395-{s}-ecd-check.xlsx" for s in SUBJECTS]
    assert not any(p.name.endswith("-department-actions.xlsx") for p in term.iterdir())
    register = json.loads((term / "issues.json").read_text())
    it = term / "64395-information-technology-ecd-check.xlsx"
    assert stamp(it)["Checkpoint"] == "term-time"
    listed = rows(it, "Students")
    students = [s for s in register["students"] if s["qualification_code"] in {"05838", "05839"}]
    assert len(listed) == len(students)
    first = listed[0]
    student = next(s for s in students if s["candidate_number"] == first["Candidate Number"])
    assert first["ECD in the Tracker"] == student["estimated_completion"]
    assert first["Planned Completion"] == (student.get("planned_completion") or None)
    assert (first["Confirmed (Y/N)"], first["Confirmed By"], first["Note"]) == (None, None, None)
    ws = openpyxl.load_workbook(it)["Students"]
    (dv,) = ws.data_validations.dataValidation
    assert dv.formula1 == '"Y,N"' and str(dv.sqref).startswith("I4:I")
    # Until a teacher answers, every student's ECD is unconfirmed: one line per qualification.
    waiting = [i for i in register["issues"] if i["kind"] == "ecd-not-confirmed"]
    assert waiting and all(i["candidate_number"] is None for i in waiting)
    assert len({i["qualification_code"] for i in waiting}) == len(waiting)
    assert sum(i["evidence"]["students"] for i in waiting) == len(register["students"])
    it_line = next(i for i in waiting if i["qualification_code"] == "05839")
    assert "64395-information-technology-ecd-check.xlsx" in it_line["action"]
    assert all(i["severity"] == "warning" for i in waiting)


def fill(src: Path, dst: Path, answers: dict[str, tuple[str, str, str]]) -> Path:
    """A teacher's answers: candidate -> (Confirmed, Confirmed By, Note)."""
    wb = openpyxl.load_workbook(src)
    ws = wb["Students"]
    for row in ws.iter_rows(min_row=4):
        got = answers.get(str(row[0].value))
        if got:
            row[8].value, row[9].value, row[10].value = got
    wb.save(dst)
    return dst


def test_records_confirmations_reads_a_returned_list_into_records(
    term: Path, tmp_path: Path
) -> None:
    records = shutil.copy(DEMO / "records.xlsx", tmp_path / "records.xlsx")
    listed = term / "64395-information-technology-ecd-check.xlsx"
    numbers = [r["Candidate Number"] for r in rows(listed, "Students")]
    returned = fill(
        listed,
        tmp_path / "back.xlsx",
        {
            **{n: ("Y", "Amy Teacher", "") for n in numbers},
            numbers[1]: ("n", "Amy Teacher", "Finishes\nSummer 2025"),  # Alt+Enter: one line
        },
    )
    result = invoke(
        "records",
        "confirmations",
        records,
        returned,
        "--centre",
        DEMO / "centre.toml",
        "--date",
        "2024-03-20",
    )
    assert result.exit_code == 0, result.output
    assert f"{len(numbers) - 1} dates confirmed (Y), 1 said to be wrong (N)" in result.output
    got = read_records(Path(records)).ecd_confirmed or []
    assert [(r.candidate_number, r.confirmed) for r in got] == [
        (n, n != numbers[1]) for n in numbers
    ]
    assert got[1].note == "Finishes Summer 2025" and got[1].confirmed_by == "Amy Teacher"
    assert {r.date for r in got} == {dt.date(2024, 3, 20)}

    # Recorded again: the rows are replaced, not repeated.
    again = invoke(
        "records", "confirmations", records, returned, "--centre", DEMO / "centre.toml",
        "--date", "2024-03-21",
    )  # fmt: skip
    assert again.exit_code == 0, again.output
    assert len(read_records(Path(records)).ecd_confirmed or []) == len(numbers)

    # The next term-time check warns only about the IT student answered N, by name; a check
    # dated before the answers does not use them.
    out = tmp_path / "issues.json"
    check: list[str | Path] = [
        "check", DEMO / "tracker.csv", "--centre", DEMO / "centre.toml", "--records", records,
        "--catalogue", DEMO / "rules.xlsx", "--checkpoint", "term-time", "--format", "json",
        "-o", out,
    ]  # fmt: skip
    assert invoke(*check, "--as-of", "2024-03-22").exit_code in (0, 1)  # 1: blocking found
    issues = json.loads(out.read_text())["issues"]
    waiting = [i for i in issues if i["kind"] == "ecd-not-confirmed"]
    assert not any(
        i["qualification_code"] in {"05838", "05839"} and i["candidate_number"] is None
        for i in waiting
    )
    (no,) = [i for i in waiting if i["candidate_number"] is not None]
    assert no["candidate_number"] == numbers[1]
    assert "Amy Teacher answered N" in no["summary"] and "Finishes Summer 2025" in no["summary"]
    assert invoke(*check, "--as-of", TERM_AS_OF, "--force").exit_code in (0, 1)
    earlier = json.loads(out.read_text())["issues"]
    assert any(
        i["kind"] == "ecd-not-confirmed" and i["qualification_code"] == "05839" for i in earlier
    )


@pytest.mark.parametrize(
    ("make", "said"),
    [
        ("other-centre", "it was made for centre 64395, not this centre (12345)"),
        ("checkpoint-2", "sheet 'ctforms', column 'Checkpoint': it is the Checkpoint 2 list"),
        ("stranger", "actions.xlsx: it has no 'ctforms' sheet"),
        ("not-xlsx", "issues.json: not a readable Excel workbook"),
        ("bad-answer", "sheet 'Students', row 4, column 'Confirmed (Y/N)': 'maybe' is not Y or N"),
        ("no-name", "row 4, column 'Confirmed By': Confirmed By is empty"),
        ("blank", "no row has Confirmed (Y/N) filled in"),
        ("before", "answers on it cannot be dated 01/03/2024, before it"),
    ],
)
def test_a_list_ctforms_did_not_make_for_this_centre_is_refused(
    cp2: Path, term: Path, tmp_path: Path, make: str, said: str
) -> None:
    records = shutil.copy(DEMO / "records.xlsx", tmp_path / "records.xlsx")
    before = Path(records).read_bytes()
    centre = DEMO / "centre.toml"
    listed = term / "64395-business-ecd-check.xlsx"
    first = str(rows(listed, "Students")[0]["Candidate Number"])
    returned: Path = listed
    day = "2024-03-20"
    if make == "other-centre":
        centre = tmp_path / "centre.toml"
        centre.write_text(
            (DEMO / "centre.toml").read_text().replace('number = "64395"', 'number = "12345"')
        )
        returned = fill(listed, tmp_path / "back.xlsx", {first: ("Y", "Amy Teacher", "")})
    elif make == "checkpoint-2":
        returned = cp2 / "64395-business-department-actions.xlsx"
    elif make == "stranger":
        returned = cp2 / "actions.xlsx"
    elif make == "not-xlsx":
        returned = cp2 / "issues.json"
    elif make == "bad-answer":
        returned = fill(listed, tmp_path / "back.xlsx", {first: ("maybe", "Amy Teacher", "")})
    elif make == "no-name":
        returned = fill(listed, tmp_path / "back.xlsx", {first: ("Y", "", "")})
    elif make == "before":
        returned = fill(listed, tmp_path / "back.xlsx", {first: ("Y", "Amy Teacher", "")})
        day = "2024-03-01"
    result = invoke(
        "records", "confirmations", records, returned, "--centre", centre, "--date", day
    )
    assert result.exit_code == 2, result.output
    assert said in result.output
    assert "Traceback" not in result.output
    assert Path(records).read_bytes() == before  # nothing written


@pytest.mark.slow  # several whole checks in a row
def test_a_forced_run_of_the_other_checkpoint_removes_the_old_lists(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_demo(out)
    run_demo(out, "--checkpoint", "term-time", "--as-of", TERM_AS_OF, "--force")
    names = {p.name for p in out.iterdir()}
    assert not any(n.endswith("-department-actions.xlsx") for n in names)
    assert "64395-business-ecd-check.xlsx" in names
    assert invoke("verify", out / "64395-submission-archive.zip").exit_code == 0


def test_the_records_template_has_the_ecd_confirmed_sheet(tmp_path: Path) -> None:
    out = tmp_path / "records.xlsx"
    assert invoke("records", "template", "-o", out).exit_code == 0
    ws = openpyxl.load_workbook(out)["ECD Confirmed"]
    assert [c.value for c in ws[1]] == [
        "Candidate Number",
        "Qualification Code",
        "Confirmed (Y/N)",
        "Confirmed By",
        "Note",
        "Date",
    ]
    assert any(dv.formula1 == '"Y,N"' for dv in ws.data_validations.dataValidation)


# ---------------------------------------------------------------------------- the page


def test_the_page_records_a_returned_list_and_refuses_a_foreign_one(
    term: Path, tmp_path: Path, checked_demo: Path
) -> None:
    from webkit import copy_site

    site = copy_site(checked_demo, tmp_path / "ws")
    files = site.get("files").text
    assert "64395-business-department-actions.xlsx" in files
    assert "for its head of department" in files
    listed = term / "64395-business-ecd-check.xlsx"
    numbers = [str(r["Candidate Number"]) for r in rows(listed, "Students")]
    back = fill(
        listed, tmp_path / "Business returned.xlsx", {n: ("Y", "Amy Teacher", "") for n in numbers}
    )
    form = {"returned_on": "2024-06-12"}

    # Another centre's list: refused in words naming the file and what is wrong; nothing kept.
    other = tmp_path / "other.xlsx"
    wb = openpyxl.load_workbook(back)
    wb["ctforms"]["B2"] = "12345"
    wb.save(other)
    r = site.post(
        "decisions/confirmations", form, files={"returned": ("Maths.xlsx", other.read_bytes())}
    )
    assert r.status_code == 400
    assert (
        "Maths.xlsx, sheet &#39;ctforms&#39;, column &#39;Centre Number&#39;: it was made for"
        " centre 12345, not this centre (64395)" in r.text
    )
    records = site.workspace.saved("records.xlsx")
    assert records is not None and not read_records(records).ecd_confirmed
    r = site.post(
        "decisions/confirmations", form, files={"returned": ("actions.xlsx", b"not a workbook")}
    )
    assert r.status_code == 400 and "actions.xlsx: not a readable Excel workbook" in r.text

    r = site.post(
        "decisions/confirmations", form, files={"returned": (back.name, back.read_bytes())}
    )
    assert r.status_code == 303, r.text
    r = site.client.get(r.headers["location"])
    assert f"{len(numbers)} estimated completion dates confirmed (Y), 0 said to be wrong" in r.text
    got = read_records(records).ecd_confirmed or []
    assert sorted(c.candidate_number for c in got) == sorted(numbers)
    assert {(c.confirmed_by, c.date) for c in got} == {("Amy Teacher", dt.date(2024, 6, 12))}
    assert not list((site.workspace.root / ".uploads").glob("*/*"))  # the upload is not kept
    # Choosing an older records workbook on New check would lose the answers: said first.
    from ctforms.web.views.records import lost_rows

    lost = lost_rows(records, DEMO / "records.xlsx")
    assert lost[-1] == (
        f"what teachers answered on {len(numbers)} students' estimated completion dates"
        " (ECD Confirmed)"
    )


def test_several_lists_at_once_and_one_student_answered_twice(term: Path, tmp_path: Path) -> None:
    records = shutil.copy(DEMO / "records.xlsx", tmp_path / "records.xlsx")
    made = []
    for subject in ("business", "digital-media"):
        listed = term / f"64395-{subject}-ecd-check.xlsx"
        first = str(rows(listed, "Students")[0]["Candidate Number"])
        made.append(fill(listed, tmp_path / f"{subject}.xlsx", {first: ("Y", "Amy Teacher", "")}))
    args: list[str | Path] = ["--centre", DEMO / "centre.toml", "--date", "2024-03-20"]
    twice = shutil.copy(made[0], tmp_path / "again.xlsx")
    refused = invoke("records", "confirmations", records, made[0], twice, *args)
    assert refused.exit_code == 2
    assert "is answered in business.xlsx too; record one of them" in refused.output
    assert not read_records(Path(records)).ecd_confirmed
    result = invoke("records", "confirmations", records, *made, *args)
    assert result.exit_code == 0, result.output
    assert "business.xlsx: Business, 1 answer" in result.output
    assert "digital-media.xlsx: Digital Media, 1 answer" in result.output
    assert len(read_records(Path(records)).ecd_confirmed or []) == 2
