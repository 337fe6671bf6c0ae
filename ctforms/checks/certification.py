"""Certification status: expected students show as certificating this series, and only they."""

from __future__ import annotations

from ctforms.checks.context import Context, result
from ctforms.models import CheckResult, Evidence, Issue, IssueKind

TITLE = "Certification status"


def check(ctx: Context) -> tuple[CheckResult, list[Issue]]:
    issues: list[Issue] = []
    label = f"Certificating in August {ctx.year}"
    for exp in ctx.expecting:
        entry = exp.entry
        if entry is None:
            continue  # no entry at all: the qualification entry check reports it
        if exp.listed_in_expected and not ctx.certificating_now(entry):
            issues.append(
                ctx.issue(
                    IssueKind.NOT_CERTIFICATING,
                    candidate=exp.candidate,
                    code=entry.code,
                    summary=f"Expected to certificate in August {ctx.year} but the tracker says"
                    f" '{entry.certification.text}'",
                    evidence=Evidence(certification_status=entry.certification.text),
                )
            )
        elif not exp.listed_in_expected and ctx.records.expected is not None:
            issues.append(
                ctx.issue(
                    IssueKind.UNEXPECTED_CERTIFICATION,
                    candidate=exp.candidate,
                    code=entry.code,
                    summary=f"Shows '{label}' but the Expected sheet does not expect a result",
                    evidence=Evidence(certification_status=entry.certification.text),
                )
            )
    if ctx.records.expected is None:
        return result(
            "certification",
            TITLE,
            ctx,
            issues,
            [
                "No Expected sheet in records.xlsx: the students expecting a result were taken"
                f" to be those the tracker shows as '{label}'. A student missing from that"
                " status cannot be found without the Expected sheet."
            ],
            partial=True,
        )
    return result("certification", TITLE, ctx, issues)
