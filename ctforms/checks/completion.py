"""The term-time checkpoint: is each student's estimated completion date (ECD) right?

OCR sets each ECD from the date of the entry, one year on for Level 2 and two for Level 3
(seeds: Summer 2024 timeline; DOMAIN.md), so it is wrong for a student on a longer or shorter
course, or registered after the course began. The centre's plan is in records.xlsx (Expected:
Planned Completion, or Certificating = Y for this summer; else Course Start and the standard
course length). Scope (who is checked) is build_term_scope's; this module compares.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict

from ctforms.checks.context import Context, Expecting, result
from ctforms.checks.guidance import BEFORE_TERM_TIME, Action
from ctforms.checks.scope import find_entry
from ctforms.models import (
    Certification,
    CheckResult,
    Evidence,
    ExpectedRow,
    Issue,
    IssueKind,
    QualificationEntry,
)
from ctforms.read.parsing import SEASONS, completion_key
from ctforms.words import count, plural

# The standard course length OCR's ECD assumes, in years, by level (DOMAIN.md).
STANDARD_YEARS = {2: 1, 3: 2}
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}


def this_summer(year: int) -> str:
    return f"Summer {year}"


def certificated(entry: QualificationEntry, as_of: dt.date) -> bool:
    """Already certificated by the check's date: 'Certificating in August 2023' checked in
    March 2024 (the month is over)."""
    c = entry.certification
    if c.state is not Certification.CERTIFICATING or c.year is None:
        return False
    month = _MONTHS.get((c.month or "").lower(), 12)
    return (c.year, month) < (as_of.year, as_of.month)


def standard_completion(course_start: dt.date, level: int) -> str | None:
    """The summer a standard course ends: the academic year it starts in (from August) plus
    the level's years. A Level 3 course starting in September 2023 ends in Summer 2025."""
    years = STANDARD_YEARS.get(level)
    if years is None:
        return None
    first = course_start.year if course_start.month >= 8 else course_start.year - 1
    return this_summer(first + years)


_LEVEL = re.compile(r"\blevel\s*([1-3])\b", re.IGNORECASE)


def level_of(exp: Expecting) -> int | None:
    """The qualification's level: the catalogue's, else the tracker's title ('OCR Level 3
    Cambridge Technical ...')."""
    if exp.catalogue is not None:
        return exp.catalogue.subject.level
    m = _LEVEL.search(exp.entry.title if exp.entry else "")
    return int(m[1]) if m else None


def build_term_scope(ctx: Context) -> None:
    """Fill ctx.expecting with every qualification entry in the tracker still to complete (not
    certificated, not withdrawn), each with the centre's plan; count those left out."""
    rows: dict[tuple[str, str], ExpectedRow] = {}
    for given in ctx.records.expected or []:
        rows.setdefault((given.candidate_number, given.qualification_code), given)
    by_candidate: dict[str, list[ExpectedRow]] = defaultdict(list)
    for given in rows.values():
        by_candidate[given.candidate_number].append(given)
    left_out = {"certificated": 0, "withdrawn": 0}
    expecting: list[Expecting] = []
    for number, candidate in ctx.tracker.candidates.items():
        for code, entry in candidate.entries.items():
            if entry.certification.state is Certification.WITHDRAWN:
                left_out["withdrawn"] += 1
                continue
            if certificated(entry, ctx.as_of):
                left_out["certificated"] += 1
                continue
            row: ExpectedRow | None = rows.get((number, code))
            if row is None:  # planned under another size of the same subject
                row = next(
                    (
                        r
                        for r in by_candidate.get(number, [])
                        if find_entry(ctx, candidate, r.qualification_code) is entry
                    ),
                    None,
                )
            expecting.append(
                Expecting(
                    candidate_number=number,
                    candidate=candidate,
                    expected_code=code,
                    entry=entry,
                    catalogue=ctx.catalogue.get(code),
                    listed_in_expected=row is not None,
                    expected_row=row.row if row else None,
                    plan_row=row,
                )
            )
    expecting.sort(key=lambda e: (e.candidate_number, e.expected_code))
    ctx.expecting = expecting
    ctx.left_out = left_out
    ctx.__dict__.pop("in_scope", None)


def plan_of(ctx: Context, exp: Expecting) -> str | None:
    """The centre's planned completion: Planned Completion, else this summer for
    Certificating = Y, else None."""
    row = exp.plan_row
    if row is None:
        return None
    if row.planned_completion:
        return row.planned_completion
    return this_summer(ctx.year) if row.certificating else None


def check(ctx: Context) -> tuple[CheckResult, list[Issue]]:
    issues: list[Issue] = []
    unverifiable: dict[str, list[str]] = defaultdict(list)
    no_level: dict[str, list[str]] = defaultdict(list)
    notes: list[str] = []
    unreadable: list[str] = []  # a tracker without the column would give one per student
    summer = this_summer(ctx.year)
    for exp in ctx.expecting:
        entry = exp.entry
        assert entry is not None
        ecd = " ".join(entry.estimated_completion.split())
        ecd_key = completion_key(ecd)
        plan = plan_of(ctx, exp)
        row = exp.plan_row
        exp.planned_completion = plan
        exp.course_start = row.course_start if row else None
        if row and row.certificating and row.planned_completion not in (None, summer):
            notes.append(
                f"Expected row {row.row}: candidate {exp.candidate_number} is marked"
                f" Certificating = Y (this summer) but planned for {row.planned_completion};"
                " the Planned Completion is used"
            )
        if ecd_key is None:
            unreadable.append(f"{exp.candidate_number} ({exp.expected_code}): {ecd!r}")
            continue
        ecd = f"{SEASONS[ecd_key[1]]} {ecd_key[0]}"
        if plan is not None:
            plan_key = completion_key(plan)
            assert plan_key is not None
            if plan_key == ecd_key:
                continue
            later = ecd_key > plan_key
            exp.ecd_to_set = plan
            kind = IssueKind.ECD_LATER_THAN_PLANNED if later else IssueKind.ECD_EARLIER_THAN_PLANNED
            why = (
                (
                    "will not be in this summer's results unless it is amended"
                    if plan == summer
                    else f"will not be in the results of {plan} unless it is amended"
                )
                if later
                else "will show as at risk and be declared wrongly"
            )
            issues.append(
                ctx.issue(
                    kind,
                    candidate=exp.candidate,
                    code=exp.expected_code,
                    summary=f"The tracker's estimated completion is {ecd}, the plan {plan}:"
                    f" the student {why}",
                    evidence=Evidence(
                        estimated_completion=ecd,
                        planned_completion=plan,
                        course_start=exp.course_start,
                        ecd_to_set=plan,
                    ),
                    action=Action(
                        f"In the Progress Tracker, change the student's estimated completion"
                        f" date from {ecd} to {plan} (the plan: records.xlsx, Expected row"
                        f" {exp.expected_row}), then submit the term-time declaration. "
                        + (
                            "Left as it is, the student will not be in the results when planned."
                            if later
                            else "Left as it is, the student will show as at risk in the"
                            " 'Candidates at risk' view and be declared wrongly."
                        ),
                        f"amend the estimated completion date to {plan} in the Progress Tracker",
                        *BEFORE_TERM_TIME,
                    ),
                )
            )
            continue
        start = exp.course_start
        level = level_of(exp)
        if start is None:
            unverifiable[exp.expected_code].append(exp.candidate_number)
            continue
        standard = standard_completion(start, level) if level else None
        if standard is None:
            no_level[exp.expected_code].append(exp.candidate_number)
            continue
        if completion_key(standard) == ecd_key:
            continue
        exp.ecd_to_set = standard
        years = STANDARD_YEARS[level or 0]
        length = f"{'one year' if years == 1 else 'two years'} at Level {level}"
        issues.append(
            ctx.issue(
                IssueKind.ECD_CHECK_COURSE_LENGTH,
                candidate=exp.candidate,
                code=exp.expected_code,
                summary=f"The tracker's estimated completion is {ecd}; a course starting"
                f" {start:%d/%m/%Y} ({length}) ends {standard}",
                evidence=Evidence(
                    estimated_completion=ecd,
                    course_start=start,
                    level=level,
                    ecd_to_set=standard,
                ),
                action=Action(
                    f"No planned completion is recorded. The course started on"
                    f" {start:%d/%m/%Y} and the standard length ({length}) ends it in"
                    f" {standard}, but the Progress Tracker says {ecd}: often a student"
                    " registered after the course began. Check with the teacher when the"
                    f" student will finish; if it is {standard}, amend the date in the Progress"
                    " Tracker. Record the answer in records.xlsx (Expected, Planned"
                    " Completion) and check again.",
                    f"check with the teacher; if right, amend to {standard} in the Progress"
                    " Tracker",
                    *BEFORE_TERM_TIME,
                ),
            )
        )
    for code in sorted(set(unverifiable) | set(no_level)):
        plain, levelless = unverifiable.get(code, []), no_level.get(code, [])
        numbers = sorted(plain + levelless)
        said: list[str] = []
        if plain:
            said.append(f"{len(plain)} with neither a Planned Completion nor a Course Start")
        if levelless:
            said.append(
                f"{len(levelless)} with a Course Start, but the level (so the standard course"
                " length) is not known: the qualification is not in the catalogue"
            )
        n = len(numbers)
        whose = plural(n, "student's", "students'")
        issues.append(
            ctx.issue(
                IssueKind.ECD_UNVERIFIABLE,
                code=code,
                summary=f"{n} {whose} estimated completion dates cannot be checked:"
                f" {'; '.join(said)}",
                evidence=Evidence(students=n, candidate_numbers=numbers),
            )
        )
    if unreadable:
        n = len(unreadable)
        notes.append(
            f"{count(n, 'estimated completion date')} in the tracker"
            f" {plural(n, 'is', 'are')} empty or not a season and a year, so not checked"
            f" (e.g. {'; '.join(unreadable[:3])}): check them in the Progress Tracker, and that"
            " its download has the Estimated Completion column"
        )
    checked = len(ctx.expecting)
    gone = ctx.left_out or {}
    if any(gone.values()):
        notes.append(
            f"not checked: {gone.get('certificated', 0)} qualification entries already"
            f" certificated, {gone.get('withdrawn', 0)} withdrawn"
        )
    return result(
        "completion",
        "Estimated completion dates",
        ctx,
        issues,
        notes,
        verified=checked == 0 or bool(ctx.records.expected),
        partial=bool(unverifiable or no_level),
    )
