"""The register as text for a person: issues most urgent first, then the checks and a summary."""

from __future__ import annotations

from ctforms.checks.guidance import kind_label
from ctforms.checks.urgency import by_urgency, is_overdue, who
from ctforms.files.fast import without_gc
from ctforms.models import CheckStatus, Issue, Register, Severity
from ctforms.paperwork import checkpoint_name
from ctforms.read.centre import assumed_dates

_SEVERITY = {"blocking": "BLOCKING", "warning": "warning ", "info": "info    "}
_INDENT = " " * 12


def _lines(issue: Issue) -> list[str]:
    """Three lines an issue: when and who (so each stands alone, whatever is around it); what;
    what to use and the id to paste into the Actions sheet."""
    when = f"by {issue.deadline:%d/%m/%Y}" if issue.deadline else "no deadline"
    if is_overdue(issue):
        when += " OVERDUE"
    if issue.handled:
        when = ("decided; was " if _decided(issue) else "handled; was ") + when
    if issue.candidate_number is None:  # who already names the code
        qual = f" {issue.qualification_title}".rstrip()
    else:
        qual = f"  {issue.qualification_code} {issue.qualification_title}".rstrip()
    unit = f", unit {issue.unit_number}" if issue.unit_number is not None else ""
    return [
        f"  {_SEVERITY[issue.severity.value]}  {when}  {who(issue, upper_surname=True)}"
        + (qual if issue.qualification_code else ""),
        f"{_INDENT}{kind_label(issue.kind)}{unit}: {issue.summary}",
        f"{_INDENT}-> {issue.remedy}   [{issue.id}]",
    ]


def _sections(issues: list[Issue]) -> list[tuple[str, list[Issue]]]:
    """Headed groups, most urgent first; each group in urgency order."""
    ordered = by_urgency(issues)
    todo = [i for i in ordered if not i.handled]
    groups = [
        ("BLOCKING, not handled", "overdue first, then by deadline", Severity.BLOCKING),
        ("Warnings, not handled", "by deadline", Severity.WARNING),
        ("Information, not handled", "by deadline", Severity.INFO),
    ]
    sections = [
        (f"{title} ({n}): {order}", found)
        for title, order, severity in groups
        if (n := len(found := [i for i in todo if i.severity is severity]))
    ]
    decided = [i for i in ordered if i.handled and _decided(i)]
    if decided:
        sections.append(
            (f"Decided ({len(decided)}): recorded in the Entry Decisions sheet", decided)
        )
    handled = [i for i in ordered if i.handled and not _decided(i)]
    if handled:
        sections.append((f"Handled ({len(handled)}): recorded in the Actions sheet", handled))
    return sections


def _decided(issue: Issue) -> bool:
    """Closed by a decision on an entry change (Entry Decisions), not by an action."""
    return issue.handled_by is not None and issue.handled_by.recorded_in == "Entry Decisions"


@without_gc
def render_table(register: Register) -> str:
    c = register.centre
    out = [
        f"{checkpoint_name(register)} checks (ctforms): {c.name} ({c.number}), results summer"
        f" {register.series.year}, as of {register.as_of:%d/%m/%Y}",
        "Most urgent first. BLOCKING: no result on results day unless it is put right."
        " warning: check it. -> what to use. [Issue ID]: record what was done against it (the"
        " Decisions page, or the Actions sheet of records.xlsx)."
        " The full action for each issue is in issues.json and actions.xlsx.",
    ]
    for heading, issues in _sections(register.issues):
        out += ["", heading]
        for issue in issues:
            out.extend(_lines(issue))
    if register.issues:
        out.append("")
    out.append("Checks")
    for check in register.checks:
        mark = {
            CheckStatus.PASSED: "passed",
            CheckStatus.ISSUES: f"{check.issues} issue(s)",
            CheckStatus.CANNOT_VERIFY: "CANNOT VERIFY",
            CheckStatus.PARTIAL: "passed, partly verified",
        }[check.status]
        out.append(f"  {check.title:<44} {mark}")
        out.extend(f"      note: {n}" for n in check.notes)
    if register.series.assumed:
        out.append("")
        out.append(
            f"Dates assumed for {register.series.year} (derived from OCR's 2023 dates; check OCR's"
            " timeline):"
            f" {assumed_dates(register.series)}"
        )
    for warning in register.warnings:
        out.append(f"warning: {warning}")
    s = register.summary
    out.append("")
    out.append(
        f"Summary: {s.students_checked} students checked, {s.students_at_risk} at risk;"
        f" {s.issues} issues ({s.blocking_unhandled} blocking not handled)"
    )
    if s.by_severity:
        out.append("  by severity: " + ", ".join(f"{k} {v}" for k, v in s.by_severity.items()))
    if s.by_kind:
        kinds = sorted(f"{kind_label(k)}: {v}" for k, v in s.by_kind.items())
        out.append("  by kind: " + "; ".join(kinds))
    return "\n".join(out) + "\n"
