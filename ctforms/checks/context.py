"""What every check reads: the loaded inputs, and who is expecting a result for what."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter

from ctforms.checks import rules
from ctforms.checks.guidance import GUIDANCE, Action, Smaller, fields
from ctforms.models import (
    GOOD_STATUSES,
    PASSING_GRADES,
    Assessment,
    Candidate,
    CandidateDetails,
    CentreProfile,
    Certification,
    Checkpoint,
    CheckResult,
    CheckStatus,
    Evidence,
    ExpectedRow,
    Issue,
    IssueKind,
    Qualification,
    QualificationEntry,
    Records,
    Severity,
    Tracker,
    UnitRecord,
    UnitStatus,
    VisitRow,
    VisitStatus,
)
from ctforms.read.catalogue import Catalogue, Entry
from ctforms.read.centre import working_day

_number = attrgetter("number")


@dataclass(slots=True)  # one per student: slots make them smaller and quicker to read
class Expecting:
    """One student expecting a result this series for one qualification."""

    candidate_number: str
    candidate: Candidate | None
    expected_code: str
    entry: QualificationEntry | None  # the registered entry: same code, or another size
    catalogue: Entry | None  # the expected qualification in the catalogue
    listed_in_expected: bool
    combination: rules.Combination | None = None
    expected_row: int | None = None  # its row in the Expected sheet
    # The term-time checkpoint: the Expected row planning it, and what the check found.
    plan_row: ExpectedRow | None = None
    planned_completion: str | None = None
    course_start: dt.date | None = None
    ecd_to_set: str | None = None
    _problem_units: list[UnitRecord] | None = field(default=None, init=False, repr=False)

    @property
    def registered_code(self) -> str | None:
        return self.entry.code if self.entry else None

    @property
    def units(self) -> dict[int, UnitRecord]:
        return self.entry.units if self.entry else {}

    @property
    def problem_units(self) -> list[UnitRecord]:
        """Units not in good standing, by number: the only ones the unit checks look at."""
        # Kept by hand, not a cached_property: that takes a lock on every first use, once per
        # student, for a list most often empty.
        found = self._problem_units
        if found is None:
            units = self.entry.units if self.entry else {}
            # Picked, then sorted: most students have none or one, nothing to sort.
            found = [u for u in units.values() if u.status not in GOOD_STATUSES]
            if len(found) > 1:
                found.sort(key=_number)
            self._problem_units = found
        return found

    @property
    def achieved(self) -> list[int]:
        """The units achieved with a passing grade, by number."""
        return sorted(
            n
            for n, u in self.units.items()
            if u.status is UnitStatus.RESULT_ACHIEVED
            and (u.grade is None or u.grade in PASSING_GRADES)
        )

    def required(self, unit: int) -> bool:
        if self.combination is None:
            return True
        return unit in self.combination.required

    def certainly_required(self, unit: int) -> bool:
        """Required whatever the parts of the rules not known turn out to be."""
        c = self.combination
        return c is not None and (not c.unverified or unit in c.strictly_required)


@dataclass(frozen=True)
class MoveDown:
    """The smaller sizes of the expected qualification a student could move down to: the
    largest their achieved units meet (proposed), those they may meet though the rules are not
    fully known (possible), and whether the catalogue has any smaller size at all."""

    proposed: Qualification | None = None
    possible: tuple[Qualification, ...] = ()
    any: bool = False

    @property
    def advice(self) -> Smaller:
        """What the actions may say of it (guidance.with_smaller)."""

        def sized(q: Qualification) -> tuple[str, str]:
            return q.code, q.size or "a smaller size"

        return Smaller(
            proposed=sized(self.proposed) if self.proposed else None,
            possible=sized(self.possible[0]) if self.possible else None,
            any=self.any,
        )


@dataclass
class Context:
    tracker: Tracker
    records: Records
    catalogue: Catalogue
    centre: CentreProfile
    as_of: dt.date
    expecting: list[Expecting] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checkpoint: Checkpoint = "2"
    # term-time: entries not checked, by reason ('certificated', 'withdrawn')
    left_out: dict[str, int] | None = None
    # Asked once per issue or per student, the same answers each time: worked out once.
    _visits: dict[str, list[VisitRow]] = field(default_factory=dict, init=False, repr=False)
    _texts: dict[Action, tuple[str, str]] = field(default_factory=dict, init=False, repr=False)

    @property
    def year(self) -> int:
        return self.centre.series.year

    def certificating_now(self, entry: QualificationEntry) -> bool:
        c = entry.certification
        return c.state is Certification.CERTIFICATING and c.year == self.year

    def assessment(self, exp: Expecting, unit: UnitRecord) -> Assessment | None:
        if unit.assessment is not None:
            return unit.assessment
        for code in (exp.registered_code, exp.expected_code):
            entry = self.catalogue.get(code) if code else None
            info = entry.units.get(unit.number) if entry else None
            if info is not None and info.assessment is not None:
                return info.assessment
        return None

    def tracker_unit(self, candidate: str, code: str, unit: int) -> UnitRecord | None:
        """The tracker's record of a unit named in records.xlsx, if it has one."""
        found = self.tracker.candidates.get(candidate)
        entry = found.entries.get(code) if found else None
        return entry.units.get(unit) if entry else None

    def move_down(self, exp: Expecting) -> MoveDown:
        """Where a student of the expected qualification could move down to (the catalogue's
        smaller sizes of the same subject, judged on the units already achieved)."""
        entry = exp.catalogue
        if entry is None:
            return MoveDown()
        qual, units = entry.qualification, entry.units
        siblings = self.catalogue.siblings(exp.expected_code)
        achieved = exp.achieved
        proposed = rules.move_down(qual, siblings, achieved, units)
        if proposed is not None:
            return MoveDown(proposed=proposed, any=True)
        possible = tuple(rules.move_down_possible(qual, siblings, achieved, units))
        return MoveDown(possible=possible, any=bool(rules.smaller_sizes(qual, siblings)))

    @cached_property
    def in_scope(self) -> set[str]:
        """Candidate numbers expecting a result this series."""
        return {e.candidate_number for e in self.expecting}

    @cached_property
    def visits_by_code(self) -> dict[str, list[VisitRow]]:
        out: dict[str, list[VisitRow]] = defaultdict(list)
        for v in self.records.visits or []:
            out[v.qualification_code].append(v)
        return out

    def visits_for(self, code: str) -> list[VisitRow]:
        """Visits for this code or another size of the same subject (one moderator per subject)."""
        known = self._visits.get(code)
        if known is None:
            found: list[VisitRow] = []
            for vcode, visits in self.visits_by_code.items():
                if vcode == code or self.catalogue.same_subject(vcode, code):
                    found.extend(v for v in visits if v.visit_status is not VisitStatus.CANCELLED)
            known = self._visits[code] = sorted(
                found, key=lambda v: (v.visit_date or dt.date.max, v.row)
            )
        return list(known)  # a copy: the caller may change its list

    def held(self, visit: VisitRow) -> bool:
        """Whether the visit had taken place by the check's date: its date says so; a visit
        marked Completed but dated after it had not (read_records warns), and an undated one
        is held only when marked Completed."""
        if visit.visit_date is not None:
            return visit.visit_date <= self.as_of
        return visit.visit_status is VisitStatus.COMPLETED

    def deadline(self, key: str, visit: VisitRow | None = None) -> dt.date:
        """Always a working day: a date on a weekend moves back to the Friday before."""
        if key == "visit-14":
            if visit is not None and visit.visit_date is not None:
                return working_day(visit.visit_date - dt.timedelta(days=14))
            return working_day(self.centre.series.final_moderation_deadline - dt.timedelta(14))
        value = getattr(self.centre.series, key)
        assert isinstance(value, dt.date)
        return working_day(value)

    @cached_property
    def text_fields(self) -> dict[str, str]:
        """What the action texts name: this series' dates, this centre's file names."""
        return fields(self.centre.series, self.centre.centre.number)

    def issue(
        self,
        kind: IssueKind,
        *,
        candidate_number: str | None = None,
        candidate: Candidate | None = None,
        code: str | None = None,
        unit: UnitRecord | int | None = None,
        summary: str,
        evidence: Evidence | None = None,
        severity: Severity | None = None,
        visit: VisitRow | None = None,
        id_suffix: str = "",
        action: Action | None = None,
    ) -> Issue:
        """action: where the evidence calls for something other than the kind's usual action
        (guidance.GUIDANCE), the action that agrees with it."""
        guide = GUIDANCE[kind]
        todo = action or guide.action
        texts = self._texts.get(todo)
        if texts is None:
            texts = self._texts[todo] = todo.render(self.text_fields)
        action_text, remedy = texts
        unit_number = unit.number if isinstance(unit, UnitRecord) else unit
        if candidate is None and candidate_number is not None:
            candidate = self.tracker.candidates.get(candidate_number)
        if candidate is not None:
            candidate_number = candidate.candidate_number
        cat = self.catalogue.get(code) if code else None
        qual_title = cat.qualification.title if cat else ""
        if not qual_title and candidate is not None and code in candidate.entries:
            qual_title = candidate.entries[code].title
        unit_title = unit.title if isinstance(unit, UnitRecord) else ""
        if not unit_title and cat is not None and unit_number in cat.units:
            unit_title = cat.units[unit_number].title
        deadline = self.deadline(todo.deadline, visit)
        parts = [kind.value, candidate_number or "-", code or "-", str(unit_number or "-")]
        if id_suffix:
            parts.append(id_suffix)
        return Issue(
            id="/".join(parts),
            kind=kind,
            severity=severity or guide.severity,
            candidate_number=candidate_number,
            qualification_code=code,
            unit_number=unit_number,
            candidate=CandidateDetails(
                surname=candidate.surname,
                forenames=candidate.forenames,
                uln=candidate.uln,
                uci=candidate.uci,
                date_of_birth=candidate.date_of_birth,
            )
            if candidate is not None
            else None,
            qualification_title=qual_title,
            unit_title=unit_title,
            summary=summary,
            evidence=evidence or Evidence(),
            action=action_text,
            remedy=remedy,
            deadline=deadline,
            deadline_label=todo.deadline_label,
            overdue=deadline < self.as_of,
        )


def result(
    check: str,
    title: str,
    ctx: Context,
    issues: list[Issue],
    notes: list[str] | None = None,
    *,
    verified: bool = True,
    partial: bool = False,
) -> tuple[CheckResult, list[Issue]]:
    """A check's outcome. Missing data never reads as "passed"."""
    if not verified:
        status = CheckStatus.CANNOT_VERIFY
    elif issues:
        status = CheckStatus.ISSUES
    elif partial:
        status = CheckStatus.PARTIAL
    else:
        status = CheckStatus.PASSED
    students = len(ctx.in_scope)
    return (
        CheckResult(
            check=check,
            title=title,
            status=status,
            students_checked=students,
            issues=len(issues),
            notes=notes or [],
        ),
        issues,
    )


NEVER_STARTED = frozenset({UnitStatus.ENTRY_NOT_RECEIVED, UnitStatus.CLAIM_NOT_RECEIVED})
