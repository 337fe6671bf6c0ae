"""Typesetting the evidence pack (reportlab): fonts, styles, lines broken and measured once,
tables that split between pages, page numbers and the banner. What the pack says is in pack.py."""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import Paragraph
from reportlab.platypus.flowables import Flowable

# Fonts with wide Latin coverage, looked for in this order; else the PDF core fonts.
_FONT_FILES = [
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
    ("C:/Windows/Fonts/arial.ttf", "C:/Windows/Fonts/arialbd.ttf"),
    ("/Library/Fonts/Arial Unicode.ttf", "/Library/Fonts/Arial Unicode.ttf"),
]


@cache
def _fonts() -> tuple[str, str]:
    for regular, bold in _FONT_FILES:
        if Path(regular).exists() and Path(bold).exists():
            pdfmetrics.registerFont(TTFont("PackSans", regular))
            pdfmetrics.registerFont(TTFont("PackSans-Bold", bold))
            return "PackSans", "PackSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["Normal"], fontName=regular, fontSize=9.5, leading=12)
    return {
        "title": ParagraphStyle(
            "title", parent=body, fontName=bold, fontSize=20, leading=24, spaceAfter=8
        ),
        "h1": ParagraphStyle(
            "h1", parent=body, fontName=bold, fontSize=14, leading=18, spaceBefore=6, spaceAfter=6
        ),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName=bold, fontSize=11, leading=14, spaceBefore=6, spaceAfter=3
        ),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9),
        "banner": ParagraphStyle(
            "banner",
            parent=body,
            fontName=bold,
            fontSize=13,
            leading=17,
            textColor=colors.HexColor("#B00020"),
        ),
    }


# The page's frame (SimpleDocTemplate: 6 pt of padding inside the margins on each side).
MARGIN_X, MARGIN_Y, _FRAME_PADDING = 15 * mm, 16 * mm, 6
_FRAME_WIDTH = A4[0] - 2 * MARGIN_X - 2 * _FRAME_PADDING
_FRAME_HEIGHT = A4[1] - 2 * MARGIN_Y - 2 * _FRAME_PADDING
_PADDING = 3  # points either side of a table cell's text
_PAD_Y = 2  # points above and below it
SHORTENED = "… (shortened here; the full text is in issues.json)"


class _Widths(dict[str, float]):
    """Advance widths of one font at 1 pt, char by char: a text's width is their sum (reportlab
    does no kerning), so a cell is measured without a stringWidth call per word."""

    def __init__(self, font: str) -> None:
        super().__init__()
        self.font = font

    def __missing__(self, char: str) -> float:
        self[char] = width = float(stringWidth(char, self.font, 1))
        return width


@cache
def _widths(font: str) -> _Widths:
    return _Widths(font)


class _Tight(str):
    """A line a little wider than its column, drawn with its spaces narrowed to fit."""

    word_space: float  # points added to each space (negative)


def _line(words: list[str], used: float, room: float, size: float) -> str:
    line = " ".join(words)
    if used <= room or len(words) < 2:
        return line
    tight = _Tight(line)
    tight.word_space = (room - used) * size / (len(words) - 1)
    return tight


def _lines(text: str, room: float, style: ParagraphStyle) -> list[str]:
    """`text` broken into lines that fit `room` points, as reportlab's Paragraph breaks it: at
    each newline, at spaces (a run of them shown as one, each allowed to narrow by 5% for a
    word to fit), and a word wider than `room` cut where it must."""
    widths, size = _widths(style.fontName), float(style.fontSize)
    room /= size  # widths are at 1 pt
    space = widths[" "]
    shrink = space * rl_config.spaceShrinkage
    out: list[str] = []
    for para in text.split("\n"):
        words = para.split()
        line = " ".join(words)
        if sum(map(widths.__getitem__, line)) <= room:  # most cells: one line, measured once
            out.append(line)
            continue
        kept: list[str] = []
        used = -space
        for word in words:
            wide = sum(map(widths.__getitem__, word))
            if used + space + wide <= room + shrink * len(kept):
                kept.append(word)
                used += space + wide
            elif wide <= room:
                out.append(_line(kept, used, room, size))
                kept, used = [word], wide
            else:  # wider than the column: its start fills this line, the rest the next ones
                used = used + space if kept else 0.0
                piece = ""
                for char in word:
                    if used + widths[char] > room and (piece or kept):
                        out.append(" ".join([*kept, piece] if piece else kept))
                        kept, piece, used = [], "", 0.0
                    piece += char
                    used += widths[char]
                kept = [piece]
        out.append(_line(kept, used, room, size))
    return out


def _fit(lines: list[str], room: float, style: ParagraphStyle, most: int) -> list[str]:
    """At most `most` of `lines`: a longer text (a pasted e-mail as an action) is shortened,
    saying so. The one guard against a text taller than a page, which reportlab cannot lay out
    (a table row cannot split); issues.json keeps the whole text."""
    if len(lines) <= most:
        return lines
    note = _lines(SHORTENED, room, style)
    return lines[: max(0, most - len(note))] + note


def paragraph(text: object, style: ParagraphStyle) -> Paragraph:
    """A paragraph of the page's width, shortened (saying so) if it would fill more than a page."""
    said = str(text)
    most = int(_FRAME_HEIGHT // style.leading) - 2
    lines = _lines(said, _FRAME_WIDTH, style)
    if len(lines) > most:
        said = "\n".join(_fit(lines, _FRAME_WIDTH, style, most))
    return Paragraph(escape(said).replace("\n", "<br/>"), style)


class _Grid(Flowable):  # type: ignore[misc]
    """A table whose cells are wrapped once, up front, into lines of plain text: it splits
    itself between pages (the header repeated on each) by its known row heights and draws
    straight on the canvas. reportlab's own tables wrap a Paragraph per cell again at each
    split, which cost seconds for a few thousand students."""

    def __init__(
        self,
        head: list[list[str]] | None,
        rows: list[list[list[str]]],
        widths: list[float],
        style: ParagraphStyle,
        span: tuple[int, int] | None = None,
        tops: list[float] | None = None,
    ) -> None:
        super().__init__()
        self.hAlign = "CENTER"  # as reportlab's tables
        self._head, self._rows, self._widths, self._style = head, rows, widths, style
        self._span = span or (0, len(rows))
        if tops is None:  # tops[i]: the height of rows[:i]
            tops = [0.0]
            for row in rows:
                tops.append(tops[-1] + self._height(row))
        self._tops = tops
        self._head_height = self._height(head) if head else 0.0
        self.width = sum(widths)

    def _height(self, row: list[list[str]]) -> float:
        return max(map(len, row)) * float(self._style.leading) + 2 * _PAD_Y

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        start, end = self._span
        self.height = self._head_height + self._tops[end] - self._tops[start]
        return self.width, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        start, end = self._span
        room = self._tops[start] + ah - self._head_height
        fits = min(bisect_right(self._tops, room) - 1, end - 1)  # asked: not all of it fits
        if fits <= start:  # not even one row here: all of it on the next page
            return []
        return [
            _Grid(self._head, self._rows, self._widths, self._style, (start, fits), self._tops),
            _Grid(self._head, self._rows, self._widths, self._style, (fits, end), self._tops),
        ]

    def draw(self) -> None:
        canv, style = self.canv, self._style
        start, end = self._span
        rows = [self._head, *self._rows[start:end]] if self._head else self._rows[start:end]
        xs = [0.0]
        for w in self._widths:
            xs.append(xs[-1] + w)
        if self._head:
            canv.setFillColor(_HEAD_FILL)
            canv.rect(0, self.height - self._head_height, self.width, self._head_height, 0, 1)
        text = _MemoText(canv)
        text.setFont(style.fontName, style.fontSize, style.leading)
        canv.setFillColor(colors.black)
        top, rules = self.height, [(0.0, self.height, self.width, self.height)]
        for row in rows:
            for x, cell in zip(xs, row, strict=False):
                if not any(cell):
                    continue
                # Each line then moves down by the leading (T*): no origin or width per line.
                text.setTextOrigin(x + _PADDING, top - _PAD_Y - style.fontSize)
                for line in cell:
                    if isinstance(line, _Tight):
                        text.setWordSpace(line.word_space)
                        text.textLine(line)
                        text.setWordSpace(0)
                    else:
                        text.textLine(line)
            top -= self._height(row)
            rules.append((0.0, top, self.width, top))
        canv.drawText(text)
        rules += [(x, 0.0, x, self.height) for x in xs]
        canv.setStrokeColor(colors.grey)
        canv.setLineWidth(0.25)
        canv.setLineCap(1)
        canv.lines(rules)


_HEAD_FILL = colors.HexColor("#DDEBF7")


class _MemoText(PDFTextObject):  # type: ignore[misc]  # reportlab has no types
    """A text object that formats each distinct line once per document. A big pack repeats
    most of its lines (about 10,000 distinct of 42,000 at 3,000 students), and reportlab's
    formatting (font subsets, escaping) is most of the cost of drawing. The key holds every
    piece of state the formatting reads, and the memo lives on the canvas: a font subset's
    codes are only valid inside the document that assigned them."""

    _curSubset: Any  # reportlab's: the font subset the text is in now

    def _formatText(self, text: str) -> str:
        memo: dict[tuple[Any, ...], tuple[str, Any]] = self._canvas.__dict__.setdefault(
            "_ctforms_lines", {}
        )
        key = (self._fontname, self._fontsize, self._leading, self._rise, self._curSubset, text)
        hit = memo.get(key)
        if hit is None:
            hit = (super()._formatText(text), self._curSubset)
            memo[key] = hit
        else:
            self._curSubset = hit[1]
        return hit[0]


def table(
    header: list[str] | None, rows: list[list[Any]], widths: list[float], style: ParagraphStyle
) -> Flowable:
    """One table, its header repeated on every page it spans; any cell too tall for a page is
    shortened (saying so)."""
    if not rows:
        return paragraph("None.", style)
    rooms = [w - 2 * _PADDING for w in widths]
    head = [_lines(h, r, style) for h, r in zip(header, rooms, strict=True)] if header else None
    head_lines = max(map(len, head)) if head else 0
    most = int((_FRAME_HEIGHT - 2 * _PAD_Y * (2 if head else 1)) // style.leading) - head_lines
    # A big table repeats most of its texts (the same action for every student of a kind):
    # each distinct one is broken into lines once (the lists are shared, and only read).
    broken: dict[tuple[str, float], list[str]] = {}

    def lines_of(value: Any, room: float) -> list[str]:
        text = str(value)
        found = broken.get((text, room))
        if found is None:
            found = broken[text, room] = _lines(text, room, style)
        return found

    cells = [[lines_of(v, r) for v, r in zip(row, rooms, strict=True)] for row in rows]
    for row in cells:
        row[:] = [_fit(lines, r, style, most) for lines, r in zip(row, rooms, strict=True)]
    return _Grid(head, cells, widths, style)


class NumberedCanvas(canvas.Canvas):  # type: ignore[misc]
    """Draws 'Page x of y' (and the banner) once the page count is known."""

    banner: str | None = None
    footer: str = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        regular, bold = _fonts()
        for state in self._pages:
            self.__dict__.update(state)
            width, height = A4
            self.setFont(regular, 7.5)
            self.setFillColor(colors.black)
            self.drawString(15 * mm, 10 * mm, self.footer)
            self.drawRightString(width - 15 * mm, 10 * mm, f"Page {self._pageNumber} of {total}")
            if self.banner:
                self.setFont(bold, 12)
                self.setFillColor(colors.HexColor("#B00020"))
                self.drawCentredString(width / 2, height - 10 * mm, self.banner)
            super().showPage()
        super().save()


def id_lines(issue_id: str, width: float, style: ParagraphStyle, lead: str = "") -> str:
    """`lead` and `issue_id` on as few lines as fit a cell `width` wide; the id broken only
    after a '/', never inside a part, and a '-' part (no candidate, no unit) kept with the part
    before it, so no line holds only a '-' (reportlab would otherwise split it anywhere)."""
    room = width - 2 * _PADDING
    widths = _widths(style.fontName)
    parts: list[str] = []
    for part in re.findall(r"[^/]*/|[^/]+", issue_id):
        if parts and part.rstrip("/") in ("", "-"):
            parts[-1] += part
        else:
            parts.append(part)
    lines = [lead]
    for part in parts:
        if lines[-1] and sum(map(widths.__getitem__, lines[-1] + part)) * style.fontSize > room:
            lines.append(part)
        else:
            lines[-1] += part
    return "\n".join(lines)
