"""Who is expecting a result this series, for which qualification, under which entry."""

from __future__ import annotations

from ctforms.checks import rules
from ctforms.checks.context import Context, Expecting
from ctforms.models import Candidate, QualificationEntry


def find_entry(ctx: Context, candidate: Candidate | None, code: str) -> QualificationEntry | None:
    """The entry for this code, else an entry for another size of the same subject."""
    if candidate is None:
        return None
    if code in candidate.entries:
        return candidate.entries[code]
    for other in sorted(candidate.entries):
        if ctx.catalogue.same_subject(other, code):
            return candidate.entries[other]
    return None


def build_scope(ctx: Context) -> None:
    """Fill ctx.expecting: the Expected sheet's 'Y' rows, and every entry certificating this
    series (those not on the Expected sheet raise unexpected-certification later)."""
    seen: set[tuple[str, str]] = set()
    expecting: list[Expecting] = []
    candidates = ctx.tracker.candidates
    for row in ctx.records.expected or []:
        if not row.certificating:
            continue
        key = (row.candidate_number, row.qualification_code)
        if key in seen:
            continue
        seen.add(key)
        candidate = candidates.get(row.candidate_number)
        entry = find_entry(ctx, candidate, row.qualification_code)
        if entry is not None:
            seen.add((row.candidate_number, entry.code))
        expecting.append(
            Expecting(
                candidate_number=row.candidate_number,
                candidate=candidate,
                expected_code=row.qualification_code,
                entry=entry,
                catalogue=ctx.catalogue.get(row.qualification_code),
                listed_in_expected=True,
                expected_row=row.row,
            )
        )
    for number, candidate in candidates.items():
        for code, entry in candidate.entries.items():
            if (number, code) in seen or not ctx.certificating_now(entry):
                continue
            seen.add((number, code))
            expecting.append(
                Expecting(
                    candidate_number=number,
                    candidate=candidate,
                    expected_code=code,
                    entry=entry,
                    catalogue=ctx.catalogue.get(code),
                    listed_in_expected=False,
                )
            )
    for exp in expecting:
        if exp.entry is not None and exp.catalogue is not None:
            statuses = {n: u.status for n, u in exp.entry.units.items()}
            exp.combination = rules.evaluate(
                exp.catalogue.qualification, statuses, exp.catalogue.units
            )
    expecting.sort(key=lambda e: (e.candidate_number, e.expected_code))
    ctx.expecting = expecting
    ctx.__dict__.pop("in_scope", None)  # computed from expecting: never from an earlier one
