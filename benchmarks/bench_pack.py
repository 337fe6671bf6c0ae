"""Benchmark the declaration evidence pack for a synthetic 3,000-student centre.

    python benchmarks/bench_pack.py [STUDENTS]

10% of students are at risk (one blocking issue each, half of them with a second warning).
Prints the time to build the PDF, its pages and size. Target (issue 5): under 10 s.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ctforms.models import (
    CandidateDetails,
    Evidence,
    Issue,
    IssueKind,
    Register,
    Severity,
    Student,
    StudentStatus,
)
from ctforms.pack import build_pack

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "golden" / "demo-register.json"


def synthetic(students: int) -> Register:
    base = Register.model_validate_json(GOLDEN.read_text("utf-8"))
    people: list[Student] = []
    issues: list[Issue] = []
    for n in range(students):
        number = f"{n % 9999 + 1:04d}"
        code = f"{5835 + n // 9999:05d}"
        at_risk = n % 10 == 0
        people.append(
            Student(
                candidate_number=number,
                surname=f"Surname-{n}",
                forenames=f"Forename {n}",
                qualification_code=code,
                qualification_title="Synthetic Extended Certificate",
                registered_code=code,
                status=StudentStatus.AT_RISK if at_risk else StudentStatus.OK,
                blocking=int(at_risk),
            )
        )
        if at_risk:
            for kind, severity in (
                (IssueKind.CLAIM_NEEDED, Severity.BLOCKING),
                (IssueKind.CLAIM_TOO_LATE, Severity.WARNING),
            )[: 1 + n % 2]:
                issues.append(
                    Issue(
                        id=f"{kind.value}/{number}/{code}/9",
                        kind=kind,
                        severity=severity,
                        candidate_number=number,
                        qualification_code=code,
                        unit_number=9,
                        candidate=CandidateDetails(surname=f"Surname-{n}", forenames="F"),
                        summary="Moderated unit 9: no claim; visit on 20/06/2024",
                        evidence=Evidence(unit_status="Claim not received"),
                        action="Submit a claim in Interchange at least two weeks before the visit.",
                        remedy="moderation claim in Interchange",
                        deadline=base.as_of,
                    )
                )
    summary = base.summary.model_copy(
        update={
            "students_checked": students,
            "students_at_risk": students // 10,
            "issues": len(issues),
            "blocking_unhandled": students // 10,
        }
    )
    return base.model_copy(update={"students": people, "issues": issues, "summary": summary})


def main(argv: list[str]) -> int:
    students = int(argv[0]) if argv else 3000
    register = synthetic(students)
    start = time.perf_counter()
    pdf = build_pack(register, prepared_by="Bench Officer")  # a review draft, as `run` writes
    seconds = time.perf_counter() - start
    pages = pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page")
    print(
        f"students {students}  issues {len(register.issues)}  pack {seconds:.2f} s"
        f"  {len(pdf) / 1024:.0f} KiB  ~{pages} pages"
    )
    return 0 if seconds < 10 else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
