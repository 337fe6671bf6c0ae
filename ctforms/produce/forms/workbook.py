"""Filling a form template: header block, one row per candidate-unit, drop-downs, protection."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl.styles import Alignment, Protection
from openpyxl.utils import column_index_from_string
from openpyxl.worksheet.datavalidation import DataValidation

from ctforms.errors import InputError
from ctforms.files.fast import without_gc
from ctforms.files.limits import open_xlsx
from ctforms.files.reproducible import document_time
from ctforms.files.xlsxio import print_table, put, workbook_bytes
from ctforms.models import Register
from ctforms.paperwork import GRADES, Form
from ctforms.produce.forms import FormMap, header_values, row_values, rows_for


def _cell_value(value: Any) -> Any:
    # Dates go in as real dates (formatted below); None as an empty cell.
    return "" if value is None else value


@without_gc
def fill_form(register: Register, form: Form, template: Path, mapping: FormMap) -> bytes:
    wb = open_xlsx(template, read_only=False)
    if mapping.sheet not in wb.sheetnames:
        raise InputError(
            f"the map names sheet {mapping.sheet!r}, which the template does not have"
            f" (it has {', '.join(wb.sheetnames)})",
            file=template,
        )
    ws = wb[mapping.sheet]
    header = header_values(register, form)
    for ref, field in mapping.cells.items():
        cell = ws[ref]
        put(ws, cell.row, cell.column, _cell_value(header.get(field)))
        if isinstance(header.get(field), dt.date):
            ws[ref].number_format = "DD/MM/YYYY"
            ws[ref].alignment = Alignment(horizontal="left")
    issues, _ = rows_for(register, form)
    columns = {column_index_from_string(k): v for k, v in mapping.columns.items()}
    editable = {column_index_from_string(k) for k in mapping.editable_columns}
    last = mapping.first_row + max(len(issues), 1) - 1
    for offset, issue in enumerate(issues):
        r = mapping.first_row + offset
        values = row_values(register, form, issue)
        for col, field in columns.items():
            value = values[field]
            cell = put(ws, r, col, _cell_value(value))
            if isinstance(value, dt.date):
                cell.number_format = "DD/MM/YYYY"
            elif field in {"candidate_number", "qualification_code", "uln", "centre_number"}:
                cell.number_format = "@"  # keep leading zeros in Excel
            if col in editable:
                cell.protection = Protection(locked=False)
    for letter in mapping.grade_columns:
        dv = DataValidation(type="list", formula1='"' + ",".join(GRADES) + '"', allow_blank=True)
        dv.error = "Grades are D, M, P, R (near pass), U or N."
        dv.add(f"{letter}{mapping.first_row}:{letter}{last}")
        ws.add_data_validation(dv)
    ws.freeze_panes = ws.cell(row=mapping.header_row + 1, column=1).coordinate
    # Columns that fit the page, rows tall enough for their wrapped text (nothing prints over
    # anything), and the header block (centre, form, date) and column titles on every page.
    print_table(ws, mapping.header_row, last, first_row=1)
    # Everything is locked but the cells a person still fills; no password, it guards typos.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    return workbook_bytes(wb, document_time(register.as_of))
