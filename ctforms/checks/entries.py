"""Qualification entries: every expected student is entered for the qualification they expect."""

from __future__ import annotations

from typing import Literal

from ctforms.checks import rules
from ctforms.checks.context import Context, Expecting, result
from ctforms.checks.guidance import (
    BEFORE_OPEN,
    SENT_DECLINED_REMEDY,
    SENT_DECLINED_TEXT,
    Action,
)
from ctforms.models import CheckResult, DecisionRow, Evidence, Issue, IssueKind, Qualification
from ctforms.read.records import in_date_order

TITLE = "Qualification entries (registrations)"


def check(ctx: Context) -> tuple[CheckResult, list[Issue]]:
    declined = sent_then_declined(ctx)
    if ctx.records.expected is None:
        return result(
            "entries",
            TITLE,
            ctx,
            declined,
            [
                "No Expected sheet in records.xlsx: cannot tell whether students are entered"
                " for the qualification (and size) they expect."
            ],
            verified=False,
        )
    issues: list[Issue] = list(declined)
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
                    evidence=Evidence(
                        expected_code=code, note=note, source_rows=_expected_row(exp)
                    ),
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
                    source_rows=_expected_row(exp),
                ),
            )
        )
    return result("entries", TITLE, ctx, issues)


def sent_then_declined(ctx: Context) -> list[Issue]:
    """A change in a file recorded as sent (Entries Sent) whose decision now says N: it is
    already with OCR, and only OCR can undo it."""
    decided: dict[tuple[str, str], DecisionRow] = {}
    for decision in in_date_order(ctx.records.entry_decisions or []):
        # The latest row for a student and code stands, as everywhere the decisions are read.
        decided[(decision.candidate_number, decision.qualification_code)] = decision
    issues: dict[tuple[str, str], Issue] = {}
    for sent in ctx.records.entries_sent or []:
        for ch in sent.changes or []:
            key = (ch.candidate_number, ch.to_code)
            row = decided.get(key)
            if row is None or row.make_change or key in issues:
                continue
            move = f"from {ch.from_code} to {ch.to_code}" if ch.from_code else f"to {ch.to_code}"
            on = f" on {row.date:%d/%m/%Y}" if row.date else ""
            undo = (
                f"ask for the entry to be put back from {ch.to_code} to {ch.from_code}"
                if ch.from_code
                # An entries file sends a new entry only: withdrawing it is OCR's other route.
                else f"ask for the entry for {ch.to_code} to be withdrawn (or withdraw it"
                " through the Progress Tracker: qualification withdrawals)"
            )
            issues[key] = ctx.issue(
                IssueKind.SENT_CHANGE_DECLINED,
                candidate_number=ch.candidate_number,
                code=ch.to_code,
                summary=f"The entry change {move} was sent to OCR in {sent.file} (on"
                f" {sent.sent_on:%d/%m/%Y}, by {sent.sent_by}) but is now declined: Entry"
                f" Decisions row {row.row} says N ({row.decided_by}{on})",
                evidence=Evidence(
                    registered_code=ch.from_code,
                    move_down_code=ch.to_code,
                    source_rows=[f"Entries Sent row {sent.row}", f"Entry Decisions row {row.row}"],
                    note=f"sent in {sent.file}",
                ),
                action=Action(
                    SENT_DECLINED_TEXT.format(undo=undo),
                    SENT_DECLINED_REMEDY,
                    *BEFORE_OPEN,
                ),
            )
    return list(issues.values())


def _expected_row(exp: Expecting) -> list[str] | None:
    """Where the centre's records ask for the entry (the listing names it)."""
    return [f"Expected row {exp.expected_row}"] if exp.expected_row else None


def _size(q: Qualification) -> str:
    return q.size or "size not known"
