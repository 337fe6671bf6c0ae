"""The Head of Centre declaration for late mid-flight TAGs (.docx from a docxtpl template)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate

from ctforms.files.fast import without_gc
from ctforms.files.paper import a4_sections
from ctforms.files.reproducible import document_time, normalise_zip
from ctforms.files.xlsxio import safe_text
from ctforms.models import Register
from ctforms.paperwork import FORMS
from ctforms.people import real_name
from ctforms.produce.forms import rows_for

TEMPLATE = "missing-tag-declaration.docx"


def _clean(value: Any) -> str:
    # XML 1.0 cannot carry control characters; everything else is escaped by autoescape.
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return str(value.strftime("%d/%m/%Y"))
    return safe_text(str(value))


@without_gc
def declaration_bytes(register: Register, template: Path) -> bytes:
    issues, _ = rows_for(register, FORMS["missing-tag"])
    rows = []
    for issue in issues:
        c = issue.candidate
        rows.append(
            {
                "candidate_number": _clean(issue.candidate_number),
                "name": _clean(f"{c.surname}, {c.forenames}" if c else ""),
                "qualification_code": _clean(issue.qualification_code),
                "unit_number": _clean(issue.unit_number),
                "unit_title": _clean(issue.unit_title),
                "planned_assessment_date": _clean(issue.evidence.planned_assessment_date),
                "tag_grade": _clean(issue.evidence.tag_grade),
            }
        )
    context = {
        "centre_number": _clean(register.centre.number),
        "centre_name": _clean(register.centre.name),
        "head_of_centre": _clean(
            real_name(register.centre.head_of_centre, ("centre", "head_of_centre"))
        ),
        "prepared_on": _clean(register.as_of),
        "rows": rows,
    }
    doc = DocxTemplate(str(template))
    doc.render(context, autoescape=True)
    a4_sections(doc.docx)  # whatever paper the centre's own template names
    stamp = document_time(register.as_of)
    props = doc.docx.core_properties
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    props.author = "ctforms"
    props.last_modified_by = "ctforms"
    props.revision = 1
    buf = io.BytesIO()
    doc.save(buf)
    return normalise_zip(buf.getvalue(), stamp)
