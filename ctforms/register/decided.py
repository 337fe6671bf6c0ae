"""What the centre has decided and sent, said on the register's issues: the Entry Decisions
rows on the entry changes they decide (and the issues a change answers), and the Entries Sent
rows on the changes already with OCR. Used by ctforms.register when it assembles a register,
and by the pipeline when a confirmed change goes into an entries file."""

from __future__ import annotations

from collections.abc import Mapping

from ctforms.checks import guidance
from ctforms.checks.guidance import fields
from ctforms.models import (
    CentreProfile,
    Decision,
    Handled,
    Issue,
    IssueKind,
    Records,
    Register,
    SentFile,
    Severity,
)
from ctforms.read.records import in_date_order

# What a confirmed move-down answers for the student and the code they are entered for: the
# move-down is proposed only when the achieved units already meet the smaller size, so every
# shortfall of the rules of combination is resolved by it.
ANSWERED_BY_MOVE_DOWN = frozenset(
    {
        IssueKind.GLH_SHORT,
        IssueKind.MANDATORY_UNIT_MISSING,
        IssueKind.INVALID_COMBINATION,
    }
)


def _mark_decisions(
    issues: list[Issue], records: Records, centre: CentreProfile, book: str
) -> list[str]:
    """Attach the centre's decision to each entry change it decided on (a proposed move-down,
    or the top-up or move-down a wrong-size entry calls for) and to the issues the change
    answers. Confirmed: they are closed by it (shown as decided, no longer blocking); declined
    (keep the entry): they stay open and say who decided and when."""
    if not records.entry_decisions:
        return []
    changes: dict[tuple[str | None, str | None], Issue] = {}
    for i in issues:
        if i.kind is IssueKind.MOVE_DOWN_AVAILABLE:
            changes[i.candidate_number, i.evidence.move_down_code] = i
        elif i.kind is IssueKind.WRONG_SIZE_ENTRY and i.evidence.registered_code:
            changes[i.candidate_number, i.evidence.expected_code] = i
    texts = fields(centre.series, centre.centre.number)
    # One decision per change: the latest (by date) of its rows stands.
    latest = {
        (row.candidate_number, row.qualification_code): row
        for row in in_date_order(records.entry_decisions)
    }
    warnings: list[str] = []
    for row in latest.values():
        issue = changes.get((row.candidate_number, row.qualification_code))
        if issue is None:
            warnings.append(
                f"{book} Entry Decisions row {row.row}: no proposed move-down or top-up of"
                f" candidate {row.candidate_number} to {row.qualification_code} in this register"
            )
            continue
        e = issue.evidence
        decision = Decision(
            make_change=row.make_change,
            decided_by=row.decided_by,
            date=row.date,
            change="move-down"
            if issue.kind is IssueKind.MOVE_DOWN_AVAILABLE
            else e.direction or "entry change",
            code=row.qualification_code,
            row=row.row,
        )
        issue.decision = decision
        say_decision(issue, texts)
        if issue.kind is not IssueKind.MOVE_DOWN_AVAILABLE:
            continue
        for other in issues:
            if (
                other.kind in ANSWERED_BY_MOVE_DOWN
                and other.candidate_number == issue.candidate_number
                and other.qualification_code == issue.qualification_code
            ):
                other.decision = decision
                say_decision(other, texts)
    return warnings


def say_decision(issue: Issue, texts: Mapping[str, str]) -> None:
    """Say the issue's decision in its action and remedy, and close what a confirmed change
    answers; texts: the series' values the action templates name (guidance.fields). Called
    again when the decision's entries file is known (note_entries_file)."""
    d = issue.decision
    assert d is not None
    said = d.said()
    listing = texts["entries_listing_file"]
    changed = issue.kind in (IssueKind.MOVE_DOWN_AVAILABLE, IssueKind.WRONG_SIZE_ENTRY)
    if d.make_change:
        head = d.said(where=False)
        where = (
            f"it is in {d.entries_file}" if d.entries_file else "it goes in the next entries file"
        )
        if changed:
            issue.action = (
                f"{head[0].upper()}{head[1:]} (Entry Decisions); {where}. Upload that file (the"
                f" entries listing {listing} names it) or key the change into Interchange, then"
                f" check the tracker shows the student against {d.code}. The file adds the"
                f" {d.code} entry only (OCR takes no change or withdrawal of an existing entry by"
                " EDI): withdraw the old entry through the Progress Tracker (qualification"
                " withdrawals), or ask OCR's vocational processing team by email"
                f" ({texts['vq_email']}) to change it."
            )
        else:
            issue.action = (
                f"Answered by a decision: {head} (Entry Decisions); {where}. The units already"
                f" achieved meet {d.code}, so once the entry is changed this no longer stands"
                " in the way of a result."
            )
        issue.remedy = f"decided: {said}"
        if changed:
            # The change itself is still to be made: open (a warning, with its deadline) until
            # the file that carries it is recorded as sent (_note_sent) or an action is.
            if issue.severity is Severity.BLOCKING:
                issue.severity = Severity.WARNING
            return
        # No longer blocking: what is left to do is the entry change, made from the file.
        issue.severity = Severity.INFO
        if not issue.handled or (issue.handled_by and issue.handled_by.recorded_in != "Actions"):
            issue.handled = True
            issue.handled_by = Handled(
                action_taken=f"{(d.change or 'entry change').capitalize()} to {d.code}"
                f" confirmed in Entry Decisions; {d.where()}",
                date=d.date,
                by=d.decided_by,
                recorded_in="Entry Decisions",
            )
        return
    if issue.kind is IssueKind.MOVE_DOWN_AVAILABLE:
        # The proposal is answered: no.
        issue.action = (
            f"{said[0].upper() + said[1:]} (Entry Decisions): the student stays entered as they"
            " are; put right the other issues for them."
        )
        issue.remedy = "none: declined"
        if not issue.handled:
            issue.handled = True
            issue.handled_by = Handled(
                action_taken=f"{(d.change or 'entry change').capitalize()} declined in Entry"
                " Decisions",
                date=d.date,
                by=d.decided_by,
                recorded_in="Entry Decisions",
            )
        return
    # Keep the entry: what the change would have answered still stands, and says why.
    if issue.kind in guidance.DECLINED_KINDS:
        action, remedy = guidance.with_smaller(issue.kind, guidance.Smaller(declined=said)).render(
            texts
        )
    elif issue.kind is IssueKind.WRONG_SIZE_ENTRY:
        e = issue.evidence
        action = (
            f"Entry Decisions: {said}. The student stays entered for {e.registered_code}, but"
            f" the Expected sheet says {e.expected_code}. If {e.registered_code} is now"
            " right, correct the Expected sheet and check again; if not, record the change"
            " as Y in Entry Decisions so it goes in the entries file."
        )
        remedy = f"correct the Expected sheet, or record Y in Entry Decisions ({said})"
    else:
        action = (
            f"Entry Decisions: {said}, so the student stays entered for this size and this"
            f" still stands in the way of a result. {issue.action}"
        )
        remedy = f"{issue.remedy} ({said})"
    issue.action, issue.remedy = action, remedy


# The issues that carry an entry change (into the entries file), and the code each moves to.
def change_target(issue: Issue) -> str | None:
    """The code an issue's entry change moves the student to (None: it carries none, or a
    proposed move-down nobody has confirmed)."""
    e = issue.evidence
    if issue.kind in (IssueKind.WRONG_SIZE_ENTRY, IssueKind.NO_QUALIFICATION_ENTRY):
        return e.expected_code
    if (
        issue.kind is IssueKind.MOVE_DOWN_AVAILABLE
        and issue.decision
        and issue.decision.make_change
    ):
        return e.move_down_code
    return None


def _note_sent(issues: list[Issue], sent: list[SentFile], texts: Mapping[str, str]) -> None:
    """An entry change in a file recorded as sent is with OCR: its issue no longer asks for the
    change (which would send it twice) but for the check that the tracker shows it; a decision
    names the file on every issue it answers."""
    carried: dict[tuple[str, str], SentFile] = {}
    for one in sent:  # in the order they were sent: the first file that carried a change
        for c in one.changes or []:
            carried.setdefault((c.candidate_number, c.to_code), one)
    if not carried:
        return
    for issue in issues:
        code = change_target(issue)
        f = carried.get((issue.candidate_number or "", code or ""))
        if code is None or f is None or (issue.handled and issue.decision is None):
            continue
        d = issue.decision
        if d is not None and d.entries_file is None:
            d.entries_file = f.file
            for other in issues:
                if other is not issue and other.decision is d:
                    say_decision(other, texts)
        if issue.severity is Severity.BLOCKING:
            issue.severity = Severity.WARNING
        issue.action = (
            f"Sent to OCR in {f.file} on {f.sent_on:%d/%m/%Y} by {f.sent_by} (Entries Sent row"
            f" {f.row}): do not send it again. Check the Progress Tracker shows the student"
            f" against {code} (allow a day for it to update); once it does, this issue is gone"
            " at the next check. If it does not within a few days, email vqprocessing@ocr.org.uk."
        )
        issue.remedy = f"sent in {f.file}: check the tracker shows {code}"


def note_entries_file(register: Register, candidate_number: str, code: str, file: str) -> None:
    """Record the EDI entries file a confirmed change (to code, for the candidate) went in, on
    every issue its decision closes, and say it: '...; in E6439572.X02'."""
    texts = fields(register.series, register.centre.number)
    for issue in register.issues:
        d = issue.decision
        if d and d.make_change and (issue.candidate_number, d.code) == (candidate_number, code):
            d.entries_file = file
            say_decision(issue, texts)


def _entries_sent(
    records: Records, centre: str, book: str, warnings: list[str]
) -> list[SentFile] | None:
    """The centre's entries files recorded as sent, one row per file (the last row for a file
    wins), each with what it carried or a warning that ctforms cannot tell."""
    if records.entries_sent is None:
        return None
    by_file: dict[str, SentFile] = {}
    for row in records.entries_sent:
        where = f"{book} Entries Sent row {row.row}"
        if row.file[1:6] != centre:
            warnings.append(f"{where}: {row.file} is not a file of centre {centre}: not used")
            continue
        by_file[row.file] = row
    for row in by_file.values():
        if row.changes is None:
            warnings.append(
                f"{book} Entries Sent row {row.row}: ctforms cannot tell what {row.file} carried"
                " (its Changes cell is empty, and the file is not among the check's files), so"
                " an entries file made now may repeat changes already in it. Record it as sent"
                " again giving the file itself, or fill in Changes ('0012: 05839 -> 05838; ...')"
            )
    return sorted(by_file.values(), key=lambda f: (f.sent_on, f.file))
