"""The small refusals: each bad input is one plain line naming file, row and column and what to
do (exit 2), or a warning naming the file the user gave; never a traceback or a usage block."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from click.testing import Result
from conftest import DEMO, DEMO_AS_OF, FIXTURES, invoke

from ctforms.read.tracker import MAX_NAME

CENTRE = DEMO / "centre.toml"
CLEAN = (FIXTURES / "good-minimal.csv").read_text("utf-8")
HEADER = CLEAN.splitlines()[0].split(",")  # 13 columns; Surname is the 5th, Forenames the 6th


def _error(result: Result) -> str:
    """The one line a refusal prints."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "Usage:" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


def _tracker(tmp_path: Path, text: str | bytes, name: str = "tracker.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return path


def _with_cell(column: str, value: str, row: int = 2) -> str:
    """good-minimal.csv with one cell (file row `row`, 1 = header) replaced."""
    lines = CLEAN.splitlines()
    cells = lines[row - 1].split(",")
    cells[HEADER.index(column)] = value
    lines[row - 1] = ",".join(cells)
    return "\n".join(lines) + "\n"


def _check(tracker: Path, *more: str | Path) -> Result:
    return invoke("check", tracker, "--centre", CENTRE, "--as-of", DEMO_AS_OF, *more)


# ---------------------------------------------------------------------------- usage errors


@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        (["check", "--bogus"], "No such option '--bogus'.", "ctforms check"),
        (["check"], "Missing argument 'TRACKER'.", "ctforms check"),
        (
            ["check", "t.csv", "--format", "pdf"],
            "Invalid value for '--format': 'pdf' is not one of 'table', 'json', 'xlsx'.",
            "ctforms check",
        ),
        (["nocmd"], "No such command 'nocmd'.", "ctforms"),
        (["--bogus"], "No such option '--bogus'.", "ctforms"),
        (
            ["forms", "missed-claim"],
            "Missing argument 'ISSUES.json'.",
            "ctforms forms missed-claim",
        ),
        (["forms", "nope"], "No such command 'nope'.", "ctforms forms"),
    ],
)
def test_usage_error_is_one_line_and_the_help_hint(
    args: list[str], message: str, hint: str
) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"Error: {message}", f"Try '{hint} --help'."]
    assert "Usage:" not in result.output


def test_a_group_run_bare_still_shows_its_help() -> None:
    result = invoke("forms")
    assert "missed-claim" in result.output  # Click's help, not an error line


# ---------------------------------------------------------------------------- --as-of


@pytest.mark.parametrize("day", ["0024-06-10", "2204-06-10", "2019-12-31", "2101-01-01"])
def test_an_absurd_as_of_is_refused(day: str) -> None:
    result = invoke("check", FIXTURES / "good-minimal.csv", "--centre", CENTRE, "--as-of", day)
    assert result.exit_code == 2
    first, hint = result.stderr.splitlines()
    assert first == (
        f"Error: Invalid value for '--as-of': {day} is not a date a check can be judged on"
        " (between 2020-01-01 and 2100-12-31); give the date you check on, e.g. 2024-06-10, or"
        " leave it out for today"
    )
    assert hint == "Try 'ctforms check --help'."


def test_as_of_at_the_edges_is_taken() -> None:
    for day in ("2020-01-01", "2100-12-31"):
        result = invoke("check", FIXTURES / "good-minimal.csv", "--centre", CENTRE, "--as-of", day)
        assert result.exit_code in (0, 1), result.output


# ---------------------------------------------------------------------------- centre.toml


GOOD_CENTRE = '[centre]\nnumber = "64395"\nname = "X"\n[series]\nyear = 2024\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            GOOD_CENTRE.replace('"64395"', "64395"),
            '[centre] number: 64395 is a number; write it as text in quotes, e.g. number = "64395"',
        ),
        (
            GOOD_CENTRE.replace('"X"', '["X", "Y"]'),
            '[centre] name: ["X", "Y"] is a list; write it as text in quotes, e.g.'
            ' name = "Riverside Sixth Form College"',
        ),
        (
            GOOD_CENTRE + 'declaration_closes = "21/06/2024"\n',
            '[series] declaration_closes: "21/06/2024" is text; write the date as YYYY-MM-DD'
            " without quotes, e.g. declaration_closes = 2024-06-21",
        ),
        (
            GOOD_CENTRE + 'declaration_closes = "soon"\n',
            '[series] declaration_closes: "soon" is text; write the date as YYYY-MM-DD',
        ),
        (
            GOOD_CENTRE + "declaration_closes = 2042-06-21\n",
            "[series] declaration_closes: 2042-06-21 is not in the 2024 series; check the year,"
            " e.g. declaration_closes = 2024-06-21",
        ),
        (
            GOOD_CENTRE.replace("year = 2024", 'year = "2024"'),
            '[series] year: "2024" is text; write the year as a whole number without quotes,'
            " e.g. year = 2024",
        ),
        (
            GOOD_CENTRE.replace("year = 2024", "year = 1999"),
            "[series] year: 1999 is not a year ctforms handles (2020 to 2100)",
        ),
        (
            GOOD_CENTRE.replace('name = "X"\n', ""),
            '[centre] name is missing; add it, e.g. name = "Riverside Sixth Form College"',
        ),
        (
            GOOD_CENTRE.replace('name = "X"', 'name = ""'),
            "[centre] name is empty; write it",
        ),
        (
            GOOD_CENTRE.replace('"64395"', '"1234"'),
            '[centre] number: "1234" is not a 5-digit centre number; write all 5 digits in'
            ' quotes, e.g. number = "01234"',
        ),
        (
            GOOD_CENTRE + "declaration_opens = 2024-06-20\ndeclaration_closes = 2024-06-10\n",
            "[series] declaration_closes is before the declaration opens; check both dates",
        ),
        (
            GOOD_CENTRE + "declaration_opens = 2024-06-15\ndeclaration_closes = 2023-06-21\n",
            "[series] declaration_closes is before the declaration opens; 2023-06-21 is in 2023,"
            " not the 2024 series: check the year",
        ),
        (
            GOOD_CENTRE.replace("year = 2024\n", ""),
            "[series] year is missing; add it, e.g. year = 2024 (the summer in which results are"
            " expected)",
        ),
        (
            GOOD_CENTRE + "assumed = []\n",
            "[series] assumed is worked out by ctforms; remove it",
        ),
        (
            'centre = "64395"\n[series]\nyear = 2024\n',
            "[centre] is text, not a section; write a line [centre] and then key = value lines",
        ),
        (
            GOOD_CENTRE + '[tracker.columns]\n"Cand No" = 3\n',
            '[tracker.columns] "Cand No": 3 is a number; write it as text in quotes, e.g.'
            ' "Cand No" = "candidate_number"',
        ),
        (
            GOOD_CENTRE + '[tracker.columns]\n"Cand No" = "Cand\\u001bNo"\n',
            '[tracker.columns] "Cand No": holds control characters (invisible codes such as ESC);'
            " type the value plainly",
        ),
        (
            GOOD_CENTRE + '[tracker.statuses]\n"Done" = "Finished"\n',
            '[tracker.statuses] "Done": "Finished" is not one ctforms knows; use one of'
            " 'Result achieved'",
        ),
    ],
)
def test_centre_toml_type_errors_say_key_value_and_form(
    tmp_path: Path, text: str, message: str
) -> None:
    centre = tmp_path / "centre.toml"
    centre.write_text(text, encoding="utf-8")
    line = _error(invoke("check", FIXTURES / "good-minimal.csv", "--centre", centre))
    assert line.startswith(f"Error: centre.toml: {message}"), line


def test_a_centre_toml_error_carries_its_key_reason_and_remedies() -> None:
    """The parts a face words for itself (issue 22): the key, what went wrong, what to do, and
    how to write it in the file, which the CLI says and the Centre page leaves out."""
    from ctforms.errors import InputError
    from ctforms.people import real_name
    from ctforms.read.centre import parse_centre

    with pytest.raises(InputError) as caught:
        parse_centre(GOOD_CENTRE.replace('"64395"', '"1234"'), "centre.toml")
    error = caught.value
    assert error.key == ("centre", "number")
    assert error.reason == '"1234" is not a 5-digit centre number'
    assert error.remedy == "write all 5 digits"
    assert error.in_file == 'write all 5 digits in quotes, e.g. number = "01234"'
    assert error.said_of("Centre number", error.remedy) == (
        'Centre number: "1234" is not a 5-digit centre number; write all 5 digits'
    )
    with pytest.raises(InputError) as caught:
        real_name("B. Example", ("exams_officer", "name"))
    error = caught.value
    assert (error.key, error.reason) == (
        ("exams_officer", "name"),
        "is still the example name 'B. Example'",
    )
    assert error.said_of("Exams Officer", "type the real name") == (
        "Exams Officer is still the example name 'B. Example'; type the real name"
    )


def test_centre_toml_error_names_the_file_given(tmp_path: Path) -> None:
    centre = tmp_path / "riverside.toml"
    centre.write_text(GOOD_CENTRE.replace('"64395"', "64395"), encoding="utf-8")
    line = _error(invoke("check", FIXTURES / "good-minimal.csv", "--centre", centre))
    assert line.startswith("Error: riverside.toml: [centre] number: 64395 is a number")


# ---------------------------------------------------------------------------- tracker CSV


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_tracker_is_named_with_how_to_resave(tmp_path: Path, encoding: str) -> None:
    path = _tracker(tmp_path, CLEAN.encode(encoding))
    assert _error(_check(path)) == (
        "Error: tracker.csv: this is UTF-16 text (Excel's 'Unicode Text'), not CSV UTF-8: open"
        " it in Excel and use Save As > 'CSV UTF-8 (Comma delimited)', then give that file"
    )


def test_utf16_tracker_reads_when_its_encoding_is_given(tmp_path: Path) -> None:
    path = _tracker(tmp_path, CLEAN.encode("utf-16"))
    result = _check(path, "--encoding", "utf-16", "--format", "json")
    assert result.exit_code in (0, 1), result.output
    assert "O'Brien" in result.stdout


@pytest.mark.parametrize("named", ["cp1252", "latin-1"])
def test_utf8_named_as_an_8_bit_encoding_is_refused_before_names_are_misread(
    tmp_path: Path, named: str
) -> None:
    path = _tracker(tmp_path, CLEAN.replace("O'Brien", "Müller").encode("utf-8"))
    assert _error(_check(path, "--encoding", named)) == (
        f"Error: tracker.csv: the file is UTF-8 text, but {named} was named: its names would be"
        " misread (e.g. 'Müller' as 'MÃ¼ller'); try again without naming an encoding (--encoding)"
    )
    windows = _tracker(tmp_path, CLEAN.replace("O'Brien", "Müller").encode("cp1252"))
    assert _check(windows, "--encoding", named).exit_code in (0, 1)  # truly 8-bit: read


def test_a_wrong_encoding_given_names_the_option(tmp_path: Path) -> None:
    path = _tracker(tmp_path, CLEAN.encode("utf-8") + b"\n")
    assert _error(_check(path, "--encoding", "utf-16")) == (
        "Error: tracker.csv, row 4: byte 0x0a is not valid utf-16; try again without naming an"
        " encoding: ctforms reads UTF-8 and Windows-1252 by itself (--encoding)"
    )


@pytest.mark.parametrize(("sep", "words"), [(";", "semicolons (';')"), ("\t", "tabs")])
def test_semicolon_or_tab_separated_tracker_is_said_directly(
    tmp_path: Path, sep: str, words: str
) -> None:
    path = _tracker(tmp_path, CLEAN.replace(",", sep))
    assert _error(_check(path)) == (
        f"Error: tracker.csv, row 1: the file is separated by {words}, not commas (the header"
        " row reads as one column): in Excel use Save As > 'CSV UTF-8 (Comma delimited)', or"
        " download the CSV from the Progress Tracker again"
    )


def test_short_row_says_how_many_cells(tmp_path: Path) -> None:
    lines = CLEAN.splitlines()
    lines[2] = ",".join(lines[2].split(",")[:5])
    path = _tracker(tmp_path, "\n".join(lines) + "\n")
    assert _error(_check(path)) == (
        "Error: tracker.csv, row 3: the row has 5 cells, the header has 13: it was cut short or"
        " lost a comma; complete the row, or download the CSV again"
    )


def test_row_with_an_unquoted_comma_says_so(tmp_path: Path) -> None:
    path = _tracker(tmp_path, _with_cell("Surname", "Smith, Jr"))
    line = _error(_check(path))
    assert line.startswith("Error: tracker.csv, row 2: the row has 14 cells, the header has 13")
    assert 'put the value in double quotes ("Smith, Jr")' in line


def test_trailing_blank_cells_and_blank_rows_are_still_read(tmp_path: Path) -> None:
    lines = CLEAN.splitlines()
    text = "\n".join([lines[0] + ",,", *(line + ",," for line in lines[1:]), ",,,", ""])
    assert _check(_tracker(tmp_path, text)).exit_code in (0, 1)


@pytest.mark.parametrize(
    ("column", "value", "what"),
    [
        ("Surname", "\x01\x02", "control characters"),
        ("Surname", "\x1c\x1d", "control characters"),  # str.strip() would empty these
        ("Surname", "\x07 \x08", "control characters"),
        ("Forenames", "\x01", "control characters"),
        ("Surname", "\u200b\u200d", "invisible characters (control, format or space characters)"),
    ],
)
def test_name_of_control_characters_is_not_called_empty(
    tmp_path: Path, column: str, value: str, what: str
) -> None:
    path = _tracker(tmp_path, _with_cell(column, value))
    assert _error(_check(path)) == (
        f"Error: tracker.csv, row 2, column '{column}': the {column.lower()}"
        f" {'hold' if column == 'Forenames' else 'holds'} only {what}, no letters; type the name"
        " again"
    )


def test_empty_surname_is_still_called_empty(tmp_path: Path) -> None:
    path = _tracker(tmp_path, _with_cell("Surname", "  "))
    assert _error(_check(path)).endswith("column 'Surname': the surname is empty")


@pytest.mark.parametrize("column", ["Surname", "Forenames"])
def test_name_longer_than_the_maximum_is_refused(tmp_path: Path, column: str) -> None:
    assert MAX_NAME == 255
    path = _tracker(tmp_path, _with_cell(column, "A" * 256))
    assert _error(_check(path)) == (
        f"Error: tracker.csv, row 2, column '{column}': the {column.lower()} is 256 characters"
        " long; the most ctforms takes is 255: check the cell holds the name only"
    )


def test_a_100000_character_surname_is_refused_at_once(tmp_path: Path) -> None:
    path = _tracker(tmp_path, _with_cell("Surname", "A" * 100_000))
    line = _error(_check(path))  # how soon: benchmarks/bench_hostile.py
    assert "the surname is 100,000 characters long; the most ctforms takes is 255" in line


@pytest.mark.parametrize(
    ("dob", "words"),
    [
        ("01/01/0001", "the date of birth is before 1900, a typing slip: correct it (DD/MM/YYYY)"),
        ("31/12/1899", "the date of birth is before 1900"),
        (
            "14/03/9999",
            "the date of birth makes the student younger than 10 on the check's date"
            " (10/06/2024), a typing slip: correct it",
        ),
        ("11/06/2014", "younger than 10 on the check's date (10/06/2024)"),
    ],
)
def test_implausible_date_of_birth_is_refused_with_its_row(
    tmp_path: Path, dob: str, words: str
) -> None:
    path = _tracker(tmp_path, _with_cell("Date of Birth", dob, row=3))
    line = _error(_check(path))
    assert line.startswith("Error: tracker.csv, row 3, column 'Date of Birth': the"), line
    assert words in line
    assert dob not in line  # a date of birth is personal data


def test_plausible_dates_of_birth_at_the_edges_are_read(tmp_path: Path) -> None:
    for dob in ("01/01/1900", "10/06/2014"):
        lines = CLEAN.splitlines()
        text = "\n".join(line.replace("02/11/2005", dob) for line in lines) + "\n"
        assert _check(_tracker(tmp_path, text)).exit_code in (0, 1)


def test_date_of_birth_without_as_of_is_held_to_2090(tmp_path: Path) -> None:
    """catalogue template reads the tracker without an --as-of: the latest one stands in."""
    text = "\n".join(line.replace("02/11/2005", "14/03/9999") for line in CLEAN.splitlines())
    path = _tracker(tmp_path, text + "\n")
    line = _error(invoke("catalogue", "template", path, "-o", tmp_path / "rules.xlsx"))
    assert line == (
        "Error: tracker.csv, row 2, column 'Date of Birth': the date of birth is after"
        " 31/12/2090, a typing slip: correct it"
    )
    assert not (tmp_path / "rules.xlsx").exists()


def _demo_tracker(tmp_path: Path, column: str, value: str, row: int = 2) -> Path:
    """The demo's tracker with one cell (file row `row`, 1 = header) replaced; a qualification
    detail is replaced on every row of that candidate's qualification, so the rows agree."""
    rows = list(csv.reader((DEMO / "tracker.csv").read_text("utf-8-sig").splitlines()))
    header = rows[0]
    at = header.index(column)
    who = [header.index("Candidate Number"), header.index("Qualification Code")]
    target = rows[row - 1]
    for cells in rows[1:]:
        same = all(cells[i] == target[i] for i in who)
        if cells is target or (same and column != "Unit Series"):
            cells[at] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return _tracker(tmp_path, out.getvalue())


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("Entry Date", "01/01/0001", "01/01/0001 is not a date ctforms can judge on"),
        ("Entry Date", "31/12/9999", "31/12/9999 is not a date ctforms can judge on"),
        ("Entry Date", "31/12/1999", "31/12/1999 is not a date ctforms can judge on"),
        ("Entry Date", "0001-01-01", "01/01/0001 is not a date ctforms can judge on"),
        ("Unit Series", "June 9999", "'June 9999' names the year 9999"),
        ("Unit Series", "January 0001", "'January 0001' names the year 1"),
        ("Estimated Completion", "Summer 9999", "'Summer 9999' names the year 9999"),
        (
            "Certification Status",
            "Certificating in August 9999",
            "'Certificating in August 9999' names the year 9999",
        ),
    ],
)
def test_implausible_tracker_date_is_refused_with_its_row_and_column(
    tmp_path: Path, column: str, value: str, words: str
) -> None:
    """The same bounds as the records' dates (2000 to 2100): one rule, one sentence."""
    path = _demo_tracker(tmp_path, column, value)
    line = _error(_check(path))
    assert line.startswith(f"Error: tracker.csv, row 2, column '{column}': {words}"), line
    assert "(it takes 2000 to 2100): a typing slip; correct it" in line


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("Entry Date", "01/01/2000"),
        ("Entry Date", "31/12/2100"),
        ("Unit Series", "June 2100"),
        ("Unit Series", "Summer series"),  # no year named: shown as written
    ],
)
def test_tracker_dates_at_the_edges_are_read(tmp_path: Path, column: str, value: str) -> None:
    assert _check(_demo_tracker(tmp_path, column, value)).exit_code in (0, 1)


# ---------------------------------------------------------------------------- records.xlsx


def _records(tmp_path: Path, name: str = "our-records-2024.xlsx", **edits: object) -> Path:
    """The demo's records workbook saved under another name, with edits applied."""
    wb = openpyxl.load_workbook(DEMO / "records.xlsx")
    for key, value in edits.items():
        sheet, cell = key.split("__")
        wb[sheet.replace("_", " ")][cell] = value
    path = tmp_path / name
    wb.save(path)
    return path


def _demo_check(tmp_path: Path, records: Path, *more: str) -> Result:
    return invoke(
        "check",
        DEMO / "tracker.csv",
        "--centre",
        CENTRE,
        "--records",
        records,
        "--catalogue",
        DEMO / "rules.xlsx",
        "--as-of",
        DEMO_AS_OF,
        *more,
    )


def test_warnings_name_the_records_file_given(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(DEMO / "records.xlsx")
    wb["Actions"].append(["no-such-issue/0001/05839/-", "Done", None, None, "B. Okoro"])
    wb["Claims"].append(["0777", "05839", 5, "P", None])
    wb["Expected"].append(["0001", "09999", "Y"])
    path = tmp_path / "our-records-2024.xlsx"
    wb.save(path)
    result = _demo_check(tmp_path, path)
    assert result.exit_code in (0, 1), result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    actions_row = wb["Actions"].max_row
    claims_row = wb["Claims"].max_row
    expected_row = wb["Expected"].max_row
    assert (
        f"warning: our-records-2024.xlsx Actions row {actions_row}: issue"
        " 'no-such-issue/0001/05839/-' is not in this register (already fixed, or a typo)"
    ) in warnings
    assert (
        f"warning: our-records-2024.xlsx Claims row {claims_row}: candidate 0777 is not in the"
        " tracker"
    ) in warnings
    assert (
        f"warning: our-records-2024.xlsx Expected row {expected_row}: qualification 09999 is"
        " not in the catalogue; check the code, or add the qualification in the rules"
        " workbook (from the Rules of combination page, or 'ctforms catalogue template')"
    ) in warnings
    assert not any("records.xlsx" in w.replace("our-records-2024.xlsx", "") for w in warnings)
    # run says them too, not only issues.txt
    ran = invoke(
        "run",
        DEMO / "tracker.csv",
        "--centre",
        CENTRE,
        "--records",
        path,
        "--catalogue",
        DEMO / "rules.xlsx",
        "--as-of",
        DEMO_AS_OF,
        "-o",
        tmp_path / "out",
    )
    assert ran.exit_code == 0, ran.output
    assert [w for w in ran.stderr.splitlines() if w.startswith("warning:")] == warnings


def test_every_expected_code_known_gives_no_warning(tmp_path: Path) -> None:
    result = _demo_check(tmp_path, _records(tmp_path))
    assert "warning:" not in result.stderr


def test_claim_after_as_of_for_a_held_visit_is_refused(tmp_path: Path) -> None:
    # Visits row 3: 05835, visit Completed on 22/05/2024, claim submitted 01/05/2024.
    path = _records(tmp_path, Visits__E3="20/06/2024")
    assert _error(_demo_check(tmp_path, path)) == (
        "Error: our-records-2024.xlsx, sheet 'Visits', row 3, column 'Claim Submitted On': the"
        " claim was submitted on 20/06/2024, after the check's date (10/06/2024), for a visit"
        " that is completed or held; correct the date, or check the date the check is judged"
        " on (--as-of)"
    )


def test_claim_after_as_of_for_a_cancelled_visit_is_refused(tmp_path: Path) -> None:
    path = _records(tmp_path, Visits__E5="20/06/2024")
    line = _error(_demo_check(tmp_path, path))
    assert "sheet 'Visits', row 5, column 'Claim Submitted On'" in line
    assert "for a visit that is cancelled; correct the date, or check the date" in line


def test_planned_claim_for_a_visit_still_ahead_is_taken(tmp_path: Path) -> None:
    # Visits row 4: 05843, Scheduled for 03/07/2024, claim 25/06/2024 (the demo's own).
    result = _demo_check(tmp_path, _records(tmp_path))
    assert result.exit_code in (0, 1), result.output


@pytest.mark.parametrize(("cell", "column"), [("C3", "Visit Date"), ("E3", "Claim Submitted On")])
def test_records_date_out_of_range_is_refused(tmp_path: Path, cell: str, column: str) -> None:
    path = _records(tmp_path, **{f"Visits__{cell}": "01/01/0001"})
    assert _error(_demo_check(tmp_path, path)) == (
        f"Error: our-records-2024.xlsx, sheet 'Visits', row 3, column '{column}': 01/01/0001 is"
        " not a date ctforms can judge on (it takes 2000 to 2100): a typing slip; correct it"
        " (DD/MM/YYYY)"
    )


# ---------------------------------------------------------------------------- long names


def test_255_character_names_go_through_run_without_a_layout_error(tmp_path: Path) -> None:
    """The longest names taken reach every output, the PDF pack included, whole."""
    surname = ("Abcdefghij" * 26)[:MAX_NAME]
    forenames = ("Zyxwvutsrq" * 26)[:MAX_NAME]
    tracker = (DEMO / "tracker.csv").read_text("utf-8")
    assert ",Kowalczyk,Maja," in tracker  # 0011: blocking issues, on the forms and the pack
    path = _tracker(tmp_path, tracker.replace(",Kowalczyk,Maja,", f",{surname},{forenames},"))
    out = tmp_path / "out"
    result = invoke(
        "run",
        path,
        "--centre",
        CENTRE,
        "--records",
        DEMO / "records.xlsx",
        "--catalogue",
        DEMO / "rules.xlsx",
        "--as-of",
        DEMO_AS_OF,
        "-o",
        out,
    )
    assert result.exit_code == 0, result.output
    assert surname.upper() in (out / "issues.txt").read_text("utf-8")
    from pypdf import PdfReader

    pack = PdfReader(out / "64395-declaration-evidence-pack.pdf")
    text = "".join(page.extract_text() for page in pack.pages).replace("\n", "")
    assert surname[:40] in text and forenames[:40] in text
