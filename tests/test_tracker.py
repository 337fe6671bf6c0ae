"""Reading the Progress Tracker CSV: messy exports read right, bad ones refused clearly."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from conftest import BAD, DEMO, FIXTURES, invoke

from ctforms.errors import InputError
from ctforms.models import Tracker
from ctforms.read.tracker import parse_tracker

CENTRE = str(DEMO / "centre.toml")

# fixture -> (words the message must contain, row, column)
REFUSALS = {
    "missing-column.csv": ("required column 'Unit Status' not found", 1, "Unit Status"),
    "uln-scientific.csv": ("spreadsheet program", 2, "ULN"),
    "uln-check-digit.csv": ("fails its check digit", 2, "ULN"),
    "uci-check-character.csv": ("fails its check character", 2, "UCI"),
    "bad-date.csv": ("the date of birth is not a real date", 2, "Date of Birth"),
    "unknown-status.csv": ("unknown unit status 'Result pending'", 3, "Unit Status"),
    "unknown-grade.csv": ("unknown grade 'A*'", 2, "Unit Grade"),
    "conflicting-rows.csv": ("also on row 2", 3, "Unit Status"),
    "centre-mismatch.csv": ("not this centre's (64395", 2, "Centre Number"),
    "empty.csv": ("the file is empty", None, None),
    "header-only.csv": ("no data rows", None, None),
    "excel-workbook.csv": ("this is an Excel workbook (.xlsx), not a CSV", None, None),
    "binary-file.csv": ("this is not a text file", None, None),
}


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_bad_tracker_is_refused_with_one_line(name: str) -> None:
    words, row, column = REFUSALS[name]
    result = invoke("check", BAD / name, "--centre", CENTRE, "--as-of", "2024-06-10")
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith(f"Error: {name}")
    assert words in line
    if row is not None:
        assert f"row {row}," in line
        assert f"column '{column}'" in line
    assert "Traceback" not in result.output


def test_every_bad_fixture_has_a_test() -> None:
    assert {p.name for p in BAD.glob("*.csv")} == set(REFUSALS)


def _read(data: bytes, **kw: object) -> Tracker:
    return parse_tracker(data, "t.csv", centre_number="64395", **kw)  # type: ignore[arg-type]


def _dump(t: Tracker) -> dict[str, object]:
    out = t.model_dump(exclude={"warnings": True, "rows": True})
    for cand in out["candidates"].values():
        cand.pop("first_row")
        for entry in cand["entries"].values():
            for unit in entry["units"].values():
                unit.pop("row")
    return out


CLEAN = (FIXTURES / "good-minimal.csv").read_bytes()


def test_clean_minimal_reads() -> None:
    t = _read(CLEAN)
    cand = t.candidates["0001"]
    assert cand.surname == "O'Brien" and cand.forenames == "Siobhán"
    assert cand.uln == "9276308686" and cand.uci == "681990012058G"
    assert set(cand.entries["05839"].units) == {1, 2}


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda b: b"\xef\xbb\xbf" + b, id="utf8-bom"),
        pytest.param(lambda b: b.decode().encode("cp1252"), id="windows-1252"),
        pytest.param(lambda b: b.replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(lambda b: b.replace(b"\n", b"\n\n,,,\n", 1) + b"\n\n", id="blank-lines"),
        pytest.param(lambda b: b.replace(b",", b" , "), id="stray-spaces"),
        pytest.param(
            lambda b: b.replace(b",0001,", b",1,").replace(b",05839,", b",5839,"),
            id="lost-leading-zeros",
        ),
        pytest.param(
            lambda b: b.replace(b"Candidate Number", b"cand no").replace(
                b"Forenames", b"FIRST NAME"
            ),
            id="header-aliases",
        ),
    ],
)
def test_messy_exports_read_the_same(mangle: object) -> None:
    assert callable(mangle)
    assert _dump(_read(mangle(CLEAN))) == _dump(_read(CLEAN))


def test_windows_1252_is_detected_and_said() -> None:
    t = _read(CLEAN.decode().encode("cp1252"))
    assert any("Windows-1252" in w for w in t.warnings)
    assert t.candidates["0001"].forenames == "Siobhán"


def test_columns_in_any_order_and_extra_columns() -> None:
    lines = [line.split(",") for line in CLEAN.decode().strip().split("\n")]
    order = list(range(len(lines[0])))
    random.Random(4).shuffle(order)
    shuffled = [[row[i] for i in order] + ["ignored"] for row in lines]
    shuffled[0][-1] = "Teacher Notes"
    data = "\n".join(",".join(r) for r in shuffled).encode()
    assert _dump(_read(data)) == _dump(_read(CLEAN))


def test_identical_duplicate_rows_are_merged_with_a_warning() -> None:
    lines = CLEAN.decode().strip().split("\n")
    data = ("\n".join([*lines, lines[1]]) + "\n").encode()
    t = _read(data)
    assert _dump(t) == _dump(_read(CLEAN))
    assert any("repeats row 2" in w for w in t.warnings)


def test_column_mapping_from_centre_toml() -> None:
    data = CLEAN.replace(b"Unit Status", b"Progress")
    with pytest.raises(InputError):
        _read(data)
    t = _read(data, mapping={"Progress": "unit_status"})
    assert _dump(t) == _dump(_read(CLEAN))


def test_forced_encoding() -> None:
    data = CLEAN.decode().encode("cp1252")
    t = _read(data, encoding="cp1252")
    assert t.candidates["0001"].forenames == "Siobhán"
    with pytest.raises(InputError, match="not valid utf-8"):
        _read(data, encoding="utf-8")


def test_conflicting_candidate_details_are_refused() -> None:
    lines = CLEAN.decode().strip().split("\n")
    lines[2] = lines[2].replace("02/11/2005", "03/11/2005")
    with pytest.raises(InputError, match="different date of birth here than on row 2") as err:
        _read("\n".join(lines).encode())
    assert "row 3" in str(err.value)


def test_missing_file(tmp_path: Path) -> None:
    result = invoke("check", tmp_path / "nope.csv", "--centre", CENTRE)
    assert result.exit_code == 2
    assert "nope.csv: file not found" in result.stderr


def test_unit_records_are_validated_inside_models() -> None:
    from ctforms.models import QualificationEntry, UnitRecord, UnitStatus

    entry = QualificationEntry.model_validate(
        {
            "code": "05839",
            "certification": {"text": "Withdrawn", "state": "withdrawn"},
            "units": {"9": {"number": 9, "status": "Claim submitted", "row": 4}},
        }
    )
    assert entry.units[9] == UnitRecord(9, UnitStatus.CLAIM_SUBMITTED, row=4)
    with pytest.raises(ValueError, match="status"):
        QualificationEntry.model_validate(
            {
                "code": "05839",
                "certification": {"text": "Withdrawn", "state": "withdrawn"},
                "units": {"9": {"number": 9, "status": "Lost", "row": 4}},
            }
        )


def test_progress_is_reported_while_reading() -> None:
    lines = CLEAN.decode().strip().split("\n")
    body = [lines[1].replace(",1,Examined", f",{u},Examined") for u in range(1, 60)]
    seen: list[float] = []
    data = ("\n".join([lines[0], *body]) + "\n").encode()
    from ctforms.read import tracker

    tracker.parse_tracker(data, "t.csv", centre_number="64395", progress=seen.append)
    assert seen and seen[-1] == 1.0 and seen == sorted(seen)
