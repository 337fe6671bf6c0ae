"""Finding a workbook's sheets by name, and reading cells that hold formulas: shared by the
records workbook and the rules workbook, so both refuse the same mistakes in the same words."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ctforms.errors import InputError
from ctforms.files.limits import Formula, sheet_formulas
from ctforms.read.parsing import norm_key
from ctforms.words import count, plural

# How alike two sheet names (lower case, letters and digits only) must be to be taken for a
# slip: 'Unit' for 'Units', 'Vists' for 'Visits', 'Entry Decision' for 'Entry Decisions'.
_NEAR = 0.8


def _near(a: str, b: str) -> bool:
    if min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a)):
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= _NEAR


def pick_sheets(
    wb: Any, wanted: Sequence[str], path: Path, ignored: Iterable[str] = ()
) -> dict[str, Any]:
    """The workbook's sheets by the names ctforms reads (case, spaces and punctuation aside).

    Refuses two sheets whose names differ only so (which one was meant cannot be told), and a
    sheet whose name is a near miss of one ctforms reads that is missing (its rows would be
    passed over without a word)."""
    keys = {norm_key(name): name for name in wanted}
    skip = {norm_key(name) for name in ignored}
    found: dict[str, Any] = {}
    for ws in wb.worksheets:
        key = norm_key(ws.title)
        if key in keys or key in skip:
            if key in found:
                raise InputError(
                    f"two sheets, {found[key].title!r} and {ws.title!r}, have the same name but"
                    " for spaces or capitals: ctforms cannot tell which one to read; delete or"
                    " rename one",
                    file=path,
                    sheet=ws.title,
                )
            found[key] = ws
    for ws in wb.worksheets:
        key = norm_key(ws.title)
        if key in keys or key in skip or not key:
            continue
        for want_key, want in keys.items():
            if want_key not in found and _near(key, want_key):
                raise InputError(
                    f"no sheet {want!r}, but a sheet {ws.title!r}: rename it {want!r} (ctforms"
                    " finds sheets by their names, and would pass over its rows)",
                    file=path,
                    sheet=ws.title,
                )
    return {keys[k]: ws for k, ws in found.items() if k in keys}


def column_letter(index: int) -> str:
    """0 -> A, 26 -> AA."""
    from ctforms.files.xlsxstream import column_letter as letter

    return letter(index + 1)


def _shown(value: Any) -> str:
    """A saved value as the warning shows it: a date as a date, long text cut short."""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    text = " ".join(str(value).split())
    return text if len(text) <= 40 else text[:39] + "…"


class Formulas:
    """The formula cells of one sheet. A formula with the value Excel saved for it is read as
    that value, and said once (warning()); one without a saved value is refused: ctforms does
    not work formulas out, and reading it as a blank would quietly put another figure in its
    place."""

    def __init__(self, ws: Any, path: Path) -> None:
        self.sheet: str = ws.title
        self.path = path
        self.cells: dict[tuple[int, int], Formula] = sheet_formulas(ws, path)
        self.used: list[str] = []
        self.checked: set[tuple[int, int]] = set()

    def check(self, row: int, index: int, column: str, value: Any, enter: str) -> None:
        """Refuse the cell (row, column index from 0) if it is a formula with no saved value;
        note it if it is one with a value. enter: what to type instead, e.g. 'the number'."""
        formula = self.cells.get((row, index)) if self.cells else None
        if formula is None:
            return
        self.checked.add((row, index))
        if formula.cached and (value is None or value == ""):
            return  # worked out to an empty text: a blank, as Excel shows it
        if not formula.cached:
            raise InputError(
                f"{column} holds a formula ({formula.text}) and no value saved with it; ctforms"
                f" does not work formulas out: enter {enter}, not a formula",
                file=self.path.name,
                sheet=self.sheet,
                row=row,
                column=column,
            )
        self.used.append(
            f"{self.sheet}!{column_letter(index)}{row} ({formula.text} = {_shown(value)})"
        )

    def check_rest(self, columns: dict[int, tuple[str, str]], header_row: int) -> None:
        """Refuse a formula with no saved value in a read column (index -> (name, what to
        enter)) of a row passed over as blank: every cell of it read as blank."""
        for (row, index), formula in sorted(self.cells.items()):
            passed_over = row > header_row and (row, index) not in self.checked
            if passed_over and index in columns and not formula.cached:
                column, enter = columns[index]
                self.check(row, index, column, None, enter)


def formulas_warning(name: str, sheets: Iterable[Formulas]) -> list[str]:
    """One warning for a file's formula cells read as their saved values, or none."""
    used = [cell for f in sheets for cell in f.used]
    if not used:
        return []
    shown = ", ".join(used[:5]) + (f" and {len(used) - 5} more" if len(used) > 5 else "")
    return [
        f"{name}: {count(len(used), 'cell')} {plural(len(used), 'holds', 'hold')}"
        f" a formula, read as the value saved with the file: {shown}; check"
        f" {plural(len(used), 'it is', 'they are')} right, or type the values themselves"
    ]
