"""Issue 19, item 1: every workbook ctforms writes, and the declaration, set up to print on A4
(one page wide, margins set, the header row on every page), set in one place."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import openpyxl
import pytest
from conftest import DEMO, invoke

from ctforms.files.paper import A4_MM, MARGINS, PAPER_A4

# Sheets whose row 1 (or, in the upload forms, rows 1 to the column titles) is a header to
# repeat on every printed page; the others are instructions or lists.
NO_HEADER = {"Instructions", "About", "Lists", "Urgent request"}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory, demo_run: Path) -> Path:
    """Every kind of workbook ctforms writes, once for the module: the demo run's, the blank
    records and rules workbooks, and the demo's records.xlsx after a decision is recorded."""
    out = tmp_path_factory.mktemp("paper")
    shutil.copytree(demo_run, out / "run")
    assert invoke("records", "template", "-o", out / "records-template.xlsx").exit_code == 0
    made = invoke(
        "catalogue", "template", DEMO / "tracker.csv", "--centre", DEMO / "centre.toml",
        "-o", out / "rules-template.xlsx",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    shutil.copy(DEMO / "records.xlsx", out / "records.xlsx")
    handled = invoke(
        "records", "handled", out / "records.xlsx", "--issue", "claim-needed/0011/05839/9",
        "--action", "Claim submitted", "--by", "Ben Okoro", "--date", "2024-06-12",
    )  # fmt: skip
    assert handled.exit_code == 0, handled.output
    return out


def _workbooks(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.xlsx"))


def test_every_kind_of_workbook_is_looked_at(outputs: Path) -> None:
    names = {p.name for p in _workbooks(outputs)}
    assert {"actions.xlsx", "64395-entries-listing.xlsx", "records.xlsx"} <= names
    assert {"records-template.xlsx", "rules-template.xlsx"} <= names
    assert sum(1 for n in names if n.startswith("64395-") and "claim" in n) == 2
    assert "64395-missing-mid-flight-tag.xlsx" in names


def test_every_sheet_prints_on_a4_one_page_wide(outputs: Path) -> None:
    for path in _workbooks(outputs):
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            where = f"{path.name}: {ws.title}"
            assert ws.page_setup.paperSize == PAPER_A4, where
            assert ws.sheet_properties.pageSetUpPr.fitToPage, where
            assert ws.page_setup.fitToWidth in (None, 1), where  # 1 is the default
            assert ws.page_setup.fitToHeight == 0, where
            if path.name != "records.xlsx":  # the centre's own: its margins are its own
                assert ws.page_margins.left == MARGINS["left"] or ws.title == "Actions", where
                assert ws.page_margins.top == MARGINS["top"], where
            if ws.title not in NO_HEADER and ws.sheet_state == "visible":
                assert ws.print_title_rows, f"{where}: no header row on every page"


def test_the_upload_forms_repeat_their_header_block(outputs: Path) -> None:
    for path in _workbooks(outputs / "run"):
        if path.name.startswith("64395-missing") or "claim" in path.name:
            ws = openpyxl.load_workbook(path).active
            assert ws.print_title_rows == "$1:$8", path.name  # centre, form, date and titles
            assert ws.page_setup.orientation == "landscape", path.name


def test_a_centres_own_page_setup_is_kept_when_ctforms_edits_its_records(
    tmp_path: Path,
) -> None:
    wb = openpyxl.load_workbook(DEMO / "records.xlsx")
    wb["Claims"].page_setup.paperSize = 8  # A3, the centre's choice
    wb["Claims"].page_setup.scale = 70
    wb["Markbook"].page_setup.paperSize = 1  # US Letter: a program's default, not a choice
    wb.save(tmp_path / "records.xlsx")
    result = invoke(
        "records", "handled", tmp_path / "records.xlsx", "--issue", "claim-needed/0011/05839/9",
        "--action", "Claim submitted", "--by", "Ben Okoro", "--date", "2024-06-12",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    edited = openpyxl.load_workbook(tmp_path / "records.xlsx")
    assert edited["Claims"].page_setup.paperSize == 8
    assert edited["Claims"].page_setup.scale == 70
    assert edited["Actions"].page_setup.paperSize == PAPER_A4
    assert edited["Markbook"].page_setup.paperSize == PAPER_A4


def test_the_declaration_is_on_a4(outputs: Path) -> None:
    (path,) = (outputs / "run").glob("*.docx")
    sections = docx.Document(str(path)).sections
    assert sections
    for section in sections:
        assert section.page_width is not None and section.page_height is not None
        size = sorted((round(section.page_width.mm), round(section.page_height.mm)))
        assert size == [round(mm) for mm in A4_MM]


def test_a_letter_sized_declaration_template_becomes_a4(tmp_path: Path) -> None:
    from docx.shared import Inches

    from ctforms.files.paper import a4_sections

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    section.left_margin = Inches(0.3)
    a4_sections(document)
    assert section.page_width is not None and section.left_margin is not None
    assert round(section.page_width.mm) == 210 and round(section.left_margin.mm) == 20
