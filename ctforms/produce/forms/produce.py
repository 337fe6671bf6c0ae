"""Writing a form (and, for missing TAGs, the Head of Centre declaration) into a folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ctforms.demo import templates_dir
from ctforms.errors import InputError
from ctforms.files.output import check_writable, write_all
from ctforms.models import Register
from ctforms.paperwork import FORMS, form_file_name, hoc_declaration_file_name
from ctforms.produce.forms import load_map, rows_for, shipped_template

# The fillers import openpyxl and docxtpl (a fifth of a second): only a form with rows loads them.


@dataclass
class Produced:
    form: str
    files: list[Path]
    rows: int
    left_out: int


def produce_form(
    register: Register,
    name: str,
    outdir: Path,
    *,
    force: bool = False,
    template: Path | None = None,
    map_file: Path | None = None,
) -> Produced:
    form = FORMS[name]
    if (template is None) != (map_file is None):
        raise InputError(
            "a form's own template and its map go together: give both or neither",
            fields=("template",),
        )
    issues, left_out = rows_for(register, form)
    if not issues:
        return Produced(name, [], 0, left_out)
    shipped_xlsx, shipped_map = shipped_template(form)
    xlsx_template = template or shipped_xlsx
    mapping = load_map(map_file or shipped_map)
    centre = register.centre.number
    targets = [outdir / form_file_name(centre, name)]
    if name == "missing-tag":
        targets.append(outdir / hoc_declaration_file_name(centre))
    for path in targets:  # refuse before writing anything
        check_writable(path, force)
    from ctforms.produce.forms.workbook import fill_form

    outputs = [fill_form(register, form, xlsx_template, mapping)]
    if name == "missing-tag":
        from ctforms.produce.forms.declaration import TEMPLATE, declaration_bytes

        outputs.append(declaration_bytes(register, templates_dir() / TEMPLATE))
    write_all(list(zip(targets, outputs, strict=True)), force=force)
    return Produced(name, targets, len(issues), left_out)
