"""`ctforms forms ...`: the Missing and incomplete results spreadsheets and the HoC declaration."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import GOLDEN, ROOT, invoke
from office import convert, needs_office
from pypdf import PdfReader

from ctforms.models import Register

REGISTER = GOLDEN / "demo-register.json"
FORMS = {
    "missed-claim": "64395-missed-from-moderation-claim.xlsx",
    "incorrect-claim": "64395-incorrect-unit-grade-claimed.xlsx",
    "missing-tag": "64395-missing-mid-flight-tag.xlsx",
}
DOCX = "64395-missing-tag-hoc-declaration.docx"

# The demo's expected rows (candidate, surname, qualification, unit, grade fields).
EXPECTED: dict[str, list[list[object]]] = {
    "missed-claim": [
        [
            "64395",
            "0032",
            "Young",
            "Ella",
            "4002534080",
            "05835",
            "OCR Level 3 Cambridge Technical Extended Certificate in Business",
            14,
            "Resource management",
            "P",
            "22/05/2024",
            "P. Okonkwo",
        ]
    ],
    # 0015's visit (20/06) is after the check (10/06): corrected in Interchange, not here.
    "incorrect-claim": [
        ["64395", "0033", "King", "Oscar", None, "05835", None, 5, None, "D", 5, "M"],
    ],
    "missing-tag": [
        [
            "64395",
            "0017",
            "Evans",
            "Rhys",
            None,
            "05839",
            None,
            None,
            4,
            "Computer networks",
            "12/05/2021",
            "M",
        ]
    ],
}


def _rows(path: Path) -> list[list[object]]:
    ws = openpyxl.load_workbook(path)["Request"]
    out = []
    for row in ws.iter_rows(min_row=9, values_only=True):
        out.append([v.strftime("%d/%m/%Y") if hasattr(v, "strftime") else v for v in row])
    return out


def _matches(got: list[object], want: list[object]) -> bool:
    return all(w is None or g == w for g, w in zip(got, want, strict=False))


@pytest.mark.parametrize("form", sorted(FORMS))
def test_demo_forms_have_the_expected_rows(form: str, tmp_path: Path) -> None:
    result = invoke("forms", form, REGISTER, "-o", tmp_path)
    assert result.exit_code == 0, result.output
    path = tmp_path / FORMS[form]
    rows = _rows(path)
    assert len(rows) == len(EXPECTED[form])
    for got, want in zip(rows, EXPECTED[form], strict=True):
        assert _matches(got, want), (got, want)
    ws = openpyxl.load_workbook(path)["Request"]
    assert ws["B3"].value == "64395" and ws["B4"].value == "Riverside Sixth Form College"
    assert ws["B5"].value.date().isoformat() == "2024-06-10"
    assert ws.freeze_panes == "A9"
    assert ws.protection.sheet is True
    assert ws.print_title_rows == "$1:$8"  # the header block and column titles
    assert ws.page_setup.orientation == "landscape"
    grades = [dv for dv in ws.data_validations.dataValidation if "D,M,P" in dv.formula1]
    assert grades
    # Only the columns a person still fills are unlocked.
    reason_col = [c.value for c in ws[8]].index("Reason") + 1
    assert ws.cell(row=9, column=reason_col).protection.locked is False
    assert ws.cell(row=9, column=2).protection.locked is True


def test_demo_forms_are_deterministic(tmp_path: Path) -> None:
    for sub in ("a", "b"):
        for form in FORMS:
            invoke("forms", form, REGISTER, "-o", tmp_path / sub)
    for name in [*FORMS.values(), DOCX]:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_source_date_epoch_sets_the_timestamp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoke("forms", "missed-claim", REGISTER, "-o", tmp_path / "a")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1718000000")
    invoke("forms", "missed-claim", REGISTER, "-o", tmp_path / "b")
    a = zipfile.ZipFile(tmp_path / "a" / FORMS["missed-claim"]).infolist()[0].date_time
    b = zipfile.ZipFile(tmp_path / "b" / FORMS["missed-claim"]).infolist()[0].date_time
    assert a[:3] == (2024, 6, 10) and b[:3] == (2024, 6, 10) and b[3:] != (0, 0, 0)


def test_missing_tag_writes_the_declaration(tmp_path: Path) -> None:
    result = invoke("forms", "missing-tag", REGISTER, "-o", tmp_path)
    assert result.exit_code == 0
    assert (tmp_path / DOCX).exists()
    xml = zipfile.ZipFile(tmp_path / DOCX).read("word/document.xml").decode()
    for text in (
        "Dr Margaret O&apos;Neill",
        "1 August 2020",
        "31 August 2021",
        "0017",
        "Evans, Rhys",
        "Signed (Head of Centre)",
    ):
        assert text in xml or text.replace("&apos;", "'") in xml


def test_declaration_table_has_fixed_column_widths_that_fit_the_page(tmp_path: Path) -> None:
    """Explicit widths, wide enough for each heading's longest word: left to itself a word
    processor squeezes the columns and breaks words ("Candida/te", "Qualific/ation")."""
    from docx import Document

    invoke("forms", "missing-tag", REGISTER, "-o", tmp_path)
    doc = Document(str(tmp_path / DOCX))
    section = doc.sections[0]
    page_width, page_height = section.page_width or 0, section.page_height or 0
    assert page_width > page_height  # landscape
    room = page_width - (section.left_margin or 0) - (section.right_margin or 0)
    (table,) = doc.tables
    layout = table._tbl.tblPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblLayout"
    )
    assert (
        layout is not None
        and layout.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}type")
        == "fixed"
    )
    widths = [col.width or 0 for col in table.columns]
    assert all(widths) and sum(widths) <= room
    for row in table.rows:  # the filled-in rows too, not only the template's
        assert [cell.width or 0 for cell in row.cells] == widths
    heads = [c.text for c in table.rows[0].cells]
    assert heads[:3] == ["Candidate Number", "Name", "Qualification"]
    assert [c.text for c in table.rows[1].cells][:2] == ["0017", "Evans, Rhys"]


def test_existing_files_are_not_overwritten(tmp_path: Path) -> None:
    invoke("forms", "missing-tag", REGISTER, "-o", tmp_path)
    (tmp_path / DOCX).write_bytes(b"keep")
    result = invoke("forms", "missing-tag", REGISTER, "-o", tmp_path)
    assert result.exit_code == 2 and "(--force)" in result.stderr
    assert (tmp_path / DOCX).read_bytes() == b"keep"
    assert invoke("forms", "missing-tag", REGISTER, "-o", tmp_path, "--force").exit_code == 0


def _register(
    tmp_path: Path, change: dict[str, object] | None = None, keep: set[str] | None = None
) -> Path:
    data = json.loads(REGISTER.read_text("utf-8"))
    if keep is not None:
        data["issues"] = [i for i in data["issues"] if i["kind"] in keep]
    if change:
        for issue in data["issues"]:
            if issue["candidate"]:
                issue["candidate"].update(change)
    path = tmp_path / "issues.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_empty_register_writes_no_file(tmp_path: Path) -> None:
    register = _register(tmp_path, keep=set())
    for form in FORMS:
        result = invoke("forms", form, register, "-o", tmp_path / "out")
        assert result.exit_code == 0
        assert "no issues of this kind" in result.stdout
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_invalid_register_is_refused_naming_the_issue_and_field(tmp_path: Path) -> None:
    data = json.loads(REGISTER.read_text("utf-8"))
    data["issues"][2]["kind"] = "lost-unit"
    path = tmp_path / "issues.json"
    path.write_text(json.dumps(data))
    result = invoke("forms", "missed-claim", path, "-o", tmp_path / "out")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"issue 3 (id '{data['issues'][2]['id']}'), field 'kind'" in lines[0]
    path.write_text("{not json")
    assert invoke("forms", "missed-claim", path, "-o", tmp_path / "out").exit_code == 2


HOSTILE = {
    "surname": '=HYPERLINK("http://x","y")&\'Ó Súilleabháin\'<b>',
    "forenames": "+44 @SUM(A1) -1\tTab\x07Bell",
    "uln": None,
}
LONG = "Abcdefghij" * 20  # 200 characters
RTL = "مريم العلي"


def _hostile_register(tmp_path: Path) -> tuple[Path, Register]:
    data = json.loads(REGISTER.read_text("utf-8"))
    for n, issue in enumerate(data["issues"]):
        if issue["candidate"]:
            issue["candidate"].update(HOSTILE)
            if n % 2:
                issue["candidate"]["forenames"] = f"{LONG} {RTL}"
        issue["unit_title"] = "-cmd|' /C calc'!A0 & <x>"
    data["centre"]["head_of_centre"] = f'Dr A. O\'Brien & Sons <Ltd> "Quoted" \x0b{RTL}'
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path, Register.model_validate(data)


def test_hostile_names_never_become_formulas(tmp_path: Path) -> None:
    path, _ = _hostile_register(tmp_path)
    for form in FORMS:
        assert invoke("forms", form, path, "-o", tmp_path / "out").exit_code == 0
    texts: list[str] = []
    for name in FORMS.values():
        book = tmp_path / "out" / name
        with zipfile.ZipFile(book) as z:
            for member in z.namelist():
                if member.startswith("xl/worksheets/"):
                    assert "<f>" not in z.read(member).decode()
        ws = openpyxl.load_workbook(book)["Request"]
        assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
        texts += [
            c.value for row in ws.iter_rows(min_row=9) for c in row if isinstance(c.value, str)
        ]
    assert not any("\x07" in t or "\t" in t for t in texts)
    assert HOSTILE["surname"] in texts  # kept whole, stored as text
    assert "+44 @SUM(A1) -1 TabBell" in texts  # tab -> space, bell removed
    assert f"{LONG} {RTL}" in texts  # 200 characters and right-to-left text kept whole
    assert "-cmd|' /C calc'!A0 & <x>" in texts
    xml = zipfile.ZipFile(tmp_path / "out" / DOCX).read("word/document.xml").decode()
    assert "O'Brien &amp; Sons &lt;Ltd&gt;" in xml.replace("&apos;", "'").replace("&quot;", '"')
    assert "\x0b" not in xml


def _pdf_text(pdf: Path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())


@needs_office
def test_forms_open_in_libreoffice_with_the_expected_rows(tmp_path: Path) -> None:
    for form in FORMS:
        invoke("forms", form, REGISTER, "-o", tmp_path)
    for form, name in FORMS.items():
        out = convert(tmp_path / name, "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path / "csv")
        rows = list(csv.reader(io.StringIO(out.read_text("utf-8"))))
        data = rows[8:]
        assert len([r for r in data if any(r)]) == len(EXPECTED[form])
        for got, want in zip(data, EXPECTED[form], strict=False):
            for g, w in zip(got, want, strict=False):
                if w is not None:
                    assert g == str(w), (form, got, want)
    pdf = convert(tmp_path / DOCX, "pdf", tmp_path / "pdf")
    text = _pdf_text(pdf)
    for word in (
        "Riverside Sixth Form College",
        "64395",
        "O'Neill",
        "1 August 2020",
        "31 August 2021",
        "0017",
        "Evans, Rhys",
    ):
        assert word in text


@needs_office
def test_hostile_docx_renders_in_libreoffice(tmp_path: Path) -> None:
    path, _ = _hostile_register(tmp_path)
    invoke("forms", "missing-tag", path, "-o", tmp_path)
    pdf = convert(tmp_path / DOCX, "pdf", tmp_path / "pdf")
    text = _pdf_text(pdf)
    assert "O'Brien & Sons <Ltd>" in text  # a paragraph: table cells wrap mid-word
    xml = zipfile.ZipFile(tmp_path / DOCX).read("word/document.xml").decode()
    assert "Súilleabháin" in xml and RTL in xml


def test_own_template_and_map(tmp_path: Path) -> None:
    shutil.copy(ROOT / "templates" / "missed-claim.xlsx", tmp_path / "ocr.xlsx")
    (tmp_path / "ocr.map.yaml").write_text(
        "sheet: Request\ncells: {D2: centre_number}\nheader_row: 8\nfirst_row: 12\n"
        "columns: {A: candidate_number, B: uln, C: grade}\ngrade_columns: [C]\n"
    )
    result = invoke(
        "forms",
        "missed-claim",
        REGISTER,
        "-o",
        tmp_path / "out",
        "--template",
        tmp_path / "ocr.xlsx",
        "--map",
        tmp_path / "ocr.map.yaml",
    )
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(tmp_path / "out" / FORMS["missed-claim"])["Request"]
    assert ws["D2"].value == "64395"
    assert [ws["A12"].value, ws["B12"].value, ws["C12"].value] == ["0032", "4002534080", "P"]


def test_bad_map_and_lone_template_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("sheet: Request\nheader_row: 8\nfirst_row: 9\ncolumns: {A: shoe_size}\n")
    tpl = ROOT / "templates" / "missed-claim.xlsx"
    result = invoke(
        "forms", "missed-claim", REGISTER, "-o", tmp_path, "--template", tpl, "--map", bad
    )
    assert result.exit_code == 2 and "unknown field 'shoe_size'" in result.stderr
    result = invoke("forms", "missed-claim", REGISTER, "-o", tmp_path, "--template", tpl)
    assert result.exit_code == 2 and "go together" in result.stderr
    wrong_sheet = tmp_path / "w.yaml"
    wrong_sheet.write_text("sheet: Nope\nheader_row: 8\nfirst_row: 9\ncolumns: {A: uln}\n")
    result = invoke(
        "forms", "missed-claim", REGISTER, "-o", tmp_path, "--template", tpl, "--map", wrong_sheet
    )
    assert result.exit_code == 2 and "sheet 'Nope'" in result.stderr


@pytest.mark.slow  # a real ctforms or tool process
def test_templates_ship_inside_the_wheel(tmp_path: Path) -> None:
    """Build the wheel, install it into a fresh venv and fill a form from the installed copy."""
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(wheels.glob("ctforms-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "ctforms/_templates/missing-tag-declaration.docx" in names
    assert "ctforms/_demo/tracker.csv" in names
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    target = next((venv / "lib").glob("python3*")) / "site-packages"
    # Unpack the wheel as pip would; its dependencies come from this environment.
    zipfile.ZipFile(wheel).extractall(target)
    deps = [p for p in sys.path if p.endswith("site-packages")]
    env = {"PYTHONPATH": ":".join(deps), "PATH": "/usr/bin:/bin"}
    python = venv / "bin" / "python"
    code = (
        "import ctforms, sys; from ctforms.cli import main;"
        " assert 'venv' in ctforms.__file__, ctforms.__file__; sys.argv=['ctforms', *sys.argv[1:]];"
        " main()"
    )
    out = tmp_path / "out"
    proc = subprocess.run(
        [str(python), "-c", code, "forms", "missing-tag", str(REGISTER), "-o", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert (out / DOCX).exists() and (out / FORMS["missing-tag"]).exists()
