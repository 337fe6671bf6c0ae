"""The term-time checkpoint through the command line: each student's estimated completion date
(ECD) against the centre's plan, the amendments workbook and the term-time pack."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import DEMO, invoke

HEADER = (
    "Centre Number,Candidate Number,Surname,Forenames,Qualification Code,Qualification Title,"
    "Certification Status,Estimated Completion,Entry Date,Unit Number,Unit Title,Unit Type,"
    "Unit Status,Unit Grade,Unit Series"
)
IT_EXT = "05839"  # Level 3 in the demo's catalogue
AS_OF = "2024-03-15"

# (candidate, surname, code, certification, ECD)
TRACKER = [
    ("0001", "Later", IT_EXT, "Not certificating", "Summer 2025"),  # plan: this summer (Y)
    ("0002", "Earlier", IT_EXT, "Certificating in August 2024", "Summer 2024"),  # plan 2025
    ("0003", "Right", IT_EXT, "Certificating in August 2024", "Summer 2024"),  # plan Y
    ("0004", "Lateentry", IT_EXT, "Not certificating", "Summer 2026"),  # start 09/2023 -> 2025
    ("0005", "Standard", IT_EXT, "Not certificating", "Summer 2025"),  # start 09/2023 -> 2025
    ("0006", "Noplan", IT_EXT, "Not certificating", "Summer 2025"),
    ("0007", "Noplantoo", IT_EXT, "Not certificating", "Summer 2025"),
    ("0008", "Done", IT_EXT, "Certificating in August 2023", "Summer 2023"),
    ("0009", "Gone", IT_EXT, "Withdrawn", "Summer 2025"),
]
# (candidate, code, certificating, course start, planned completion)
EXPECTED: list[tuple[str, str, str, Any, str | None]] = [
    ("0001", IT_EXT, "Y", None, None),
    ("0002", IT_EXT, "N", None, "Summer 2025"),
    ("0003", IT_EXT, "Y", dt.date(2022, 9, 5), None),
    ("0004", IT_EXT, "N", dt.date(2023, 9, 4), None),
    ("0005", IT_EXT, "N", dt.date(2023, 9, 4), None),
]


def write_centre(folder: Path, term_time: str | None = None) -> Path:
    extra = f"term_time_declaration_closes = {term_time}\n" if term_time else ""
    path = folder / "centre.toml"
    path.write_text(
        '[centre]\nnumber = "64395"\nname = "Test College"\nhead_of_centre = "Dr A Head"\n\n'
        '[exams_officer]\nname = "Ben Okoro"\n\n[series]\nyear = 2024\n' + extra
    )
    return path


def write_tracker(folder: Path, rows: list[tuple[str, str, str, str, str]] = TRACKER) -> Path:
    lines = [HEADER]
    for number, surname, code, cert, ecd in rows:
        lines.append(
            f"64395,{number},{surname},Sam,{code},Extended Certificate in IT,{cert},{ecd},"
            "19/09/2022,1,Fundamentals of IT,Examined,Entry received,,June 2024"
        )
    path = folder / "tracker.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def write_records(
    folder: Path, rows: list[tuple[str, str, str, Any, str | None]] = EXPECTED
) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Expected"
    ws.append(
        [
            "Candidate Number",
            "Qualification Code",
            "Certificating (Y/N)",
            "Course Start",
            "Planned Completion",
        ]
    )
    for row in rows:
        ws.append(list(row))
    path = folder / "records.xlsx"
    wb.save(path)
    return path


def centre_args(folder: Path, **kw: Any) -> list[str | Path]:
    return [
        write_tracker(folder),
        "--centre",
        write_centre(folder, **kw),
        "--records",
        write_records(folder),
        "--catalogue",
        DEMO / "rules.xlsx",
        "--as-of",
        AS_OF,
    ]


def term_register(folder: Path, **kw: Any) -> dict[str, Any]:
    out = folder / "issues.json"
    result = invoke(
        "check",
        *centre_args(folder, **kw),
        "--checkpoint",
        "term-time",
        "--format",
        "json",
        "-o",
        out,
    )
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(out.read_text())
    return data


def kinds_by_candidate(register: dict[str, Any]) -> dict[str | None, list[str]]:
    found: dict[str | None, list[str]] = {}
    for issue in register["issues"]:
        if issue["kind"] != "ecd-not-confirmed":  # the teachers' answers: test_department.py
            found.setdefault(issue["candidate_number"], []).append(issue["kind"])
    return found


def test_each_kind_is_found_for_exactly_its_students(tmp_path: Path) -> None:
    register = term_register(tmp_path)
    assert register["checkpoint"] == "term-time"
    assert kinds_by_candidate(register) == {
        "0001": ["ecd-later-than-planned"],
        "0002": ["ecd-earlier-than-planned"],
        "0004": ["ecd-check-course-length"],
        None: ["ecd-unverifiable"],
    }
    by_kind = {i["kind"]: i for i in register["issues"]}
    later = by_kind["ecd-later-than-planned"]
    assert later["severity"] == "blocking"
    assert later["evidence"]["estimated_completion"] == "Summer 2025"
    assert later["evidence"]["ecd_to_set"] == "Summer 2024"
    assert "will not be in this summer's results" in later["summary"]
    assert "from Summer 2025 to Summer 2024" in later["action"]
    assert later["deadline"] == "2024-04-30"
    earlier = by_kind["ecd-earlier-than-planned"]
    assert earlier["severity"] == "blocking" and "at risk" in earlier["summary"]
    course = by_kind["ecd-check-course-length"]
    assert course["severity"] == "warning"
    assert course["evidence"]["ecd_to_set"] == "Summer 2025" and course["evidence"]["level"] == 3
    # One line for the qualification, however many students it concerns.
    unverifiable = by_kind["ecd-unverifiable"]
    assert unverifiable["qualification_code"] == IT_EXT
    assert unverifiable["evidence"]["candidate_numbers"] == ["0006", "0007"]
    assert unverifiable["evidence"]["students"] == 2


def test_certificated_and_withdrawn_are_left_out_and_counted(tmp_path: Path) -> None:
    register = term_register(tmp_path)
    assert register["left_out"] == {"certificated": 1, "withdrawn": 1}
    numbers = [s["candidate_number"] for s in register["students"]]
    assert numbers == ["0001", "0002", "0003", "0004", "0005", "0006", "0007"]
    note = register["checks"][0]["notes"][-1]
    assert "1 qualification entries already certificated, 1 withdrawn" in note


def test_students_carry_their_ecd_and_plan(tmp_path: Path) -> None:
    students = {s["candidate_number"]: s for s in term_register(tmp_path)["students"]}
    assert students["0001"]["estimated_completion"] == "Summer 2025"
    assert students["0001"]["planned_completion"] == "Summer 2024"
    assert students["0001"]["ecd_to_set"] == "Summer 2024"
    assert students["0004"]["course_start"] == "2023-09-04"
    assert students["0006"].get("planned_completion") is None
    # No teacher has confirmed 0003's ECD yet (ecd-not-confirmed, a warning): to check.
    assert students["0003"]["status"] == "check"
    assert students["0001"]["status"] == "at-risk"


def test_the_declaration_close_is_assumed_unless_given(tmp_path: Path) -> None:
    register = term_register(tmp_path)
    assert register["series"]["term_time_declaration_closes"] == "2024-04-30"
    assert "term_time_declaration_closes" in register["series"]["assumed"]
    given = tmp_path / "given"
    given.mkdir()
    register = term_register(given, term_time="2024-04-26")
    assert register["series"]["term_time_declaration_closes"] == "2024-04-26"
    assert "term_time_declaration_closes" not in register["series"]["assumed"]
    assert {i["deadline"] for i in register["issues"]} == {"2024-04-26"}


def test_the_text_report_names_the_checkpoint_and_exit_code_says_blocking(
    tmp_path: Path,
) -> None:
    result = invoke("check", *centre_args(tmp_path), "--checkpoint", "term-time")
    assert result.exit_code == 1
    assert result.output.startswith("Term-time checkpoint checks (ctforms)")
    assert "[ecd-later-than-planned/0001/05839/-]" in result.output
    assert "term-time declaration closes Tuesday 30 April 2024" in result.output


def test_checkpoint_2_stays_the_default(tmp_path: Path) -> None:
    args = centre_args(tmp_path)
    default = invoke("check", *args, "--format", "json")
    named = invoke("check", *args, "--format", "json", "--checkpoint", "2")
    assert default.output == named.output
    assert '"checkpoint"' not in default.output
    assert "ecd-" not in default.output


def test_an_unreadable_planned_completion_is_refused(tmp_path: Path) -> None:
    write_records(tmp_path, [("0001", IT_EXT, "Y", None, "next year")])
    args = centre_args(tmp_path)
    write_records(tmp_path, [("0001", IT_EXT, "Y", None, "next year")])
    result = invoke("check", *args, "--checkpoint", "term-time")
    assert result.exit_code == 2
    assert "Expected" in result.output and "Planned Completion" in result.output
    assert "'Summer 2025'" in result.output


@pytest.mark.parametrize(
    ("start", "ecd", "found"),
    [
        (dt.date(2022, 9, 5), "Summer 2024", []),  # two years before: the ECD agrees
        (dt.date(2022, 9, 5), "Summer 2025", ["ecd-check-course-length"]),
        (dt.date(2023, 1, 9), "Summer 2024", []),  # began in the 2022/23 year
    ],
)
def test_course_start_two_years_before(
    tmp_path: Path, start: dt.date, ecd: str, found: list[str]
) -> None:
    args = centre_args(tmp_path)
    write_tracker(tmp_path, [("0001", "Late", IT_EXT, "Not certificating", ecd)])
    write_records(tmp_path, [("0001", IT_EXT, "N", start, None)])
    out = tmp_path / "issues.json"
    invoke("check", *args, "--checkpoint", "term-time", "--format", "json", "-o", out)
    register = json.loads(out.read_text())
    assert [k for ks in kinds_by_candidate(register).values() for k in ks] == found


def test_run_writes_the_term_time_folder_and_no_checkpoint_2_paperwork(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("run", *centre_args(tmp_path), "--checkpoint", "term-time", "-o", out)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "64395-ecd-amendments.xlsx",
        "64395-information-technology-ecd-check.xlsx",  # the subject's list (item 8)
        "64395-submission-archive.zip",
        "64395-term-time-declaration-evidence-pack.pdf",
        "actions.xlsx",
        "deadlines.ics",
        "issues.json",
        "issues.txt",
    ]
    book = openpyxl.load_workbook(out / "64395-ecd-amendments.xlsx")
    rows = [r for r in book["ECD amendments"].iter_rows(min_row=5, values_only=True)]
    # Exactly the students to change, a qualification at a time by name, with the ECD to set.
    assert [(r[0], r[5], r[6]) for r in rows] == [
        ("0002", "Summer 2024", "Summer 2025"),
        ("0001", "Summer 2025", "Summer 2024"),
    ]
    check = [r for r in book["To check"].iter_rows(min_row=5, values_only=True)]
    assert [(r[0], r[6]) for r in check] == [("0004", "Summer 2025")]
    assert book["ECD amendments"].page_setup.paperSize == 9  # A4
    verify = invoke("verify", out / "64395-submission-archive.zip")
    assert verify.exit_code == 0, verify.output


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_the_term_time_pack_is_a_draft_with_the_banner_and_signs_off(tmp_path: Path) -> None:
    out = tmp_path / "out"
    invoke("run", *centre_args(tmp_path), "--checkpoint", "term-time", "-o", out)
    text = " ".join(pdf_text(out / "64395-term-time-declaration-evidence-pack.pdf").split())
    assert "NOT READY TO DECLARE" in text
    assert "Term-time checkpoint declaration evidence pack" in text
    assert "ctforms' summary, not OCR's wording" in text
    assert "0001 Later, Sam 05839 Summer 2025 Summer 2024" in text
    refused = invoke(
        "declaration",
        out / "issues.json",
        "--signed-by",
        "Ben Okoro",
        "--role",
        "Exams Officer",
        "-o",
        tmp_path / "signed.pdf",
    )
    assert refused.exit_code == 2 and not (tmp_path / "signed.pdf").exists()
    signed = invoke(
        "declaration",
        out / "issues.json",
        "--signed-by",
        "Ben Okoro",
        "--role",
        "Exams Officer",
        "--allow-outstanding",
        "Amending on 18 March",
        "-o",
        tmp_path / "signed.pdf",
    )
    assert signed.exit_code == 0, signed.output
    text = " ".join(pdf_text(tmp_path / "signed.pdf").split())
    assert "confirm that the term-time checks in this pack" in text
    assert "Amending on 18 March" in text


def test_the_demo_ships_a_term_time_example(tmp_path: Path) -> None:
    """run --demo --checkpoint term-time: checked as of 15 March 2024; OCR's ECDs (two years on
    from the entry) are wrong for the one-year Certificates and the three-year students."""
    out = tmp_path / "out"
    result = invoke("run", "--demo", "--checkpoint", "term-time", "-o", out)
    assert result.exit_code == 0, result.output
    register = json.loads((out / "issues.json").read_text())
    assert register["as_of"] == "2024-03-15" and register["checkpoint"] == "term-time"
    kinds = kinds_by_candidate(register)
    assert {k for found in kinds.values() for k in found} == {
        "ecd-later-than-planned",
        "ecd-earlier-than-planned",
        "ecd-check-course-length",
        "ecd-unverifiable",
    }
    assert kinds["0017"] == kinds["0037"] == ["ecd-earlier-than-planned"]
    assert kinds["0064"] == ["ecd-check-course-length"]
    assert kinds["0023"] == ["ecd-later-than-planned"]
    unverifiable = next(i for i in register["issues"] if i["kind"] == "ecd-unverifiable")
    assert unverifiable["summary"].startswith("1 student's estimated completion dates")
    book = openpyxl.load_workbook(out / "64395-ecd-amendments.xlsx")
    rows = list(book["ECD amendments"].iter_rows(min_row=5, values_only=True))
    assert len(rows) == 12 and {r[6] for r in rows} == {"Summer 2024"}


def test_a_term_time_check_after_its_close_says_so(tmp_path: Path) -> None:
    args = [str(a) for a in centre_args(tmp_path)]
    args[args.index(AS_OF)] = "2024-05-10"
    result = invoke("check", *args, "--checkpoint", "term-time")
    assert "after the 2024 term-time declaration closed (Tuesday 30 April 2024)" in result.output
    assert "OVERDUE" in result.output or "overdue" in result.output


def test_level_2_from_the_tracker_title_and_a_month_for_a_season(tmp_path: Path) -> None:
    """A qualification the catalogue does not know: its level from the tracker's title (Level
    2: one year); an ECD written as the series' month ('June 2025') is that summer."""
    args = centre_args(tmp_path)
    level2 = "OCR Level 2 Cambridge Technical Certificate in Sport"
    lines = [HEADER]
    for number, ecd in [("0001", "June 2025"), ("0002", "Summer 2024"), ("0003", "Summer 2024")]:
        lines.append(
            f"64395,{number},Sport,Sam,09876,{level2},Not certificating,{ecd},04/09/2023,"
            "1,Unit one,Examined,Entry received,,June 2024"
        )
    (tmp_path / "tracker.csv").write_text("\n".join(lines) + "\n")
    write_records(
        tmp_path,
        [
            ("0001", "09876", "N", dt.date(2023, 9, 4), None),  # one year: Summer 2024
            ("0002", "09876", "N", dt.date(2023, 9, 4), None),  # agrees
            ("0003", "09876", "N", None, "june 2024"),  # the plan, written as a month
        ],
    )
    out = tmp_path / "issues.json"
    invoke("check", *args, "--checkpoint", "term-time", "--format", "json", "-o", out)
    register = json.loads(out.read_text())
    assert kinds_by_candidate(register) == {"0001": ["ecd-check-course-length"]}
    (issue,) = [i for i in register["issues"] if i["kind"] == "ecd-check-course-length"]
    assert issue["evidence"]["level"] == 2
    assert issue["evidence"]["estimated_completion"] == "Summer 2025"
    assert issue["evidence"]["ecd_to_set"] == "Summer 2024"
    students = {s["candidate_number"]: s for s in register["students"]}
    assert students["0003"]["planned_completion"] == "Summer 2024"


def test_empty_ecds_are_one_note_not_one_per_student(tmp_path: Path) -> None:
    args = centre_args(tmp_path)
    rows = [(f"{n:04d}", "Blank", IT_EXT, "Not certificating", "") for n in range(1, 6)]
    write_tracker(tmp_path, rows)
    out = tmp_path / "issues.json"
    invoke("check", *args, "--checkpoint", "term-time", "--format", "json", "-o", out)
    register = json.loads(out.read_text())
    notes = register["checks"][0]["notes"]
    assert kinds_by_candidate(register) == {}
    assert len(notes) == 1 and notes[0].startswith("5 estimated completion dates in the tracker")
