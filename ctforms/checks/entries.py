"""Qualification entries: every expected student is entered for the qualification they expect."""

from __future__ import annotations

from typing import Literal

from ctforms.checks import rules
from ctforms.checks.context import Context, result
from ctforms.models import CheckResult, Evidence, Issue, IssueKind, Qualification

TITLE = "Qualification entries (registrations)"


def check(ctx: Context) -> tuple[CheckResult, list[Issue]]:
    if ctx.records.expected is None:
        return result(
            "entries",
            TITLE,
            ctx,
            [],
            [
                "No Expected sheet in records.xlsx: cannot tell whether students are entered"
                " for the qualification (and size) they expect."
            ],
            verified=False,
        )
    issues: list[Issue] = []
    for exp in ctx.expecting:
        if not exp.listed_in_expected:
            continue
        code = exp.expected_code
        entry = exp.entry
        if entry is None:
            others = sorted(exp.candidate.entries) if exp.candidate else []
            if exp.candidate is None:
                note = "The candidate is not in the tracker at all."
            elif others:
                note = (
                    f"The tracker shows entries for {', '.join(others)} only"
                    + (
                        ""
                        if exp.catalogue
                        else f"; {code} is not in the catalogue, so ctforms"
                        " cannot tell whether one of them is another size of it"
                    )
                    + "."
                )
            else:
                note = "The candidate has no qualification entry in the tracker."
            issues.append(
                ctx.issue(
                    IssueKind.NO_QUALIFICATION_ENTRY,
                    candidate_number=exp.candidate_number,
                    candidate=exp.candidate,
                    code=code,
                    summary=f"No entry for {code}, the qualification the student expects",
                    evidence=Evidence(expected_code=code, note=note),
                )
            )
            continue
        if entry.code == code:
            continue
        expected = exp.catalogue
        registered = ctx.catalogue.get(entry.code)
        assert expected is not None and registered is not None  # same_subject found them
        want, have = expected.qualification.glh, registered.qualification.glh
        direction: Literal["top-up", "move-down"] | None = (
            None if want is None or have is None else "top-up" if want > have else "move-down"
        )
        statuses = {n: u.status for n, u in entry.units.items()}
        missing = rules.top_up_missing(expected.qualification, statuses, expected.units)
        issues.append(
            ctx.issue(
                IssueKind.WRONG_SIZE_ENTRY,
                candidate=exp.candidate,
                code=code,
                summary=f"Entered for {entry.code} ({_size(registered.qualification)}) but"
                f" expects {code} ({_size(expected.qualification)}):"
                f" {direction or 'top-up or move-down'} entry needed",
                evidence=Evidence(
                    expected_code=code,
                    registered_code=entry.code,
                    direction=direction,
                    missing_for_target=missing or None,
                ),
            )
        )
    return result("entries", TITLE, ctx, issues)


def _size(q: Qualification) -> str:
    return q.size or "size not known"
