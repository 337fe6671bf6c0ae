"""`ctforms entries`: EDI entries file, reader and Interchange listing."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import DEMO, FIXTURES, GOLDEN, invoke
from hypothesis import given, settings
from hypothesis import strategies as st
from office import convert, needs_office

from ctforms.produce import edi
from ctforms.produce.names import NameError_, entry_name, transliterate
from ctforms.read.identifiers import uci_check_character

REGISTER = GOLDEN / "demo-register.json"
CAT = DEMO / "rules.xlsx"
EDI = "E6439572.X01"


def _make(tmp_path: Path, register: Path = REGISTER, *extra: str) -> object:
    return invoke("entries", register, "-o", tmp_path, "--catalogue", CAT, *extra)


def test_demo_entries_file_is_golden(tmp_path: Path) -> None:
    result = _make(tmp_path)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert (tmp_path / EDI).read_bytes() == (GOLDEN / EDI).read_bytes()
    lines = (tmp_path / EDI).read_bytes().split(b"\r\n")
    assert lines[-1] == b"" and all(len(line) == 80 for line in lines[:-1])


def test_demo_entries_read_back_identically(tmp_path: Path) -> None:
    _make(tmp_path)
    data = (tmp_path / EDI).read_bytes()
    read = edi.read_file(data, EDI)
    assert not read.old and edi.write_file(read.records) == data
    kinds = [k for k, _ in read.records]
    # One detail record per entry: the candidate and the entry together (no C, no E record).
    assert kinds == ["1", "5", "5", "5", "9"]
    result = invoke("entries", "read", tmp_path / EDI)
    assert result.exit_code == 0
    assert "MULLER: LENA" in result.stdout and "E5 (entry detail): 3" in result.stdout
    # It says which positions ctforms assumed (the UCI's, 60-72, is a public fact).
    assert "record layout version 2; an entries (E) file" in result.stdout
    assert "E5 entry detail: 2 (record_digit), 3-7 (centre_number)" in result.stdout
    assert "60-72" not in result.stdout


def test_a_file_in_the_first_layout_is_still_read() -> None:
    old = FIXTURES / "layout1" / EDI  # the demo's file as ctforms wrote it before layout 2
    result = invoke("entries", "read", old)
    assert result.exit_code == 0, result.output
    assert "written in ctforms' first record layout (version 1" in result.stdout
    assert "MULLER:LENA" in result.stdout and "C (candidate): 3" in result.stdout
    # What it carried, as `records sent` records it: the "from" code it named too.
    changes = edi.changes_in(old.read_bytes(), EDI)
    assert [c.words() for c in changes] == [
        "0014: 05838 -> 05839",
        "0036: 05836 -> 05835",
        "0063: none -> 05839",
    ]


def test_demo_listing(tmp_path: Path) -> None:
    _make(tmp_path)
    wb = openpyxl.load_workbook(tmp_path / "64395-entries-listing.xlsx")
    ws = wb["Entries"]
    header = next(r for r in range(1, 10) if ws.cell(row=r, column=1).value == "Candidate Number")
    rows = [
        [ws.cell(row=r, column=c).value for c in (1, 8, 9, 11)]
        for r in range(header + 1, header + 4)
    ]
    # From the centre's own records (the Expected sheet): 0014 and 0036 are entered for another
    # size than expected, 0063 has no entry for what they expect.
    assert rows == [
        ["0014", "05838", "05839", "top-up"],
        ["0036", "05836", "05835", "move-down"],
        ["0063", None, "05839", "new entry"],
    ]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("E6439572.X01, the series' entries (E) file" in t for t in texts)
    assert any("upload it once" in t for t in texts)
    assert any("'Record layout' sheet says which positions are assumed" in t for t in texts)
    assert any(t.startswith("Not in the EDI file: candidate 0099") for t in texts)
    # The top-up's and the move-down's old entries: not by EDI, each with OCR's route.
    by_hand = [t for t in texts if t.startswith("Not by EDI: candidate")]
    assert by_hand == [
        "Not by EDI: candidate 0014 Müller, Lena: the top-up adds the 05839 entry; the 05838"
        " entry stays until it is withdrawn: withdraw it through the Progress Tracker"
        " (qualification withdrawals) once 05839 shows there, or ask OCR's vocational"
        " processing team by email (vqprocessing@ocr.org.uk) to change 05838 to 05839.",
        "Not by EDI: candidate 0036 Hill, Ruby: the move-down adds the 05835 entry; the 05836"
        " entry stays until it is withdrawn: withdraw it through the Progress Tracker"
        " (qualification withdrawals) once 05835 shows there, or ask OCR's vocational"
        " processing team by email (vqprocessing@ocr.org.uk) to change 05836 to 05835.",
    ]
    layout = wb["Record layout"]
    rows_ = {(r[0], r[2]): r for r in layout.iter_rows(min_row=5, values_only=True)}
    uci, code = rows_[("E5 entry detail", "uci")], rows_[("E5 entry detail", "entry_code")]
    assert uci[1] == "60-72" and "AQA" in uci[3] and uci[4] is None  # a public fact
    assert code[1] == "12-17" and "6-character" in code[3] and code[4] == "position 12-17"
    urgent = wb["Urgent request"]["A2"].value
    assert "Qualification entry (registration) change" in urgent and "0014" in urgent
    # Printed landscape, one page wide, the header repeated; tall enough rows.
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows is not None
    # 0012's move-down is only ctforms' proposal: listed, not in the file.
    assert "Proposed changes, not in the EDI file" in texts
    assert (
        "0012 Bennett, Harry: move-down 05839 -> 05838: proposed, not in the file until"
        " confirmed (on the Decisions page, or in records.xlsx, sheet Entry Decisions: 0012,"
        " 05838, Y, your name)"
    ) in texts


def _decisions(tmp_path: Path, *rows: list[object]) -> Path:
    """The demo's records.xlsx with an Entry Decisions sheet."""
    wb = openpyxl.load_workbook(DEMO / "records.xlsx")
    ws = wb.create_sheet("Entry Decisions")
    ws.append(
        ["Candidate Number", "Qualification Code", "Make the Change (Y/N)", "Decided By", "Date"]
    )
    for row in rows:
        ws.append(row)
    path = tmp_path / "records.xlsx"
    wb.save(path)
    return path


def _register_from(tmp_path: Path, records: Path) -> Path:
    out = tmp_path / "issues.json"
    args: list[str | Path] = [DEMO / "tracker.csv", "--centre", DEMO / "centre.toml"]
    args += ["--records", records]
    # Judged on the day of the decisions (12/06): a check dated before them does not use them.
    result = invoke(
        "check", *args, "--catalogue", CAT, "--as-of", "2024-06-12", "--format", "json", "-o", out
    )
    assert result.exit_code == 1, result.output
    return out


def test_a_confirmed_move_down_goes_into_the_file(tmp_path: Path) -> None:
    records = _decisions(tmp_path, ["0012", "05838", "Y", "Ben Okoro", "12/06/2024"])
    register = _register_from(tmp_path, records)
    issue = next(
        i
        for i in json.loads(register.read_text())["issues"]
        if i["id"] == "move-down-available/0012/05839/-"
    )
    assert issue["decision"] == {
        "make_change": True,
        "decided_by": "Ben Okoro",
        "date": "2024-06-12",
        "row": 2,
        "change": "move-down",
        "code": "05838",
        "entries_file": None,
    }
    # Every output now says what was decided, not "decide"; the decision closes the proposal
    # (the change is made from the file, so it stays in it).
    assert issue["action"].startswith(
        "Move-down to 05838 confirmed by Ben Okoro on 12/06/2024 (Entry Decisions); it goes in"
        " the next entries file. Upload that file (the entries listing"
        " 64395-entries-listing.xlsx names it)"
    )
    assert issue["remedy"] == (
        "decided: move-down to 05838 confirmed by Ben Okoro on 12/06/2024; it goes in the next"
        " entries file"
    )
    # The change itself is still to be made: open, not blocking, until its file is sent.
    assert not issue["handled"] and issue["severity"] == "warning"
    out = tmp_path / "entries"
    result = invoke("entries", register, "-o", out, "--catalogue", CAT)
    assert result.exit_code == 0, result.output
    # A move-down is a new entry for its target code: no change flag, no "from" code.
    assert b"E564395001205838 BENNETT: HARRY" in (out / EDI).read_bytes()
    ws = openpyxl.load_workbook(out / "64395-entries-listing.xlsx")["Entries"]
    whys = [c.value for c in ws["L"] if isinstance(c.value, str)]
    assert any(w.endswith("Confirmed by Ben Okoro on 12/06/2024 (Entry Decisions)") for w in whys)


def test_a_declined_move_down_stays_out_and_says_who_declined(tmp_path: Path) -> None:
    records = _decisions(tmp_path, ["0012", "05838", "N", "Ben Okoro", None])
    register = _register_from(tmp_path, records)
    issue = next(
        i
        for i in json.loads(register.read_text())["issues"]
        if i["id"] == "move-down-available/0012/05839/-"
    )
    # A decision not to is a decision: the proposal is handled and says so.
    assert issue["handled"] and issue["remedy"] == "none: declined"
    assert issue["action"].startswith("Move-down to 05838 declined by Ben Okoro (Entry")
    out = tmp_path / "entries"
    result = invoke("entries", register, "-o", out, "--catalogue", CAT)
    assert result.exit_code == 0, result.output
    assert b"E5643950012" not in (out / EDI).read_bytes()
    assert (
        "entries: 0012 Bennett, Harry: move-down 05839 -> 05838: declined by Ben Okoro; not in"
        " the file"
    ) in result.output


def test_a_decision_for_no_proposal_is_a_warning(tmp_path: Path) -> None:
    records = _decisions(tmp_path, ["0001", "05838", "Y", "Ben Okoro", None])
    register = json.loads(_register_from(tmp_path, records).read_text())
    assert (
        "records.xlsx Entry Decisions row 2: no proposed move-down or top-up of candidate 0001"
        " to 05838 in this register"
    ) in register["warnings"]


def test_records_template_has_the_entry_decisions_sheet(tmp_path: Path) -> None:
    result = invoke("records", "template", "-o", tmp_path / "r.xlsx")
    assert result.exit_code == 0
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["Entry Decisions"]
    assert [c.value for c in ws[1]] == [
        "Candidate Number",
        "Qualification Code",
        "Make the Change (Y/N)",
        "Decided By",
        "Date",
    ]


def test_an_edi_file_is_never_overwritten(tmp_path: Path) -> None:
    _make(tmp_path)
    again = _make(tmp_path, REGISTER, "--sequence", "1", "--force")
    assert again.exit_code == 2  # type: ignore[attr-defined]
    assert "never overwritten; give sequence 2 for the next file" in again.stderr  # type: ignore[attr-defined]
    assert _make(tmp_path, REGISTER, "--sequence", "2", "--force").exit_code == 0  # type: ignore[attr-defined]
    assert (tmp_path / "E6439572.X02").exists()
    # Left to itself, the next file takes the next sequence, or keeps the last one's name when
    # it holds exactly the same entries.
    kept = (tmp_path / "E6439572.X02").read_bytes()
    assert _make(tmp_path, REGISTER, "--force").exit_code == 0  # type: ignore[attr-defined]
    assert (tmp_path / "E6439572.X02").read_bytes() == kept
    assert not (tmp_path / "E6439572.X03").exists()


def _register_with(tmp_path: Path, edit: object) -> Path:
    data = json.loads(REGISTER.read_text("utf-8"))
    assert callable(edit)
    edit(data)
    path = tmp_path / "issues.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _issue(data: dict[str, list[dict[str, Any]]], ident: str) -> dict[str, Any]:
    return next(i for i in data["issues"] if i["id"] == ident)


def test_cross_subject_change_is_refused(tmp_path: Path) -> None:
    def edit(data: dict) -> None:  # type: ignore[type-arg]
        _issue(data, "wrong-size-entry/0014/05839/-")["evidence"]["registered_code"] = "05835"

    result = _make(tmp_path, _register_with(tmp_path, edit))
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "not within the same subject" in result.stderr  # type: ignore[attr-defined]


def test_conflicting_changes_are_refused(tmp_path: Path) -> None:
    def edit(data: dict) -> None:  # type: ignore[type-arg]
        # A second issue for 0012 asking for a new 05839 entry, against its move-down to 05838
        # (confirmed by the centre, so it is a change, not only a proposal).
        move = _issue(data, "move-down-available/0012/05839/-")
        move["decision"] = {"make_change": True, "decided_by": "BO", "date": None}
        clone = json.loads(json.dumps(move))
        clone["id"] = "no-qualification-entry/0012/05839/-"
        clone["kind"] = "no-qualification-entry"
        clone["evidence"] = {"expected_code": "05839"}
        data["issues"].append(clone)

    result = _make(tmp_path, _register_with(tmp_path, edit))
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "candidate 0012: the register asks for two different" in result.stderr  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("uci", "643950220014A", "UCI fails its check character"),
        ("uln", "4001108664", "ULN fails its check digit"),
    ],
)
def test_bad_candidates_stop_the_command(
    tmp_path: Path, field: str, value: str, words: str
) -> None:
    def edit(data: dict) -> None:  # type: ignore[type-arg]
        _issue(data, "wrong-size-entry/0014/05839/-")["candidate"][field] = value

    result = _make(tmp_path, _register_with(tmp_path, edit))
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "candidate 0014" in result.stderr  # type: ignore[attr-defined]
    assert words in result.stderr  # type: ignore[attr-defined]
    assert value not in result.stderr  # type: ignore[attr-defined]
    assert not (tmp_path / EDI).exists()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("surname", "Müller 3rd", "the surname has a character the entries file cannot carry"),
        ("forenames", "مريم", "the forenames have 3 characters the entries file cannot carry"),
    ],
)
def test_a_name_not_carried_leaves_only_that_change_out(
    tmp_path: Path, field: str, value: str, words: str
) -> None:
    def edit(data: dict) -> None:  # type: ignore[type-arg]
        _issue(data, "wrong-size-entry/0014/05839/-")["candidate"][field] = value

    result = _make(tmp_path, _register_with(tmp_path, edit))
    assert result.exit_code == 0  # type: ignore[attr-defined]
    said = result.stdout  # type: ignore[attr-defined]
    assert "candidate 0014" in said and words in said and value not in said
    assert "make this change in Interchange by hand (the name cannot be carried)" in said
    assert b"E5643950014" not in (tmp_path / EDI).read_bytes()


def test_names() -> None:
    # AQA's example: BURNS: EMMA KAY (a colon and a space; a colon at the end with no forename).
    assert entry_name("Burns", "Emma Kay") == ("BURNS: EMMA KAY", False)
    assert entry_name("Nowak", "Zoë") == ("NOWAK: ZOE", False)
    assert entry_name("Østergård", "Søren") == ("OSTERGARD: SOREN", False)
    assert entry_name("O'Brien", "Siobhán") == ("O'BRIEN: SIOBHAN", False)
    assert entry_name("Smith-Jones", "") == ("SMITH-JONES:", False)
    long, cut = entry_name("Featherstonehaugh-Cholmondeley", "Alexandra Josephine")
    # 41 characters with the first forename whole: every forename as an initial then.
    assert (long, cut) == ("FEATHERSTONEHAUGH-CHOLMONDELEY: A J", True)
    with pytest.raises(NameError_):
        transliterate("Anne 2")


def test_published_identifier_examples() -> None:
    from ctforms.read.identifiers import uci_is_valid, uln_is_valid

    assert uln_is_valid("9276308686") and not uln_is_valid("9276308685")
    assert uci_is_valid("681990012058G") and uci_is_valid("689990980001D")
    assert not uci_is_valid("681990012058H")


def test_read_refuses_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "E1234572.X01"
    bad.write_bytes(b"H123\r\n")
    result = invoke("entries", "read", bad)
    assert result.exit_code == 2
    assert "row 1" in result.stderr and "not 80" in result.stderr


def test_read_refuses_a_record_of_another_data_type_or_a_mixed_file(tmp_path: Path) -> None:
    _make(tmp_path)
    good = (tmp_path / EDI).read_bytes().split(b"\r\n")
    bad = tmp_path / "bad" / EDI
    bad.parent.mkdir()
    bad.write_bytes(b"\r\n".join([good[0], b"R" + good[1][1:], *good[2:]]))
    result = invoke("entries", "read", bad)
    assert result.exit_code == 2
    assert "row 2" in result.stderr and "not a data type letter (E, A)" in result.stderr
    bad.write_bytes(b"\r\n".join([good[0], b"A" + good[1][1:], *good[2:]]))
    result = invoke("entries", "read", bad)
    assert result.exit_code == 2 and "different data type letters (A, E)" in result.stderr


LETTERS = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ'- ÀÉÖØÆßabcdeé", min_size=1, max_size=30)


@st.composite
def candidates(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    number = f"{draw(st.integers(1, 9999)):04d}"
    serial = draw(st.integers(0, 9999))
    first12 = f"643950{draw(st.integers(20, 29))}{serial:04d}"
    uci = first12 + (uci_check_character(first12) or "")
    surname = draw(LETTERS.filter(lambda s: s.strip(" '-") != ""))
    forenames = draw(LETTERS)
    try:
        name, _ = entry_name(surname, forenames)
    except NameError_:
        name = "X: Y"
    dob = draw(st.dates()).strftime("%d%m%Y")
    return number, {
        "data_type": "E",
        "centre_number": "64395",
        "candidate_number": number,
        "entry_code": draw(st.sampled_from(["05839", "05838", "A123BC"])),
        "name": name,
        "uci": uci,
        "date_of_birth": dob,
    }


@pytest.mark.slow  # 200 drawn examples
@settings(max_examples=200, deadline=None)
@given(st.lists(candidates(), min_size=1, max_size=20))
def test_any_valid_candidate_round_trips(cands: list[tuple[str, dict[str, str]]]) -> None:
    records: list[tuple[str, edi.Record]] = [
        (
            "1",
            {
                "data_type": "E",
                "centre_number": "64395",
                "series": "09",
                "year": "2024",
                "sequence": "01",
                "prepared_on": "20240610",
            },
        )
    ]
    records += [("5", cand) for _, cand in cands]
    n = len(cands)
    records.append(
        ("9", {"data_type": "E", "detail_records": f"{n:06d}", "total_records": f"{n + 2:07d}"})
    )
    data = edi.write_file(records)
    lines = data.split(b"\r\n")
    assert all(len(line) == edi.load_layout().record_width for line in lines[:-1])
    back = edi.read_file(data, "E6439572.X01").records
    assert edi.write_file(back) == data
    for (_, wrote), (_, read) in zip(records, back, strict=True):
        for key, value in wrote.items():
            assert read[key].strip() == value.strip() or read[key] == value.zfill(len(read[key]))


def test_a_value_that_does_not_fit_the_layout_is_refused() -> None:
    from ctforms.errors import InputError

    detail = {"data_type": "E", "centre_number": "64395", "name": "A: B"}
    with pytest.raises(InputError, match=r"5.entry_code '05839-X' is longer than 6"):
        edi.write_file([("5", {**detail, "candidate_number": "0001", "entry_code": "05839-X"})])
    with pytest.raises(InputError, match="longer than 4"):
        edi.write_file([("5", {**detail, "candidate_number": "00001", "entry_code": "05839"})])
    with pytest.raises(InputError, match="data type 'R' is not one of E, A"):
        edi.write_file([("5", {**detail, "data_type": "R", "candidate_number": "0001"})])


@needs_office
def test_the_listing_prints_each_row_clear_of_the_next(tmp_path: Path) -> None:
    """The long 'Why' of a confirmed move-down (0012) wraps within its row when LibreOffice
    prints the listing: its last line sits above the next row's first, and a date of birth at
    the top of its row, beside the name (the officer saw them overlap)."""
    from pypdf import PdfReader

    records = _decisions(tmp_path, ["0012", "05838", "Y", "Ben Okoro", "12/06/2024"])
    register = _register_from(tmp_path, records)
    out = tmp_path / "entries"
    assert invoke("entries", register, "-o", out, "--catalogue", CAT).exit_code == 0
    pdf = convert(out / "64395-entries-listing.xlsx", "pdf", tmp_path / "pdf")
    heights: dict[str, list[float]] = {}

    def seen(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        for word in text.split():
            heights.setdefault(word, []).append(tm[5])  # y of the baseline: up the page

    PdfReader(pdf).pages[0].extract_text(visitor_text=seen)
    # 0012's Why ends "(Entry Decisions)"; the next row starts with candidate 0014.
    # One line: the closest two baselines on the page (where the Why's lines fall depends
    # on the widths the columns are given to fit the page).
    baselines = sorted({round(y, 1) for ys in heights.values() for y in ys})
    line = min(b - a for a, b in pairwise(baselines) if b - a > 1)
    last_of_0012 = min(heights["Decisions)"])
    first_of_0014 = max(heights["0014"])
    assert last_of_0012 - first_of_0014 >= 0.9 * line > 0
    assert max(heights["28/10/2005"]) == max(heights["Bennett"])  # 0012's date of birth
