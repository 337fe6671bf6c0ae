"""Build the shipped form templates in templates/ (run from the project root after a change):

    python templates/make_templates.py

Each form is an .xlsx template plus a .map.yaml that says which cell or column takes which
field; `ctforms forms ... --template FILE --map FILE` fills a centre's own copy of OCR's
template the same way. OCR's own templates are not public: these columns are ctforms' design
(docs/outputs.md, "Forms")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ctforms.files.output import write_bytes
from ctforms.files.reproducible import normalise_zip
from ctforms.files.xlsxio import HEADER_FILL, put, workbook_bytes

HERE = Path(__file__).resolve().parent
STAMP = dt.datetime(2024, 1, 1)
HEADER_ROW = 8

COMMON = [
    ("Centre Number", "centre_number", 14),
    ("Candidate Number", "candidate_number", 12),
    ("Surname", "surname", 24),
    ("Forenames", "forenames", 24),
    ("ULN", "uln", 13),
    ("Qualification Code", "qualification_code", 13),
    ("Qualification Title", "qualification_title", 40),
]
FORMS = {
    "missed-claim": (
        "Cambridge Technicals: Candidate/unit missed from moderation claim",
        [
            *COMMON,
            ("Unit Number", "unit_number", 8),
            ("Unit Title", "unit_title", 30),
            ("Grade", "grade", 8),
            ("Moderation Visit Date", "visit_date", 14),
            ("Moderator", "moderator", 20),
            ("Reason", "reason", 40),
        ],
        {"Grade": "grade", "Reason": "edit"},
    ),
    "incorrect-claim": (
        "Cambridge Technicals: Incorrect unit/grade claimed at moderation",
        [
            *COMMON,
            ("Unit Claimed", "claimed_unit", 9),
            ("Claimed Unit Title", "unit_title", 30),
            ("Grade Claimed", "claimed_grade", 9),
            ("Correct Unit", "correct_unit", 9),
            ("Correct Grade", "correct_grade", 9),
            ("Moderation Visit Date", "visit_date", 14),
            ("Moderator", "moderator", 20),
            ("Reason", "reason", 40),
        ],
        {"Grade Claimed": "grade", "Correct Grade": "grade", "Reason": "edit"},
    ),
    "missing-tag": (
        "Cambridge Technicals: Missing mid-flight teacher assessed grade (TAG) from June 2021",
        [
            *COMMON,
            ("Date of Birth", "date_of_birth", 12),
            ("Unit Number", "unit_number", 8),
            ("Unit Title", "unit_title", 30),
            ("Planned Assessment Date", "planned_assessment_date", 14),
            ("TAG Grade", "tag_grade", 9),
            ("Reason", "reason", 40),
        ],
        {"TAG Grade": "grade", "Reason": "edit"},
    ),
}


def make_xlsx(
    name: str, title: str, columns: list[tuple[str, str, int]], marks: dict[str, str]
) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Request"
    put(ws, 1, 1, title).font = Font(name="Calibri", bold=True, size=14)
    for row, label in enumerate(
        ["Centre number", "Centre name", "Date prepared", "Request type"], start=3
    ):
        put(ws, row, 1, label).font = Font(name="Calibri", bold=True)
    put(
        ws,
        7,
        1,
        "Prepared with ctforms from the issue register; columns are ctforms' design"
        " (OCR's template is not public): check against OCR's current template before upload.",
    )
    ws.cell(row=7, column=1).font = Font(name="Calibri", italic=True, size=9)
    letters: dict[str, str] = {}
    for col, (header, field, width) in enumerate(columns, start=1):
        cell = put(ws, HEADER_ROW, col, header)
        cell.font = Font(name="Calibri", bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        letter = cell.column_letter
        letters[letter] = field
        ws.column_dimensions[letter].width = width
    grades = [
        letter
        for letter, f in letters.items()
        if marks.get(next(h for h, ff, _ in columns if ff == f)) == "grade"
    ]
    editable = [
        letter
        for letter, f in letters.items()
        if next(h for h, ff, _ in columns if ff == f) in marks
    ]
    write_bytes(HERE / f"{name}.xlsx", workbook_bytes(wb, STAMP), force=True)
    mapping = {
        "form": name,
        "sheet": "Request",
        "cells": {
            "B3": "centre_number",
            "B4": "centre_name",
            "B5": "prepared_on",
            "B6": "request_type",
        },
        "header_row": HEADER_ROW,
        "first_row": HEADER_ROW + 1,
        "columns": letters,
        "grade_columns": grades,
        "editable_columns": editable,
    }
    text = yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True)
    (HERE / f"{name}.map.yaml").write_text(
        f"# Which cells of templates/{name}.xlsx take which field"
        " (see docs/outputs.md, 'Forms').\n" + text,
        encoding="utf-8",
    )


def make_docx() -> None:
    doc = Document()
    # A4 landscape: the seven columns fit with no word broken inside a cell.
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    style = doc.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(11)
    doc.add_heading("Cambridge Technicals: Missing unit TAGs Head of Centre declaration", 1)
    doc.add_paragraph("Centre number: {{ centre_number }}")
    doc.add_paragraph("Centre name: {{ centre_name }}")
    doc.add_paragraph("Head of Centre: {{ head_of_centre }}")
    doc.add_paragraph(
        "I declare that the teacher assessed grades (TAGs) listed below were produced by this"
        " centre for units whose assessment was planned between 1 August 2020 and 31 August"
        " 2021, that they are based on evidence of each student's own work held by the centre,"
        " and that they are being submitted late because they were missing from the centre's"
        " autumn 2021 submission."
    )
    doc.add_paragraph("Candidates and units covered ({{ rows|length }}):")
    # docxtpl replaces a row holding a {%tr %} tag by the tag: loop, cells, end of loop.
    table = doc.add_table(rows=4, cols=7)
    table.style = "Table Grid"
    table.autofit = False  # fixed widths: Word and LibreOffice lay it out the same way
    columns = [  # widths for the longest word of each column (25.7 cm between the margins)
        ("Candidate Number", 2.8),
        ("Name", 5.0),
        ("Qualification", 3.6),
        ("Unit", 1.4),
        ("Unit Title", 6.4),
        ("Planned Assessment", 3.6),
        ("TAG Grade", 2.0),
    ]
    heads = [head for head, _ in columns]
    for col, (_, width) in zip(table.columns, columns, strict=True):
        col.width = Cm(width)
        for cell in col.cells:
            cell.width = Cm(width)
    for cell, text in zip(table.rows[0].cells, heads, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    table.rows[1].cells[0].text = "{%tr for r in rows %}"
    table.rows[3].cells[0].text = "{%tr endfor %}"
    cells = table.rows[2].cells
    cells[0].text = "{{ r.candidate_number }}"
    cells[1].text = "{{ r.name }}"
    cells[2].text = "{{ r.qualification_code }}"
    cells[3].text = "{{ r.unit_number }}"
    cells[4].text = "{{ r.unit_title }}"
    cells[5].text = "{{ r.planned_assessment_date }}"
    cells[6].text = "{{ r.tag_grade }}"
    doc.add_paragraph("")
    doc.add_paragraph("Signed (Head of Centre): ______________________________")
    doc.add_paragraph("Name: {{ head_of_centre }}")
    doc.add_paragraph("Date: ____________________")
    p = doc.add_paragraph(
        "Prepared with ctforms on {{ prepared_on }} from the issue register."
        " OCR's own declaration template is not public: check its wording"
        " against OCR's current form."
    )
    p.alignment = WD_ALIGN_PARAGRAPH.LEFT
    p.runs[0].italic = True
    props = doc.core_properties
    props.author = "ctforms"
    props.created = STAMP
    props.modified = STAMP
    props.last_modified_by = "ctforms"
    path = HERE / "missing-tag-declaration.docx"
    import io

    buf = io.BytesIO()
    doc.save(buf)
    write_bytes(path, normalise_zip(buf.getvalue(), STAMP), force=True)


def main() -> None:
    for name, (title, columns, marks) in FORMS.items():
        make_xlsx(name, title, columns, marks)
    make_docx()


if __name__ == "__main__":
    main()
