"""Building the issue register: load the inputs, run the checks, mark what is handled."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ctforms import __version__
from ctforms.checks import rules, run_checks
from ctforms.checks.context import Context, Expecting
from ctforms.checks.guidance import fields
from ctforms.errors import InputError
from ctforms.files.fast import construct, gc_paused
from ctforms.models import (
    CatalogueUse,
    CentreProfile,
    Checkpoint,
    Handled,
    InputFile,
    Issue,
    IssueKind,
    Records,
    Register,
    RegisterCentre,
    SentChange,
    Severity,
    Student,
    StudentStatus,
    Summary,
    Tracker,
)
from ctforms.people import is_example_name, real_name
from ctforms.read.catalogue import Catalogue, load_catalogue
from ctforms.read.centre import load_centre, outside_warning, term_time_series
from ctforms.read.records import in_date_order, read_records, unknown_expected
from ctforms.read.tracker import Progress, read_tracker
from ctforms.register.decided import _entries_sent, _mark_decisions, _note_sent
from ctforms.register.decided import change_target as change_target
from ctforms.register.decided import note_entries_file as note_entries_file
from ctforms.register.decided import say_decision as say_decision
from ctforms.words import plural

_KIND_ORDER = {k: i for i, k in enumerate(IssueKind)}
SentContents = Callable[[str], list[SentChange] | None]


@dataclass
class Inputs:
    tracker_path: Path
    centre_path: Path
    records_path: Path | None = None
    catalogue_paths: Sequence[Path] = ()
    encoding: str | None = None
    progress: Progress | None = None  # reading the tracker: fraction done
    # What an entries file recorded as sent without its Changes carried, read from wherever
    # the check's entries files are (None: not found there).
    sent_contents: SentContents | None = None
    checkpoint: Checkpoint = "2"


def sha256_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _input(role: Literal["tracker", "centre", "records", "catalogue"], path: Path) -> InputFile:
    digest, size = sha256_file(path)
    return InputFile(role=role, name=Path(path).name, sha256=digest, size=size)


def build_register(inputs: Inputs, as_of: dt.date) -> Register:
    # Reading makes millions of small objects and no reference cycles; the cyclic collector
    # would rescan them all again and again (a third of the run time on big trackers).
    with gc_paused():
        return _build_register(inputs, as_of)


def _build_register(inputs: Inputs, as_of: dt.date) -> Register:
    centre = load_centre(inputs.centre_path)
    catalogue = load_catalogue(inputs.catalogue_paths)
    tracker = read_tracker(
        inputs.tracker_path,
        centre_number=centre.centre.number,
        mapping=centre.tracker.columns,
        statuses=centre.tracker.statuses,
        encoding=inputs.encoding,
        progress=inputs.progress,
        as_of=as_of,
    )
    records = read_records(inputs.records_path, as_of) if inputs.records_path else Records()
    if inputs.sent_contents is not None:
        for sent in records.entries_sent or []:
            if sent.changes is None:
                sent.changes = inputs.sent_contents(sent.file)
    files = [_input("tracker", inputs.tracker_path), _input("centre", inputs.centre_path)]
    if inputs.records_path:
        files.append(_input("records", inputs.records_path))
    files.extend(_input("catalogue", p) for p in inputs.catalogue_paths)
    return assemble(tracker, records, catalogue, centre, as_of, files, inputs.checkpoint)


def assemble(
    tracker: Tracker,
    records: Records,
    catalogue: Catalogue,
    centre: CentreProfile,
    as_of: dt.date,
    files: list[InputFile],
    checkpoint: Checkpoint = "2",
) -> Register:
    """Pure: from loaded inputs to the register."""
    if checkpoint == "term-time":
        # Its deadline: centre.toml's term-time close, else 30 April (assumed).
        centre = centre.model_copy(update={"series": term_time_series(centre.series)})
    ctx = Context(
        tracker=tracker,
        records=records,
        catalogue=catalogue,
        centre=centre,
        as_of=as_of,
        checkpoint=checkpoint,
    )
    results, issues = run_checks(ctx)
    # Warnings name the records workbook the user gave, whatever it is called.
    book = next((f.name for f in files if f.role == "records"), "records.xlsx")
    # First: every deadline reads differently on a date outside the results year.
    outside = outside_warning(as_of, centre.series)
    warnings = [outside] if outside else []
    warnings += _example_names(centre)
    warnings += list(catalogue.warnings) + list(tracker.warnings) + list(records.warnings)
    warnings += unknown_expected(records, lambda code: catalogue.get(code) is not None, book)
    if checkpoint == "2":  # the term-time check reads only the Expected sheet
        warnings += _unknown_candidates(tracker, records, book)
    issues = _dedupe(issues)
    warnings += _mark_handled(issues, records, book)
    if checkpoint == "2":
        warnings += _mark_decisions(issues, records, centre, book)
    sent = _entries_sent(records, centre.centre.number, book, warnings)
    _note_sent(issues, sent or [], fields(centre.series, centre.centre.number))
    issues.sort(key=_issue_order)
    students = _students(ctx, issues)
    return Register(
        checkpoint=checkpoint,
        left_out=ctx.left_out,
        tool="ctforms",
        tool_version=__version__,
        centre=RegisterCentre(
            number=centre.centre.number,
            name=centre.centre.name,
            head_of_centre=centre.centre.head_of_centre,
            exams_officer=centre.exams_officer.name,
            exams_officer_email=centre.exams_officer.email,
            exams_officer_deputies=centre.exams_officer.deputies,
        ),
        series=centre.series,
        as_of=as_of,
        inputs=files,
        catalogue=_catalogue_use(ctx, issues),
        checks=results,
        summary=_summary(students, issues),
        students=students,
        warnings=warnings,
        issues=issues,
        entries_sent=sent,
    )


def _issue_order(issue: Issue) -> tuple[bool, str, str, int, int, str]:
    return (
        issue.candidate_number is None,
        issue.candidate_number or "",
        issue.qualification_code or "",
        issue.unit_number or 0,
        _KIND_ORDER[issue.kind],
        issue.id,
    )


def _example_names(centre: CentreProfile) -> list[str]:
    """A check prints no one's name, so it runs; but the papers refuse the init template's
    example names (or none), and that is better known now than on the day of the run."""
    said = []
    for key, name in (
        (("centre", "head_of_centre"), centre.centre.head_of_centre),
        (("exams_officer", "name"), centre.exams_officer.name),
    ):
        try:
            real_name(name, key)
        except InputError as exc:
            said.append(f"{exc} (the forms and the evidence pack are refused until then)")
    examples = [d for d in centre.exams_officer.deputies if is_example_name(d)]
    if examples:
        listed = ", ".join(repr(d) for d in examples)
        said.append(
            f"[exams_officer] deputies lists the example {plural(len(examples), 'name')} {listed}"
            " in centre.toml: no one may sign off by an example name; list the real names of"
            " those who may, or none"
        )
    return said


def _dedupe(issues: list[Issue]) -> list[Issue]:
    seen: dict[str, Issue] = {}
    for issue in issues:
        seen.setdefault(issue.id, issue)
    return list(seen.values())


def with_actions(register: Register, records: Records, book: str = "records.xlsx") -> Register:
    """The register with the Actions sheet applied again (actions recorded after the check);
    book: the records workbook's file name, for the warnings."""
    updated = register.model_copy(deep=True)
    warnings = _mark_handled(updated.issues, records, book)
    updated.warnings = [*updated.warnings, *warnings]
    updated.students = _restatus(updated.students, updated.issues)
    updated.summary = _summary(updated.students, updated.issues)
    return updated


def _mark_handled(issues: list[Issue], records: Records, book: str = "records.xlsx") -> list[str]:
    if not records.actions:
        return []
    by_id = {i.id: i for i in issues}
    warnings: list[str] = []
    for action in in_date_order(records.actions):  # the latest action for an issue stands
        issue = by_id.get(action.issue_id.strip())
        if issue is None:
            warnings.append(
                f"{book} Actions row {action.row}: issue {action.issue_id!r} is not in"
                " this register (already fixed, or a typo)"
            )
            continue
        issue.handled = True
        issue.handled_by = Handled(
            action_taken=action.action_taken,
            date=action.date,
            ocr_reference=action.ocr_reference,
            by=action.by,
        )
    return warnings


def _unknown_candidates(tracker: Tracker, records: Records, book: str) -> list[str]:
    warnings: list[str] = []
    sheets = (
        ("Claims", records.claims),
        ("Markbook", records.markbook),
        ("TAGs", records.tags),
        ("RIA", records.ria),
    )
    for sheet, rows in sheets:
        for row in rows or []:
            if row.candidate_number not in tracker.candidates:
                warnings.append(
                    f"{book} {sheet} row {row.row}: candidate {row.candidate_number} is"
                    " not in the tracker"
                )
    return warnings


def _students(ctx: Context, issues: list[Issue]) -> list[Student]:
    # Built without validating again: every value comes from the validated inputs.
    students = [
        construct(
            Student,
            {
                "candidate_number": exp.candidate_number,
                "surname": exp.candidate.surname if exp.candidate else "",
                "forenames": exp.candidate.forenames if exp.candidate else "",
                "qualification_code": exp.expected_code,
                "qualification_title": (
                    exp.catalogue.qualification.title
                    if exp.catalogue
                    else (exp.entry.title if exp.entry else "")
                ),
                "registered_code": exp.registered_code,
                "status": StudentStatus.OK,
                "blocking": 0,
                "warnings": 0,
                # construct() takes every field: None for Checkpoint 2 (left out of its JSON).
                **(_completion_facts(exp) if ctx.checkpoint == "term-time" else _NO_FACTS),
            },
        )
        for exp in ctx.expecting
    ]
    return _restatus(students, issues)


_NO_FACTS: dict[str, object] = dict.fromkeys(
    ("estimated_completion", "planned_completion", "course_start", "ecd_to_set")
)


def _completion_facts(exp: Expecting) -> dict[str, object]:
    """The term-time checkpoint's facts of a student (Student.estimated_completion, ...)."""
    ecd = exp.entry.estimated_completion if exp.entry else ""
    return {
        "estimated_completion": " ".join(ecd.split()),
        "planned_completion": exp.planned_completion,
        "course_start": exp.course_start,
        "ecd_to_set": exp.ecd_to_set,
    }


def _restatus(students: list[Student], issues: list[Issue]) -> list[Student]:
    """Each student's status from the issues without a recorded action that concern them:
    their own (for the expected or registered code, or candidate-wide) and their
    qualification's (visits)."""
    open_by: dict[tuple[str | None, str | None], list[Issue]] = {}
    for issue in issues:
        if not issue.handled:
            # A qualification-wide issue that names its students concerns only them.
            whom: list[str | None] = [*(issue.evidence.candidate_numbers or [])] or [
                issue.candidate_number
            ]
            for number in whom:
                open_by.setdefault((number, issue.qualification_code), []).append(issue)
            if issue.evidence.other_candidate_number:  # both sides of a duplicate pair
                other = ("other", issue.evidence.other_candidate_number)
                open_by.setdefault(other, []).append(issue)
    # Who any open issue concerns, so that the many students with none are passed over quickly.
    named: set[str | None] = {number for number, _ in open_by if number != "other"}
    named |= {number for who, number in open_by if who == "other"}
    wide = {code for who, code in open_by if who is None}
    out = []
    for s in students:
        if not (
            s.blocking
            or s.warnings
            or s.candidate_number in named
            or (wide and (s.qualification_code in wide or s.registered_code in wide))
        ):
            out.append(s)  # no open issue concerns them, nor did one before: unchanged
            continue
        codes = sorted({s.qualification_code, s.registered_code or s.qualification_code})
        mine = [i for c in codes for i in open_by.get((s.candidate_number, c), [])]
        mine += open_by.get((s.candidate_number, None), [])
        mine += open_by.get(("other", s.candidate_number), [])
        mine += [i for c in codes for i in open_by.get((None, c), [])]
        blocking = sum(1 for i in mine if i.severity is Severity.BLOCKING)
        warnings = sum(1 for i in mine if i.severity is Severity.WARNING)
        if not (blocking or warnings or s.blocking or s.warnings):
            out.append(s)  # most students: nothing to change, no copy
            continue
        status = (
            StudentStatus.AT_RISK
            if blocking
            else StudentStatus.CHECK
            if warnings
            else StudentStatus.OK
        )
        out.append(
            s.model_copy(update={"status": status, "blocking": blocking, "warnings": warnings})
        )
    return out


def _summary(students: list[Student], issues: list[Issue]) -> Summary:
    by_kind = Counter(i.kind.value for i in issues)
    by_severity = Counter(i.severity.value for i in issues)
    return Summary(
        students_checked=len({s.candidate_number for s in students}),
        students_at_risk=len(
            {s.candidate_number for s in students if s.status is StudentStatus.AT_RISK}
        ),
        issues=len(issues),
        blocking_unhandled=sum(
            1 for i in issues if i.severity is Severity.BLOCKING and not i.handled
        ),
        by_kind=dict(sorted(by_kind.items())),
        by_severity=dict(sorted(by_severity.items())),
    )


def _catalogue_use(ctx: Context, issues: list[Issue]) -> list[CatalogueUse]:
    """The qualifications the register's verdicts rest on: those expected, those entered, and
    the sizes proposed for a move-down."""
    codes = sorted(
        {e.expected_code for e in ctx.expecting}
        | {e.registered_code for e in ctx.expecting if e.registered_code}
        | {i.evidence.move_down_code for i in issues if i.evidence.move_down_code}
    )
    used: list[CatalogueUse] = []
    for code in codes:
        entry = ctx.catalogue.get(code)
        if entry is None:
            continue
        q = entry.qualification
        not_known = rules.not_known(q, entry.units)
        state: Literal["verified", "partial", "illustrative", "unverified", "none"] = (
            "none"
            if q.rules is None
            else "unverified"
            if not q.rules.verified
            else "illustrative"
            if q.rules.illustrative
            else "partial"
            if q.rules.unknown
            else "verified"
        )
        used.append(
            CatalogueUse(
                code=code,
                title=q.title,
                source=q.source,
                verified=q.verified,
                rules=state,
                rules_source=q.rules.source if q.rules is not None else None,
                minimum_glh=q.glh,
                not_known=not_known,
                known=rules.known_state(q, entry.units),
            )
        )
    return used


def load_register(path: Path) -> Register:
    """Read an issues.json written by `ctforms check`, validating it against the schema."""
    import json

    from pydantic import ValidationError

    from ctforms.files.limits import REGISTER_MAX_BYTES, read_limited

    try:
        text = read_limited(path, REGISTER_MAX_BYTES, "the register").decode("utf-8")
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    except UnicodeDecodeError:
        raise InputError(
            "not a register: it is not text (a workbook or a PDF?); give the issues.json a check"
            " wrote",
            file=path,
        ) from None
    except OSError as exc:
        raise InputError(f"cannot read the register ({exc.strerror or exc})", file=path) from None
    try:
        return Register.model_validate_json(text)
    except ValidationError as exc:
        err = exc.errors()[0]
        if err["type"] == "json_invalid":
            raise InputError(
                "not a register: it is not JSON text; give the issues.json a check wrote",
                file=path,
            ) from None
        loc = list(err["loc"])
        if len(loc) >= 2 and loc[0] == "issues" and isinstance(loc[1], int):
            try:
                issue_id = json.loads(text)["issues"][loc[1]].get("id", "?")
            except (ValueError, KeyError, IndexError, AttributeError, TypeError, RecursionError):
                issue_id = "?"
            field = ".".join(str(p) for p in loc[2:]) or "(the issue itself)"
            where = f"issue {loc[1] + 1} (id {issue_id!r}), field {field!r}"
        else:
            where = "field " + repr(".".join(str(p) for p in loc) or "(top level)")
        raise InputError(
            f"not a valid ctforms register: {where}: {err['msg']}; make it again with a new"
            " check (its issues.json)",
            file=path,
        ) from None
