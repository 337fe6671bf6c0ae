"""The signed-off declaration evidence pack (PDF, reportlab): what was checked, for whom, what is
outstanding, who signed it off, and the fingerprints of the inputs."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter, defaultdict
from typing import Any

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, SimpleDocTemplate, Spacer
from reportlab.platypus.flowables import Flowable

from ctforms.checks.guidance import CHECK_OF_KIND, kind_label
from ctforms.checks.urgency import by_urgency, is_overdue, who
from ctforms.models import CheckStatus, Issue, IssueKind, Register
from ctforms.paperwork import checkpoint_name
from ctforms.people import real_name
from ctforms.produce.declaration import load_declaration, load_term_time_declaration
from ctforms.produce.pdf_layout import (
    MARGIN_X,
    MARGIN_Y,
    NumberedCanvas,
    id_lines,
    paragraph,
    styles,
    table,
)
from ctforms.produce.sign_off import SignOff, check_sign_off, outstanding
from ctforms.read.centre import assumed_dates
from ctforms.words import count, plural

BANNER = "NOT READY TO DECLARE"
DRAFT = "Review draft: not signed off"


def _date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


_RULES_STATE = {
    "verified": "the centre's (verified)",
    "partial": "partly entered",
    "illustrative": "illustrative, not OCR's",
    "unverified": "not verified: not used",
    "none": "none given",
}


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


def _who(issue: Issue) -> str:
    text = who(issue)
    return text[:1].upper() + text[1:]  # it starts a table cell


def build_pack(
    register: Register,
    sign_off: SignOff | None = None,
    *,
    prepared_by: str | None = None,
) -> bytes:
    """The evidence pack: a review draft, or signed off by `sign_off` (checked first)."""
    if sign_off is not None:
        sign_off = check_sign_off(register, sign_off)
    real_name(register.centre.head_of_centre, ("centre", "head_of_centre"))
    if prepared_by:
        real_name(prepared_by, ("exams_officer", "name"))
    st = styles()
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
        paragraph(f"{name} declaration evidence pack", st["title"]),
        paragraph("OCR Cambridge Technicals", st["h2"]),
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
    story.append(table(None, [list(r) for r in cover], [60 * mm, 115 * mm], st["body"]))
    story.append(Spacer(1, 5 * mm))
    have = plural(len(left), "has", "have")
    if not_ready:
        story.append(
            paragraph(
                f"{BANNER}: {count(len(left), 'blocking issue')} {have} no recorded action."
                " This is a review draft, not signed off.",
                st["banner"],
            )
        )
    elif left and sign_off is not None:
        story.append(
            paragraph(
                f"Signed off with {count(len(left), 'blocking issue')} outstanding, each listed"
                f" on the sign-off page. Reason given: {sign_off.outstanding_reason}",
                st["banner"],
            )
        )
    elif sign_off is None:
        story.append(
            paragraph(
                "Every blocking issue has a recorded action. This is a review draft, not signed"
                " off.",
                st["h2"],
            )
        )
    else:
        story.append(paragraph("Every blocking issue has a recorded action.", st["h2"]))
    if register.series.assumed:
        story.append(
            paragraph(
                "Dates assumed (derived from OCR's 2023 dates; check OCR's"
                f" timeline): {assumed_dates(register.series)}.",
                st["small"],
            )
        )
    story.append(PageBreak())

    # Statements and their evidence
    story.append(
        paragraph(
            f"The term-time declaration for summer {register.series.year}"
            if term_time
            else f"The declaration for summer {register.series.year}",
            st["h1"],
        )
    )
    story.append(paragraph(f"Source: {declaration.source}", st["small"]))
    if assumed:
        story.append(
            paragraph(
                f"OCR's wording for {register.series.year} is not in ctforms' data: the"
                f" {declaration.year} wording is shown. Check it against the Progress Tracker.",
                st["small"],
            )
        )
    for preamble, statements in (
        (declaration.preamble, declaration.statements),
        (declaration.centre_preamble, declaration.centre_statements),
    ):
        story.append(paragraph(preamble, st["h2"]))
        for statement in statements:
            text = statement.text.format(year=register.series.year)
            story.append(paragraph("\u2022 " + text, st["body"]))
            evidence = _check_evidence(register, statement.checks)
            story.append(paragraph("Evidence: " + evidence, st["small"]))
            story.append(Spacer(1, 2 * mm))

    # Summary by qualification
    story.append(PageBreak())
    story.append(paragraph("Summary by qualification", st["h1"]))
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
        table(
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
    story.append(paragraph("Outstanding issues and recorded actions", st["h1"]))
    story.append(
        paragraph(
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
                + id_lines(i.id, widths[1], st["cell"]),
                f"{i.summary}\nAction: {i.action}",
                _date(i.deadline) + ("\nOVERDUE" if is_overdue(i) else ""),
                recorded,
            ]
        )
    story.append(
        table(
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
    story.append(paragraph("Sign-off", st["h1"]))
    if sign_off is None:
        story.append(
            paragraph(
                "Not signed off. This is a review draft: the Exams Officer signs the pack off as"
                " a separate step, by name, once every blocking issue has a recorded action (or"
                " with a written reason for each one left).",
                st["body"],
            )
        )
    else:
        story.append(
            paragraph(
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
            table(
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
        story.append(paragraph(heading, st["h2"]))
        if sign_off is not None:
            story.append(paragraph(f"Reason given: {sign_off.outstanding_reason}", st["body"]))
        columns = [45 * mm, 110 * mm, 20 * mm]
        story.append(
            table(
                ["Student", "Issue", "Deadline"],
                [
                    [
                        _who(i),
                        i.summary + "\n" + id_lines(i.id, columns[1], st["cell"], "Issue ID: "),
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
    story.append(paragraph("Appendix: input files", st["h1"]))
    story.append(
        paragraph(
            "SHA-256 of every input named in the register, to match the files kept.", st["small"]
        )
    )
    story.append(
        table(
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
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_Y,
        bottomMargin=MARGIN_Y,
        title=f"{name} evidence pack {c.number}",
        author="ctforms",
        subject=f"Summer {register.series.year}",
        invariant=True,
    )
    footer = f"{c.name} ({c.number}) - {name} evidence pack - as of {_date(register.as_of)}"

    class Canvas(NumberedCanvas):
        pass

    Canvas.banner = BANNER if not_ready else DRAFT.upper() if sign_off is None else None
    Canvas.footer = footer
    a85 = rl_config.useA85
    rl_config.useA85 = 0  # binary streams: a quarter smaller, and no slow pure-Python encoding
    try:
        doc.build(story, canvasmaker=Canvas)  # no text is taller than a page: see pdf_layout._fit
    finally:
        rl_config.useA85 = a85
    return buf.getvalue()


def _checkpoint_2_sections(
    register: Register, story: list[Flowable], st: dict[str, ParagraphStyle]
) -> None:
    """Checkpoint 2: where the rules of combination came from, and every student expecting
    a result."""
    story.append(Spacer(1, 4 * mm))
    story.append(paragraph("Rules of combination used", st["h2"]))
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
        table(
            ["Code", "Source", "Rules", "Not known (checked by hand)"],
            rows,
            [16 * mm, 70 * mm, 30 * mm, 64 * mm],
            st["cell"],
        )
    )

    # Every student expecting a result
    story.append(PageBreak())
    story.append(paragraph("Students expecting a result", st["h1"]))
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
        table(
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
    story.append(paragraph("Estimated completion dates to amend", st["h2"]))
    amend = sorted(_amendments(register), key=lambda i: (i.qualification_code or "", _who(i)))
    if amend:
        story.append(
            table(
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
        story.append(
            paragraph("None: every date checked agrees with the centre's plan.", st["body"])
        )
    story.append(PageBreak())
    story.append(paragraph("Every student's estimated completion date and plan", st["h1"]))
    story.append(
        paragraph(
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
        table(
            ["Cand.", "Name", "Code", "ECD", "Plan", "Course start", "To set", "Status"],
            rows,
            [13 * mm, 50 * mm, 15 * mm, 22 * mm, 22 * mm, 20 * mm, 22 * mm, 16 * mm],
            st["cell"],
        )
    )
