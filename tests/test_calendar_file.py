"""deadlines.ics: written by `run`, read back by a calendar library, one all-day event per
deadline with what is due that day, the same bytes every time."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from conftest import invoke
from icalendar import Calendar

from ctforms.models import Register
from ctforms.produce.calendar_file import calendar_bytes


def _run(out: Path) -> bytes:
    result = invoke("run", "--demo", "-o", out)
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
                c = issue["candidate"]
                assert f"candidate {issue['candidate_number']} {c['surname']}, " in text
        overdue = "OVERDUE " if day < dt.date(2024, 6, 10) else ""
        assert str(event["summary"]).startswith(f"{overdue}Checkpoint 2: {len(due)} issue")
        assert event.walk("VALARM"), "no reminder"
    # A handled issue is done: it is not listed.
    handled = [i for i in register["issues"] if i["handled"]]
    assert handled and all(f"[{i['id']}]" not in data.decode() for i in handled)


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
