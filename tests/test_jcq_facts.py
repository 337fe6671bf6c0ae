"""An independent reader of the entries files the CLI writes, built from the public facts of the
JCQ format alone (DOMAIN.md, "Entries and identifiers"), never from ctforms' layout data: the
positions, widths and record types are written here literally, so the writer cannot drift from
the facts unnoticed (issue 21, item 4)."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import Result
from conftest import DEMO, FIXTURES, invoke

CENTRE = "64395"
CRLF = b"\r\n"
WIDTH = 80  # every record 80 characters
UCI = slice(
    59, 72
)  # AQA: the UCI "goes in positions 60-72 in the entries and amendments detail record"
DETAIL_DIGIT = "5"  # results detail R5, basedata options O5: entries detail E5, amendments A5
NAME_MAX = 40  # candidate name up to 40 characters, SURNAME: FORENAME(S)
CODE_WIDTH = 6  # entry codes sit in 6-character alphanumeric fields
FILE_NAME = re.compile(r"(?P<type>[EA])(?P<centre>\d{5})72\.X(?P<seq>\d\d)")  # OCR vocational: 72
UCI_LETTERS = "ABCDEFGHKLMRTVWXY"


def uci_is_valid(uci: str) -> bool:
    """JCQ: weights 16, 15, ..., 5 over the first 12 digits, sum mod 17, into the letters."""
    if not re.fullmatch(r"\d{12}[A-Z]", uci):
        return False
    total = sum(int(d) * w for d, w in zip(uci[:12], range(16, 4, -1), strict=True))
    return UCI_LETTERS[total % 17] == uci[12]


def read(path: Path) -> tuple[str, list[str]]:
    """The file's data type letter and its records, each checked against the facts: CRLF
    lines, 80 characters, beginning with the data type letter and a record-type digit."""
    m = FILE_NAME.fullmatch(path.name)
    assert m is not None and m["centre"] == CENTRE, path.name
    data = path.read_bytes()
    assert data.endswith(CRLF)
    lines = [line.decode("ascii") for line in data.split(CRLF)[:-1]]
    for line in lines:
        assert len(line) == WIDTH, line
        assert line[0] == m["type"] and line[1].isdigit(), line
    return m["type"], lines


def details(lines: list[str]) -> dict[str, str]:
    """The detail records by candidate number (one per candidate entry here: no two for one)."""
    found: dict[str, str] = {}
    for line in lines:
        if line[1] != DETAIL_DIGIT:
            continue
        number = next(n for n in TRACKER if n in line[: UCI.start])
        assert number not in found, f"two detail records for {number}"
        found[number] = line
    return found


def _tracker() -> dict[str, str]:
    with (DEMO / "tracker.csv").open(encoding="utf-8") as f:
        return {row["Candidate Number"]: row["UCI"] for row in csv.DictReader(f)}


TRACKER = _tracker()


DEMO_CODES = ("05835", "05836", "05838", "05839")  # the demo's qualification sizes of one subject


def code_fields(line: str) -> set[str]:
    """The demo's qualification codes a record holds before the UCI."""
    return {code for code in DEMO_CODES if code in line[: UCI.start]}


def check_detail(line: str, number: str, name: str, code: str, old: str | None) -> None:
    uci = TRACKER[number]
    assert line[UCI] == uci and uci_is_valid(line[UCI]), line
    assert re.search(rf"\b{re.escape(name)}\b", line) and len(name) <= NAME_MAX, line
    assert ": " in name  # SURNAME: FORENAMES
    # The entry is the target code in a 6-character field, and nothing else: no "from" code,
    # no change flag after the code.
    assert code_fields(line) == {code}, line
    at = line.index(code)
    assert line[at : at + CODE_WIDTH] == code.ljust(CODE_WIDTH), line
    if old is not None:
        assert old not in line, line


def _records(tmp_path: Path) -> Path:
    records = tmp_path / "records.xlsx"
    shutil.copyfile(DEMO / "records.xlsx", records)
    return records


def _run(records: Path, out: Path, as_of: str) -> Result:
    result = invoke(
        "run", DEMO / "tracker.csv", "--centre", DEMO / "centre.toml", "--records", records,
        "--catalogue", DEMO / "rules.xlsx", "--as-of", as_of, "-o", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return result


def _listing_texts(folder: Path) -> list[str]:
    ws = openpyxl.load_workbook(folder / f"{CENTRE}-entries-listing.xlsx")["Entries"]
    return [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]


@pytest.mark.slow  # several whole checks in a row
def test_the_entries_then_the_amendment_file_hold_the_public_facts(tmp_path: Path) -> None:
    records = _records(tmp_path)
    first, second = tmp_path / "first", tmp_path / "second"
    _run(records, first, "2024-06-10")
    data_type, lines = read(first / "E6439572.X01")
    assert data_type == "E"
    found = details(lines)
    # The demo's records: 0014 a top-up 05838 -> 05839, 0036 a move-down 05836 -> 05835, 0063
    # no entry for 05839. Each is an entry for its target code.
    assert sorted(found) == ["0014", "0036", "0063"]
    check_detail(found["0014"], "0014", "MULLER: LENA", "05839", old="05838")
    check_detail(found["0036"], "0036", "HILL: RUBY", "05835", old="05836")
    check_detail(found["0063"], "0063", "STEWART: NIAMH", "05839", old=None)
    assert not any("05838" in line or "05836" in line for line in lines)
    # What EDI may not carry is in the listing, with OCR's route for it.
    texts = _listing_texts(first)
    for number, old in (("0014", "05838"), ("0036", "05836")):
        (said,) = [t for t in texts if t.startswith(f"Not by EDI: candidate {number}")]
        assert f"the {old} entry stays until it is withdrawn" in said
        assert "Progress Tracker" in said and "vqprocessing@ocr.org.uk" in said

    # Sent; then 0012's move-down 05839 -> 05838 is confirmed: the next file is an amendment
    # file whose every record begins with A, carrying 0012's entry for 05838 only.
    sent = invoke(
        "records", "sent", records, "--file", first / "E6439572.X01", "--on", "2024-06-10",
        "--by", "Ben Okoro",
    )  # fmt: skip
    assert sent.exit_code == 0, sent.output
    decided = invoke(
        "records", "decide", records, "--candidate", "0012", "--qualification", "05838",
        "--make-change", "--by", "Ben Okoro", "--date", "2024-06-11",
    )  # fmt: skip
    assert decided.exit_code == 0, decided.output
    _run(records, second, "2024-06-12")
    assert not (second / "E6439572.X02").exists()
    data_type, lines = read(second / "A6439572.X02")
    assert data_type == "A"
    found = details(lines)
    assert sorted(found) == ["0012"]
    check_detail(found["0012"], "0012", "BENNETT: HARRY", "05838", old="05839")
    assert not any("05839" in line for line in lines)
    assert any(
        t.startswith("Not by EDI: candidate 0012 Bennett, Harry") for t in _listing_texts(second)
    )


def test_a_file_sent_in_the_first_layout_is_still_read_when_recorded(tmp_path: Path) -> None:
    # The demo's file as ctforms wrote it before layout 2 (one-letter records, a change flag and
    # a "from" code): recorded as sent, its changes are left out of the next file.
    records = _records(tmp_path)
    old = FIXTURES / "layout1" / "E6439572.X01"
    sent = invoke(
        "records", "sent", records, "--file", old, "--on", "2024-06-10", "--by", "Ben Okoro"
    )
    assert sent.exit_code == 0, sent.output
    assert "it carried 3 changes" in sent.output
    out = tmp_path / "out"
    result = _run(records, out, "2024-06-12")
    assert "every change an EDI file can carry was sent already, in E6439572.X01" in result.output
    assert not list(out.glob("?6439572.X*"))
    read_back = invoke("entries", "read", old)
    assert "first record layout (version 1" in read_back.stdout
