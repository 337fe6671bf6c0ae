"""How every output ctforms writes prints (issue 19): on A4, the paper of a UK school's
printer, within margins any office printer prints to. A workbook sheet that names no paper
prints on US Letter; the workbook writers (ctforms.files.xlsxstream, ctforms.files.xlsxio) and
the declaration (.docx) take their page from here; the pack is drawn on A4 itself."""

from __future__ import annotations

from typing import Any

PAPER_A4 = 9  # the paperSize code of A4 in SpreadsheetML
A4_MM = (210.0, 297.0)  # width and height, portrait
# Workbook margins in inches (SpreadsheetML's unit): room for the page-number footer.
MARGINS = {"left": 0.5, "right": 0.5, "top": 0.6, "bottom": 0.6, "header": 0.3, "footer": 0.3}
_DOCX_MARGIN_MM = 20.0


def a4_sections(document: Any) -> None:
    """Every section of a python-docx `document` on A4, in the orientation it has, and within
    margins of at least 2 cm where a template set narrower ones (or none)."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    short, long = (Mm(mm) for mm in A4_MM)
    for section in document.sections:
        if section.orientation == WD_ORIENT.LANDSCAPE:
            section.page_width, section.page_height = long, short
        else:
            section.page_width, section.page_height = short, long
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            margin = getattr(section, side)
            if margin is None or margin < Mm(_DOCX_MARGIN_MM) - Mm(0.5):
                setattr(section, side, Mm(_DOCX_MARGIN_MM))
