"""centre.toml, records.xlsx and the catalogue: read right, refused clearly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from conftest import DEMO, invoke

from ctforms.errors import InputError
from ctforms.read.centre import parse_centre
from ctforms.read.records import read_records

TRACKER = DEMO / "tracker.csv"


def _centre(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "centre.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_centre_defaults_2023_are_ocrs() -> None:
    c = parse_centre('[centre]\nnumber = "12345"\nname = "X"\n[series]\nyear = 2023\n', "c.toml")
    assert c.series.declaration_opens == dt.date(2023, 6, 15)
    assert c.series.declaration_closes == dt.date(2023, 6, 23)
    assert c.series.special_consideration_closes == dt.date(2023, 7, 5)
    assert c.series.assumed == []


def test_centre_other_years_are_flagged_as_assumed() -> None:
    c = parse_centre(
        '[centre]\nnumber = "12345"\nname = "X"\n[series]\nyear = 2024\n'
        "declaration_closes = 2024-06-21\n",
        "c.toml",
    )
    assert c.series.declaration_closes == dt.date(2024, 6, 21)
    assert "declaration_closes" not in c.series.assumed
    assert "declaration_opens" in c.series.assumed


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('[centre]\nnumber = "1234"\nname = "X"\n[series]\nyear = 2024\n', "[centre] number"),
        ('[centre]\nnumber = "12345"\nname = "X"\n', "[series] year is missing"),
        (
            '[centre]\nnumber = "12345"\nname = "X"\nnmae = "Y"\n[series]\nyear = 2024\n',
            "unknown key",
        ),
        ("[centre\n", "not valid TOML at line 1, '[centre' (Expected ']'"),
        (
            "[series]\nyear = 2024\ndeclaration_closes = 21/06/2024\n",
            "not valid TOML at line 3, 'declaration_closes = 21/06/2024' (Expected newline or end"
            ' of document after a statement); write text in double quotes (name = "Riverside'
            ' College"), a date as YYYY-MM-DD without quotes (declaration_opens = 2024-06-21)',
        ),
        ('name = "abc\x1b[31m\n', "not valid TOML at line 1, 'name = \"abc\\x1b[31m'"),
    ],
)
def test_bad_centre_is_refused(tmp_path: Path, text: str, words: str) -> None:
    result = invoke("check", TRACKER, "--centre", _centre(tmp_path, text))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: centre.toml")
    assert words in result.stderr


def _book(tmp_path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    path = tmp_path / "records.xlsx"
    wb.save(path)
    return path


def test_records_read_dates_numbers_and_spacing(tmp_path: Path) -> None:
    path = _book(
        tmp_path,
        {
            "visits": [
                ["qualification code", "VISIT DATE", "Visit  Status"],
                [5839, dt.datetime(2024, 6, 20), "scheduled"],
                ["05835", "22/05/2024", "Completed"],
            ],
            "Claims": [
                ["Candidate Number", "Qualification Code", "Unit Number", "Grade Claimed"],
                [42, "05839", 9, "M"],
                [None, None, None, None],
            ],
        },
    )
    records = read_records(path)
    assert records.visits is not None and records.claims is not None
    assert [v.visit_date for v in records.visits] == [dt.date(2024, 6, 20), dt.date(2024, 5, 22)]
    assert records.visits[0].qualification_code == "05839"
    assert records.claims[0].candidate_number == "0042"
    assert records.expected is None  # absent sheet: None, not empty


def test_records_errors_name_sheet_row_and_column(tmp_path: Path) -> None:
    path = _book(
        tmp_path,
        {
            "Markbook": [
                ["Candidate Number", "Qualification Code", "Unit Number", "Final Grade"],
                ["0001", "05839", 9, "M"],
                ["0002", "05839", 9, "Z"],
            ],
        },
    )
    with pytest.raises(InputError) as err:
        read_records(path)
    assert str(err.value) == (
        "records.xlsx, sheet 'Markbook', row 3, column 'Final Grade': unknown grade 'Z':"
        " expected D, M, P, R (near pass), U or N"
    )


def test_records_missing_header_is_refused(tmp_path: Path) -> None:
    path = _book(tmp_path, {"Visits": [["Qualification Code", "Moderator"]]})
    result = invoke("check", TRACKER, "--centre", DEMO / "centre.toml", "--records", path)
    assert result.exit_code == 2
    assert "sheet 'Visits', row 1, column 'Visit Date'" in result.stderr


def test_records_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "records.xlsx"
    path.write_text("not a zip")
    result = invoke("check", TRACKER, "--centre", DEMO / "centre.toml", "--records", path)
    assert result.exit_code == 2
    assert "not a readable Excel workbook" in result.stderr


def test_unknown_candidates_in_records_are_reported(tmp_path: Path) -> None:
    path = _book(
        tmp_path,
        {
            "RIA": [
                ["Candidate Number", "Qualification Code", "Unit Number"],
                ["9876", "05839", 4],
            ],
        },
    )
    result = invoke(
        "check",
        TRACKER,
        "--centre",
        DEMO / "centre.toml",
        "--records",
        path,
        "--as-of",
        "2024-06-10",
    )
    assert result.exit_code in (0, 1)
    assert "RIA row 2: candidate 9876 is not in the tracker" in result.stderr


# ---------------------------------------------------------------------------- catalogue


def test_catalogue_list_and_show() -> None:
    result = invoke("catalogue", "list")
    assert result.exit_code == 0
    assert "05839" in result.stdout and "05878" in result.stdout
    shown = invoke("catalogue", "show", "05839")
    assert shown.exit_code == 0
    assert "Extended Certificate" in shown.stdout
    assert "rules of combination (mandatory and optional units): none given" in shown.stdout
    demo = invoke("catalogue", "show", "05836", "--catalogue", DEMO / "rules.xlsx")
    assert "pathway Marketing" in demo.stdout and "illustrative" in demo.stdout


def test_catalogue_show_unknown_code() -> None:
    result = invoke("catalogue", "show", "99999")
    assert result.exit_code == 2
    assert "not in the catalogue" in result.stderr


def test_catalogue_check_good_file() -> None:
    result = invoke("catalogue", "check", DEMO / "rules.xlsx")
    assert result.exit_code == 0
    assert "changes 05839" in result.stdout
    assert result.stdout.strip().endswith("OK")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("subjects: [", "not valid YAML"),
        ("- 1\n", "expected a mapping"),
        (
            "subjects:\n  - id: x\n    name: X\n    suite: 2016\n    level: 3\n    source: s\n"
            "    verified: true\n    qualifications:\n      - code: '5839'\n        title: T\n"
            "        size: S\n        glh: 360\n        source: s\n        verified: true\n",
            "subjects[x].qualifications[5839].code",
        ),
        (
            "subjects:\n  - id: x\n    name: X\n    suite: 2016\n    level: 3\n    source: s\n"
            "    verified: true\n    qualifications:\n      - code: '05839'\n        title: T\n"
            "        size: S\n        glh: 360\n        source: s\n        verified: true\n"
            "        rules: {verified: true, source: s, mandatory: [7]}\n",
            "rules name unit 7",
        ),
    ],
)
def test_catalogue_check_bad_file(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    result = invoke("catalogue", "check", path)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: bad.yaml")
    assert words in result.stderr


def test_centre_catalogue_overrides_shipped(demo_args: list[str]) -> None:
    result = invoke("check", *demo_args, "--format", "json")
    assert '"rules": "illustrative"' in result.stdout


def test_coming_summer() -> None:
    from ctforms.read.centre import coming_summer

    assert coming_summer(dt.date(2026, 11, 23)) == 2027
    assert coming_summer(dt.date(2027, 3, 1)) == 2027


def test_records_not_a_workbook_of_another_kind(tmp_path: Path) -> None:
    path = tmp_path / "records.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0old excel")
    result = invoke("check", TRACKER, "--centre", DEMO / "centre.toml", "--records", path)
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "not a readable Excel workbook" in result.stderr


def test_blank_expected_and_visits_sheets_count_as_not_given(tmp_path: Path) -> None:
    out = tmp_path / "blank.xlsx"
    invoke("records", "template", "-o", out)
    result = invoke(
        "check",
        TRACKER,
        "--centre",
        DEMO / "centre.toml",
        "--records",
        out,
        "--as-of",
        "2024-06-10",
        "--format",
        "json",
    )
    assert "sheet 'Expected' has no rows: treated as not given" in result.stderr
    assert "unexpected-certification" not in result.stdout
    assert "visit-not-scheduled" not in result.stdout


def test_contradicting_expected_rows_are_refused(tmp_path: Path) -> None:
    path = _book(
        tmp_path,
        {
            "Expected": [
                ["Candidate Number", "Qualification Code", "Certificating (Y/N)"],
                ["0001", "05839", "Y"],
                ["0001", "05839", "N"],
            ],
        },
    )
    result = invoke("check", TRACKER, "--centre", DEMO / "centre.toml", "--records", path)
    assert result.exit_code == 2
    assert "sheet 'Expected', row 3" in result.stderr and "also on row 2" in result.stderr
