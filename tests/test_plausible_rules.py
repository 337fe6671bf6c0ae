"""Issue 18, items 3-5, through the CLI: a rules workbook (or YAML catalogue) that says what no
Cambridge Technical can be is refused by sheet, row and column; sheets named alike, or a near
miss of a missing sheet, are refused; a formula is read as the value saved with it (said once)
or, with none saved, refused. The demo's workbook, built here by editing the demo's files."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest
from conftest import DEMO, DEMO_AS_OF, invoke

from ctforms.errors import InputError
from ctforms.files.limits import sheet_formulas
from ctforms.read.catalogue import shipped_text
from ctforms.read.plausible import bounds

RULES = DEMO / "rules.xlsx"
RECORDS = DEMO / "records.xlsx"


def row_of(ws: Any, code: str, unit: int | None = None) -> int:
    for cells in ws.iter_rows(min_row=2):
        if cells[0].value == code and (unit is None or cells[1].value == unit):
            return int(cells[0].row)
    raise AssertionError(f"no row for {code} {unit}")


def edited(
    tmp_path: Path, change: Callable[[Any], None], src: Path = RULES, name: str = "rules.xlsx"
) -> Path:
    wb = openpyxl.load_workbook(src)
    change(wb)
    path = tmp_path / name
    wb.save(path)
    return path


def with_saved_values(path: Path, values: dict[str, str]) -> Path:
    """Give formulas (by their text) the value Excel would have saved with them: openpyxl
    writes a formula with an empty <v/>, as a file no spreadsheet program has calculated."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                for formula, value in values.items():
                    data = data.replace(
                        f"<f>{formula}</f><v></v>".encode(),
                        f"<f>{formula}</f><v>{value}</v>".encode(),
                    )
            dst.writestr(info, data)
    path.write_bytes(out.getvalue())
    return path


def refused(path: Path, where: str, words: str) -> None:
    """Refused by `catalogue check` and by `check --catalogue`, with one line naming where."""
    check: list[str | Path] = [DEMO / "tracker.csv", "--centre", DEMO / "centre.toml"]
    check += ["--records", RECORDS]
    check += ["--catalogue", path, "--as-of", DEMO_AS_OF, "-o", path.parent / "issues.json"]
    for result in (invoke("catalogue", "check", path), invoke("check", *check)):
        assert result.exit_code == 2, result.output
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith(f"Error: {path.name}, {where}: "), lines[0]
        assert words in lines[0], lines[0]
        assert "OK" not in result.stdout
    assert not (path.parent / "issues.json").exists()


def _qual(column: int, value: object, code: str = "05839") -> Callable[[Any], None]:
    def change(wb: Any) -> None:
        ws = wb["Qualifications"]
        ws.cell(row_of(ws, code), column, value)

    return change


# ------------------------------------------------------------------ item 3: plausible or refused


def test_the_demo_workbook_and_the_shipped_catalogue_pass() -> None:
    result = invoke("catalogue", "check", RULES)
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("rules.xlsx: OK\n")
    assert result.stderr == ""  # no formula, nothing to say
    assert "Extended Diploma" in shipped_text()  # the shipped one is read at every command
    assert invoke("catalogue", "list").exit_code == 0


def test_the_bounds_are_data_with_their_source() -> None:
    b = bounds()
    assert b.sizes[(2016, 3)]["extendedcertificate"] == ("Extended Certificate", 360)
    assert [g for _, g in b.sizes[(2016, 3)].values()] == [180, 360, 540, 720, 1080]
    assert b.unit == (10, 180)
    text = (Path(__file__).parent.parent / "ctforms" / "data" / "ocr-sizes.yaml").read_text()
    assert "DOMAIN.md" in text and "Qualification structures" in text


def test_a_unit_of_ten_to_the_fifteen_hours_is_refused(tmp_path: Path) -> None:
    def change(wb: Any) -> None:
        ws = wb["Units"]
        ws.cell(row_of(ws, "05839", 4), 4, 10**15)

    path = edited(tmp_path, change)
    row = row_of(openpyxl.load_workbook(path)["Units"], "05839", 4)
    refused(
        path,
        f"sheet 'Units', row {row}, column 'GLH'",
        "unit 4: 1,000,000,000,000,000 GLH is not what a Cambridge Technicals unit can be"
        " (units are tens of hours: 10 to 180)",
    )


@pytest.mark.parametrize("glh", [0.5, 5, 181, 10**15])
def test_unit_glh_outside_the_bounds(tmp_path: Path, glh: float) -> None:
    path = edited(tmp_path, lambda wb: wb["Units"].cell(row_of(wb["Units"], "05839", 4), 4, glh))
    result = invoke("catalogue", "check", path)
    assert result.exit_code == 2
    assert "column 'GLH'" in result.stderr


def test_a_minimum_glh_of_ten_to_the_eighteen_is_refused(tmp_path: Path) -> None:
    path = edited(tmp_path, _qual(4, 10**18))
    refused(
        path,
        "sheet 'Qualifications', row 8, column 'Minimum GLH'",
        "05839: an Extended Certificate is 360 GLH, not 1,000,000,000,000,000,000: correct the"
        " Minimum GLH, or the Size",
    )


def test_a_minimum_glh_that_disagrees_with_its_size_is_refused(tmp_path: Path) -> None:
    refused(
        edited(tmp_path, _qual(4, 540)),
        "sheet 'Qualifications', row 8, column 'Minimum GLH'",
        "an Extended Certificate is 360 GLH, not 540",
    )


def test_a_size_that_disagrees_with_the_minimum_glh_already_known(tmp_path: Path) -> None:
    # Size changed, Minimum GLH left blank: the known 360 does not fit a Diploma.
    def change(wb: Any) -> None:
        _qual(3, "Diploma")(wb)
        ws = wb["Qualifications"]
        ws.cell(row_of(ws, "05839"), 4).value = None

    refused(edited(tmp_path, change), "sheet 'Qualifications', row 8, column 'Size'", "720")


def test_a_size_the_suite_does_not_have_is_refused(tmp_path: Path) -> None:
    refused(
        edited(tmp_path, _qual(3, "Mega Diploma")),
        "sheet 'Qualifications', row 8, column 'Size'",
        "05839: 'Mega Diploma' is not a size of the Cambridge Technicals (Level 3, suite 2016):"
        " use Certificate, Extended Certificate, Foundation Diploma, Diploma or Extended Diploma",
    )


def test_a_pathway_named_after_the_size_is_that_size(tmp_path: Path) -> None:
    result = invoke("catalogue", "check", edited(tmp_path, _qual(3, "Extended Certificate (IT)")))
    assert result.exit_code == 0, result.output


def test_barring_two_mandatory_units_is_refused(tmp_path: Path) -> None:
    path = edited(tmp_path, lambda wb: wb["Barred"].append(["05839", "1, 2"]))
    refused(
        path,
        "sheet 'Barred', row 4, column 'Units'",
        "05839: units 1 and 2 are both mandatory, so no student can take them",
    )


def test_barring_a_mandatory_unit_with_an_optional_one_is_refused(tmp_path: Path) -> None:
    path = edited(tmp_path, lambda wb: wb["Barred"].append(["05839", "3, 9"]))
    refused(
        path,
        "sheet 'Barred', row 4, column 'Units'",
        "unit 3 is mandatory, so unit 9 barred with it could never be taken",
    )


def test_barring_two_units_mandatory_in_one_pathway_is_refused(tmp_path: Path) -> None:
    # 05836: units 4 and 5 are mandatory in the Marketing pathway.
    path = edited(tmp_path, lambda wb: wb["Barred"].append(["05836", "4, 5"]))
    refused(
        path,
        "sheet 'Barred', row 4, column 'Units'",
        "units 4 and 5 are both mandatory in pathway 'Marketing'",
    )


def test_a_group_minimum_no_choice_can_meet_is_refused(tmp_path: Path) -> None:
    # 05839's optional units are 4, 8, 9, 12 and 17, 60 GLH each: 300 at most.
    refused(
        edited(tmp_path, lambda wb: wb["Groups"].cell(2, 5, 301)),
        "sheet 'Groups', row 2, column 'Min GLH'",
        "05839: group 'optional units' asks for 301 GLH, but its units give at most 300",
    )

    # At most two of them count: 120.
    def two(wb: Any) -> None:
        wb["Groups"].cell(2, 5, 180)
        wb["Groups"].cell(2, 6, 2)

    refused(
        edited(tmp_path, two),
        "sheet 'Groups', row 2, column 'Min GLH'",
        "asks for 180 GLH, but its units give at most 120 (at most 2 of them count)",
    )
    ok = invoke("catalogue", "check", edited(tmp_path, lambda wb: wb["Groups"].cell(2, 5, 300)))
    assert ok.exit_code == 0, ok.output


def test_a_refused_workbook_stops_run_and_writes_nothing(tmp_path: Path) -> None:
    path = edited(tmp_path, _qual(3, "Mega Diploma"))
    out = tmp_path / "out"
    result = invoke(
        "run", DEMO / "tracker.csv", "--centre", DEMO / "centre.toml", "--records", RECORDS,
        "--catalogue", path, "--as-of", DEMO_AS_OF, "-o", out,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "sheet 'Qualifications', row 8, column 'Size'" in result.stderr
    assert not out.exists() or not any(out.iterdir())


YAML = """\
subjects:
  - id: it-2016-l3
    name: Information Technology
    suite: 2016
    level: 3
    source: test
    verified: true
    units:
      - {number: 1, glh: UNIT1}
      - {number: 2, glh: 90}
      - {number: 4, glh: 60}
      - {number: 8, glh: 60}
    qualifications:
      - code: '05839'
        title: T
        size: SIZE
        glh: GLH
        source: s
        verified: true
        rules:
          verified: true
          source: s
          mandatory: [1, 2]
          groups: [{name: options, units: [4, 8], min_units: 1, min_glh: MINGLH}]
          barred: BARRED
"""


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        (
            {"UNIT1": "1000000000000000"},
            "subjects[it-2016-l3].units[1].glh: 1,000,000,000,000,000 GLH is not what a"
            " Cambridge Technicals unit can be",
        ),
        (
            {"GLH": "1000000000000000000"},
            "subjects[it-2016-l3].qualifications[05839].glh: an Extended Certificate is 360 GLH",
        ),
        (
            {"SIZE": "Mega Diploma"},
            "subjects[it-2016-l3].qualifications[05839].size: 'Mega Diploma' is not a size",
        ),
        (
            {"BARRED": "[[1, 2]]"},
            "qualifications[05839].rules.barred: units 1 and 2 are both mandatory",
        ),
        (
            {"MINGLH": "121"},
            "qualifications[05839].rules.groups[options]: group 'options' asks for 121 GLH,"
            " but its units give at most 120",
        ),
    ],
)
def test_a_yaml_catalogue_is_held_to_the_same_rules(
    tmp_path: Path, changes: dict[str, str], words: str
) -> None:
    fills = {"UNIT1": "90", "SIZE": "Extended Certificate", "GLH": "360", "MINGLH": "60"}
    fills |= {"BARRED": "[]"} | changes
    text = YAML
    for key, value in sorted(fills.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(key, value)
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    result = invoke("catalogue", "check", path)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: ")
    assert words in result.stderr, result.stderr


def test_the_yaml_with_plausible_values_passes(tmp_path: Path) -> None:
    fills = {"UNIT1": "90", "SIZE": "Extended Certificate", "GLH": "360", "MINGLH": "60"}
    text = YAML
    for key, value in sorted({**fills, "BARRED": "[[4, 8]]"}.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(key, value)
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    result = invoke("catalogue", "check", path)
    assert result.exit_code == 0, result.output


# ------------------------------------------------------------------------- item 4: sheet names


def test_a_near_miss_of_a_missing_sheet_is_named(tmp_path: Path) -> None:
    def rename(wb: Any) -> None:
        wb["Units"].title = "Unit"

    path = edited(tmp_path, rename)
    refused(path, "sheet 'Unit'", "no sheet 'Units', but a sheet 'Unit': rename it 'Units'")


def test_a_near_miss_of_the_qualifications_sheet_is_named(tmp_path: Path) -> None:
    def rename(wb: Any) -> None:
        wb["Qualifications"].title = "Qualification"

    result = invoke("catalogue", "check", edited(tmp_path, rename))
    assert result.exit_code == 2
    assert "no sheet 'Qualifications', but a sheet 'Qualification'" in result.stderr


@pytest.mark.parametrize("twin", ["Units ", "units", " UNITS"])
def test_two_sheets_that_differ_by_spaces_or_case_are_refused(tmp_path: Path, twin: str) -> None:
    # Excel (and openpyxl) refuse two names that differ only by case; a made file need not.
    path = edited(tmp_path, lambda wb: wb.create_sheet("Twin"))
    book = (
        zipfile.ZipFile(path)
        .read("xl/workbook.xml")
        .replace(b'name="Twin"', f'name="{twin}"'.encode())
    )
    _replace_part(path, "xl/workbook.xml", book)
    refused(
        path,
        f"sheet {twin!r}",
        f"two sheets, 'Units' and {twin!r}, have the same name but for spaces or capitals",
    )


def test_records_sheets_named_alike_or_nearly_are_refused(tmp_path: Path) -> None:
    def twin(wb: Any) -> None:
        wb.create_sheet("Visits ")

    def near(wb: Any) -> None:
        wb["Actions"].title = "Action"

    for change, words in (
        (twin, "sheet 'Visits ': two sheets, 'Visits' and 'Visits ', have the same name"),
        (near, "sheet 'Action': no sheet 'Actions', but a sheet 'Action': rename it 'Actions'"),
    ):
        path = edited(tmp_path, change, RECORDS, "records.xlsx")
        result = invoke(
            "check", DEMO / "tracker.csv", "--centre", DEMO / "centre.toml", "--records", path,
            "--as-of", DEMO_AS_OF, "-o", tmp_path / "issues.json",
        )  # fmt: skip
        assert result.exit_code == 2
        assert result.stderr == f"Error: records.xlsx, {words}" + result.stderr.split(words)[1]
        assert len(result.stderr.splitlines()) == 1


# ------------------------------------------------------------------------- item 5: formulas


def test_a_formula_with_no_saved_value_is_refused(tmp_path: Path) -> None:
    def glh(wb: Any) -> None:
        ws = wb["Units"]
        ws.cell(row_of(ws, "05839", 4), 4, "=60+60")

    path = edited(tmp_path, glh)
    row = row_of(openpyxl.load_workbook(path)["Units"], "05839", 4)
    refused(
        path,
        f"sheet 'Units', row {row}, column 'GLH'",
        "GLH holds a formula (=60+60) and no value saved with it; ctforms does not work"
        " formulas out: enter the number, not a formula",
    )
    refused(
        edited(tmp_path, _qual(4, '=WEBSERVICE("http://example.invalid/glh")')),
        "sheet 'Qualifications', row 8, column 'Minimum GLH'",
        'holds a formula (=WEBSERVICE("http://example.invalid/glh"))',
    )


def test_a_row_of_formulas_alone_is_not_passed_over(tmp_path: Path) -> None:
    # Every cell of the row reads as blank, which would skip the row without a word.
    path = edited(tmp_path, lambda wb: wb["Barred"].append(['="05839"', '="1, 2"']))
    refused(path, "sheet 'Barred', row 4, column 'Code'", "enter the value itself, not a formula")


def test_a_formula_with_a_saved_value_is_read_and_said_once(tmp_path: Path) -> None:
    def formulas(wb: Any) -> None:
        ws = wb["Units"]
        ws.cell(row_of(ws, "05839", 4), 4, "=30+30")
        _qual(4, "=180*2")(wb)

    path = with_saved_values(edited(tmp_path, formulas), {"30+30": "60", "180*2": "360"})
    row = row_of(openpyxl.load_workbook(path)["Units"], "05839", 4)
    result = invoke("catalogue", "check", path)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "warning: rules.xlsx: 2 cells hold a formula, read as the value saved with the file:"
        f" Qualifications!D8 (=180*2 = 360), Units!D{row} (=30+30 = 60); check they are right,"
        " or type the values themselves\n"
    )
    # Exported, the workbook's values go into the YAML, and the export says so once too.
    export = invoke("catalogue", "export", path, "--format", "yaml", "-o", tmp_path / "r.yaml")
    assert export.exit_code == 0, export.output
    assert export.stderr.count("cells hold a formula") == 1
    assert "- code: '05839'" in (tmp_path / "r.yaml").read_text("utf-8")
    # A saved value that is not plausible is refused like a typed one.
    bad = with_saved_values(edited(tmp_path, formulas), {"30+30": "6000", "180*2": "360"})
    refused(bad, f"sheet 'Units', row {row}, column 'GLH'", "6,000 GLH is not what")
    # The check uses the saved value and says so once, among its warnings.
    path = with_saved_values(edited(tmp_path, formulas), {"30+30": "60", "180*2": "360"})
    result = invoke(
        "check", DEMO / "tracker.csv", "--centre", DEMO / "centre.toml", "--records", RECORDS,
        "--catalogue", path, "--as-of", DEMO_AS_OF, "-o", tmp_path / "issues.json",
    )  # fmt: skip
    assert result.exit_code in {0, 1}, result.output
    assert result.stderr.count("cells hold a formula") == 1
    said = (tmp_path / "issues.json").read_text("utf-8")
    assert said.count("cells hold a formula, read as the value saved with the file") == 1


def _records_with(tmp_path: Path, sheet: str, row: list[object]) -> Path:
    return edited(tmp_path, lambda wb: wb[sheet].append(row), RECORDS, "records.xlsx")


def _check_records(tmp_path: Path, records: Path) -> Any:
    return invoke(
        "check", DEMO / "tracker.csv", "--centre", DEMO / "centre.toml", "--records", records,
        "--catalogue", RULES, "--as-of", DEMO_AS_OF, "-o", tmp_path / "issues.json",
    )  # fmt: skip


def test_records_a_formula_in_action_taken_is_called_a_formula(tmp_path: Path) -> None:
    issue = "not-certificating/0035/05835/-"
    path = _records_with(tmp_path, "Actions", [issue, '=CONCAT("Emailed ","OCR")', None, None])
    result = _check_records(tmp_path, path)
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: records.xlsx, sheet 'Actions', row 3, column 'Action Taken': Action Taken holds a"
        ' formula (=CONCAT("Emailed ","OCR")) and no value saved with it; ctforms does not work'
        " formulas out: enter the value itself, not a formula\n"
    )
    assert not (tmp_path / "issues.json").exists()


def test_records_a_formula_in_decided_by_is_called_a_formula(tmp_path: Path) -> None:
    def decisions(wb: Any) -> None:
        ws = wb.create_sheet("Entry Decisions")
        ws.append(["Candidate Number", "Qualification Code", "Make the Change (Y/N)", "Decided By"])
        ws.append(["0012", "05838", "Y", "=Staff!A1"])

    result = _check_records(tmp_path, edited(tmp_path, decisions, RECORDS, "records.xlsx"))
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "Error: records.xlsx, sheet 'Entry Decisions', row 2, column 'Decided By': Decided By"
        " holds a formula (=Staff!A1)"
    )
    assert "is empty" not in result.stderr


def _records_with_a_saved_formula(tmp_path: Path) -> Path:
    """Actions row 3's By is =Staff!A1, saved with its text value, as Excel saves it."""
    issue = "not-certificating/0035/05835/-"
    path = _records_with(tmp_path, "Actions", [issue, "Emailed OCR", None, None, "=Staff!A1"])
    part = "xl/worksheets/sheet7.xml"
    data = zipfile.ZipFile(path).read(part)
    saved = b'<c r="E3" t="str"><f>Staff!A1</f><v>B. Okoro</v></c>'
    data, found = re.subn(rb'<c r="E3"><f>Staff!A1</f><v\s*/?>(</v>)?</c>', saved, data)
    assert found == 1
    _replace_part(path, part, data)
    return path


def test_records_a_formula_with_a_saved_value_is_read_and_said(tmp_path: Path) -> None:
    path = _records_with_a_saved_formula(tmp_path)
    result = _check_records(tmp_path, path)
    assert result.exit_code in {0, 1}, result.output
    assert (
        "warning: records.xlsx: 1 cell holds a formula, read as the value saved with the file:"
        " Actions!E3 (=Staff!A1 = B. Okoro); check it is right" in result.stderr
    )


def test_records_handled_refuses_a_workbook_whose_formula_it_would_empty(tmp_path: Path) -> None:
    # Written back by ctforms, the formula would lose the value Excel saved with it, and the
    # next check would refuse it: said before anything is written.
    path = _records_with_a_saved_formula(tmp_path)
    before = path.read_bytes()
    result = invoke(
        "records", "handled", path, "--issue", "claim-needed/0011/05839/9", "--action",
        "Claimed", "--by", "Ben", "--date", "2024-06-12",
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.output == (
        "Error: records.xlsx, sheet 'Actions', row 3, column 'By': E3 holds a formula; ctforms"
        " would save the workbook without the value worked out for it: enter the value itself,"
        " not a formula, then record this again\n"
    )
    assert path.read_bytes() == before


def _replace_part(path: Path, part: str, data: bytes) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, data if info.filename == part else src.read(info))
    path.write_bytes(out.getvalue())


def test_the_formula_reading_is_as_safe_as_the_rest(tmp_path: Path) -> None:
    # The light pass over a sheet's XML that finds formulas refuses an entity bomb, as openpyxl's
    # own reading does: one line, no traceback.
    path = edited(tmp_path, lambda wb: wb["Units"].cell(3, 4, "=60+60"))
    part = "xl/worksheets/sheet3.xml"
    xml = zipfile.ZipFile(path).read(part)
    bomb = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    assert xml.startswith(b"<worksheet")
    _replace_part(path, part, bomb + xml)
    result = invoke("catalogue", "check", path)
    assert result.exit_code == 2
    said = (
        "rules.xlsx: not a readable Excel workbook (its XML declares entities, as an XML bomb"
        " does; Excel never writes them); save it again from Excel as .xlsx"
    )
    assert result.stderr == f"Error: {said}\n"
    # openpyxl refuses it on opening; the formula pass on its own refuses it too.
    sheet = SimpleNamespace(
        parent=SimpleNamespace(_archive=zipfile.ZipFile(path)), _worksheet_path=part
    )
    with pytest.raises(InputError) as err:
        sheet_formulas(sheet, path)
    assert str(err.value) == said
