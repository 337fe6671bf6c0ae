"""The rules workbook through the CLI: template, fill by header names, check, use, share.

The centre here is made in the test (not the demo): IT Extended Certificate 05839 students,
with the Certificate 05838 as the size they could move down to. The verdicts expected below are
worked by hand from the rules each test fills in.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from conftest import DEMO, invoke
from office import convert, needs_office

from ctforms.models import IssueKind, Register
from ctforms.read.catalogue import parse_catalogue
from ctforms.read.tracker import FIELDS

CENTRE = "12345"
CERT = "Certificating in August 2024"
RA, ER, CS = "Result achieved", "Entry received", "Claim submitted"
IT_TITLE = "OCR Level 3 Cambridge Technical Extended Certificate in IT"
# unit -> (title, type); GLH (from the shipped catalogue and DOMAIN.md): 1, 2 = 90, others 60
IT_UNITS = {
    1: ("Fundamentals of IT", "Examined"),
    2: ("Global information", "Examined"),
    3: ("Cyber security", "Examined"),
    4: ("Computer networks", "Moderated"),
    8: ("Project management", "Moderated"),
    9: ("Product development", "Moderated"),
    12: ("Mobile technology", "Moderated"),
}
# candidate -> units {unit: (status, grade)}
STUDENTS: dict[str, dict[int, tuple[str, str]]] = {
    # clean: 1, 2, 3 + 4, 9 = 90 + 90 + 60 + 60 + 60 = 360
    "0001": {1: (RA, "M"), 2: (ER, ""), 3: (RA, "P"), 4: (CS, ""), 9: (CS, "")},
    # mandatory unit 3 missing though 90 + 90 + 4 x 60 = 420 GLH
    "0002": {1: (RA, "P"), 2: (RA, "P"), 4: (CS, ""), 8: (CS, ""), 9: (CS, ""), 12: (CS, "")},
    # 90 + 90 + 60 + 60 = 300 < 360; units 1 and 2 achieved: meets the Certificate (180)
    "0003": {1: (RA, "D"), 2: (RA, "M"), 3: (ER, ""), 9: (CS, "")},
    # clean, last of the centre: 1, 2, 3 + 8, 12 = 360
    "0004": {1: (RA, "P"), 2: (RA, "P"), 3: (RA, "P"), 8: (CS, ""), 12: (CS, "")},
}


def _tracker(folder: Path) -> Path:
    header = [names[0] for names in FIELDS.values()]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for number, units in STUDENTS.items():
        for unit, (status, grade) in sorted(units.items()):
            title, kind = IT_UNITS[unit]
            row = {
                "centre_number": CENTRE,
                "candidate_number": number,
                "surname": f"Student{number}",
                "forenames": "Test",
                "date_of_birth": "01/01/2006",
                "qualification_code": "05839",
                "qualification_title": IT_TITLE,
                "certification_status": CERT,
                "estimated_completion": "Summer 2024",
                "entry_date": "19/09/2022",
                "unit_number": str(unit),
                "unit_title": title,
                "unit_type": kind,
                "unit_status": status,
                "unit_grade": grade,
                "unit_series": "June 2024" if status != CS else "",
            }
            w.writerow([row.get(field, "") for field in FIELDS])
    path = folder / "tracker.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    (folder / "centre.toml").write_text(
        f'[centre]\nnumber = "{CENTRE}"\nname = "Test College"\n[series]\nyear = 2024\n',
        encoding="utf-8",
    )
    return path


Fill = dict[tuple[str, int], str]  # (code, unit) -> Rule


def _template(tmp_path: Path) -> Path:
    tracker = _tracker(tmp_path)
    rules = tmp_path / "rules.xlsx"
    result = invoke("catalogue", "template", tracker, "-o", rules)
    assert result.exit_code == 0, result.output
    return rules


def _fill(
    path: Path,
    quals: dict[str, dict[str, object]],
    rules: Fill,
    glh: dict[int, int] | None = None,
    extra: Callable[[openpyxl.Workbook], None] | None = None,
) -> None:
    """Fill the template by its header names, as a person (or a script) would."""
    wb = openpyxl.load_workbook(path)
    for sheet, values_by_key in (("Qualifications", quals),):
        ws = wb[sheet]
        cols = {c.value: c.column for c in ws[1]}
        for row in range(2, ws.max_row + 1):
            code = ws.cell(row, cols["Code"]).value
            for column, value in values_by_key.get(str(code), {}).items():
                ws.cell(row, cols[column]).value = value
    ws = wb["Units"]
    cols = {c.value: c.column for c in ws[1]}
    for row in range(2, ws.max_row + 1):
        code, unit = ws.cell(row, cols["Code"]).value, ws.cell(row, cols["Unit"]).value
        key = (str(code), int(str(unit)))
        if key in rules:
            ws.cell(row, cols["Rule"]).value = rules[key]
        if glh and int(str(unit)) in glh:
            ws.cell(row, cols["GLH"]).value = glh[int(str(unit))]
    if extra:
        extra(wb)
    wb.save(path)


def _check(tmp_path: Path, rules: Path) -> Register:
    result = invoke(
        "check",
        tmp_path / "tracker.csv",
        "--centre",
        tmp_path / "centre.toml",
        "--catalogue",
        rules,
        "--as-of",
        "2024-06-10",
        "--format",
        "json",
    )
    assert result.exit_code in (0, 1), result.output
    return Register.model_validate_json(result.stdout)


def _combination_kinds(register: Register) -> set[tuple[str | None, str, int | None]]:
    combination = {
        IssueKind.MANDATORY_UNIT_MISSING,
        IssueKind.GLH_SHORT,
        IssueKind.INVALID_COMBINATION,
        IssueKind.MOVE_DOWN_AVAILABLE,
        IssueKind.COMBINATION_UNVERIFIABLE,
    }
    return {
        (i.candidate_number, i.kind.value, i.unit_number)
        for i in register.issues
        if i.kind in combination
    }


MANDATORY_IT = {("05839", u): "Mandatory" for u in (1, 2, 3)}
OPTIONAL_IT = {("05839", u): "Optional" for u in (4, 8, 9, 12)}
CERT_RULES = {("05838", 1): "Mandatory", ("05838", 2): "Mandatory"}
CERT_RULES |= {("05838", u): "Optional" for u in (3, 4, 8, 9, 12)}
KNOWN_SIZES = {
    "05839": {"Minimum GLH": 360, "Verified": "Y", "Source": "IT centre handbook v3, section 3"},
    "05838": {"Minimum GLH": 180, "Verified": "Y", "Source": "IT centre handbook v3, section 3"},
}


# ---------------------------------------------------------------------------- the template


def test_template_has_the_contract_and_is_prefilled(tmp_path: Path) -> None:
    rules = _template(tmp_path)
    wb = openpyxl.load_workbook(rules)
    assert wb.sheetnames[:3] == ["Instructions", "Qualifications", "Units"]
    quals = wb["Qualifications"]
    header = [c.value for c in quals[1]]
    assert header[:6] == ["Code", "Title", "Size", "Minimum GLH", "Subject", "Source"]
    units = wb["Units"]
    assert [c.value for c in units[1]][:6] == ["Code", "Unit", "Title", "GLH", "Assessment", "Rule"]
    rows = {str(r[0]): r for r in quals.iter_rows(min_row=2, values_only=True)}
    # The tracker's code and the other IT size the shipped catalogue knows.
    assert set(rows) == {"05838", "05839"}
    assert rows["05839"][2:5] == ("Extended Certificate", 360, "Information Technology")
    assert rows["05839"][6] == "Y"
    # 05838's 180 GLH is inferred in the shipped catalogue: shown, marked not confirmed.
    assert rows["05838"][3:7] == (180, "Information Technology", rows["05838"][5], "N")
    assert "not confirmed" in str(rows["05838"][10])  # Notes
    unit_rows = {(str(r[0]), r[1]): r for r in units.iter_rows(min_row=2, values_only=True)}
    # Every unit the tracker shows for 05839, with what the catalogue knows of it.
    assert sorted(u for c, u in unit_rows if c == "05839") == sorted(IT_UNITS)
    assert unit_rows[("05839", 1)][2:6] == ("Fundamentals of IT", 90, "Examined", None)
    # Unit 4's title and type are not in the catalogue: the tracker's are used.
    assert unit_rows[("05839", 4)][2:6] == ("Computer networks", 60, "Moderated", None)
    # Code stays text (leading zero); header frozen; drop-downs for Rule and Assessment.
    assert units["A2"].data_type == "s" and units["A2"].value.startswith("0")
    assert units.freeze_panes == "A2"
    checked = {str(dv.sqref).split(":")[0][0] for dv in units.data_validations.dataValidation}
    assert {"E", "F"} <= checked  # Assessment, Rule


def test_template_refuses_to_overwrite(tmp_path: Path) -> None:
    rules = _template(tmp_path)
    again = invoke("catalogue", "template", tmp_path / "tracker.csv", "-o", rules)
    assert again.exit_code == 2 and "--force" in again.stderr


@needs_office
def test_template_opens_in_libreoffice(tmp_path: Path) -> None:
    pdf = convert(_template(tmp_path), "pdf", tmp_path / "pdf")
    assert pdf.stat().st_size > 1000


# ---------------------------------------------------------------------------- verdicts


def test_filled_rules_give_the_right_verdicts(tmp_path: Path) -> None:
    rules = _template(tmp_path)
    _fill(rules, KNOWN_SIZES, {**MANDATORY_IT, **OPTIONAL_IT, **CERT_RULES})
    checked = invoke("catalogue", "check", rules)
    assert checked.exit_code == 0, checked.output
    assert "changes 05839" in checked.stdout and "fully known" in checked.stdout
    register = _check(tmp_path, rules)
    # 0002 and 0003 cannot get 05839, but their achieved units 1 and 2 meet 05838 (180).
    assert _combination_kinds(register) == {
        ("0002", "mandatory-unit-missing", 3),
        ("0002", "move-down-available", None),
        ("0003", "glh-short", None),
        ("0003", "move-down-available", None),
    }
    by_id = {i.id: i for i in register.issues}
    short = by_id["glh-short/0003/05839/-"]
    assert (short.evidence.glh_taken, short.evidence.glh_required) == (300, 360)
    move = by_id["move-down-available/0003/05839/-"]
    assert move.evidence.move_down_code == "05838"
    # Clean students get nothing at all, and the rules' source reaches the register.
    assert {s.candidate_number: s.status.value for s in register.students} == {
        "0001": "ok",
        "0002": "at-risk",
        "0003": "at-risk",
        "0004": "ok",
    }
    use = {c.code: c for c in register.catalogue}
    assert use["05839"].rules == "verified" and use["05839"].not_known == []
    assert use["05839"].source == "IT centre handbook v3, section 3"


def test_glh_only_knowledge_finds_a_shortfall(tmp_path: Path) -> None:
    rules = _template(tmp_path)
    _fill(rules, KNOWN_SIZES, {})  # sizes and unit GLH known, no Rule anywhere
    register = _check(tmp_path, rules)
    kinds = _combination_kinds(register)
    assert kinds == {
        ("0003", "glh-short", None),
        (None, "combination-unverifiable", None),
    }
    (line,) = [i for i in register.issues if i.kind is IssueKind.COMBINATION_UNVERIFIABLE]
    assert line.id == "combination-unverifiable/-/05839/-"
    assert line.evidence.students == 4
    assert line.evidence.candidate_numbers == ["0001", "0002", "0003", "0004"]
    assert line.evidence.unverified == ["which units are mandatory or optional"]
    assert "0001, 0002, 0003, 0004" in line.summary
    # The Certificate's rules are not known: a move-down is not proposed, only suggested.
    short = next(i for i in register.issues if i.kind is IssueKind.GLH_SHORT)
    assert short.evidence.note is not None
    assert "a move-down to 05838 (Certificate) may be possible" in short.evidence.note
    assert "achieved units (1, 2)" in short.evidence.note
    # Students with nothing else wrong are "check", not "ok", and not "at risk".
    status = {s.candidate_number: s.status.value for s in register.students}
    assert status == {"0001": "check", "0002": "check", "0003": "at-risk", "0004": "check"}
    # The text report says it in words.
    text = invoke(
        "check",
        tmp_path / "tracker.csv",
        "--centre",
        tmp_path / "centre.toml",
        "--catalogue",
        rules,
        "--as-of",
        "2024-06-10",
    ).stdout
    assert "The rules of combination for 05839 are only partly known" in text
    assert "4 students must still be checked by hand against the centre handbook" in text


def test_nothing_filled_in_is_one_line_per_qualification(tmp_path: Path) -> None:
    rules = _template(tmp_path)
    register = _check(tmp_path, rules)  # the template as made: shipped facts only
    lines = [i for i in register.issues if i.kind is IssueKind.COMBINATION_UNVERIFIABLE]
    assert [i.id for i in lines] == ["combination-unverifiable/-/05839/-"]
    # Shipped: 05839 is 360 GLH (confirmed) and units 1-4, 8, 9, 12 have GLH: 0003 is short.
    assert ("0003", "glh-short", None) in _combination_kinds(register)


def test_partly_marked_rules_check_what_is_known(tmp_path: Path) -> None:
    rules = _template(tmp_path)
    # Mandatory units marked, the optional ones left blank (not known).
    _fill(rules, KNOWN_SIZES, MANDATORY_IT)
    register = _check(tmp_path, rules)
    kinds = _combination_kinds(register)
    assert ("0002", "mandatory-unit-missing", 3) in kinds
    assert ("0003", "glh-short", None) in kinds
    (line,) = [i for i in register.issues if i.kind is IssueKind.COMBINATION_UNVERIFIABLE]
    # 0001 and 0004 need their optional units to reach 360: whether they count is not known.
    assert line.evidence.candidate_numbers == ["0001", "0002", "0003", "0004"]
    assert line.evidence.unverified is not None
    assert line.evidence.unverified[0].startswith("the rule for units")
    assert {c.code: c.rules for c in register.catalogue}["05839"] == "partial"


def test_rules_complete_n_keeps_unlisted_units_open(tmp_path: Path) -> None:
    rules = _template(tmp_path)
    sizes = {"05839": {**KNOWN_SIZES["05839"], "Rules Complete": "N"}, "05838": {}}

    # Only the mandatory units marked; the other rows deleted: they are not listed at all.
    def keep_mandatory(wb: openpyxl.Workbook) -> None:
        ws = wb["Units"]
        cols = {c.value: c.column for c in ws[1]}
        for row in range(ws.max_row, 1, -1):
            code, rule = ws.cell(row, cols["Code"]).value, ws.cell(row, cols["Rule"]).value
            if code == "05839" and rule is None:
                ws.delete_rows(row)

    _fill(rules, sizes, MANDATORY_IT, extra=keep_mandatory)
    shown = invoke("catalogue", "show", "05839", "--catalogue", rules)
    assert "which other units are allowed" in shown.stdout
    register = _check(tmp_path, rules)
    kinds = _combination_kinds(register)
    assert ("0002", "mandatory-unit-missing", 3) in kinds
    # Without "N" the unlisted optional units would count nothing and 0001 would be short.
    assert ("0001", "glh-short", None) not in kinds
    (line,) = [i for i in register.issues if i.kind is IssueKind.COMBINATION_UNVERIFIABLE]
    assert "0001" in (line.evidence.candidate_numbers or [])


def test_rules_source_column_reaches_the_register(tmp_path: Path) -> None:
    rules = _template(tmp_path)
    sizes = {
        "05839": {**KNOWN_SIZES["05839"], "Rules Source": "Handbook p.12"},
        "05838": KNOWN_SIZES["05838"],
    }
    _fill(rules, sizes, {**MANDATORY_IT, **OPTIONAL_IT})
    shown = invoke("catalogue", "show", "05839", "--catalogue", rules)
    assert "rules of combination (verified; Handbook p.12)" in shown.stdout


# ---------------------------------------------------------------------------- sharing


def test_workbook_round_trips_through_yaml(tmp_path: Path) -> None:
    yaml1, book2, yaml2 = tmp_path / "a.yaml", tmp_path / "b.xlsx", tmp_path / "b.yaml"
    exported = invoke("catalogue", "export", DEMO / "rules.xlsx", "--format", "yaml", "-o", yaml1)
    assert exported.exit_code == 0
    assert invoke("catalogue", "export", yaml1, "--format", "xlsx", "-o", book2).exit_code == 0
    assert invoke("catalogue", "export", book2, "--format", "yaml", "-o", yaml2).exit_code == 0
    body1 = yaml1.read_text("utf-8").split("\n", 1)[1]
    body2 = yaml2.read_text("utf-8").split("\n", 1)[1]
    assert body1 == body2
    assert "'05839'" in body1  # codes stay text
    # The same verdicts from either form.
    demo: list[str | Path] = [DEMO / "tracker.csv", "--centre", DEMO / "centre.toml"]
    args: list[str | Path] = [
        "--records",
        DEMO / "records.xlsx",
        "--as-of",
        "2024-06-10",
        "--format",
        "json",
    ]
    from_xlsx = invoke("check", *demo, "--catalogue", DEMO / "rules.xlsx", *args)
    from_yaml = invoke("check", *demo, "--catalogue", yaml1, *args)
    issues_x = json.loads(from_xlsx.stdout)["issues"]
    issues_y = json.loads(from_yaml.stdout)["issues"]
    for issue in issues_x + issues_y:
        issue["evidence"].pop("note", None)  # names the file the rules came from
    assert issues_x == issues_y


YAML = """\
catalogue_version: 1
subjects:
  - id: sport-2016-l3
    name: Sport and Physical Activity
    suite: 2016
    level: 3
    source: centre handbook
    verified: true
    units:
      - {number: 1, title: Body systems, glh: 90, assessment: Examined}
      - {number: 2, glh: 60}
      - {number: 3, glh: 60}
      - {number: 4, glh: 90, assessment: Examined}
      - {number: 5, glh: 60}
      - {number: 6, glh: 60}
      - {number: 7}
    qualifications:
      - code: "05828"
        title: Diploma in Sport
        size: Diploma
        glh: 720
        source: handbook
        verified: true
        rules:
          verified: true
          source: handbook section 3
          mandatory: [1, 4]
          groups:
            - {name: options, units: [2, 3], min_units: 1, min_glh: 60, max_units: 2}
          pathways:
            - name: Coaching
              mandatory: [5]
              groups: [{name: coaching options, units: [6], min_units: 1}]
            - name: Fitness
              mandatory: [6]
          barred: [[2, 3]]
          unknown: [7]
      - code: "05829"
        title: Certificate in Sport
        size: Certificate
        source: handbook
        verified: false
"""


def test_yaml_round_trips_through_the_workbook(tmp_path: Path) -> None:
    original = tmp_path / "sport.yaml"
    original.write_text(YAML, encoding="utf-8")
    book, back = tmp_path / "sport.xlsx", tmp_path / "back.yaml"
    assert invoke("catalogue", "export", original, "--format", "xlsx", "-o", book).exit_code == 0
    assert invoke("catalogue", "export", book, "--format", "yaml", "-o", back).exit_code == 0
    assert parse_catalogue(back.read_text("utf-8"), "b") == parse_catalogue(YAML, "a")
    wb = openpyxl.load_workbook(book)
    assert [r for r in wb["Barred"].iter_rows(min_row=2, values_only=True)] == [("05828", "2, 3")]
    groups = list(wb["Groups"].iter_rows(min_row=2, values_only=True))
    assert ("05828", None, "options", 1, 60, 2) in groups


# ---------------------------------------------------------------------------- refusals


def _units_cell(column: str, value: object) -> Callable[[openpyxl.Workbook], None]:
    def edit(wb: openpyxl.Workbook) -> None:
        ws = wb["Units"]
        cols = {c.value: c.column for c in ws[1]}
        ws.cell(3, cols[column]).value = value

    return edit


def _duplicate_unit(wb: openpyxl.Workbook) -> None:
    ws = wb["Units"]
    ws.append([c.value for c in ws[2]])


def _empty_group(wb: openpyxl.Workbook) -> None:
    wb["Groups"].append(["05839", None, "specialist", 1])


def _group_typo(wb: openpyxl.Workbook) -> None:
    wb["Groups"].append(["05839", None, "practical", 1])
    ws = wb["Units"]
    cols = {c.value: c.column for c in ws[1]}
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, cols["Code"]).value == "05839" and ws.cell(row, cols["Unit"]).value in (
            4,
            8,
        ):
            ws.cell(row, cols["Group"]).value = (
                "practical" if ws.cell(row, 2).value == 4 else "practial"
            )


def _too_many(wb: openpyxl.Workbook) -> None:
    wb["Groups"].append(["05839", None, "optional", 5])


def _sheet_row(sheet: str, values: list[object]) -> Callable[[openpyxl.Workbook], None]:
    def edit(wb: openpyxl.Workbook) -> None:
        wb[sheet].append(values)

    return edit


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (_units_cell("GLH", "sixty"), "sheet 'Units', row 3, column 'GLH': 'sixty' is not a whole"),
        (_units_cell("GLH", 0), "column 'GLH': '0' is not a whole number above 0"),
        (_units_cell("GLH", 60.5), "column 'GLH': '60.5' is not a whole number"),
        (_units_cell("Rule", "Mand"), "column 'Rule': unknown Rule 'Mand'"),
        (_units_cell("Code", "5839X"), "column 'Code': '5839X' is not an OCR qualification"),
        (_units_cell("Assessment", "Exam"), "column 'Assessment': unknown Assessment 'Exam'"),
        (_duplicate_unit, "column 'Unit': unit 1 is listed twice for 05838 (also row 2)"),
        (_empty_group, "group 'specialist' of 05839 has no units"),
        (_group_typo, "column 'Group': group 'practial' of 05839 is not on sheet 'Groups'"),
        (_too_many, "column 'Min Units': group 'optional' of 05839 asks for 5 units but has"),
        (_sheet_row("Barred", ["05853", "4, 8"]), "column 'Code': 05853 has no units"),
        (_sheet_row("Groups", ["05829", None, "x", 1]), "column 'Code': 05829 has no units"),
        (_sheet_row("Barred", ["05839", "4, 99"]), "column 'Units': unit 99 is not on sheet"),
    ],
    ids=[
        "glh-text",
        "glh-zero",
        "glh-fraction",
        "rule",
        "code",
        "assessment",
        "twice",
        "group",
        "group-typo",
        "min-units",
        "barred-code",
        "groups-code",
        "barred-unit",
    ],
)
def test_bad_workbooks_are_refused(
    tmp_path: Path, edit: Callable[[openpyxl.Workbook], None], words: str
) -> None:
    rules = _template(tmp_path)
    _fill(rules, KNOWN_SIZES, {**MANDATORY_IT, **OPTIONAL_IT}, extra=edit)
    for args in (
        ("catalogue", "check", rules),
        ("catalogue", "export", rules, "--format", "yaml", "-o", tmp_path / "out.yaml"),
    ):
        result = invoke(*args)
        assert result.exit_code == 2
        assert words in result.stderr
        assert result.stderr.startswith("Error: rules.xlsx, sheet")
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.output
    assert not (tmp_path / "out.yaml").exists()
    # check refuses it too, before writing anything
    out = tmp_path / "issues.json"
    result = invoke(
        "check",
        tmp_path / "tracker.csv",
        "--centre",
        tmp_path / "centre.toml",
        "--catalogue",
        rules,
        "-o",
        out,
        "--format",
        "json",
    )
    assert result.exit_code == 2 and not out.exists()


def test_not_a_workbook_or_not_a_rules_workbook(tmp_path: Path) -> None:
    fake = tmp_path / "rules.xlsx"
    fake.write_text("Code,Unit\n", encoding="utf-8")
    result = invoke("catalogue", "check", fake)
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: rules.xlsx: not a readable Excel workbook (it is not a zip file, as every"
        " .xlsx is); save it again from Excel as .xlsx\n"
    )
    records = invoke("catalogue", "check", DEMO / "records.xlsx")
    assert records.exit_code == 2
    assert "no sheet 'Qualifications'" in records.stderr


def test_header_row_under_a_title_is_found(tmp_path: Path) -> None:
    rules = _template(tmp_path)
    _fill(rules, KNOWN_SIZES, {**MANDATORY_IT, **OPTIONAL_IT, **CERT_RULES})
    wb = openpyxl.load_workbook(rules)
    for name in ("Qualifications", "Units"):
        wb[name].insert_rows(1, 2)
        wb[name]["A1"] = f"Riverside College: {name}"
    wb.save(rules)
    register = _check(tmp_path, rules)
    assert ("0002", "mandatory-unit-missing", 3) in _combination_kinds(register)
