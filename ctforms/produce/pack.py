"""The signed-off declaration evidence pack (PDF, reportlab): what was checked, for whom, what is
outstanding, who signed it off, and the fingerprints of the inputs."""

from __future__ import annotations

import datetime as dt
import io
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import yaml
from pydantic import BaseModel
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
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer
from reportlab.platypus.flowables import Flowable

from ctforms.checks.guidance import CHECK_OF_KIND, kind_label
from ctforms.checks.urgency import by_urgency, is_overdue, who
from ctforms.errors import InputError
from ctforms.models import CheckStatus, Issue, IssueKind, Register, Severity
from ctforms.paperwork import checkpoint_name
from ctforms.people import allowed_signer, real_name, reason_problem
from ctforms.read.centre import assumed_dates

SIGNING_ROLE = "Exams Officer"  # OCR: only this My Cambridge role can submit the declaration
BANNER = "NOT READY TO DECLARE"
DRAFT = "Review draft: not signed off"

# Fonts with wide Latin coverage, looked for in this order; else the PDF core fonts.
_FONT_FILES = [
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
    ("C:/Windows/Fonts/arial.ttf", "C:/Windows/Fonts/arialbd.ttf"),
    ("/Library/Fonts/Arial Unicode.ttf", "/Library/Fonts/Arial Unicode.ttf"),
]


class Statement(BaseModel):
    text: str
    checks: list[str]


class Declaration(BaseModel):
    year: int
    source: str
    preamble: str
    statements: list[Statement]
    centre_preamble: str
    centre_statements: list[Statement]


def load_declaration(year: int) -> tuple[Declaration, bool]:
    """The declaration for the year, or the latest earlier one (and True: assumed wording)."""
    folder = resources.files("ctforms.data").joinpath("declarations")
    years = sorted(
        int(p.name.removesuffix(".yaml"))
        for p in folder.iterdir()
        if p.name.endswith(".yaml") and p.name.removesuffix(".yaml").isdigit()
    )
    usable = [y for y in years if y <= year] or years[:1]
    chosen = usable[-1]
    data = yaml.safe_load(folder.joinpath(f"{chosen}.yaml").read_text("utf-8"))
    return Declaration.model_validate(data), chosen != year


@cache
def _fonts() -> tuple[str, str]:
    for regular, bold in _FONT_FILES:
        if Path(regular).exists() and Path(bold).exists():
            pdfmetrics.registerFont(TTFont("PackSans", regular))
            pdfmetrics.registerFont(TTFont("PackSans-Bold", bold))
            return "PackSans", "PackSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def _styles() -> dict[str, ParagraphStyle]:
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
_MARGIN_X, _MARGIN_Y, _FRAME_PADDING = 15 * mm, 16 * mm, 6
_FRAME_WIDTH = A4[0] - 2 * _MARGIN_X - 2 * _FRAME_PADDING
_FRAME_HEIGHT = A4[1] - 2 * _MARGIN_Y - 2 * _FRAME_PADDING
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


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    """A paragraph of the page's width, shortened (saying so) if it would fill more than a page."""
    said = str(text)
    most = int(_FRAME_HEIGHT // style.leading) - 2
    lines = _lines(said, _FRAME_WIDTH, style)
    if len(lines) > most:
        said = "\n".join(_fit(lines, _FRAME_WIDTH, style, most))
    return Paragraph(escape(said).replace("\n", "<br/>"), style)


def _date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


_RULES_STATE = {
    "verified": "the centre's (verified)",
    "partial": "partly entered",
    "illustrative": "illustrative, not OCR's",
    "unverified": "not verified: not used",
    "none": "none given",
}


def outstanding(register: Register) -> list[Issue]:
    return [i for i in register.issues if i.severity is Severity.BLOCKING and not i.handled]


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


def _table(
    header: list[str] | None, rows: list[list[Any]], widths: list[float], style: ParagraphStyle
) -> Flowable:
    """One table, its header repeated on every page it spans; any cell too tall for a page is
    shortened (saying so)."""
    if not rows:
        return _p("None.", style)
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


def _check_evidence(register: Register, names: list[str]) -> str:
    if not names:
        return "A commitment for the future: nothing in the register to check."
    if names == ["all-blocking"]:
        left = outstanding(register)
        if not left:
            return "Every blocking issue in the register has a recorded action (or there is none)."
        return f"{len(left)} blocking issue(s) without a recorded action: see 'Outstanding issues'."
    parts = []
    by_name = {c.check: c for c in register.checks}
    for name in names:
        check = by_name.get(name)
        if check is None:
            parts.append(f"{name}: not run")
            continue
        open_issues = sum(
            1 for i in register.issues if not i.handled and CHECK_OF_KIND[i.kind] == name
        )
        if check.status is CheckStatus.CANNOT_VERIFY:
            verdict = "CANNOT VERIFY"
        elif check.status is CheckStatus.PASSED:
            verdict = "passed"
        elif check.status is CheckStatus.PARTIAL:
            verdict = "passed, partly verified"
        else:
            verdict = f"{check.issues} issue(s), {open_issues} without a recorded action"
        text = f"Checked: {check.title}, {check.students_checked} students: {verdict}."
        if check.notes:
            text += " " + " ".join(check.notes)
        parts.append(text)
    return " ".join(parts)


class _NumberedCanvas(canvas.Canvas):  # type: ignore[misc]
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


@dataclass(frozen=True)
class SignOff:
    """An explicit sign-off by a named person; without one the pack is a review draft."""

    name: str
    role: str
    outstanding_reason: str | None = None  # why it is signed with blocking issues left


def check_sign_off(register: Register, sign_off: SignOff) -> SignOff:
    """Refuse a sign-off OCR would not accept, by someone the centre does not name, or made with
    blocking issues left silently; else the sign-off with the name as centre.toml writes it."""
    if sign_off.role.strip().casefold() != SIGNING_ROLE.casefold():
        raise InputError(
            f"only the '{SIGNING_ROLE}' role may sign the declaration (OCR: the person"
            f" submitting it must have the Exams Officer role in My Cambridge), not"
            f" {sign_off.role!r}"
        )
    if not sign_off.name.strip():
        raise InputError("--signed-by needs the name of the person signing off")
    c = register.centre
    name = allowed_signer(sign_off.name, c.exams_officer, c.exams_officer_deputies)
    left = outstanding(register)
    reason = (sign_off.outstanding_reason or "").strip()
    if left and not reason:
        raise InputError(
            f"{_count(len(left), 'blocking issue')} without a recorded action: record what was"
            " done in the Actions sheet of records.xlsx (and pass --records), or sign off anyway"
            ' with --allow-outstanding "REASON"'
        )
    if left and reason_problem(reason):
        raise InputError(f"--allow-outstanding: {reason_problem(reason)}")
    return replace(sign_off, name=name)


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _who(issue: Issue) -> str:
    text = who(issue)
    return text[:1].upper() + text[1:]  # it starts a table cell


def _id_lines(issue_id: str, width: float, style: ParagraphStyle, lead: str = "") -> str:
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


def load_term_time_declaration() -> Declaration:
    """The term-time checkpoint's declaration: ctforms' summary of OCR's timeline (its source
    says so), as OCR's wording is not in ctforms' sources."""
    folder = resources.files("ctforms.data").joinpath("declarations")
    data = yaml.safe_load(folder.joinpath("term-time.yaml").read_text("utf-8"))
    return Declaration.model_validate(data)


def build_pack(
    register: Register,
    sign_off: SignOff | None = None,
    *,
    prepared_by: str | None = None,
) -> bytes:
    """The evidence pack: a review draft, or signed off by `sign_off` (checked first)."""
    if sign_off is not None:
        sign_off = check_sign_off(register, sign_off)
    real_name(register.centre.head_of_centre, "[centre] head_of_centre")
    if prepared_by:
        real_name(prepared_by, "[exams_officer] name")
    st = _styles()
    left = outstanding(register)
    not_ready = bool(left) and sign_off is None
    term_time = register.checkpoint == "term-time"
    if term_time:
        declaration, assumed = load_term_time_declaration(), False
    else:
        declaration, assumed = load_declaration(register.series.year)
    name = checkpoint_name(register)
    c = register.centre
    story: list[Flowable] = []

    # Cover
    story += [
        _p(f"{name} declaration evidence pack", st["title"]),
        _p("OCR Cambridge Technicals", st["h2"]),
        Spacer(1, 6 * mm),
    ]
    cover = [
        ("Centre", f"{c.name} ({c.number})"),
        ("Head of Centre", c.head_of_centre),
        ("Series", f"Summer {register.series.year} results"),
        ("Checked as of", _date(register.as_of)),
        ("Prepared by", prepared_by or (sign_off.name if sign_off else "")),
        ("Signed off by", f"{sign_off.name}, {sign_off.role}" if sign_off else DRAFT),
        ("Tool", f"{register.tool} {register.tool_version}"),
        *(
            [
                ("Students checked", str(register.summary.students_checked)),
                ("Not checked (already certificated or withdrawn)", _left_out(register)),
                ("Estimated completion dates to amend", str(len(_amendments(register)))),
                ("Declaration closes", _term_time_closes(register)),
            ]
            if term_time
            else [
                ("Students expecting a result", str(register.summary.students_checked)),
                ("Students at risk", str(register.summary.students_at_risk)),
            ]
        ),
        ("Blocking issues without a recorded action", str(len(left))),
    ]
    story.append(_table(None, [list(r) for r in cover], [60 * mm, 115 * mm], st["body"]))
    story.append(Spacer(1, 5 * mm))
    have = "has" if len(left) == 1 else "have"
    if not_ready:
        story.append(
            _p(
                f"{BANNER}: {_count(len(left), 'blocking issue')} {have} no recorded action."
                " This is a review draft, not signed off.",
                st["banner"],
            )
        )
    elif left and sign_off is not None:
        story.append(
            _p(
                f"Signed off with {_count(len(left), 'blocking issue')} outstanding, each listed"
                f" on the sign-off page. Reason given: {sign_off.outstanding_reason}",
                st["banner"],
            )
        )
    elif sign_off is None:
        story.append(
            _p(
                "Every blocking issue has a recorded action. This is a review draft, not signed"
                " off.",
                st["h2"],
            )
        )
    else:
        story.append(_p("Every blocking issue has a recorded action.", st["h2"]))
    if register.series.assumed:
        story.append(
            _p(
                "Dates assumed (derived from OCR's 2023 dates; check OCR's"
                f" timeline): {assumed_dates(register.series)}.",
                st["small"],
            )
        )
    story.append(PageBreak())

    # Statements and their evidence
    story.append(
        _p(
            f"The term-time declaration for summer {register.series.year}"
            if term_time
            else f"The declaration for summer {register.series.year}",
            st["h1"],
        )
    )
    story.append(_p(f"Source: {declaration.source}", st["small"]))
    if assumed:
        story.append(
            _p(
                f"OCR's wording for {register.series.year} is not in ctforms' data: the"
                f" {declaration.year} wording is shown. Check it against the Progress Tracker.",
                st["small"],
            )
        )
    for preamble, statements in (
        (declaration.preamble, declaration.statements),
        (declaration.centre_preamble, declaration.centre_statements),
    ):
        story.append(_p(preamble, st["h2"]))
        for statement in statements:
            text = statement.text.format(year=register.series.year)
            story.append(_p("\u2022 " + text, st["body"]))
            evidence = _check_evidence(register, statement.checks)
            story.append(_p("Evidence: " + evidence, st["small"]))
            story.append(Spacer(1, 2 * mm))

    # Summary by qualification
    story.append(PageBreak())
    story.append(_p("Summary by qualification", st["h1"]))
    per_qual: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"title": "", "students": 0, "at_risk": 0, "kinds": Counter()}
    )
    for s in register.students:
        q = per_qual[s.qualification_code]
        q["title"] = s.qualification_title
        q["students"] += 1
        q["at_risk"] += s.status.value == "at-risk"
    for i in register.issues:
        if i.qualification_code:
            per_qual[i.qualification_code]["kinds"][kind_label(i.kind)] += 1
    rows = [
        [
            code,
            q["title"],
            q["students"],
            q["at_risk"],
            "\n".join(f"{k}: {n}" for k, n in sorted(q["kinds"].items())) or "none",
        ]
        for code, q in sorted(per_qual.items())
    ]
    story.append(
        _table(
            ["Code", "Qualification", "Students", "At risk", "Issues"],
            rows,
            [16 * mm, 62 * mm, 17 * mm, 15 * mm, 70 * mm],
            st["cell"],
        )
    )

    if term_time:
        _term_time_sections(register, story, st)
    else:
        _checkpoint_2_sections(register, story, st)

    # Issues, actions, deadlines and what the centre recorded: most urgent first
    story.append(PageBreak())
    story.append(_p("Outstanding issues and recorded actions", st["h1"]))
    story.append(
        _p(
            "Most urgent first: blocking issues without a recorded action (overdue first, then"
            " by deadline), then warnings by deadline, then the issues with a recorded action."
            " An action is recorded against the Issue ID: on the Decisions page, or in the"
            " Actions sheet of records.xlsx.",
            st["small"],
        )
    )
    # One wide column for what is wrong and what to do: the file names in actions
    # ("64395-missed-from-moderation-claim.xlsx") fit on a line without being split.
    widths = [30 * mm, 40 * mm, 70 * mm, 18 * mm, 22 * mm]
    rows = []
    for i in by_urgency(register.issues):
        done = i.handled_by
        recorded = (
            f"{done.action_taken} ({_date(done.date)} {done.ocr_reference} {done.by})".replace(
                "  ", " "
            ).strip()
            if done
            else "nothing recorded"
        )
        student = _who(i) + (
            f"\n{i.qualification_code}" if i.candidate_number and i.qualification_code else ""
        )
        rows.append(
            [
                student,
                f"{i.severity.value}: {kind_label(i.kind)}\nIssue ID:\n"
                + _id_lines(i.id, widths[1], st["cell"]),
                f"{i.summary}\nAction: {i.action}",
                _date(i.deadline) + ("\nOVERDUE" if is_overdue(i) else ""),
                recorded,
            ]
        )
    story.append(
        _table(
            [
                "Student",
                "Severity: kind; Issue ID",
                "What is wrong; action",
                "Deadline",
                "Recorded",
            ],
            rows,
            widths,
            st["cell"],
        )
    )

    # Sign-off
    story.append(PageBreak())
    story.append(_p("Sign-off", st["h1"]))
    if sign_off is None:
        story.append(
            _p(
                "Not signed off. This is a review draft: the Exams Officer signs the pack off as"
                " a separate step, by name, once every blocking issue has a recorded action (or"
                " with a written reason for each one left).",
                st["body"],
            )
        )
    else:
        story.append(
            _p(
                f"I, {sign_off.name} ({sign_off.role}), confirm that the term-time checks in"
                " this pack (every student's estimated completion date against the centre's"
                " plan) were completed for every Cambridge Technicals student still to"
                f" complete at {c.name} ({c.number}), as of {_date(register.as_of)}."
                if term_time
                else f"I, {sign_off.name} ({sign_off.role}), confirm that the Checkpoint 2"
                " checks in this pack were completed for every student expecting a Cambridge"
                f" Technicals result in summer {register.series.year} at {c.name}"
                f" ({c.number}), as of {_date(register.as_of)}.",
                st["body"],
            )
        )
        story.append(Spacer(1, 4 * mm))
        story.append(
            _table(
                None,
                [
                    ["Name", sign_off.name],
                    ["Role", sign_off.role],
                    ["Date", _date(register.as_of)],
                    ["Signature", ""],
                ],
                [40 * mm, 120 * mm],
                st["body"],
            )
        )
    if left:
        story.append(Spacer(1, 4 * mm))
        heading = (
            "Outstanding at sign-off"
            if sign_off is not None
            else "Blocking issues still without a recorded action"
        )
        story.append(_p(heading, st["h2"]))
        if sign_off is not None:
            story.append(_p(f"Reason given: {sign_off.outstanding_reason}", st["body"]))
        columns = [45 * mm, 110 * mm, 20 * mm]
        story.append(
            _table(
                ["Student", "Issue", "Deadline"],
                [
                    [
                        _who(i),
                        i.summary + "\n" + _id_lines(i.id, columns[1], st["cell"], "Issue ID: "),
                        _date(i.deadline),
                    ]
                    for i in by_urgency(left)
                ],
                columns,
                st["cell"],
            )
        )

    # Appendix: input fingerprints
    story.append(PageBreak())
    story.append(_p("Appendix: input files", st["h1"]))
    story.append(
        _p("SHA-256 of every input named in the register, to match the files kept.", st["small"])
    )
    story.append(
        _table(
            ["Role", "File", "Size", "SHA-256"],
            [[f.role, f.name, f.size, f.sha256] for f in register.inputs],
            [16 * mm, 34 * mm, 14 * mm, 116 * mm],  # a SHA-256 on one line
            st["cell"],
        )
    )

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=_MARGIN_X,
        rightMargin=_MARGIN_X,
        topMargin=_MARGIN_Y,
        bottomMargin=_MARGIN_Y,
        title=f"{name} evidence pack {c.number}",
        author="ctforms",
        subject=f"Summer {register.series.year}",
        invariant=True,
    )
    footer = f"{c.name} ({c.number}) - {name} evidence pack - as of {_date(register.as_of)}"

    class Canvas(_NumberedCanvas):
        pass

    Canvas.banner = BANNER if not_ready else DRAFT.upper() if sign_off is None else None
    Canvas.footer = footer
    a85 = rl_config.useA85
    rl_config.useA85 = 0  # binary streams: a quarter smaller, and no slow pure-Python encoding
    try:
        doc.build(story, canvasmaker=Canvas)  # no text is taller than a page: see _fit
    finally:
        rl_config.useA85 = a85
    return buf.getvalue()


def _checkpoint_2_sections(
    register: Register, story: list[Flowable], st: dict[str, ParagraphStyle]
) -> None:
    """Checkpoint 2: where the rules of combination came from, and every student expecting
    a result."""
    story.append(Spacer(1, 4 * mm))
    story.append(_p("Rules of combination used", st["h2"]))
    rows: list[list[Any]] = [
        [
            c.code,
            c.source
            + ("" if c.verified else " (size and GLH not confirmed)")
            + (f"; rules: {c.rules_source}" if c.rules_source not in (None, c.source) else ""),
            (f"{c.known}; rules: " if c.known else "") + _RULES_STATE[c.rules],
            "; ".join(c.not_known) or "nothing: fully checked",
        ]
        for c in register.catalogue
    ]
    story.append(
        _table(
            ["Code", "Source", "Rules", "Not known (checked by hand)"],
            rows,
            [16 * mm, 70 * mm, 30 * mm, 64 * mm],
            st["cell"],
        )
    )

    # Every student expecting a result
    story.append(PageBreak())
    story.append(_p("Students expecting a result", st["h1"]))
    rows = [
        [
            s.candidate_number,
            f"{s.surname}, {s.forenames}".strip(", "),
            s.qualification_code,
            s.registered_code or "none",
            s.status.value,
            s.blocking,
            s.warnings,
        ]
        for s in register.students
    ]
    story.append(
        _table(
            ["Cand.", "Name", "Expects", "Entered", "Status", "Blocking", "Warnings"],
            rows,
            [14 * mm, 62 * mm, 18 * mm, 18 * mm, 22 * mm, 18 * mm, 18 * mm],
            st["cell"],
        )
    )


def _left_out(register: Register) -> str:
    gone = register.left_out or {}
    return (
        f"{gone.get('certificated', 0)} certificated, {gone.get('withdrawn', 0)} withdrawn"
        " (qualification entries)"
    )


def _term_time_closes(register: Register) -> str:
    closes = register.series.term_time_declaration_closes
    if closes is None:
        return "not known"
    assumed = "term_time_declaration_closes" in register.series.assumed
    return _date(closes) + (" (assumed: check OCR's timeline)" if assumed else "")


def _amendments(register: Register) -> list[Issue]:
    """The open issues whose estimated completion date must change."""
    return [
        i
        for i in register.issues
        if i.kind in (IssueKind.ECD_LATER_THAN_PLANNED, IssueKind.ECD_EARLIER_THAN_PLANNED)
        and not i.handled
    ]


def _term_time_sections(
    register: Register, story: list[Flowable], st: dict[str, ParagraphStyle]
) -> None:
    """The term-time checkpoint: the amendments, then every student's ECD and plan."""
    story.append(Spacer(1, 4 * mm))
    story.append(_p("Estimated completion dates to amend", st["h2"]))
    amend = sorted(_amendments(register), key=lambda i: (i.qualification_code or "", _who(i)))
    if amend:
        story.append(
            _table(
                ["Student", "Code", "ECD now", "ECD to set", "Why"],
                [
                    [
                        _who(i),
                        i.qualification_code or "",
                        i.evidence.estimated_completion or "",
                        i.evidence.ecd_to_set or "",
                        kind_label(i.kind),
                    ]
                    for i in amend
                ],
                [50 * mm, 16 * mm, 24 * mm, 24 * mm, 66 * mm],
                st["cell"],
            )
        )
    else:
        story.append(_p("None: every date checked agrees with the centre's plan.", st["body"]))
    story.append(PageBreak())
    story.append(_p("Every student's estimated completion date and plan", st["h1"]))
    story.append(
        _p(
            "Plan: records.xlsx, Expected (Planned Completion, or this summer for"
            " Certificating = Y). 'none' where the records give no plan; the course start is"
            " then compared with the standard length (Level 2: one year, Level 3: two years).",
            st["small"],
        )
    )
    rows = [
        [
            s.candidate_number,
            f"{s.surname}, {s.forenames}".strip(", "),
            s.qualification_code,
            s.estimated_completion or "none",
            s.planned_completion or "none",
            _date(s.course_start) if s.course_start else "",
            s.ecd_to_set or "",
            s.status.value,
        ]
        for s in register.students
    ]
    story.append(
        _table(
            ["Cand.", "Name", "Code", "ECD", "Plan", "Course start", "To set", "Status"],
            rows,
            [13 * mm, 50 * mm, 15 * mm, 22 * mm, 22 * mm, 20 * mm, 22 * mm, 16 * mm],
            st["cell"],
        )
    )
