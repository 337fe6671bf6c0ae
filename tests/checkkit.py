"""Small hand-built inputs for testing one check at a time.

A test builds a tracker from candidates and entries, the records it needs, and calls
`context(...)`, which runs the scope step (who is expecting what) the way `run_checks` does.
The catalogue is a tiny made-up one whose rules are fully known (every unit a test student
takes is mandatory or in the optional group); code UNKNOWN is deliberately not in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from ctforms.checks.context import Context
from ctforms.checks.scope import build_scope
from ctforms.models import (
    ActionRow,
    Assessment,
    Candidate,
    CentreDetails,
    CentreProfile,
    Certification,
    CertificationStatus,
    CheckResult,
    CheckStatus,
    ClaimRow,
    ExpectedRow,
    Grade,
    Issue,
    MarkbookRow,
    QualificationEntry,
    Records,
    RiaRow,
    SeriesDates,
    TagRow,
    Tracker,
    UnitRecord,
    UnitStatus,
    VisitRow,
    VisitStatus,
)
from ctforms.read.catalogue import Catalogue, Entry, parse_catalogue

D = dt.date
CENTRE_NUMBER = "12345"
AS_OF = D(2024, 6, 10)

# Statuses, short.
RA = UnitStatus.RESULT_ACHIEVED
ER = UnitStatus.ENTRY_RECEIVED
ENR = UnitStatus.ENTRY_NOT_RECEIVED
ANA = UnitStatus.ATTEMPTED_NOT_ACHIEVED
CS = UnitStatus.CLAIM_SUBMITTED
CSA = UnitStatus.CLAIM_SAMPLED
RIA = UnitStatus.RIA_RECEIVED
CNR = UnitStatus.CLAIM_NOT_RECEIVED
EX, MOD = Assessment.EXAMINED, Assessment.MODERATED

# Codes of the test catalogue.
IT_CERT = "05838"  # IT Certificate, 180 GLH: mandatory 1, 2; optional 3, 4, 5, 6, 8, 9
IT_EXT = "05839"  # IT Extended Certificate, 360 GLH: mandatory 1, 2, 3; 2 units/120 GLH of 4-9
DM_CERT = "05843"  # Digital Media Certificate, 180 GLH: mandatory 1, 2; optional 4, 5
UNKNOWN = "09999"  # not in the catalogue: no rules at all

# The series dates of summer 2024, written out (OCR's 2023 days of the year).
SERIES_2024 = SeriesDates(
    year=2024,
    declaration_opens=D(2024, 6, 15),
    declaration_closes=D(2024, 6, 23),
    final_visit_booked_by=D(2024, 5, 15),
    claims_recommended_by=D(2024, 6, 15),
    final_moderation_deadline=D(2024, 6, 30),
    special_consideration_closes=D(2024, 7, 5),
    tracker_frozen_from=D(2024, 7, 24),
)

CATALOGUE_YAML = """
catalogue_version: 1
subjects:
  - id: it
    name: Information Technology
    suite: 2016
    level: 3
    source: test
    verified: true
    units:
      - {number: 1, title: Fundamentals of IT, glh: 90, assessment: Examined}
      - {number: 2, title: Global information, glh: 90, assessment: Examined}
      - {number: 3, title: Cyber security, glh: 60, assessment: Examined}
      - {number: 4, title: Project management, glh: 60, assessment: Moderated}
      - {number: 5, title: Networking, glh: 60, assessment: Moderated}
      - {number: 6, title: Application design, glh: 60, assessment: Moderated}
      - {number: 8, title: Internet of everything, glh: 60, assessment: Examined}
      - {number: 9, title: Product development, glh: 60, assessment: Moderated}
    qualifications:
      - code: "05838"
        title: Certificate in IT
        size: Certificate
        glh: 180
        source: test
        verified: true
        rules:
          verified: true
          source: test
          mandatory: [1, 2]
          groups: [{name: options, units: [3, 4, 5, 6, 8, 9]}]
      - code: "05839"
        title: Extended Certificate in IT
        size: Extended Certificate
        glh: 360
        source: test
        verified: true
        rules:
          verified: true
          source: test
          mandatory: [1, 2, 3]
          groups: [{name: options, units: [4, 5, 6, 8, 9], min_units: 2, min_glh: 120}]
  - id: dm
    name: Digital Media
    suite: 2016
    level: 3
    source: test
    verified: true
    units:
      - {number: 1, title: Media products, glh: 90, assessment: Examined}
      - {number: 2, title: Pre-production, glh: 90, assessment: Examined}
      - {number: 4, title: Create a media product, glh: 60, assessment: Moderated}
      - {number: 5, title: Social media, glh: 60, assessment: Moderated}
    qualifications:
      - code: "05843"
        title: Certificate in Digital Media
        size: Certificate
        glh: 180
        source: test
        verified: true
        rules:
          verified: true
          source: test
          mandatory: [1, 2]
          groups: [{name: options, units: [4, 5]}]
"""


# Sport: rules known (mandatory 1, 2; 3 and 4 optional) but the minimum GLH is not confirmed,
# so no combination is ever certain: the rules are partly verified.
SPORT = "05880"
SPORT_YAML = (
    CATALOGUE_YAML
    + """
  - id: sp
    name: Sport
    suite: 2016
    level: 3
    source: test
    verified: true
    units:
      - {number: 1, title: Anatomy, glh: 90, assessment: Examined}
      - {number: 2, title: Coaching, glh: 90, assessment: Moderated}
      - {number: 3, title: Nutrition, glh: 60, assessment: Examined}
      - {number: 4, title: Fitness testing, glh: 60, assessment: Moderated}
    qualifications:
      - code: "05880"
        title: Certificate in Sport
        size: Certificate
        glh: 180
        source: test
        verified: false
        rules:
          verified: true
          source: test
          mandatory: [1, 2]
          groups: [{name: options, units: [3, 4]}]
"""
)


def catalogue(text: str = CATALOGUE_YAML) -> Catalogue:
    """A catalogue of only this YAML (not the shipped one)."""
    cat = Catalogue()
    for subject in parse_catalogue(text, "test.yaml").subjects:
        for q in subject.qualifications:
            cat.entries[q.code] = Entry(q, subject, "test.yaml")
    cat.files.append("test.yaml")
    return cat


def centre(series: SeriesDates = SERIES_2024) -> CentreProfile:
    return CentreProfile(
        centre=CentreDetails(number=CENTRE_NUMBER, name="Test College", head_of_centre="Dr H"),
        series=series,
    )


# ---------------------------------------------------------------------------- tracker


def certificating(year: int = 2024) -> CertificationStatus:
    return CertificationStatus(
        text=f"Certificating in August {year}",
        state=Certification.CERTIFICATING,
        month="August",
        year=year,
    )


NOT_CERTIFICATING = CertificationStatus(
    text="Not certificating", state=Certification.NOT_CERTIFICATING
)
WITHDRAWN = CertificationStatus(text="Withdrawn", state=Certification.WITHDRAWN)


def unit(
    number: int,
    status: UnitStatus = RA,
    *,
    grade: Grade | None = None,
    assessment: Assessment | None = None,
    row: int = 0,
) -> UnitRecord:
    """A tracker unit; its type comes from the catalogue unless `assessment` is given."""
    return UnitRecord(number=number, status=status, grade=grade, assessment=assessment, row=row)


def qentry(
    code: str,
    *units: UnitRecord | int,
    cert: CertificationStatus | None = None,
) -> QualificationEntry:
    """An entry; a bare unit number means that unit with 'Result achieved'."""
    records = [u if isinstance(u, UnitRecord) else unit(u) for u in units]
    return QualificationEntry(
        code=code,
        title=f"Qualification {code}",
        certification=cert if cert is not None else certificating(),
        units={u.number: u for u in records},
    )


def candidate(
    number: str,
    *entries: QualificationEntry,
    surname: str | None = None,
    forenames: str = "Alex",
    uln: str | None = None,
    dob: dt.date | None = None,
) -> Candidate:
    return Candidate(
        candidate_number=number,
        surname=surname if surname is not None else f"Student{number}",
        forenames=forenames,
        uln=uln,
        date_of_birth=dob,
        entries={e.code: e for e in entries},
    )


def tracker(*candidates: Candidate) -> Tracker:
    return Tracker(
        centre_number=CENTRE_NUMBER,
        candidates={c.candidate_number: c for c in candidates},
        rows=sum(len(e.units) for c in candidates for e in c.entries.values()),
    )


# ---------------------------------------------------------------------------- records


def expected(*rows: tuple[str, str] | tuple[str, str, bool]) -> list[ExpectedRow]:
    """Expected sheet rows (candidate, code[, certificating]), numbered from row 2."""
    return [
        ExpectedRow(
            row=i,
            candidate_number=r[0],
            qualification_code=r[1],
            certificating=r[2] if len(r) == 3 else True,
        )
        for i, r in enumerate(rows, start=2)
    ]


def visit(
    code: str,
    day: dt.date | None,
    status: VisitStatus = VisitStatus.SCHEDULED,
    *,
    claim_on: dt.date | None = None,
    moderator: str = "M. Oderator",
    row: int = 2,
) -> VisitRow:
    return VisitRow(
        row=row,
        qualification_code=code,
        moderator=moderator,
        visit_date=day,
        visit_status=status,
        claim_submitted_on=claim_on,
    )


def claim(
    number: str,
    code: str,
    unit_number: int,
    grade: Grade,
    *,
    visit_date: dt.date | None = None,
    row: int = 2,
) -> ClaimRow:
    return ClaimRow(
        row=row,
        candidate_number=number,
        qualification_code=code,
        unit_number=unit_number,
        grade_claimed=grade,
        visit_date=visit_date,
    )


def mark(number: str, code: str, unit_number: int, grade: Grade, *, row: int = 2) -> MarkbookRow:
    return MarkbookRow(
        row=row,
        candidate_number=number,
        qualification_code=code,
        unit_number=unit_number,
        final_grade=grade,
    )


def tag(
    number: str,
    code: str,
    unit_number: int,
    grade: Grade,
    planned: dt.date | None,
    *,
    row: int = 2,
) -> TagRow:
    return TagRow(
        row=row,
        candidate_number=number,
        qualification_code=code,
        unit_number=unit_number,
        planned_assessment_date=planned,
        tag_grade=grade,
    )


def ria(
    number: str, code: str, unit_number: int, requested: dt.date | None, *, row: int = 2
) -> RiaRow:
    return RiaRow(
        row=row,
        candidate_number=number,
        qualification_code=code,
        unit_number=unit_number,
        requested_on=requested,
    )


def action(issue_id: str, *, row: int = 2, taken: str = "Done", by: str = "EO") -> ActionRow:
    return ActionRow(row=row, issue_id=issue_id, action_taken=taken, date=D(2024, 6, 1), by=by)


# ---------------------------------------------------------------------------- context


def context(
    track: Tracker,
    records: Records | None = None,
    *,
    as_of: dt.date = AS_OF,
    cat: Catalogue | None = None,
) -> Context:
    """A Context with its scope built, ready for any check."""
    ctx = Context(
        tracker=track,
        records=records if records is not None else Records(),
        catalogue=cat if cat is not None else catalogue(),
        centre=centre(),
        as_of=as_of,
    )
    build_scope(ctx)
    return ctx


# ---------------------------------------------------------------------------- shared shapes

# SERIES_2024 gives Sunday 23 June: the declaration deadline is the Friday before.
DECLARATION_CLOSES = D(2024, 6, 21)
# The day before DECLARATION_CLOSES, the day itself and the day after: overdue only after it.
AROUND_DECLARATION = pytest.mark.parametrize(
    ("as_of", "overdue"),
    [(D(2024, 6, 20), False), (D(2024, 6, 21), False), (D(2024, 6, 22), True)],
)

Check = Callable[[Context], tuple[CheckResult, list[Issue]]]


def expecting(*numbers: str, code: str = IT_EXT, **sheets: Any) -> Records:
    """Records whose Expected sheet lists these students for one code, with the sheets given."""
    return Records(expected=expected(*((n, code) for n in numbers)), **sheets)


def assert_outcome(
    outcome: CheckResult, check: str, title: str, *, students: int = 1, issues: int = 0
) -> None:
    """The check's name, title and counts, as the report's table of checks shows them."""
    assert (outcome.check, outcome.title, outcome.students_checked, outcome.issues) == (
        check,
        title,
        students,
        issues,
    )


def assert_due_at_declaration(issues: list[Issue], overdue: bool) -> None:
    assert [(i.deadline, i.overdue) for i in issues] == [(DECLARATION_CLOSES, overdue)]


@dataclass(frozen=True)
class SheetCheck:
    """A check that matches the rows of one records.xlsx sheet with the tracker (RIA, TAGs):
    the tests of such checks share their shapes, and each states only its sheet and words."""

    run: Check
    name: str
    title: str

    def on_unit_4(
        self, records: Records, status: UnitStatus = CNR, *, as_of: dt.date = AS_OF
    ) -> tuple[CheckResult, list[Issue]]:
        """Student 0001 on the IT Extended Certificate, unit 4 showing `status`."""
        track = tracker(candidate("0001", qentry(IT_EXT, 1, unit(4, status))))
        return self.run(context(track, records, as_of=as_of))

    def assert_quiet(
        self,
        got: tuple[CheckResult, list[Issue]],
        status: CheckStatus,
        notes: list[str] | None = None,
    ) -> None:
        """No issue, this status, one student checked, and these notes (when given)."""
        outcome, issues = got
        assert issues == []
        assert outcome.status is status
        assert_outcome(outcome, self.name, self.title)
        if notes is not None:
            assert outcome.notes == notes

    def on_unit_1_only(self, records: Records) -> tuple[CheckResult, list[Issue]]:
        """Student 0001 on the IT Extended Certificate with unit 1 only."""
        return self.run(context(tracker(candidate("0001", qentry(IT_EXT, 1))), records))

    def with_one_not_expecting(self, records: Records) -> tuple[CheckResult, list[Issue]]:
        """0001 with unit 1 only, and 0002 not certificating (unit 4 'Claim not received')."""
        track = tracker(
            candidate("0001", qentry(IT_EXT, 1)),
            candidate("0002", qentry(IT_EXT, 1, unit(4, CNR), cert=NOT_CERTIFICATING)),
        )
        return self.run(context(track, records))
