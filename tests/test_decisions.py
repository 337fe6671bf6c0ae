"""Recording decisions in the centre's records workbook (produce/decisions.py), and the
pipeline functions the web page builds on: proposals, sign_off, rules_knowledge, rules_template."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import DEMO, GOLDEN, invoke
from office import convert, needs_office

from ctforms import pipeline
from ctforms.checks.knowledge import knowledge_lines
from ctforms.errors import InputError
from ctforms.models import Register
from ctforms.produce import decisions
from ctforms.produce.decisions import record_action, record_entry_decision
from ctforms.read.catalogue import load_catalogue
from ctforms.read.records import SHEETS, in_date_order, read_records

DAY = dt.date(2024, 6, 12)
RULES = DEMO / "rules.xlsx"
REGISTER = GOLDEN / "demo-register.json"
MOVE_DOWN = "move-down-available/0012/05839/-"
CLAIM = "claim-needed/0011/05839/9"  # blocking, no action in the demo records


def _demo_records(tmp_path: Path) -> Path:
    tmp_path.mkdir(exist_ok=True)
    path = tmp_path / "records.xlsx"
    shutil.copyfile(DEMO / "records.xlsx", path)
    return path


def _decide(records: Path, **change: Any) -> None:
    values: dict[str, Any] = {
        "candidate_number": "0012",
        "qualification_code": "05838",
        "make_change": True,
        "decided_by": "Ben Okoro",
        "date": DAY,
    }
    values.update(change)
    record_entry_decision(records, **values)


def _act(records: Path, **change: Any) -> None:
    values: dict[str, Any] = {
        "issue_id": CLAIM,
        "action_taken": "Claim submitted in Interchange",
        "date": DAY,
        "by": "Ben Okoro",
    }
    values.update(change)
    record_action(records, **values)


def _values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


# ---------------------------------------------------------------------------- round trips


def test_a_decision_is_read_back_and_every_other_sheet_kept(tmp_path: Path) -> None:
    records = _demo_records(tmp_path)
    before = _values(records)
    _decide(records, candidate_number="12", qualification_code="5838")  # as the reader takes them
    rows = read_records(records).entry_decisions
    assert rows is not None and len(rows) == 1
    row = rows[0]
    assert (row.candidate_number, row.qualification_code) == ("0012", "05838")
    assert row.make_change
    assert (row.decided_by, row.date) == ("Ben Okoro", DAY)
    after = _values(records)
    # The demo has no Entry Decisions sheet: it is added with the reader's exact headers.
    headers = tuple(title for title, *_ in SHEETS["Entry Decisions"][2])
    assert after.pop("Entry Decisions")[0] == headers
    assert after == before
    assert stat.S_IMODE(records.stat().st_mode) == 0o600


def test_an_action_is_read_back_and_the_earlier_actions_kept(tmp_path: Path) -> None:
    records = _demo_records(tmp_path)
    earlier = read_records(records).actions or []
    _act(records, ocr_reference="VQ-1")
    actions = read_records(records).actions or []
    assert [a.issue_id for a in actions] == [*(a.issue_id for a in earlier), CLAIM]
    new = actions[-1]
    assert (new.action_taken, new.date, new.by, new.ocr_reference) == (
        "Claim submitted in Interchange",
        DAY,
        "Ben Okoro",
        "VQ-1",
    )


def test_the_same_key_replaces_its_row_and_another_adds_one(tmp_path: Path) -> None:
    records = _demo_records(tmp_path)
    _decide(records)
    _decide(records, make_change=False, decided_by="Ann Lee")  # the same day: a correction
    _decide(records, candidate_number="0013", qualification_code="05838")
    rows = read_records(records).entry_decisions or []
    assert [(r.candidate_number, r.make_change, r.decided_by) for r in rows] == [
        ("0012", False, "Ann Lee"),
        ("0013", True, "Ben Okoro"),
    ]
    # Another day is another row: what was decided before it stays for earlier checks.
    _decide(records, make_change=True, date=DAY + dt.timedelta(days=1))
    rows = read_records(records).entry_decisions or []
    assert [(r.candidate_number, r.make_change) for r in rows] == [
        ("0012", False),
        ("0013", True),
        ("0012", True),
    ]
    _act(records, ocr_reference="R1")
    _act(records, action_taken="Claim resubmitted")  # no reference now: the old one goes
    mine = [a for a in read_records(records).actions or [] if a.issue_id == CLAIM]
    assert [(a.action_taken, a.ocr_reference) for a in mine] == [("Claim resubmitted", "")]


def test_a_decision_on_another_day_is_a_new_row_and_stands(tmp_path: Path) -> None:
    """The sheet is a ledger (issue 17: a check dated earlier reads what was decided then): a
    decision on a new day is added; undated rows count as earliest; the latest stands."""
    records = _demo_records(tmp_path)
    wb = openpyxl.load_workbook(records)
    ws = wb.create_sheet("entry decisions")  # the reader ignores case and spacing
    ws.append(["Candidate Number", "Qualification Code", "Make the Change", "Decided By", "Date"])
    ws.append(["0012", "05838", "Y", "Ann Lee", None])
    ws.append(["0044", "05835", "N", "Ann Lee", None])
    ws.append([12, 5838, "Y", "Ann Lee", None])  # numbers, as Excel may store them
    wb.save(records)
    _decide(records, make_change=False)
    rows = read_records(records).entry_decisions or []
    assert [(r.row, r.candidate_number, r.make_change) for r in rows] == [
        (2, "0012", True),
        (3, "0044", False),
        (4, "0012", True),
        (5, "0012", False),
    ]
    standing = {(r.candidate_number, r.qualification_code): r for r in in_date_order(rows)}
    assert standing["0012", "05838"].make_change is False
    assert [ws.title for ws in openpyxl.load_workbook(records).worksheets].count(
        "entry decisions"
    ) == 1
    # The same day again replaces that day's row (a correction), and says so in one row.
    _decide(records, make_change=True)
    again = read_records(records).entry_decisions or []
    assert [(r.row, r.make_change) for r in again if r.date is not None] == [(5, True)]


def test_a_missing_optional_column_is_added(tmp_path: Path) -> None:
    records = tmp_path / "records.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Actions"
    ws.append(["Issue ID", "Action Taken"])
    wb.save(records)
    _act(records, ocr_reference="R9")
    header = _values(records)["Actions"][0]
    assert header == ("Issue ID", "Action Taken", "Date", "OCR Reference", "By")
    action = (read_records(records).actions or [])[0]
    assert (action.date, action.ocr_reference, action.by) == (DAY, "R9", "Ben Okoro")


def test_no_workbook_starts_from_the_records_template(tmp_path: Path) -> None:
    template = tmp_path / "template.xlsx"
    assert invoke("records", "template", "-o", template).exit_code == 0
    records = tmp_path / "new" / "records.xlsx"
    _decide(records)
    made, blank = _values(records), _values(template)
    assert made.pop("Entry Decisions")[1][:4] == ("0012", "05838", "Y", "Ben Okoro")
    blank.pop("Entry Decisions")
    assert made == blank
    wb = openpyxl.load_workbook(records)
    assert wb.sheetnames == openpyxl.load_workbook(template).sheetnames
    assert wb["Lists"].sheet_state == "hidden"
    assert stat.S_IMODE(records.stat().st_mode) == 0o600


def test_the_same_decision_gives_the_same_bytes(tmp_path: Path) -> None:
    a, b = _demo_records(tmp_path / "a"), _demo_records(tmp_path / "b")
    for records in (a, b):
        _decide(records)
        _act(records)
    assert a.read_bytes() == b.read_bytes()


@needs_office
def test_libreoffice_opens_the_workbook_and_the_reader_reads_what_it_saves(
    tmp_path: Path,
) -> None:
    records = _demo_records(tmp_path)
    _decide(records)
    _act(records, ocr_reference="VQ-7")
    saved = convert(records, "xlsx", tmp_path / "office")
    again = read_records(saved)
    decision = (again.entry_decisions or [])[0]
    assert (decision.candidate_number, decision.qualification_code) == ("0012", "05838")
    assert any(a.issue_id == CLAIM and a.ocr_reference == "VQ-7" for a in again.actions or [])


# ---------------------------------------------------------------------------- refusals

HOSTILE: list[tuple[str, Callable[[Path], None]]] = [
    ("control character", lambda p: _decide(p, decided_by="Ben\x1bOkoro")),
    ("line break", lambda p: _act(p, action_taken="Phoned OCR\nand emailed")),
    ("bidi override", lambda p: _act(p, by="Ben \u202eOkoro")),
    ("only invisible", lambda p: _act(p, by="\u200b\u200b")),
    ("lone surrogate", lambda p: _act(p, action_taken="Claim \ud800 made")),
    ("formula =", lambda p: _act(p, action_taken='=HYPERLINK("http://x")')),
    ("formula +", lambda p: _act(p, ocr_reference="+44 1223")),
    ("formula -", lambda p: _decide(p, decided_by="-Ben")),
    ("formula @", lambda p: _act(p, by="@SUM(A1)")),
    ("long action", lambda p: _act(p, action_taken="x" * (decisions.MAX_ACTION + 1))),
    ("long name", lambda p: _decide(p, decided_by="B" * 256)),
    ("long reference", lambda p: _act(p, ocr_reference="R" * (decisions.MAX_REFERENCE + 1))),
    ("empty name", lambda p: _act(p, by="   ")),
    ("example name", lambda p: _decide(p, decided_by="B. Example")),
    ("candidate", lambda p: _decide(p, candidate_number="12a")),
    ("candidate zero", lambda p: _decide(p, candidate_number="0000")),
    ("code", lambda p: _decide(p, qualification_code="123")),
    ("issue id", lambda p: _act(p, issue_id="claim needed 0011")),
    ("issue id formula", lambda p: _act(p, issue_id="=cmd|'/c calc'!A1")),
    ("date", lambda p: _act(p, date=dt.date(1999, 12, 31))),
]


@pytest.mark.parametrize("write", [w for _, w in HOSTILE], ids=[n for n, _ in HOSTILE])
def test_hostile_values_are_refused_and_the_file_left_as_it_was(
    tmp_path: Path, write: Callable[[Path], None]
) -> None:
    records = _demo_records(tmp_path)
    before = records.read_bytes()
    with pytest.raises(InputError) as caught:
        write(records)
    assert "records.xlsx" in str(caught.value) and "\n" not in str(caught.value)
    assert records.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["records.xlsx"]  # no leftovers


def test_a_workbook_the_reader_refuses_is_left_as_it_was(tmp_path: Path) -> None:
    records = tmp_path / "records.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Actions"
    wb.active.append(["Issue ID", "By"])  # no Action Taken: the reader refuses the sheet
    wb.active.append([CLAIM, "Ben"])
    wb.save(records)
    before = records.read_bytes()
    with pytest.raises(InputError, match="required column 'Action Taken'"):
        _act(records)
    assert records.read_bytes() == before
    text = tmp_path / "notes.xlsx"
    text.write_text("not a workbook")
    with pytest.raises(InputError, match=r"notes\.xlsx: not a readable Excel workbook"):
        _decide(text)
    assert text.read_text() == "not a workbook"


def test_a_folder_or_a_link_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder"):
        _decide(tmp_path)
    real = _demo_records(tmp_path)
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    with pytest.raises(InputError, match="not a regular file"):
        _act(link)


def test_a_workbook_changed_meanwhile_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = _demo_records(tmp_path)
    real = decisions.workbook_bytes  # type: ignore[attr-defined]

    def someone_saves_meanwhile(*args: Any, **kwargs: Any) -> bytes:
        data = real(*args, **kwargs)
        shutil.copyfile(DEMO / "rules.xlsx", records)  # another program saves meanwhile
        return data

    monkeypatch.setattr(decisions, "workbook_bytes", someone_saves_meanwhile)
    with pytest.raises(InputError, match="changed while the decision was being recorded"):
        _decide(records)
    assert records.read_bytes() == (DEMO / "rules.xlsx").read_bytes()


# ---------------------------------------------------------------------------- the CLI


def test_the_cli_records_a_decision_and_an_action_and_the_run_agrees(tmp_path: Path) -> None:
    records = _demo_records(tmp_path)
    result = invoke(
        "records", "decide", records, "--candidate", "12", "--qualification", "05838",
        "--make-change", "--by", "Ben Okoro", "--date", "2024-06-12",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"Recorded in {records} (sheet Entry Decisions): candidate 0012, 05838: make the change"
        " (Y), decided by Ben Okoro on 12/06/2024. Run the check again to see it.\n"
    )
    result = invoke(
        "records", "handled", records, "--issue", CLAIM, "--action",
        "Claim submitted in Interchange", "--by", "Ben Okoro", "--date", "2024-06-12",
        "--ocr-ref", "VQ-7",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Recorded in {records} (sheet Actions): {CLAIM} handled")
    out = tmp_path / "out"
    args: list[str | Path] = [DEMO / "tracker.csv", "--centre", DEMO / "centre.toml"]
    args += ["--records", records]
    # A check on the day of the decision and the action uses them (one before it does not).
    result = invoke("run", *args, "--catalogue", RULES, "--as-of", "2024-06-12", "-o", out)
    assert result.exit_code == 0, result.output
    # The demo alone has 21: the claim is handled, and the move-down answers 0012's glh-short.
    assert "19 blocking not handled" in result.output
    assert b"E564395001205838 BENNETT: HARRY" in (out / "E6439572.X01").read_bytes()
    issues = {i["id"]: i for i in json.loads((out / "issues.json").read_text())["issues"]}
    assert issues[CLAIM]["handled"]
    assert issues[CLAIM]["handled_by"]["ocr_reference"] == "VQ-7"
    assert issues[MOVE_DOWN]["decision"]["make_change"] is True
    assert "0012 Bennett, Harry: move-down" not in result.output  # no longer only proposed


def test_a_records_workbook_made_new_is_said(tmp_path: Path) -> None:
    """A mistyped name would record into a new file unseen: the CLI says it made one."""
    book = tmp_path / "recrods.xlsx"
    args = ["--issue", "claim-needed/0011/05839/9", "--action", "Claim submitted", "--by", "Ben"]
    first = invoke("records", "handled", book, *args, "--date", "2024-06-12")
    assert first.exit_code == 0 and book.is_file()
    assert f"{book} was not there, so it is a new records workbook" in first.stdout
    again = invoke("records", "handled", book, *args, "--date", "2024-06-13")
    assert again.exit_code == 0 and "was not there" not in again.stdout


def test_the_cli_refuses_in_one_line_and_leaves_the_file(tmp_path: Path) -> None:
    records = _demo_records(tmp_path)
    before = records.read_bytes()
    result = invoke(
        "records", "handled", records, "--issue", CLAIM, "--action", "=1+1", "--by", "Ben",
        "--date", "2024-06-12",
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.output == (
        "Error: records.xlsx, sheet 'Actions', column 'Action Taken': starts with '=', which a"
        " spreadsheet would take for a formula; start it with a letter or a number (--action)\n"
    )
    result = invoke("records", "decide", records, "--candidate", "12", "--qualification", "05838")
    assert result.exit_code == 2 and result.output.startswith("Error: Missing option")
    result = invoke(
        "records", "decide", records, "--candidate", "12", "--qualification", "05838",
        "--no-change", "--by", "Ben", "--date", "12/06/2024",
    )  # fmt: skip
    assert result.exit_code == 2 and "is not a date: use YYYY-MM-DD" in result.output
    result = invoke(
        "records", "decide", records, "--candidate", "12", "--qualification", "05838",
        "--no-change", "--by", "Ben", "--date", "2024-06-31",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "'2024-06-31' is not a day of the calendar; check the day and the month" in result.output
    # A record is of what has happened, as on the page (a day far ahead: never today's date).
    for command, option in (
        ("decide", "--date"),
        ("handled", "--date"),
        ("sent", "--on"),
        ("confirmations", "--date"),
    ):
        args = {
            "decide": ["--candidate", "12", "--qualification", "05838", "--no-change", "--by", "B"],
            "handled": ["--issue", "claim-needed/0011/05839/9", "--action", "Done", "--by", "B"],
            "sent": ["--file", "E6439572.X01", "--by", "Ben"],
            "confirmations": [str(records), "--centre", str(DEMO / "centre.toml")],
        }[command]
        result = invoke("records", command, records, *args, option, "2100-06-12")
        assert result.exit_code == 2
        assert f"'{option}': 12/06/2100 is after today: give the day it happened" in result.output
    assert records.read_bytes() == before


# ---------------------------------------------------------------------------- proposals


def _register() -> Register:
    return Register.model_validate_json(REGISTER.read_text("utf-8"))


def test_proposals_of_the_demo() -> None:
    found = pipeline.proposals(_register(), (RULES,))
    assert [p.model_dump() for p in found] == [
        {
            "candidate_number": "0012",
            "surname": "Bennett",
            "forenames": "Harry",
            "name": "Bennett, Harry",
            "qualification_code": "05839",
            "qualification_title": found[0].qualification_title,
            "proposed_code": "05838",
            "proposed_title": found[0].proposed_title,
            "kind": "move-down",
            "why": found[0].why,
            "issue_id": MOVE_DOWN,
            "decision": None,
            "decided_by": None,
            "decided_on": None,
            "handled": False,
        }
    ]
    p = found[0]
    assert "Extended Certificate" in p.qualification_title and "Certificate" in p.proposed_title
    assert p.why.endswith(".") and "05838" in p.why and "\n" not in p.why
    assert p.note == (
        "0012 Bennett, Harry: move-down 05839 -> 05838: proposed, not in the file until"
        " confirmed (on the Decisions page, or in records.xlsx, sheet Entry Decisions: 0012,"
        " 05838, Y, your name)"
    )


def test_proposals_say_what_the_records_decided(tmp_path: Path) -> None:
    records = _demo_records(tmp_path)
    _decide(records, make_change=False)
    sources = pipeline.Sources(DEMO / "tracker.csv", DEMO / "centre.toml", records, (RULES,))
    register = pipeline.check(sources, DAY)
    (p,) = pipeline.proposals(register, (RULES,))
    # Closed by the decision, not by an Actions row.
    assert (p.decision, p.decided_by, p.decided_on, p.handled) == (False, "Ben Okoro", DAY, False)
    assert p.note.endswith("declined by Ben Okoro on 12/06/2024; not in the file")


# ---------------------------------------------------------------------------- sign-off


def test_sign_off_in_the_pipeline(tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    with pytest.raises(InputError, match="21 blocking issues without a recorded action"):
        pipeline.sign_off(REGISTER, out, signed_by="Ben Okoro", role="Exams Officer")
    assert not out.exists()
    steps: list[str] = []

    class Seen:
        def step(self, name: str) -> None:
            steps.append(name)

        def part(self, fraction: float) -> None:
            pass

    done = pipeline.sign_off(
        REGISTER,
        out,
        signed_by="Ben Okoro",
        role="Exams Officer",
        records=DEMO / "records.xlsx",
        reason="Visits rebooked for 27 June",
        progress=Seen(),
    )
    assert done == pipeline.SignedOff(out, 21, False, "Ben Okoro")
    assert steps == pipeline.DECLARATION_STEPS[:2]
    assert out.read_bytes().startswith(b"%PDF")
    with pytest.raises(InputError, match="the signing key and its certificate go together"):
        pipeline.sign_off(
            REGISTER, tmp_path / "b.pdf", signed_by="B", role="Exams Officer", key=out
        )


def test_the_declaration_command_says_what_it_did(tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    result = invoke(
        "declaration", REGISTER, "--signed-by", "Ben Okoro", "--role", "Exams Officer",
        "--allow-outstanding", "Visits rebooked for 27 June", "-o", out,
    )  # fmt: skip
    assert result.output == (
        f"Wrote {out}: signed off by Ben Okoro with 21 blocking issues outstanding (reason"
        " printed in the pack).\n"
    )


# ---------------------------------------------------------------------------- rules


def test_rules_knowledge_of_the_demo() -> None:
    register = _register()
    known = pipeline.rules_knowledge(register, (RULES,))
    states = {k.code: k.state for k in known}
    assert states == {
        "05835": "fully known",
        "05836": "fully known",
        "05838": "fully known",
        "05839": "fully known",
        "05843": "partly known",  # GLH only
        "05847": "not known",  # not filled in: the unit GLH are not known either
    }
    catalogue = load_catalogue((RULES,))
    for k in known:
        entry = catalogue.get(k.code)
        assert entry is not None and k.in_catalogue
        assert k.title == entry.qualification.title
        assert k.lines == knowledge_lines(entry.qualification, entry.units)
        expecting = {
            s.candidate_number for s in register.students if s.qualification_code == k.code
        }
        assert k.students == len(expecting) > 0
    # Entered for a size they do not expect (0014 top-up, 0036 move-down): counted apart.
    apart = {k.code: k.entered_expecting_another for k in known if k.entered_expecting_another}
    assert apart == {"05836": 1, "05838": 1}


def test_the_rules_page_the_results_and_the_pack_agree_on_the_demo() -> None:
    """One definition of fully, partly and not known, and one count of students, for the
    Rules of combination page, the register (Results, issues) and the evidence pack."""
    from collections import Counter

    from pypdf import PdfReader

    from ctforms.produce.pack import build_pack

    register = _register()
    known = pipeline.rules_knowledge(register, (RULES,))
    page = {k.code: (k.state, k.students) for k in known}
    listed = {c.code: c.known for c in register.catalogue}
    assert {code: state for code, (state, _) in page.items()} == listed
    # The one combination-unverifiable line per code says the same word.
    for issue in register.issues:
        if issue.kind.value == "combination-unverifiable":
            state = page[issue.qualification_code or ""][0]
            assert state != "fully known"
            assert issue.summary.startswith(
                f"Rules of combination for {issue.qualification_code} {state}:"
            )
    # The pack's Summary by qualification counts the students so.
    per_code = Counter(s.qualification_code for s in register.students)
    assert {code: n for code, (_, n) in page.items()} == dict(per_code)
    text = " ".join(
        (p.extract_text() or "") for p in PdfReader(io.BytesIO(build_pack(register))).pages
    )
    text = " ".join(text.split())
    # Its "Rules of combination used" table: one row per code, the state first.
    states = Counter(state for state, _ in page.values())
    assert {state: text.count(f"{state}; rules:") for state in states} == states
    assert "05847 are not known" in text and "05843 are only partly known" in text


def test_rules_knowledge_of_a_code_the_catalogue_lacks() -> None:
    register = _register()
    student = register.students[0].model_copy(
        update={"qualification_code": "99999", "registered_code": None}
    )
    register.students = [student]
    (k,) = pipeline.rules_knowledge(register)
    assert (k.code, k.state, k.students, k.in_catalogue) == ("99999", "not known", 1, False)


def test_rules_template_is_what_the_command_writes(tmp_path: Path) -> None:
    out = tmp_path / "rules.xlsx"
    args: list[str | Path] = [DEMO / "tracker.csv", "--records", DEMO / "records.xlsx", "-o", out]
    assert invoke("catalogue", "template", *args).exit_code == 0
    made = pipeline.rules_template(DEMO / "tracker.csv", records=DEMO / "records.xlsx")
    assert made.data == out.read_bytes()
    assert "05839" in made.codes and "05847" in made.codes
