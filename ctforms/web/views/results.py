"""The Results page: the issues of a check, filtered, each with its files and notes."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ctforms.checks.guidance import kind_label
from ctforms.checks.urgency import by_urgency, is_overdue, who
from ctforms.models import Issue, Register, Severity
from ctforms.paperwork import awaits_entry, files_for
from ctforms.read.centre import date_outside, long_date
from ctforms.web.pages import site_of
from ctforms.web.views import shared, sign_off
from ctforms.web.workspace import RunFolder


def _issue_files(issue: Issue, register: Register, run: RunFolder) -> list[str]:
    return [n for n in files_for(issue, register.centre.number) if run.file(n) is not None]


async def results(request: Request) -> Response:
    site = site_of(request)
    run = shared.run_or_none(site, request)
    if run is None and (wanted := request.query_params.get("run")):
        return shared.no_such_check(request, site, "results", wanted)
    if run is None:
        return site.page(request, "empty.html", "Results", what="are no results to show")
    register = run.register()
    q = request.query_params
    chosen = {
        "qualification": q.get("qualification", ""),
        "severity": q.get("severity", ""),
        "kind": q.get("kind", ""),
        "overdue": q.get("overdue", ""),
    }
    issues = by_urgency(register.issues)
    shown = [
        i
        for i in issues
        if (not chosen["qualification"] or in_qualification(i, chosen["qualification"], register))
        and (not chosen["severity"] or i.severity.value == chosen["severity"])
        and (not chosen["kind"] or i.kind.value == chosen["kind"])
        and (not chosen["overdue"] or is_overdue(i))
    ]
    titles: dict[str, str] = {}
    for i in issues:
        if i.qualification_code:
            titles.setdefault(i.qualification_code, i.qualification_title)
    for st in register.students:
        titles.setdefault(st.qualification_code, st.qualification_title)
    return site.page(
        request,
        "results.html",
        "Results",
        run=run,
        register=register,
        issues=shown,
        total=len(issues),
        chosen=chosen,
        qualifications=sorted(titles.items()),
        severities=[s.value for s in Severity if any(i.severity is s for i in issues)],
        kinds=sorted({i.kind for i in issues}, key=kind_label),
        kind_label=kind_label,
        who=who,
        is_overdue=is_overdue,
        files_of=lambda issue: _issue_files(issue, register, run),
        notes=shared.entry_file(run, shared.catalogues(site)).notes,
        done_line=done_line,
        awaits_entry=awaits_entry,
        runs=site.workspace.run_folders(),
        signed_by=sign_off.signed_by,
        outside=date_outside(register.as_of, register.series, register.checkpoint),
        decided={(d.candidate_number, d.qualification_code) for d in shared.recorded(site)[0]},
    )


def in_qualification(issue: Issue, code: str, register: Register) -> bool:
    """Whether an issue belongs under a qualification: its own code, or, for an issue of a
    student that carries no code (a student listed twice, a missing candidate number), a
    qualification the student is entered for or expects."""
    if issue.qualification_code:
        return issue.qualification_code == code
    if issue.candidate_number is None:
        return False
    return any(
        code in (st.qualification_code, st.registered_code)
        for st in register.students
        if st.candidate_number == issue.candidate_number
    )


def done_line(issue: Issue) -> str:
    """What was done about a handled issue, in one sentence: 'Reminder sent by email (Monday
    30 November 2026, by Ben Okoro).'"""
    h = issue.handled_by
    if h is None:
        return ""
    said = h.action_taken.strip().rstrip(".;,")
    about = [x for x in (long_date(h.date) if h.date else "", f"by {h.by}" if h.by else "") if x]
    return f"{said} ({', '.join(about)})." if about else f"{said}."
