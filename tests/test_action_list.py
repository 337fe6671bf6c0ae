"""The action list workbook made from a register."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from office import needs_office, shown_rows

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
from ctforms.produce.action_list import COLUMNS, OVERDUE_FILL, action_list_bytes

AS_OF = dt.date(2024, 6, 10)


def _register() -> Register:
    issues = [
        Issue(
            id="I-0001",
            kind=IssueKind.INCORRECT_CLAIM,
            severity=Severity.BLOCKING,
            candidate_number="0042",
            qualification_code="05839",
            unit_number=3,
            candidate=CandidateDetails(surname="O'Brien\x00\x07", forenames="Ann\r\nMarie"),
            qualification_title="Extended Diploma in IT",
            unit_title="Cyber security",
            summary="=SUM(A1)",
            action="+44 call OCR",
            remedy="@ctforms forms incorrect-claim",
            deadline=dt.date(2024, 6, 1),
            overdue=True,
        ),
        Issue(
            id="I-0002",
            kind=IssueKind.CLAIM_NEEDED,
            severity=Severity.WARNING,
            candidate_number="0101",
            qualification_code="05834",
            unit_number=None,
            candidate=CandidateDetails(surname="Smith", forenames="Jo"),
            summary="-1 claim missing",
            action="Submit the claim",
            remedy="Interchange",
            deadline=dt.date(2024, 6, 1),
            overdue=True,
            handled=True,
            handled_by=Handled(action_taken="#N/A sent", ocr_reference="0077", by="EO"),
        ),
        Issue(
            id="I-0003",
            kind=IssueKind.VISIT_NOT_SCHEDULED,
            severity=Severity.INFO,
            candidate_number=None,
            qualification_code="05834",
            unit_number=None,
            summary="No final visit",
            action="Book the visit",
            remedy="Email the moderator",
        ),
    ]
    return Register(
        tool="ctforms",
        tool_version="0.1.0",
        centre=RegisterCentre(number="12345", name="Example College"),
        series=SeriesDates(
            year=2024,
            declaration_opens=dt.date(2024, 6, 15),
            declaration_closes=dt.date(2024, 6, 23),
            final_visit_booked_by=dt.date(2024, 3, 1),
            claims_recommended_by=dt.date(2024, 5, 15),
            final_moderation_deadline=dt.date(2024, 6, 30),
            special_consideration_closes=dt.date(2024, 7, 5),
            tracker_frozen_from=dt.date(2024, 6, 24),
            assumed=["final_visit_booked_by"],
        ),
        as_of=AS_OF,
        inputs=[],
        catalogue=[],
        checks=[],
        summary=Summary(
            students_checked=2,
            students_at_risk=1,
            issues=3,
            blocking_unhandled=1,
            by_kind={"incorrect-claim": 1, "claim-needed": 1, "visit-not-scheduled": 1},
            by_severity={"blocking": 1, "warning": 1, "info": 1},
        ),
        students=[],
        warnings=[],
        issues=issues,
    )


@pytest.fixture(scope="module")
def data() -> bytes:
    return action_list_bytes(_register())


@pytest.fixture(scope="module")
def wb(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_sheets_header_rows_and_filter(wb: openpyxl.Workbook) -> None:
    assert wb.sheetnames == ["Actions", "About"]
    ws = wb["Actions"]
    assert [c.value for c in ws[1]] == COLUMNS
    assert len(COLUMNS) == 18
    assert (
        COLUMNS[:2] == ["Severity", "Deadline"]
        and COLUMNS[-1] == "Issue ID (for the Actions sheet)"
    )
    assert ws.max_row == 4  # header + one row per issue
    # Most urgent first: blocking overdue, then the unhandled info, then the handled warning.
    assert [r[-1] for r in ws.iter_rows(min_row=2, values_only=True)] == [
        "I-0001",
        "I-0003",
        "I-0002",
    ]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:R4"
    assert all(c.font.bold for c in ws[1])


def test_row_values(wb: openpyxl.Workbook) -> None:
    ws = wb["Actions"]
    first, third, second = (
        dict(zip(COLUMNS, row, strict=True)) for row in ws.iter_rows(min_row=2, values_only=True)
    )
    assert first["Candidate Number"] == "0042"  # leading zeros kept: text
    assert first["Surname"] == "O'Brien" and first["Forenames"] == "Ann Marie"
    assert first["Summary"] == "=SUM(A1)"
    assert first["Unit Number"] == 3
    assert first["Deadline"] == dt.datetime(2024, 6, 1)
    assert (first["Handled"], first["Overdue"]) == ("N", "Y")
    assert (second["Handled"], second["Overdue"]) == ("Y", "N")  # handled: no longer overdue
    assert second["What was done"] == "#N/A sent" and second["OCR Reference"] == "0077"
    assert third["Candidate Number"] is None and third["Deadline"] is None
    assert ws.cell(2, COLUMNS.index("Deadline") + 1).number_format == "DD/MM/YYYY"
    assert ws.cell(2, COLUMNS.index("Summary") + 1).alignment.wrap_text


def test_no_formulas_anywhere(data: bytes, wb: openpyxl.Workbook) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                xml = zf.read(name).decode()
                assert "<f>" not in xml and "<f " not in xml
    for ws in wb:
        assert all(c.data_type not in ("f", "e") for row in ws.iter_rows() for c in row)


def test_about_sheet(wb: openpyxl.Workbook) -> None:
    about = {r[0]: r[1] for r in wb["About"].iter_rows(values_only=True)}
    assert about["Centre"] == "Example College (12345)"
    assert about["Results series"] == "Summer 2024"
    assert about["Checked as of"] == dt.datetime(2024, 6, 10)
    assert about["Issues"] == 3 and about["Blocking, not handled"] == 1
    assert about["Issues: Wrong unit or grade claimed"] == 1
    # Words that name things, not commands: the list is read by people who may only use the page.
    assert "Issue ID" in about["About this list"] and "Decisions page" in about["About this list"]
    assert "ctforms check" not in about["About this list"]
    # 1 March 2024 was a Friday; the key is said in words, not as ctforms' field name.
    assert (
        about["Dates assumed (check OCR's timeline)"] == "final visit booked by Friday 1 March 2024"
    )


def test_deterministic_and_stamped_with_as_of(data: bytes) -> None:
    assert action_list_bytes(_register()) == data
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2024, 6, 10, 0, 0, 0)}


def test_empty_register() -> None:
    register = _register()
    register.issues = []
    ws = openpyxl.load_workbook(io.BytesIO(action_list_bytes(register)))["Actions"]
    assert ws.max_row == 1
    assert ws.auto_filter.ref == "A1:R1"


@needs_office
def test_libreoffice_shows_the_text_not_a_result(data: bytes, tmp_path: Path) -> None:
    rows = shown_rows(data, "actions.xlsx", tmp_path)
    assert rows[0] == COLUMNS
    assert rows[1][COLUMNS.index("Summary")] == "=SUM(A1)"
    assert rows[1][COLUMNS.index("Action")] == "+44 call OCR"
    assert rows[3][COLUMNS.index("What was done")] == "#N/A sent"
    assert rows[1][COLUMNS.index("Deadline")] == "01/06/2024"


def test_blocking_and_overdue_rows_are_coloured_and_the_about_sheet_says_so(
    wb: openpyxl.Workbook,
) -> None:
    ws = wb["Actions"]
    fills = [
        {c.fill.fgColor.rgb if c.fill.fill_type == "solid" else None for c in row}
        for row in ws.iter_rows(min_row=2)
    ]
    # I-0001 blocking and overdue; I-0003 info; I-0002 handled (no longer overdue).
    assert fills == [{"FF" + OVERDUE_FILL}, {None}, {None}]
    about = {r[0]: r[1] for r in wb["About"].iter_rows(values_only=True)}
    assert "Overdue" in about["Rows in dark pink"]
    assert "Blocking" in about["Rows in light pink"]
    assert about["Order"].startswith("Most urgent first")


def test_prints_landscape_one_page_wide_with_the_header_on_every_page(
    wb: openpyxl.Workbook,
) -> None:
    ws = wb["Actions"]
    assert ws.page_setup.orientation == "landscape"
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$1"
    assert ws.page_setup.paperSize == 9  # A4
    # What a person reads prints (with the lines between cells); the technical columns stay
    # in the sheet, outside the print area.
    assert ws.print_area == "'Actions'!$A$1:$J$4"
    assert ws.print_options.gridLines
    # Every page says which check it is from (the deadlines are judged on that date).
    assert "action list, checked as of 10/06/2024" in (ws.oddFooter.left.text or "")
    printed = COLUMNS[:10]
    assert printed == [
        "Severity", "Deadline", "Candidate Number", "Surname", "Forenames",
        "Qualification Code", "Unit Number", "Summary", "Action", "Remedy",
    ]  # fmt: skip
    assert {"Kind", "Overdue", "Issue ID (for the Actions sheet)"}.isdisjoint(printed)
    widths = [ws.column_dimensions[chr(65 + n)].width for n in range(10)]
    assert sum(widths) <= 155  # about 9 pt text or more on landscape A4 (tests/test_print.py)
    # Wrapped text: each row is given the height it needs (programs do not all grow it).
    assert ws.row_dimensions[2].height and ws.row_dimensions[2].height >= 15
