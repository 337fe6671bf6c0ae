"""The blank records.xlsx: sheets, headers, formats and drop-downs."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from ctforms.errors import InputError
from ctforms.produce.records_template import records_template_bytes, write_records_template
from ctforms.read.records import read_records

STAMP = dt.datetime(2024, 1, 1)
CODES = [
    ("05834", "Cambridge Technical Extended Certificate in IT"),
    ("05839", "Cambridge Technical Extended Diploma in IT"),
    ("05877", "Cambridge Technical Diploma in Business"),
]

HEADERS = {
    "Expected": [
        "Candidate Number",
        "Qualification Code",
        "Certificating (Y/N)",
        "Course Start",
        "Planned Completion",
    ],
    "Visits": [
        "Qualification Code",
        "Moderator",
        "Visit Date",
        "Visit Status",
        "Claim Submitted On",
    ],
    "Claims": [
        "Candidate Number",
        "Qualification Code",
        "Unit Number",
        "Grade Claimed",
        "Visit Date",
    ],
    "Markbook": ["Candidate Number", "Qualification Code", "Unit Number", "Final Grade"],
    "TAGs": [
        "Candidate Number",
        "Qualification Code",
        "Unit Number",
        "Planned Assessment Date",
        "TAG Grade",
    ],
    "RIA": ["Candidate Number", "Qualification Code", "Unit Number", "Requested On"],
    "Entry Decisions": [
        "Candidate Number",
        "Qualification Code",
        "Make the Change (Y/N)",
        "Decided By",
        "Date",
    ],
    "Actions": ["Issue ID", "Action Taken", "Date", "OCR Reference", "By"],
    "Entries Sent": ["File", "Sent On", "Sent By", "Changes"],
    "ECD Confirmed": [
        "Candidate Number",
        "Qualification Code",
        "Confirmed (Y/N)",
        "Confirmed By",
        "Note",
        "Date",
    ],
}
GRADES = '"D,M,P,R,U,N"'


@pytest.fixture(scope="module")
def wb() -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(records_template_bytes(CODES, STAMP)))


def _validations(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, str]:
    """Validated range -> formula1."""
    return {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}


def test_sheet_names_in_order(wb: openpyxl.Workbook) -> None:
    assert wb.sheetnames == ["Instructions", *HEADERS, "Lists"]
    assert wb.active.title == "Instructions"


def test_headers_exact_bold_and_frozen(wb: openpyxl.Workbook) -> None:
    for sheet, headers in HEADERS.items():
        ws = wb[sheet]
        assert [c.value for c in ws[1]] == headers, sheet
        assert all(c.font.bold for c in ws[1])
        assert ws.freeze_panes == "A2"
        assert ws.max_row == 1  # nothing below the header for the reader to trip over
        for col in range(1, len(headers) + 1):
            letter = openpyxl.utils.get_column_letter(col)
            assert ws.column_dimensions[letter].width >= 14


def test_instructions(wb: openpyxl.Workbook) -> None:
    text = "\n".join(str(c.value) for c in wb["Instructions"]["A"] if c.value)
    assert "DD/MM/YYYY" in text and "real Excel date" in text
    assert "optional" in text
    assert "The Issue ID is the one the issue has in the results" in text
    for sheet in HEADERS:
        assert f"{sheet}: " in text
    assert "05839  Cambridge Technical Extended Diploma in IT" in text


def test_hidden_lists_sheet(wb: openpyxl.Workbook) -> None:
    lists = wb["Lists"]
    assert lists.sheet_state == "hidden"
    assert [(r[0].value, r[1].value) for r in lists.iter_rows()] == CODES
    assert all(r[0].data_type == "s" for r in lists.iter_rows())


def test_text_and_date_columns(wb: openpyxl.Workbook) -> None:
    def fmt(sheet: str, letter: str) -> str:
        return str(wb[sheet].column_dimensions[letter].number_format)

    for sheet in ("Expected", "Claims", "Markbook", "TAGs", "RIA"):
        assert fmt(sheet, "A") == "@" and fmt(sheet, "B") == "@"
    assert fmt("Visits", "A") == "@"
    assert fmt("Actions", "A") == "@"
    for sheet, letter in [
        ("Visits", "C"),
        ("Visits", "E"),
        ("Claims", "E"),
        ("TAGs", "D"),
        ("RIA", "D"),
        ("Actions", "C"),
    ]:
        assert fmt(sheet, letter) == "DD/MM/YYYY", (sheet, letter)


def test_drop_downs_on_the_right_columns(wb: openpyxl.Workbook) -> None:
    codes = "Lists!$A$1:$A$3"
    completions = '"' + ",".join(f"Summer {y}" for y in range(2024, 2036)) + '"'
    assert _validations(wb["Expected"]) == {
        "B2:B2000": codes,
        "C2:C2000": '"Y,N"',
        "E2:E2000": completions,
    }
    assert _validations(wb["Visits"]) == {
        "A2:A2000": codes,
        "D2:D2000": '"Scheduled,Completed,Cancelled"',
    }
    assert _validations(wb["Claims"]) == {"B2:B2000": codes, "D2:D2000": GRADES}
    assert _validations(wb["Markbook"]) == {"B2:B2000": codes, "D2:D2000": GRADES}
    assert _validations(wb["TAGs"]) == {"B2:B2000": codes, "E2:E2000": GRADES}
    assert _validations(wb["RIA"]) == {"B2:B2000": codes}
    assert _validations(wb["Actions"]) == {}
    for sheet in HEADERS:
        for dv in wb[sheet].data_validations.dataValidation:
            assert dv.type == "list" and dv.allow_blank
            assert dv.showErrorMessage  # otherwise Excel accepts anything silently
            assert not dv.showDropDown  # True would hide the arrow
            warn = dv.formula1 in (codes, completions)  # other values are allowed too
            assert dv.errorStyle == ("warning" if warn else "stop")


def test_no_codes_means_no_code_drop_down() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(records_template_bytes([], STAMP)))
    assert _validations(wb["Claims"]) == {"D2:D2000": GRADES}
    assert wb["Lists"].max_row == 1 and wb["Lists"]["A1"].value is None


def test_deterministic() -> None:
    assert records_template_bytes(CODES, STAMP) == records_template_bytes(CODES, STAMP)
    assert records_template_bytes(CODES, STAMP) != records_template_bytes(CODES[:2], STAMP)


def test_no_formulas_in_any_sheet() -> None:
    with zipfile.ZipFile(io.BytesIO(records_template_bytes(CODES, STAMP))) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                xml = zf.read(name).decode()
                assert "<f>" not in xml and "<f " not in xml


def test_blank_template_reads_back_as_records(tmp_path: Path) -> None:
    path = tmp_path / "records.xlsx"
    write_records_template(path, CODES, STAMP, force=False)
    records = read_records(path)
    assert records.claims is None and records.markbook is None  # blank: "not given"
    assert not any("not read" in w for w in records.warnings)


def test_write_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "records.xlsx"
    write_records_template(path, CODES, STAMP, force=False)
    with pytest.raises(InputError):
        write_records_template(path, CODES, STAMP, force=False)
    write_records_template(path, CODES[:1], STAMP, force=True)
    assert path.read_bytes() == records_template_bytes(CODES[:1], STAMP)


def test_expected_has_the_term_time_plan_with_a_drop_down_and_an_example(
    wb: openpyxl.Workbook,
) -> None:
    ws = wb["Expected"]
    assert ws.column_dimensions["D"].number_format == "DD/MM/YYYY"
    formula = _validations(ws)["E2:E2000"]
    assert '"Summer 2024,' in formula and "Summer 2025" in formula
    instructions = " ".join(str(c.value) for c in wb["Instructions"]["A"] if c.value)
    assert "Example: 0012, 05839, N, 04/09/2023, Summer 2025" in instructions
