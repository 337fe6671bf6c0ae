"""deadlines.ics: the register's deadlines as an RFC 5545 calendar the officer can import, one
all-day event per distinct deadline listing what is due that day.

Deterministic: the same register gives the same bytes (DTSTAMP is the register's as_of, each UID
is made from the centre number and the date, events and lines in a fixed order). icalendar
writes the CRLF line ends and folds long lines."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from icalendar import Alarm, Calendar, Event

from ctforms.files.fast import without_gc
from ctforms.models import Issue, Register, Severity

PRODID = "-//ctforms//Checkpoint 2 deadlines//EN"
# The reminder: the day before, at 09:00 (an all-day event starts at midnight).
REMINDER = dt.timedelta(hours=-15)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _who(issue: Issue) -> str:
    c = issue.candidate
    if issue.candidate_number is None:
        return f"qualification {issue.qualification_code or '-'}"
    name = f" {c.surname}, {c.forenames}" if c else ", not in the tracker,"
    return f"candidate {issue.candidate_number}{name}"


def _line(issue: Issue) -> str:
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
    return f"- {severity} {issue.kind.value}: {_who(issue)}{where}: {issue.remedy} [{issue.id}]"


def due_by_date(register: Register) -> dict[dt.date, list[Issue]]:
    """Open issues (no action recorded yet) by deadline, most serious first within a day."""
    due: dict[dt.date, list[Issue]] = defaultdict(list)
    for issue in register.issues:
        if issue.deadline is not None and not issue.handled:
            due[issue.deadline].append(issue)
    order = {Severity.BLOCKING: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return {
        day: sorted(found, key=lambda i: (order[i.severity], i.candidate_number or "", i.id))
        for day, found in sorted(due.items())
    }


@without_gc
def calendar_bytes(register: Register) -> bytes:
    centre = register.centre.number
    stamp = dt.datetime.combine(register.as_of, dt.time(), dt.UTC)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"Checkpoint 2 deadlines, centre {centre}")
    assumed = (
        f"\n\nSome {register.series.year} dates are assumed from OCR's 2023 timeline: check"
        " OCR's timeline for this year."
        if register.series.assumed
        else ""
    )
    due = due_by_date(register)
    for day, issues in due.items():
        blocking = sum(i.severity is Severity.BLOCKING for i in issues)
        title = f"Checkpoint 2: {_plural(len(issues), 'issue')} due"
        if blocking:
            title += f" ({blocking} blocking)"
        if day < register.as_of:  # already past when the register was made
            title = f"OVERDUE {title}"
        body = (
            f"Due by {day:%A} {day.day} {day:%B %Y} (centre {centre}; register as of"
            f" {register.as_of:%d/%m/%Y}). The full action for each is in issues.txt and"
            " actions.xlsx.\n\n" + "\n".join(_line(i) for i in issues) + assumed
        )
        cal.add_component(_event(centre, day, stamp, title, body))
    if not due:
        # RFC 5545 wants at least one component: say there is nothing due.
        body = f"No open issue has a deadline (register as of {register.as_of:%d/%m/%Y})."
        cal.add_component(_event(centre, register.as_of, stamp, "Checkpoint 2: nothing due", body))
    data: bytes = cal.to_ical()
    return data


def _event(centre: str, day: dt.date, stamp: dt.datetime, title: str, body: str) -> Event:
    event = Event()
    event.add("uid", f"ctforms-{centre}-{day:%Y%m%d}@deadlines.ctforms")
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", title)
    event.add("description", body)
    event.add("transp", "TRANSPARENT")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", title)
    alarm.add("trigger", REMINDER)
    event.add_component(alarm)
    return event
