"""deadlines.ics: written by `run`, read back by a calendar library, one all-day event per
deadline with what is due that day, the same bytes every time."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from conftest import invoke
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Alarm, Calendar, Event

from ctforms.models import Register
from ctforms.produce.calendar_file import calendar_bytes


def _run(out: Path, *options: str) -> bytes:
    result = invoke("run", "--demo", "-o", out, *options)
    assert result.exit_code == 0, result.output
    assert f"wrote {out / 'deadlines.ics'}" in result.output
    return (out / "deadlines.ics").read_bytes()


def test_run_demo_writes_a_calendar_of_its_deadlines(tmp_path: Path) -> None:
    data = _run(tmp_path / "a")
    register = json.loads((tmp_path / "a" / "issues.json").read_text("utf-8"))
    open_issues = [i for i in register["issues"] if not i["handled"] and i["deadline"]]
    deadlines = sorted({dt.date.fromisoformat(i["deadline"]) for i in open_issues})

    cal = Calendar.from_ical(data)
    events = cal.walk("VEVENT")
    assert [e.decoded("dtstart") for e in events] == deadlines  # one per deadline, in order
    assert len({str(e["uid"]) for e in events}) == len(events)
    for event in events:
        day = event.decoded("dtstart")
        assert isinstance(day, dt.date) and not isinstance(day, dt.datetime)  # all-day
        assert event.decoded("dtend") == day + dt.timedelta(days=1)
        assert event.decoded("dtstamp") == dt.datetime(2024, 6, 10, tzinfo=dt.UTC)
        assert str(event["uid"]) == f"ctforms-64395-{day:%Y%m%d}@deadlines.ctforms"
        due = [i for i in open_issues if i["deadline"] == day.isoformat()]
        text = str(event["description"])
        for issue in due:  # each issue due that day: kind, candidate, what to do
            assert f"{issue['kind']}: " in text
            assert f"[{issue['id']}]" in text
            assert issue["remedy"] in text
            if issue["candidate"]:
                # Candidate numbers, never names: calendars are shared.
                c = issue["candidate"]
                assert f"candidate {issue['candidate_number']}" in text
                assert c["surname"] not in text and c["forenames"] not in text
        # How many of each kind fall due.
        kinds = {i["kind"] for i in due}
        assert any(f": {sum(i['kind'] == k for i in due)}" in text for k in kinds)
        overdue = "OVERDUE " if day < dt.date(2024, 6, 10) else ""
        assert str(event["summary"]).startswith(f"{overdue}Checkpoint 2: {len(due)} issue")
        assert event.walk("VALARM"), "no reminder"
    # A handled issue is done: it is not listed.
    handled = [i for i in register["issues"] if i["handled"]]
    assert handled and all(f"[{i['id']}]" not in data.decode() for i in handled)


@pytest.mark.slow  # several whole checks in a row
def test_no_student_name_is_in_the_calendar_unless_asked(tmp_path: Path) -> None:
    plain = _run(tmp_path / "a").decode()
    named = _run(tmp_path / "b", "--names-in-calendar").decode()
    register = Register.model_validate_json((tmp_path / "a" / "issues.json").read_text("utf-8"))
    due = [i for i in register.issues if i.deadline and not i.handled and i.candidate]
    assert due
    unfolded = [text.replace("\r\n ", "").replace("\\,", ",") for text in (plain, named)]
    for issue in due:
        assert issue.candidate is not None
        for name in (issue.candidate.surname, issue.candidate.forenames):
            assert name not in unfolded[0]
        shown = f"candidate {issue.candidate_number} {issue.candidate.surname}, "
        assert shown in unfolded[1]
    # Both say how many fall due, of which kinds.
    assert (
        "Moderation claim needed: 1" in unfolded[0] and "Moderation claim needed: 1" in unfolded[1]
    )
    assert "leaves names out of a calendar unless asked" in unfolded[0]


@pytest.mark.slow  # several whole checks in a row
def test_calendar_bytes_are_rfc_5545_and_deterministic(tmp_path: Path) -> None:
    first = _run(tmp_path / "a")
    assert _run(tmp_path / "b") == first
    assert first.startswith(b"BEGIN:VCALENDAR\r\n") and first.endswith(b"END:VCALENDAR\r\n")
    lines = first.split(b"\r\n")
    assert b"\n" not in b"".join(lines)  # every line ends CRLF
    assert max(len(line) for line in lines) <= 75  # folded (octets)
    assert b"VERSION:2.0\r\n" in first and b"PRODID:" in first


def test_a_register_with_nothing_due_still_makes_a_valid_calendar() -> None:
    golden = Path(__file__).parent / "golden" / "demo-register.json"
    register = Register.model_validate_json(golden.read_text("utf-8"))
    empty = register.model_copy(update={"issues": []})
    cal = Calendar.from_ical(calendar_bytes(empty))
    [event] = cal.walk("VEVENT")
    assert event.decoded("dtstart") == register.as_of
    assert "nothing due" in str(event["summary"])


# What icalendar 7 made of the same events, the writer before issue 11: the calendar is still
# written to the same bytes.
def _by_icalendar(data: bytes) -> bytes:
    """`data` (a calendar of ours) parsed and written again by icalendar."""
    cal = Calendar.from_ical(data)
    again = Calendar()
    for name in ("prodid", "version", "calscale", "method", "x-wr-calname"):
        again.add(name, str(cal[name]))
    for parsed in cal.walk("VEVENT"):
        event = Event()
        for name in ("uid", "dtstamp", "dtstart", "dtend"):
            event.add(name, parsed.decoded(name))
        for name in ("summary", "description", "transp"):
            event.add(name, str(parsed[name]))
        [parsed_alarm] = parsed.walk("VALARM")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", str(parsed_alarm["description"]))
        alarm.add("trigger", parsed_alarm.decoded("trigger"))
        event.add_component(alarm)
        again.add_component(event)
    made: bytes = again.to_ical()
    return made


def _with_names(register: Register, names: list[tuple[str, str]]) -> Register:
    issues = []
    for n, issue in enumerate(register.issues):
        surname, forenames = names[n % len(names)]
        candidate = issue.candidate and issue.candidate.model_copy(
            update={"surname": surname, "forenames": forenames}
        )
        issues.append(issue.model_copy(update={"candidate": candidate}))
    return register.model_copy(update={"issues": issues})


GOLDEN = Path(__file__).parent / "golden" / "demo-register.json"
# Text of every width in UTF-8, and what needs escaping, so that folds fall everywhere.
NAMES = [
    ("O'Brien; Smith", "Ann, Marie"),
    ("Back\\slash", "caret^ and \\\\ two"),
    ("Zoë Ñúñez", "Łukasz 🎓 Ørsted"),
    ("a" * 70, "b" * 3),
    ("Line\nbreak", "carriage\r\nreturn\r"),
    ("漢字のなまえ", "€" * 30),
]


def test_the_same_bytes_icalendar_wrote() -> None:
    register = Register.model_validate_json(GOLDEN.read_text("utf-8"))
    for names in ([("Smith", "Jo")], NAMES, NAMES[2:], NAMES[::-1]):
        data = calendar_bytes(_with_names(register, names), names=True)
        assert data == _by_icalendar(data)
    empty = calendar_bytes(register.model_copy(update={"issues": []}))
    assert empty == _by_icalendar(empty)


@pytest.mark.slow  # 80 drawn examples
@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.text(), st.text()), min_size=1, max_size=4))
def test_any_names_give_the_bytes_icalendar_wrote(names: list[tuple[str, str]]) -> None:
    register = Register.model_validate_json(GOLDEN.read_text("utf-8"))
    data = calendar_bytes(_with_names(register, names), names=True)
    lines = data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75 and data.endswith(b"END:VCALENDAR\r\n")
    # Control characters are left out (RFC 5545 text cannot hold them); icalendar read "\N" as
    # a line break; the rest is what icalendar wrote.
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", data)
    if not any("\\N" in n for pair in names for n in pair):
        assert data == _by_icalendar(data)
