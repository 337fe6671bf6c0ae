"""A plain .xlsx written as XML text, without openpyxl (issue 11: the action list of a big
centre in a tenth of the time, and no import of openpyxl to pay for it).

What it can write is what the action list needs: sheets of text, numbers and dates; a few
cell styles (bold, a fill, a date format, wrapped text, alignment); column widths, row
heights, a frozen header row with filters, and how the sheet prints. Everything that reaches a
cell goes through the same rules as the openpyxl writer (ctforms.files.xlsxio): control
characters and what XML 1.0 cannot carry are removed, the text is cut to Excel's length, and
text that starts with = + - @ is marked as text (quotePrefix), never a formula. The bytes
depend only on the content and the timestamp.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from typing import NamedTuple

from ctforms.files.paper import MARGINS, PAPER_A4
from ctforms.files.reproducible import fixed_entry, zip_time

# C0 and C1 controls (openpyxl refuses most C0 ones with IllegalCharacterError), plus what XML
# 1.0 cannot carry at all: lone surrogates and U+FFFE/U+FFFF fail only later, inside save().
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_BREAKS = re.compile(r"[\t\r\n]+")
# Excel's limit per cell; a longer text makes Excel "repair" (empty) the file.
MAX_CELL_TEXT = 32767
# Text Excel would evaluate if a user re-entered the cell (CSV/formula injection).
FORMULA_START = ("=", "+", "-", "@")
DATE_FORMAT = "DD/MM/YYYY"
LINE_HEIGHT = 15  # points per line of 11 pt text
# Characters a column of width w holds per line, roughly. Set for the widest common font a
# sheet is printed in: LibreOffice without Calibri (or Carlito) sets the text in DejaVu Sans.
# Printed so (issue 19), a column 36 wide held 45 to 47 characters a line, a narrow one fewer;
# Calibri fits about 1.3. 1.2 leaves room: estimated too high, a row holds too few lines and
# its text runs over the next row; too low, rows print tall with white space.
CHARS_PER_WIDTH = 1.2


def safe_cell_text(value: str) -> str:
    """`value` fit for a cell: tabs and line breaks become one space, other control characters
    and XML-illegal code points are removed, and it is cut to Excel's 32,767 characters."""
    if value.isprintable() and len(value) <= MAX_CELL_TEXT:
        return value  # most text: none of the characters below is printable
    text = _UNSAFE.sub("", _BREAKS.sub(" ", value))
    if len(text) > MAX_CELL_TEXT:
        text = text[: MAX_CELL_TEXT - 1] + "…"
    return text


def wrapped_lines(text: str, width: float) -> int:
    """About how many lines `text` wraps to in a column `width` wide."""
    per_line = max(1, int(width * CHARS_PER_WIDTH))
    if len(text) <= per_line:
        return 1  # fits whole: no word can run over (most cells: names, codes, dates)
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > per_line:
            lines, used = lines + 1, 0
        used += (1 if used else 0) + len(word)
        while used > per_line:  # a word longer than the line runs on
            lines, used = lines + 1, used - per_line
    return lines


def column_letter(n: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA."""
    letters = ""
    while n:
        n, d = divmod(n - 1, 26)
        letters = chr(65 + d) + letters
    return letters


def xml_text(text: str) -> str:
    """`text` (already safe_cell_text) escaped for an XML element."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _attr(text: str) -> str:
    return xml_text(text).replace('"', "&quot;")


class Style(NamedTuple):
    """A cell's look. fill: an RGB colour such as "FCE4E4"; vertical: "top" or None (bottom);
    horizontal: "left" or None (by type); date: shown as DATE_FORMAT."""

    bold: bool = False
    fill: str | None = None
    date: bool = False
    wrap: bool = False
    vertical: str | None = None
    horizontal: str | None = None


PLAIN = Style()
NO_STYLE = 0  # the id of PLAIN in every Book
_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (its 1900 leap year taken into account)
_DATE_FORMAT_ID = 164  # the first id a workbook's own number formats may take


def _serial(value: dt.date) -> str:
    if isinstance(value, dt.datetime):
        moment = value - dt.datetime(1899, 12, 30, tzinfo=value.tzinfo)
        days = moment.days + moment.seconds / 86400 + moment.microseconds / 86400e6
        return repr(days) if days % 1 else str(int(days))
    if value < dt.date(1900, 3, 1):
        raise ValueError(f"dates before 1 March 1900 are not written: {value}")
    return str((value - _EPOCH).days)


class Sheet:
    """One worksheet, written a row at a time (append); see Book.sheet for the rest."""

    def __init__(
        self,
        book: Book,
        title: str,
        widths: Sequence[float],
        *,
        freeze_header: bool,
        filters: bool,
        landscape: bool,
        side_margin: float,
        footer: str | None,
        page_numbers: bool,
        print_columns: int | None = None,
    ) -> None:
        self.book = book
        self.title = title
        self.widths = list(widths)
        self.freeze_header = freeze_header
        self.filters = filters
        self.landscape = landscape
        self.side_margin = side_margin
        self.footer = footer
        self.page_numbers = page_numbers
        self.print_columns = print_columns
        self.rows = 0
        self.columns = 0
        self._xml: list[str] = []
        self._refs: list[str] = []  # '<c r="A' for column 1...
        # Text -> its cell XML after the style attribute, and whether it needs quotePrefix.
        self._texts = book._texts

    def append(
        self, values: Sequence[object], styles: Sequence[int], height: float | None = None
    ) -> None:
        """The next row: values (str, int, float, date or None) with the style ids of
        Book.style, one per value; height in points, or None for the default."""
        self.rows += 1
        r = self.rows
        n = len(values)
        if n > self.columns:
            self.columns = n
        refs = self._refs
        while len(refs) < n:
            refs.append(f'<c r="{column_letter(len(refs) + 1)}')
        quoted = self.book._quoted
        texts = self._texts
        out = [f'<row r="{r}"' + (f' ht="{_number(height)}" customHeight="1">' if height else ">")]
        for col, (value, style) in enumerate(zip(values, styles, strict=True)):
            head = f'{refs[col]}{r}"'
            if isinstance(value, str):
                known = texts.get(value)
                if known is None:
                    text = safe_cell_text(value)
                    if not text:
                        known = ("", False)
                    else:
                        space = ' xml:space="preserve"' if text != text.strip() else ""
                        known = (
                            f' t="inlineStr"><is><t{space}>{xml_text(text)}</t></is></c>',
                            text.startswith(FORMULA_START),
                        )
                    texts[value] = known
                body, quote = known
                if quote:
                    style = quoted(style)
                if not body:  # an empty text is an empty cell
                    if style:
                        out.append(f'{head} s="{style}"/>')
                    continue
                out.append(f'{head} s="{style}"{body}' if style else head + body)
            elif value is None:
                if style:
                    out.append(f'{head} s="{style}"/>')
            elif isinstance(value, bool):
                out.append(f'{head}{_s(style)} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float):
                out.append(f"{head}{_s(style)}><v>{_number(value)}</v></c>")
            elif isinstance(value, dt.date):
                out.append(f"{head}{_s(style)}><v>{_serial(value)}</v></c>")
            else:
                raise TypeError(f"a cell cannot hold {type(value).__name__}")
        out.append("</row>")
        self._xml.append("".join(out))

    def _part(self, index: int) -> str:
        last = f"{column_letter(max(self.columns, 1))}{max(self.rows, 1)}"
        parts = [
            f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetPr>'
            f'<pageSetUpPr fitToPage="1"/></sheetPr><dimension ref="A1:{last}"/>'
            '<sheetViews><sheetView workbookViewId="0"'
            + (' tabSelected="1"' if index == 0 else "")
            + ">"
        ]
        if self.freeze_header:
            parts.append(
                '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
            )
        else:
            parts.append('<selection activeCell="A1" sqref="A1"/>')
        parts.append('</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>')
        parts.extend(
            f'<col min="{c}" max="{c}" width="{_number(w)}" customWidth="1"/>'
            for c, w in enumerate(self.widths, start=1)
        )
        parts.append("</cols><sheetData>")
        parts.extend(self._xml)
        parts.append("</sheetData>")
        if self.filters:
            parts.append(f'<autoFilter ref="{self.filter_ref}"/>')
        margins = {**MARGINS, "left": self.side_margin, "right": self.side_margin}
        if self.print_columns:  # a table on paper: lines between its cells, as on screen
            parts.append('<printOptions gridLines="1"/>')
        parts.append(
            "<pageMargins "
            + " ".join(f'{side}="{_number(inches)}"' for side, inches in margins.items())
            + f'/><pageSetup paperSize="{PAPER_A4}"'
            + (' orientation="landscape"' if self.landscape else "")
            + ' fitToWidth="1" fitToHeight="0"/>'
        )
        if self.footer or self.page_numbers:
            # "&" starts one of Excel's codes (&P the page, &N the number of pages): "&&" is
            # an "&" of the text itself.
            code = f"&L{safe_cell_text(self.footer).replace('&', '&&')}" if self.footer else ""
            code += "&RPage &P of &N" if self.page_numbers else ""
            parts.append(f"<headerFooter><oddFooter>{xml_text(code)}</oddFooter></headerFooter>")
        parts.append("</worksheet>")
        return "".join(parts)

    @property
    def filter_ref(self) -> str:
        return f"A1:{column_letter(max(self.columns, 1))}{max(self.rows, 1)}"


def _s(style: int) -> str:
    return f' s="{style}"' if style else ""


def _number(value: float) -> str:
    if isinstance(value, int) or value.is_integer():
        return str(int(value))
    return repr(value)


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPE = "application/vnd.openxmlformats-"


class Book:
    """A workbook of Sheets; bytes() is the .xlsx."""

    def __init__(self) -> None:
        self.sheets: list[Sheet] = []
        self._styles: dict[tuple[Style, bool], int] = {(PLAIN, False): 0}
        self._by_id: list[tuple[Style, bool]] = [(PLAIN, False)]
        self._texts: dict[str, tuple[str, bool]] = {}

    def sheet(
        self,
        title: str,
        widths: Sequence[float],
        *,
        freeze_header: bool = False,
        filters: bool = False,
        landscape: bool = False,
        side_margin: float = MARGINS["left"],
        footer: str | None = None,
        page_numbers: bool = False,
        print_columns: int | None = None,
    ) -> Sheet:
        """A new sheet. widths: of columns 1, 2...; freeze_header: row 1 stays in view (and
        prints on every page); filters: on row 1, over every row; side_margin: in inches, left
        and right; footer: text at the bottom left of every printed page, and "Page n of m"
        at the right with page_numbers; print_columns: only columns 1 to this many print (the
        others stay in the sheet), with the lines between cells. Prints on A4, one page wide."""
        made = Sheet(
            self,
            title,
            widths,
            freeze_header=freeze_header,
            filters=filters,
            landscape=landscape,
            side_margin=side_margin,
            footer=footer,
            page_numbers=page_numbers,
            print_columns=print_columns,
        )
        self.sheets.append(made)
        return made

    def style(self, style: Style) -> int:
        """The id of `style` in this workbook (ids count up in the order first asked for)."""
        return self._id(style, False)

    def _id(self, style: Style, quote: bool) -> int:
        key = (style, quote)
        found = self._styles.get(key)
        if found is None:
            found = self._styles[key] = len(self._by_id)
            self._by_id.append(key)
        return found

    def _quoted(self, style_id: int) -> int:
        """The same style as style_id, with Excel's leading apostrophe (text stays text)."""
        return self._id(self._by_id[style_id][0], True)

    def _styles_part(self) -> str:
        fills = [None, "gray125"]
        xfs = []
        for style, quote in self._by_id:
            if style.fill is not None and style.fill not in fills:
                fills.append(style.fill)
            attrs = [
                f'numFmtId="{_DATE_FORMAT_ID if style.date else 0}"',
                f'fontId="{int(style.bold)}"',
                f'fillId="{fills.index(style.fill) if style.fill else 0}"',
                'borderId="0" xfId="0"',
            ]
            if style.date:
                attrs.append('applyNumberFormat="1"')
            if style.bold:
                attrs.append('applyFont="1"')
            if style.fill:
                attrs.append('applyFill="1"')
            if quote:
                attrs.append('quotePrefix="1"')
            align = [
                f'horizontal="{style.horizontal}"' if style.horizontal else "",
                f'vertical="{style.vertical}"' if style.vertical else "",
                'wrapText="1"' if style.wrap else "",
            ]
            aligned = " ".join(a for a in align if a)
            if aligned:
                attrs.append('applyAlignment="1"')
                xfs.append(f"<xf {' '.join(attrs)}><alignment {aligned}/></xf>")
            else:
                xfs.append(f"<xf {' '.join(attrs)}/>")
        font = '<font>{}<sz val="11"/><name val="Calibri"/><family val="2"/></font>'
        fill_xml = ['<fill><patternFill patternType="none"/></fill>']
        fill_xml.append('<fill><patternFill patternType="gray125"/></fill>')
        fill_xml.extend(
            f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/>'
            '<bgColor indexed="64"/></patternFill></fill>'
            for rgb in fills[2:]
            if rgb
        )
        return (
            f'<styleSheet xmlns="{_MAIN}"><numFmts count="1">'
            f'<numFmt numFmtId="{_DATE_FORMAT_ID}" formatCode="{DATE_FORMAT}"/></numFmts>'
            f'<fonts count="2">{font.format("")}{font.format("<b/>")}</fonts>'
            f'<fills count="{len(fill_xml)}">{"".join(fill_xml)}</fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
            '</borders><cellStyleXfs count="1">'
            '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            '</cellStyles><dxfs count="0"/></styleSheet>'
        )

    def _workbook_part(self) -> str:
        sheets = "".join(
            f'<sheet name="{_attr(s.title)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, s in enumerate(self.sheets, start=1)
        )
        names = []
        for i, s in enumerate(self.sheets):
            quoted = "'" + s.title.replace("'", "''") + "'"
            if s.filters:
                last = column_letter(max(s.columns, 1))
                ref = f"$A$1:${last}${max(s.rows, 1)}"
                names.append(
                    f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}"'
                    f' hidden="1">{_attr(quoted)}!{ref}</definedName>'
                )
            if s.print_columns:
                last = column_letter(s.print_columns)
                names.append(
                    f'<definedName name="_xlnm.Print_Area" localSheetId="{i}">'
                    f"{_attr(quoted)}!$A$1:${last}${max(s.rows, 1)}</definedName>"
                )
            if s.freeze_header:
                names.append(
                    f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
                    f"{_attr(quoted)}!$1:$1</definedName>"
                )
        defined = f"<definedNames>{''.join(names)}</definedNames>" if names else ""
        return (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><workbookPr/><bookViews>'
            '<workbookView activeTab="0"/></bookViews>'
            f"<sheets>{sheets}</sheets>{defined}"
            '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
        )

    def bytes(self, timestamp: dt.datetime) -> bytes:
        """The .xlsx; the same content and timestamp always give the same bytes."""
        stamp = zip_time(timestamp)
        when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
        n = len(self.sheets)
        sheet_types = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml"'
            f' ContentType="{_TYPE}officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, n + 1)
        )
        parts = {
            "[Content_Types].xml": (
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels"'
                ' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml"'
                f' ContentType="{_TYPE}officedocument.spreadsheetml.sheet.main+xml"/>'
                f"{sheet_types}"
                '<Override PartName="/xl/styles.xml"'
                f' ContentType="{_TYPE}officedocument.spreadsheetml.styles+xml"/>'
                '<Override PartName="/docProps/core.xml"'
                f' ContentType="{_TYPE}package.core-properties+xml"/>'
                '<Override PartName="/docProps/app.xml"'
                f' ContentType="{_TYPE}officedocument.extended-properties+xml"/></Types>'
            ),
            "_rels/.rels": (
                f'<Relationships xmlns="{_PKG_REL}">'
                f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
                f'<Relationship Id="rId2" Type="{_PKG_REL}/metadata/core-properties"'
                ' Target="docProps/core.xml"/>'
                f'<Relationship Id="rId3" Type="{_REL}/extended-properties"'
                ' Target="docProps/app.xml"/></Relationships>'
            ),
            "docProps/app.xml": (
                '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
                'extended-properties"><Application>ctforms</Application></Properties>'
            ),
            "docProps/core.xml": (
                '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
                'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"'
                ' xmlns:dcterms="http://purl.org/dc/terms/"'
                ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
                "<dc:creator>ctforms</dc:creator><cp:lastModifiedBy>ctforms</cp:lastModifiedBy>"
                f'<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
                f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified>'
                "</cp:coreProperties>"
            ),
            "xl/workbook.xml": self._workbook_part(),
            "xl/_rels/workbook.xml.rels": (
                f'<Relationships xmlns="{_PKG_REL}">'
                + "".join(
                    f'<Relationship Id="rId{i}" Type="{_REL}/worksheet"'
                    f' Target="worksheets/sheet{i}.xml"/>'
                    for i in range(1, n + 1)
                )
                + f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
                "</Relationships>"
            ),
        }
        parts["xl/styles.xml"] = self._styles_part()
        for i, s in enumerate(self.sheets, start=1):
            parts[f"xl/worksheets/sheet{i}.xml"] = s._part(i - 1)
        raw = io.BytesIO()
        with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in parts.items():
                archive.writestr(fixed_entry(name, stamp), _DECLARATION + text.encode("utf-8"))
        return raw.getvalue()


_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
