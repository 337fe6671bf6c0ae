"""Human-facing lists most urgent first, through the CLI: issues.txt, actions.xlsx and the pack's
issue table. The expected order is written from the rule and the register's own facts (its
deadlines change with the calendar), never by sorting with the code under test."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest
from conftest import DEMO_ARGS, invoke
from pypdf import PdfReader

from ctforms.models import (
    CandidateDetails,
    Handled,
    Issue,
    IssueKind,
    Register,
    RegisterCentre,
    SeriesDates,
    Severity,
    Summary,
)
from ctforms.produce.action_list import BLOCKING_FILL, COLUMNS, ISSUE_ID, OVERDUE_FILL
from ctforms.produce.report import render_table

ID_AT_END = re.compile(r"\[([^\]]+)\]$")


@pytest.fixture(scope="module")
def register() -> Register:
    result = invoke("check", *DEMO_ARGS, "--format", "json")
    return Register.model_validate_json(result.stdout)


def _band(issue: Issue) -> int:
    """The rule: 0 blocking overdue, 1 blocking, 2 warning, 3 info (all unhandled), 4 handled."""
    if issue.handled:
        return 4
    if issue.severity is Severity.BLOCKING:
        return 0 if issue.overdue else 1
    return 2 if issue.severity is Severity.WARNING else 3


def _assert_most_urgent_first(ids: list[str], register: Register) -> None:
    by_id = {i.id: i for i in register.issues}
    assert sorted(ids) == sorted(by_id)  # every issue, once
    shown = [by_id[i] for i in ids]
    bands = [_band(i) for i in shown]
    assert bands == sorted(bands), bands
    for band in (0, 1, 2):
        dates = [i.deadline or dt.date.max for i in shown if _band(i) == band]
        assert dates == sorted(dates), (band, dates)
    # The demo's facts: something blocking is overdue (the unscheduled visit), a warning and
    # a handled issue exist, so every band boundary above was tested.
    assert {0, 1, 2, 4} <= set(bands)
    assert shown[0].kind is IssueKind.VISIT_NOT_SCHEDULED


def test_issues_txt_is_most_urgent_first_and_each_issue_says_who(register: Register) -> None:
    text = invoke("check", *DEMO_ARGS).stdout
    lines = text.splitlines()
    ids = [m.group(1) for line in lines if (m := ID_AT_END.search(line))]
    _assert_most_urgent_first(ids, register)
    by_id = {i.id: i for i in register.issues}
    for n, line in enumerate(lines):
        if not (m := ID_AT_END.search(line)):
            continue
        issue, head = by_id[m.group(1)], lines[n - 2]  # an issue's first line says who
        if issue.candidate_number is None:
            assert f"all students of {issue.qualification_code}" in head
        else:
            assert issue.candidate_number in head
            if issue.candidate:
                assert issue.candidate.surname.upper() in head
            if issue.qualification_code:
                assert issue.qualification_code in head
        if issue.overdue and not issue.handled:
            assert "OVERDUE" in head
    assert "BLOCKING, not handled (" in text and "Handled (1)" in text


def test_actions_xlsx_is_most_urgent_first_coloured_and_prints(
    register: Register, tmp_path: Path
) -> None:
    out = tmp_path / "actions.xlsx"
    invoke("check", *DEMO_ARGS, "--format", "xlsx", "-o", out)
    ws = openpyxl.load_workbook(out)["Actions"]
    header = [c.value for c in ws[1]]
    assert header == COLUMNS and header[-1] == ISSUE_ID
    assert {"Deadline", "Severity"} <= set(header)
    rows = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    _assert_most_urgent_first([r[ISSUE_ID] for r in rows], register)
    by_id = {i.id: i for i in register.issues}
    for r, row in zip(ws.iter_rows(min_row=2), rows, strict=True):
        issue = by_id[row[ISSUE_ID]]
        assert row["Severity"] == issue.severity.value
        assert (row["Deadline"].date() if row["Deadline"] else None) == issue.deadline
        colours = {c.fill.fgColor.rgb if c.fill.fill_type == "solid" else None for c in r}
        if issue.overdue and not issue.handled:
            assert colours == {"FF" + OVERDUE_FILL}
        elif issue.severity is Severity.BLOCKING and not issue.handled:
            assert colours == {"FF" + BLOCKING_FILL}
        else:
            assert colours == {None}
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:R{len(rows) + 1}"
    assert ws.page_setup.orientation == "landscape"
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == "$1:$1"


def _section(pdf: Path, start: str, end: str) -> str:
    text = "\n".join(p.extract_text() or "" for p in PdfReader(pdf).pages)
    return text[text.index(start) : text.index(end, text.index(start))]


def test_pack_issue_table_is_most_urgent_first_with_names_and_whole_ids(
    register: Register, tmp_path: Path
) -> None:
    reg = tmp_path / "issues.json"
    reg.write_text(register.model_dump_json(), encoding="utf-8")
    pdf = tmp_path / "pack.pdf"
    result = invoke(
        "declaration", reg, "--signed-by", "Ben Okoro", "--role", "Exams Officer",
        "--allow-outstanding", "Visits rebooked for 27 June", "-o", pdf,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = _section(pdf, "Outstanding issues and recorded actions", "Sign-off")
    flat = "".join(table.split())
    ids = sorted((i.id for i in register.issues), key=lambda i: flat.index(i))
    _assert_most_urgent_first(ids, register)
    words = " ".join(table.split())
    assert "All students of 05843" in words and "0015 Patel, Priya" in words
    assert "(0584" not in flat and "None" not in words
    files = {w.strip(".,;()") for i in register.issues for w in i.action.split() if "64395-" in w}
    assert files and all(f in words for f in files)  # no file name split across lines
    for issue in register.issues:
        if issue.candidate and issue.candidate_number:
            name = (
                f"{issue.candidate_number} {issue.candidate.surname}, {issue.candidate.forenames}"
            )
            assert " ".join(name.split()) in " ".join(table.split())
    _assert_no_id_broken_mid_token(pdf, register)


def _assert_no_id_broken_mid_token(pdf: Path, register: Register) -> None:
    """Every id appears whole (whitespace aside), and no word on any line is the tail of an id
    cut anywhere but after a '/' (table cells of a row share a line in the extracted text)."""
    text = "\n".join(p.extract_text() or "" for p in PdfReader(pdf).pages)
    flat = "".join(text.split())
    ids = [i.id for i in register.issues]
    for issue_id in ids:
        assert issue_id in flat
    bad_tails = {
        issue_id[k:]: issue_id
        for issue_id in ids
        for k in range(1, len(issue_id) - 1)  # tails of two characters or more
        if issue_id[k - 1] != "/"
    }
    for line in text.splitlines():
        for word in line.split():
            assert word.strip("(),") not in bad_tails, (bad_tails[word.strip("(),")], line)


def _hand_made() -> Register:
    def issue(
        id_: str, severity: Severity, deadline: dt.date | None, *, overdue: bool = False,
        handled: bool = False, candidate: str | None = "0002",
    ) -> Issue:  # fmt: skip
        return Issue(
            id=id_,
            kind=IssueKind.CLAIM_NEEDED,
            severity=severity,
            candidate_number=candidate,
            qualification_code="05839",
            unit_number=None,
            candidate=CandidateDetails(surname="Ng", forenames="Al") if candidate else None,
            summary=id_,
            action="do it",
            remedy="form",
            deadline=deadline,
            overdue=overdue,
            handled=handled,
            handled_by=Handled(action_taken="done") if handled else None,
        )

    june = [dt.date(2024, 6, d) for d in range(1, 31)]
    issues = [  # in the register's order, which is not the order a person reads
        issue("w-late", Severity.WARNING, june[20]),
        issue("h-blocking", Severity.BLOCKING, june[0], overdue=True, handled=True),
        issue("b-20", Severity.BLOCKING, june[19]),
        issue("i-none", Severity.INFO, None),
        issue("b-overdue-9", Severity.BLOCKING, june[8], overdue=True),
        issue("w-early", Severity.WARNING, june[11]),
        issue("b-12-z", Severity.BLOCKING, june[11], candidate="0009"),
        issue("b-12-a", Severity.BLOCKING, june[11], candidate="0009"),
        issue("b-12-all", Severity.BLOCKING, june[11], candidate=None),
        issue("b-overdue-1", Severity.BLOCKING, june[0], overdue=True),
        issue("b-none", Severity.BLOCKING, None),
    ]
    return Register(
        tool="ctforms",
        tool_version="0",
        centre=RegisterCentre(number="12345", name="Example College"),
        series=SeriesDates(
            year=2024,
            declaration_opens=june[14],
            declaration_closes=june[22],
            final_visit_booked_by=june[0],
            claims_recommended_by=june[0],
            final_moderation_deadline=june[29],
            special_consideration_closes=june[29],
            tracker_frozen_from=june[23],
        ),
        as_of=june[9],
        inputs=[],
        catalogue=[],
        checks=[],
        summary=Summary(
            students_checked=2,
            students_at_risk=2,
            issues=len(issues),
            blocking_unhandled=7,
            by_kind={"claim-needed": len(issues)},
            by_severity={},
        ),
        students=[],
        warnings=[],
        issues=issues,
    )


def test_hand_made_register_order_in_the_report() -> None:
    register = _hand_made()
    order_before = [i.id for i in register.issues]
    text = render_table(register)
    ids = [m.group(1) for line in text.splitlines() if (m := ID_AT_END.search(line))]
    assert ids == [
        "b-overdue-1",  # blocking, overdue, earliest
        "b-overdue-9",
        "b-12-all",  # ties on the deadline: the qualification-wide issue, then by candidate
        "b-12-a",
        "b-12-z",
        "b-20",
        "b-none",  # no deadline: last of the blocking ones
        "w-early",
        "w-late",
        "i-none",
        "h-blocking",  # handled last, whatever its severity or date
    ]
    assert [i.id for i in register.issues] == order_before  # the register is not reordered
    assert "all students of 05839" in text and "0009 NG, Al" in text
