"""The register as text for a person: issues grouped by candidate, then the checks and a summary."""

from __future__ import annotations

from ctforms.models import CheckStatus, Issue, Register

_SEVERITY = {"blocking": "BLOCKING", "warning": "warning ", "info": "info    "}


def _line(issue: Issue) -> list[str]:
    unit = f"unit {issue.unit_number}  " if issue.unit_number is not None else ""
    handled = "  [handled]" if issue.handled else ""
    when = f"; by {issue.deadline:%d/%m/%Y}" if issue.deadline else ""
    overdue = " (OVERDUE)" if issue.overdue and not issue.handled else ""
    return [
        f"  {_SEVERITY[issue.severity.value]}  {issue.kind.value}  {unit}{issue.summary}{handled}",
        f"            -> {issue.remedy}{when}{overdue}   [{issue.id}]",
    ]


def render_table(register: Register) -> str:
    c = register.centre
    out = [
        f"ctforms check: {c.name} ({c.number}), results summer {register.series.year},"
        f" as of {register.as_of:%d/%m/%Y}",
        "BLOCKING: no result on results day unless it is put right. warning: check it."
        " -> what to use, and the deadline. [id]: paste it into the Actions sheet when done."
        " The full action for each issue is in issues.json and actions.xlsx.",
        "",
    ]
    current: tuple[str | None, str | None] | None = None
    for issue in register.issues:
        key = (issue.candidate_number, issue.qualification_code)
        if key != current:
            current = key
            if issue.candidate_number is None:
                out.append(f"Qualification {issue.qualification_code} {issue.qualification_title}")
            else:
                who = (
                    f"{issue.candidate.surname.upper()}, {issue.candidate.forenames}"
                    if issue.candidate
                    else "(not in the tracker)"
                )
                qual = f"  {issue.qualification_code} {issue.qualification_title}".rstrip()
                out.append(
                    f"{issue.candidate_number}  {who}{qual if issue.qualification_code else ''}"
                )
        out.extend(_line(issue))
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
            f"Dates assumed for {register.series.year} (OCR's 2023 dates, check OCR's timeline):"
            f" {', '.join(register.series.assumed)}"
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
        out.append("  by kind: " + ", ".join(f"{k} {v}" for k, v in s.by_kind.items()))
    return "\n".join(out) + "\n"
