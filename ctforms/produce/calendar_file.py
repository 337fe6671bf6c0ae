"""deadlines.ics: the register's deadlines as an RFC 5545 calendar the officer can import, one
all-day event per distinct deadline listing what is due that day.

Deterministic: the same register gives the same bytes (DTSTAMP is the register's as_of, each UID
is made from the centre number and the date, events and lines in a fixed order).

Written as text here, not with icalendar: importing it cost more than writing the file (issue
11). The lines, their order, the escaping and the folding are the ones icalendar 7 wrote, so the
file is the same bytes as before (tests/test_calendar_file.py compares the two), except that
control characters, which RFC 5545 does not allow in text, are now left out.

No student's name is in it unless the officer asks (names=True):
calendars are shared with colleagues, synced to phones and published by mistake, so an event
says by default how many issues fall due and of which kinds, naming students by candidate
number only (issue 19)."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

from ctforms.checks.guidance import kind_label
from ctforms.models import Issue, Register, Severity
from ctforms.paperwork import awaits_entry, checkpoint_name
from ctforms.words import count

PRODID = "-//ctforms//Checkpoint 2 deadlines//EN"
# The reminder: the day before, at 09:00 (an all-day event starts at midnight).
REMINDER = "-PT15H"
# What RFC 5545 text cannot hold (CONTROL but tab and line breaks), and what UTF-8 cannot.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_FOLD_AT = 75  # octets: a line is folded before it reaches this many (75 with the space)


def _who(issue: Issue, names: bool) -> str:
    c = issue.candidate
    if issue.candidate_number is None:
        return f"qualification {issue.qualification_code or '-'}"
    if c is None:
        return f"candidate {issue.candidate_number}, not in the tracker,"
    return f"candidate {issue.candidate_number}" + (f" {c.surname}, {c.forenames}" if names else "")


def _kinds(issues: list[Issue]) -> str:
    """How many of each kind, most first: "Moderation claim needed: 2; Student listed twice: 1"."""
    counts: dict[str, int] = defaultdict(int)
    for issue in issues:
        counts[kind_label(issue.kind)] += 1
    return "; ".join(f"{kind}: {n}" for kind, n in sorted(counts.items(), key=lambda c: -c[1]))


def _line(issue: Issue, names: bool) -> str:
    where = " ".join(
        part
        for part in (
            issue.qualification_code if issue.candidate_number else None,
            f"unit {issue.unit_number}" if issue.unit_number else None,
        )
        if part
    )
    where = f" ({where})" if where else ""
    severity = "BLOCKING" if issue.severity is Severity.BLOCKING else issue.severity.value
    who = _who(issue, names)
    return f"- {severity} {issue.kind.value}: {who}{where}: {issue.remedy} [{issue.id}]"


def due_by_date(register: Register) -> dict[dt.date, list[Issue]]:
    """Open issues (no action recorded yet) by deadline, most serious first within a day; a
    confirmed entry change not yet made stays (decided, the entry is still to be changed)."""
    due: dict[dt.date, list[Issue]] = defaultdict(list)
    for issue in register.issues:
        if issue.deadline is not None and (not issue.handled or awaits_entry(issue)):
            due[issue.deadline].append(issue)
    order = {Severity.BLOCKING: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return {
        day: sorted(found, key=lambda i: (order[i.severity], i.candidate_number or "", i.id))
        for day, found in sorted(due.items())
    }


def _text(value: str) -> str:
    """An RFC 5545 TEXT value: backslash, semicolon and comma escaped, line breaks as \\n."""
    return (
        _CONTROL.sub("", value)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """`line` folded as RFC 5545 says (CRLF and a space before it reaches 75 octets), never
    between a backslash and what it escapes: the folds icalendar 7 makes."""
    if len(line) < _FOLD_AT and (line.isascii() or len(line.encode()) < _FOLD_AT):
        return line
    if line.isascii():  # one octet a character: cut by slices
        parts, start, room = [], 0, _FOLD_AT - 1
        while len(line) - start > room:
            end = start + room
            if line[end - 1] in "\\^":  # an escape's start goes with what it escapes
                end -= 1
            parts.append(line[start:end])
            start = end
        parts.append(line[start:])
        return "\r\n ".join(parts)
    folded: list[str] = []
    current: list[str] = []
    used = 0
    for char in line:
        size = len(char.encode())
        if current and used + size >= _FOLD_AT:
            if len(current) > 1 and current[-1] in "\\^":
                carried = current.pop()
                folded.append("".join(current))
                current, used = [carried], len(carried.encode())
            else:
                folded.append("".join(current))
                current, used = [], 0
        current.append(char)
        used += size
    folded.append("".join(current))
    return "\r\n ".join(folded)


def calendar_bytes(register: Register, *, names: bool = False) -> bytes:
    """The calendar of the register's open deadlines; names: the students' names in the events
    too (by default candidate numbers only)."""
    centre = register.centre.number
    stamp = f"{register.as_of:%Y%m%d}T000000Z"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{checkpoint_name(register)} deadlines, centre {centre}",
    ]
    assumed = (
        f"\n\nSome {register.series.year} dates are assumed from OCR's 2023 timeline: check"
        " OCR's timeline for this year."
        if register.series.assumed
        else ""
    )
    due = due_by_date(register)
    for day, issues in due.items():
        blocking = sum(i.severity is Severity.BLOCKING for i in issues)
        title = f"{checkpoint_name(register)}: {count(len(issues), 'issue')} due"
        if blocking:
            title += f" ({blocking} blocking)"
        if day < register.as_of:  # already past when the register was made
            title = f"OVERDUE {title}"
        where = (
            "The full action for each is in issues.txt and actions.xlsx."
            if names
            else "The students' names and the full action for each are in issues.txt and"
            " actions.xlsx (ctforms leaves names out of a calendar unless asked)."
        )
        body = (
            f"Due by {day:%A} {day.day} {day:%B %Y} (centre {centre}; register as of"
            f" {register.as_of:%d/%m/%Y}). {where}\n\n{_kinds(issues)}\n\n"
            + "\n".join(_line(i, names) for i in issues)
            + assumed
        )
        lines += _event(centre, day, stamp, title, body)
    if not due:
        # RFC 5545 wants at least one component: say there is nothing due.
        body = f"No open issue has a deadline (register as of {register.as_of:%d/%m/%Y})."
        lines += _event(
            centre, register.as_of, stamp, f"{checkpoint_name(register)}: nothing due", body
        )
    lines.append("END:VCALENDAR")
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode()


def _event(centre: str, day: dt.date, stamp: str, title: str, body: str) -> list[str]:
    summary = _text(title)
    return [
        "BEGIN:VEVENT",
        f"SUMMARY:{summary}",
        f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}",
        f"DTSTAMP:{stamp}",
        f"UID:{_text(f'ctforms-{centre}-{day:%Y%m%d}@deadlines.ctforms')}",
        f"DESCRIPTION:{_text(body)}",
        "TRANSP:TRANSPARENT",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"DESCRIPTION:{summary}",
        f"TRIGGER:{REMINDER}",
        "END:VALARM",
        "END:VEVENT",
    ]
