"""Duplicate candidates: one student under two candidate numbers splits their units."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict

from ctforms.checks.context import Context, result
from ctforms.models import Candidate, CheckResult, Evidence, Issue, IssueKind, Severity

TITLE = "Duplicate candidate records"


def _fold(text: str) -> str:
    # Accents are dropped (Zoë = Zoe), but letters with no Latin base are kept: two different
    # names in another script must not both fold to nothing.
    if not text.isascii():
        text = "".join(
            ch for ch in unicodedata.normalize("NFKD", text) if unicodedata.category(ch) != "Mn"
        )
    return " ".join(text.casefold().split())


def _name_key(c: Candidate) -> tuple[str, str, dt.date] | None:
    if c.date_of_birth is None:
        return None
    return (_fold(c.surname), _fold(c.forenames), c.date_of_birth)


def check(ctx: Context) -> tuple[CheckResult, list[Issue]]:
    by_uln: dict[str, list[str]] = defaultdict(list)
    by_name: dict[tuple[str, str, dt.date], list[str]] = defaultdict(list)
    for number, cand in ctx.tracker.candidates.items():
        if cand.uln:
            by_uln[cand.uln].append(number)
        key = _name_key(cand)
        if key is not None:
            by_name[key].append(number)
    pairs: dict[tuple[str, str], str] = {}
    for groups, how in ((by_uln.values(), "ULN"), (by_name.values(), "name and date of birth")):
        for numbers in groups:
            if len(numbers) < 2:
                continue  # nearly every group: one candidate, no pair
            numbers = sorted(numbers)
            for other in numbers[1:]:
                pairs.setdefault((numbers[0], other), how)
    issues: list[Issue] = []
    for (first, other), how in sorted(pairs.items()):
        issues.append(
            ctx.issue(
                IssueKind.DUPLICATE_CANDIDATE,
                candidate_number=first,
                id_suffix=other,
                # Same name and birthday could still be two people (check before merging).
                severity=Severity.BLOCKING if how == "ULN" else Severity.WARNING,
                summary=f"Same {how} as candidate {other}",
                evidence=Evidence(other_candidate_number=other, matched_on=how),
            )
        )
    return result("duplicates", TITLE, ctx, issues)
