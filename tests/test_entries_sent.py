"""Entries files over the season: what was sent (records sent, the Entries Sent sheet, the Files
page) decides the next file's name (an amendment file after a sent one) and what it carries."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import Result
from conftest import DEMO, invoke
from webkit import copy_site

from ctforms import pipeline
from ctforms.produce import edi
from ctforms.produce.entries import files_by_issue
from ctforms.read.records import read_records

CENTRE = "64395"
E1, A2 = "E6439572.X01", "A6439572.X02"
# The demo's entries file holds three changes its Expected sheet calls for.
# What the demo's files carry: new entries only (a top-up or move-down is the target's entry).
FIRST = {("0014", None, "05839"), ("0036", None, "05835"), ("0063", None, "05839")}
MOVE_DOWN = ("0012", None, "05838")


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's first run, on 10/06 with its records as shipped, made once for the module:
    each test that starts from it copies the folder (the run reads the records, never writes
    them, so the copy is the run the test would have made)."""
    base = tmp_path_factory.mktemp("first")
    made = _run(_records(base), base / "a", "2024-06-10")
    assert made.exit_code == 0, made.output
    assert _entries(base / "a") == [E1]
    return base / "a"


def _records(tmp_path: Path) -> Path:
    records = tmp_path / "records.xlsx"
    shutil.copyfile(DEMO / "records.xlsx", records)
    return records


def _inputs(records: Path, as_of: str) -> list[str | Path]:
    """The demo's tracker, centre and rules with these records, checked on as_of."""
    return [
        DEMO / "tracker.csv",
        "--centre", DEMO / "centre.toml",
        "--records", records,
        "--catalogue", DEMO / "rules.xlsx",
        "--as-of", as_of,
    ]  # fmt: skip


def _run(records: Path, out: Path, as_of: str = "2024-06-12", *extra: str) -> Result:
    return invoke("run", *_inputs(records, as_of), "-o", out, *extra)


def _check(records: Path, as_of: str = "2024-06-12") -> Result:
    return invoke("check", *_inputs(records, as_of), "--format", "json")


def _entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(f"?{CENTRE}72.X*"))


def _changes(path: Path) -> set[tuple[str, str | None, str]]:
    return {
        (c.candidate_number, c.from_code, c.to_code)
        for c in edi.changes_in(path.read_bytes(), path.name)
    }


def _sent(records: Path, file: str | Path, on: str = "2024-06-11") -> Result:
    return invoke("records", "sent", records, "--file", file, "--on", on, "--by", "Ben Okoro")


def _decide(records: Path, yes: bool = True, on: str = "2024-06-11", by: str = "Ben Okoro") -> None:
    choice = "--make-change" if yes else "--no-change"
    result = invoke(
        "records", "decide", records, "--candidate", "0012", "--qualification", "05838",
        choice, "--by", by, "--date", on,
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def _listing(folder: Path) -> list[list[object]]:
    ws = openpyxl.load_workbook(folder / f"{CENTRE}-entries-listing.xlsx")["Entries"]
    return [list(row) for row in ws.iter_rows(values_only=True)]


def _texts(rows: list[list[object]]) -> str:
    return "\n".join(str(v) for row in rows for v in row if v is not None)


@pytest.mark.slow  # several whole checks in a row
def test_a_sent_file_is_followed_by_an_amendment_file_with_only_the_new_change(
    tmp_path: Path, first_run: Path
) -> None:
    records = _records(tmp_path)
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(first_run, a)
    assert _entries(a) == [E1]
    sent = _sent(records, a / E1, "2024-06-10")
    assert sent.exit_code == 0, sent.output
    assert "E6439572.X01 sent on 10/06/2024 by Ben Okoro; it carried 3 changes" in sent.output
    _decide(records)
    second = _run(records, b)
    assert second.exit_code == 0, second.output
    # A folder of its own, and still the next of the series: an amendment file.
    assert _entries(b) == [A2]
    assert _changes(b / A2) == {MOVE_DOWN}
    assert "entries: 3 changes sent already (in E6439572.X01) left out" in second.output
    data = edi.read_file((b / A2).read_bytes(), A2).records
    assert data[0][1]["data_type"] == "A" and data[0][1]["sequence"] == "02"
    assert [kind for kind, _ in data] == ["1", "5", "9"]
    # Every record of an amendment file begins with its data type letter, A.
    assert all(line[:1] == b"A" for line in (b / A2).read_bytes().split(b"\r\n")[:-1])
    # The row says what the file carried, so no later check needs the file itself.
    (row,) = read_records(records).entries_sent or []
    assert (row.file, row.sent_by, row.row) == (E1, "Ben Okoro", 2)
    assert {(c.candidate_number, c.from_code, c.to_code) for c in row.changes or []} == FIRST


@pytest.mark.slow  # several whole checks in a row
def test_a_file_never_recorded_as_sent_keeps_its_changes_in_the_next(
    tmp_path: Path, first_run: Path
) -> None:
    records = _records(tmp_path)
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(first_run, a)
    _decide(records)
    _run(records, b)
    # Not sent: the next file is still an entries file, and still carries the first changes
    # (a run into a folder of its own knows only what the records say was sent).
    assert _entries(b) == [E1]
    assert _changes(b / E1) == {*FIRST, MOVE_DOWN}


@pytest.mark.slow  # several whole checks in a row
def test_a_name_typed_without_its_changes_is_read_from_the_run_folder(
    tmp_path: Path, first_run: Path
) -> None:
    records = _records(tmp_path)
    a = tmp_path / "a"
    shutil.copytree(first_run, a)
    said = _sent(records, E1)  # the name only: not found here, so recorded without its changes
    assert said.exit_code == 0
    assert "what it carried is not recorded" in said.output
    _decide(records)
    again = _run(records, a, "2024-06-12", "--force")
    assert again.exit_code == 0, again.output
    # The sent file is moved aside (the folder holds what its archive lists) and read there.
    assert _entries(a) == [A2] and _entries(a / "earlier-entries") == [E1]
    assert _changes(a / A2) == {MOVE_DOWN}
    assert "cannot tell" not in again.output + again.stderr


@pytest.mark.slow  # several whole checks in a row
def test_a_sent_file_whose_contents_are_unknown_is_said_never_guessed(
    tmp_path: Path, first_run: Path
) -> None:
    records = _records(tmp_path)
    shutil.copytree(first_run, tmp_path / "a")
    _sent(records, E1)
    _decide(records)
    b = tmp_path / "b"  # a folder without the file
    result = _run(records, b)
    assert _entries(b) == [A2]
    assert _changes(b / A2) == {*FIRST, MOVE_DOWN}  # nothing left out on a guess
    assert (
        "warning: records.xlsx Entries Sent row 2: ctforms cannot tell what E6439572.X01 carried"
    ) in result.stderr
    assert "Warning: E6439572.X01 is recorded as sent" in _texts(_listing(b))


@pytest.mark.slow  # several whole checks in a row
def test_when_every_change_was_sent_no_file_is_written(tmp_path: Path, first_run: Path) -> None:
    records = _records(tmp_path)
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(first_run, a)
    _sent(records, a / E1, "2024-06-10")
    result = _run(records, b)
    assert _entries(b) == []
    said = (
        "entries: every change an EDI file can carry was sent already, in E6439572.X01; no EDI"
        " file written."
    )
    assert said in result.output
    text = _texts(_listing(b))
    assert "EDI file: none: every new entry was sent to OCR already, in E6439572.X01" in text
    assert "Sent earlier: already with OCR, not to key in again" in text
    assert (
        "0036 Hill, Ruby: move-down 05836 -> 05835; asked for by Expected row 37: the student"
        " expects 05835; sent in E6439572.X01, recorded as sent on 10/06/2024 by Ben Okoro"
        " (Entries Sent row 2)."
    ) in text


@pytest.mark.slow  # several whole checks in a row
def test_a_sent_change_declined_since_is_blocking(tmp_path: Path) -> None:
    records = _records(tmp_path)
    a, b = tmp_path / "a", tmp_path / "b"
    _decide(records, on="2024-06-10")
    _run(records, a, "2024-06-10")
    _sent(records, a / E1, "2024-06-11")
    before = json.loads(_check(records).stdout)
    assert not [i for i in before["issues"] if i["kind"] == "sent-change-declined"]
    _decide(records, yes=False, on="2024-06-12", by="Amy Lee")
    # A check dated before the reversal reads the Y still standing then.
    earlier = json.loads(_check(records, "2024-06-11").stdout)
    assert not [i for i in earlier["issues"] if i["kind"] == "sent-change-declined"]
    result = _check(records)
    assert result.exit_code == 1
    issues = json.loads(result.stdout)["issues"]
    (issue,) = [i for i in issues if i["kind"] == "sent-change-declined"]
    assert issue["id"] == "sent-change-declined/0012/05838/-"
    assert issue["severity"] == "blocking" and not issue["handled"]
    assert issue["summary"] == (
        "The entry change to 05838 was sent to OCR in E6439572.X01 (on 11/06/2024,"
        " by Ben Okoro) but is now declined: Entry Decisions row 3 says N (Amy Lee on"
        " 12/06/2024)"  # row 2, the Y of 10/06, stays: the sheet is a ledger
    )
    assert "already with OCR" in issue["action"]
    assert "email vqprocessing@ocr.org.uk" in issue["action"]
    # The file carried a new 05838 entry (never a change): withdrawing it is the way back.
    assert (
        "ask for the entry for 05838 to be withdrawn (or withdraw it through the Progress"
        in (issue["action"])
    )
    # The declined change goes in no later file.
    _run(records, b)
    assert all(MOVE_DOWN not in _changes(b / n) for n in _entries(b))


@pytest.mark.slow  # several whole checks in a row
def test_the_listing_says_where_each_change_comes_from_and_which_file_it_is_in(
    tmp_path: Path, first_run: Path
) -> None:
    records = _records(tmp_path)
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(first_run, a)
    _sent(records, a / E1, "2024-06-10")
    _decide(records)
    _run(records, b)
    rows = _listing(b)
    header = next(r for r in rows if r and r[0] == "Candidate Number")
    table = [dict(zip(header, r, strict=True)) for r in rows[rows.index(header) + 1 :] if r[0]]
    move = next(r for r in table if r["Candidate Number"] == "0012")
    assert move["Asked for by"] == "Entry Decisions row 2: confirmed by Ben Okoro on 11/06/2024"
    assert move["Entries File"] == A2
    text = _texts(rows)
    assert "EDI file: A6439572.X02, an amendment (A) file: upload it after the series'" in text
    assert "entries (E) file" in text and "It adds new entries only" in text
    assert (
        "0014 Müller, Lena: top-up 05838 -> 05839; asked for by Expected row 15: the student"
        " expects 05839; sent in E6439572.X01"
    ) in text


@pytest.mark.slow  # several whole checks in a row
def test_a_row_sent_after_the_check_date_is_not_used_and_said_once(
    tmp_path: Path, first_run: Path
) -> None:
    records = _records(tmp_path)
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(first_run, a)
    _sent(records, a / E1, "2024-06-14")
    result = _run(records, b, "2024-06-12")
    assert _entries(b) == [E1]  # as known on 12/06: nothing sent yet
    warning = (
        "warning: records.xlsx Entries Sent row 2 is dated 14/06/2024, after the check's date"
        " (12/06/2024): not used by this check (a check dated on or after 14/06/2024 uses it)"
    )
    assert result.stderr.count(warning) == 1
    later = _run(records, tmp_path / "c", "2024-06-14")
    assert _entries(tmp_path / "c") == []
    assert "Entries Sent row 2" not in later.stderr


@pytest.mark.slow  # several whole checks in a row
def test_entries_make_from_a_register_follows_what_was_sent(
    tmp_path: Path, first_run: Path
) -> None:
    records = _records(tmp_path)
    a = tmp_path / "a"
    shutil.copytree(first_run, a)
    _sent(records, a / E1, "2024-06-10")
    _decide(records)
    register = tmp_path / "issues.json"
    register.write_text(_check(records).stdout, encoding="utf-8")
    out = tmp_path / "entries"
    result = invoke("entries", register, "-o", out, "--catalogue", DEMO / "rules.xlsx")
    assert result.exit_code == 0, result.output
    assert _entries(out) == [A2]
    assert _changes(out / A2) == {MOVE_DOWN}
    # A sequence already sent is never used again, whatever --sequence says.
    again = invoke(
        "entries", register, "-o", tmp_path / "again", "--catalogue", DEMO / "rules.xlsx",
        "--sequence", "1",
    )  # fmt: skip
    assert again.exit_code == 2
    assert "the records say .X01 was sent already" in again.stderr
    assert not (tmp_path / "again").exists()


def test_records_sent_refuses_what_is_not_an_entries_file(tmp_path: Path, first_run: Path) -> None:
    records = _records(tmp_path)
    bad = _sent(records, "entries.txt")
    assert bad.exit_code == 2
    assert "sheet 'Entries Sent'" in bad.stderr or "Entries Sent" in bad.stderr
    assert "is not an entries file name" in bad.stderr
    missing = _sent(records, tmp_path / "nowhere" / E1)
    assert missing.exit_code == 2
    assert f"{tmp_path / 'nowhere' / E1} was not found" in missing.stderr  # the path typed
    # A file renamed after it was made: its header gives it away.
    a = tmp_path / "a"
    shutil.copytree(first_run, a)
    shutil.copyfile(a / E1, tmp_path / "E6439572.X05")
    renamed = _sent(records, tmp_path / "E6439572.X05")
    assert renamed.exit_code == 2
    assert "its header does not agree with its name" in renamed.stderr
    assert read_records(records).entries_sent is None  # nothing was written


def test_records_template_has_the_entries_sent_sheet(tmp_path: Path) -> None:
    assert invoke("records", "template", "-o", tmp_path / "r.xlsx").exit_code == 0
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert [c.value for c in wb["Entries Sent"][1]] == ["File", "Sent On", "Sent By", "Changes"]
    said = _texts([list(r) for r in wb["Instructions"].iter_rows(values_only=True)])
    assert "Entries Sent: Each entries file you uploaded to OCR" in said


@pytest.mark.slow  # several whole checks in a row
def test_the_files_page_records_an_uploaded_file(tmp_path: Path, checked_demo: Path) -> None:
    site = copy_site(checked_demo, tmp_path / "ws")
    first = site.workspace.run_folder(None)
    assert first is not None
    page = site.get(f"files?run={first.id}").text
    assert "I have uploaded this file" in page and f'<option value="{E1}"' in page
    # Refused without a name, and nothing recorded.
    r = site.post(f"files/{first.id}/sent", {"file": E1, "sent_by": "", "sent_on": "2024-06-10"})
    assert r.status_code == 400
    assert "Type the name of the person who uploaded it." in r.text
    r = site.post(
        f"files/{first.id}/sent", {"file": E1, "sent_by": "Ben Okoro", "sent_on": "2024-06-10"}
    )
    assert r.status_code == 303
    shown = site.client.get(r.headers["location"]).text
    assert "Recorded: E6439572.X01 uploaded on" in shown and "carrying 3 changes" in shown
    saved = site.workspace.saved("records.xlsx")
    assert saved is not None
    (row,) = read_records(saved).entries_sent or []
    assert (row.file, row.sent_by) == (E1, "Ben Okoro") and row.changes is not None
    # The next check, after a confirmed move-down, makes the amendment file with it alone.
    r = site.post(
        "decisions/entry",
        {"proposal": "0012/05838", "make_change": "yes", "by": "Ben Okoro", "date": "2024-06-10"},
    )
    assert r.status_code in (200, 303)
    assert site.post("check/again").status_code == 303
    assert site.wait().status_code == 303
    second = site.workspace.run_folder(None)
    assert second is not None and second.id != first.id
    assert _entries(second.path) == [A2]
    assert _changes(second.path / A2) == {MOVE_DOWN}


@pytest.mark.slow  # several whole checks in a row
def test_each_change_names_the_file_it_is_in_or_was_sent_in(tmp_path: Path) -> None:
    records = _records(tmp_path)
    sources = pipeline.Sources(
        DEMO / "tracker.csv", DEMO / "centre.toml", records, (DEMO / "rules.xlsx",)
    )
    first = pipeline.run(sources, dt.date(2024, 6, 10), tmp_path / "a")
    assert first.written.edi_file is not None
    _sent(records, first.written.edi_file, "2024-06-10")
    _decide(records)
    made = pipeline.run(sources, dt.date(2024, 6, 12), tmp_path / "b")
    files = files_by_issue(made.written.plan)
    assert files["move-down-available/0012/05839/-"] == A2
    assert files["wrong-size-entry/0014/05839/-"] == E1


def test_a_workbook_chosen_without_the_upload_recorded_on_the_page_is_refused(
    tmp_path: Path, checked_demo: Path
) -> None:
    site = copy_site(checked_demo, tmp_path / "ws")
    run = site.workspace.run_folder(None)
    assert run is not None
    form = {"file": E1, "sent_by": "Ben Okoro", "sent_on": "2024-06-10"}
    assert site.post(f"files/{run.id}/sent", form).status_code == 303
    files = {"records": ("records.xlsx", (DEMO / "records.xlsx").read_bytes())}
    r = site.post("check", {"as_of": "2024-06-10"}, files=files)
    assert r.status_code == 400
    assert "that E6439572.X01 was uploaded to OCR, on Monday 10 June 2024 by Ben Okoro" in r.text


def test_an_issue_whose_change_was_sent_asks_to_check_the_tracker_not_to_send_it_again(
    tmp_path: Path, first_run: Path
) -> None:
    """Found by an exams-officer trial: after E…X01 was recorded as sent, its issues still said
    'make the entry', inviting a second entry. Now they say where it went and what is left."""
    records = _records(tmp_path)
    a = tmp_path / "a"
    shutil.copytree(first_run, a)
    _sent(records, a / E1, "2024-06-11")
    before = {i["id"]: i for i in json.loads(_check(records, "2024-06-10").stdout)["issues"]}
    after = {i["id"]: i for i in json.loads(_check(records).stdout)["issues"]}
    kinds = {"0014": "wrong-size-entry", "0036": "wrong-size-entry"}
    for number, _, to_code in FIRST:
        ident = f"{kinds.get(number, 'no-qualification-entry')}/{number}/{to_code}/-"
        assert before[ident]["severity"] == "blocking"  # as of 10/06 nothing was sent
        issue = after[ident]
        assert issue["severity"] == "warning" and not issue["handled"], ident
        assert issue["action"].startswith(
            f"Sent to OCR in {E1} on 11/06/2024 by Ben Okoro (Entries Sent row 2): do not send"
            f" it again. Check the Progress Tracker shows the student against {to_code}"
        ), ident
        assert issue["remedy"] == f"sent in {E1}: check the tracker shows {to_code}"
