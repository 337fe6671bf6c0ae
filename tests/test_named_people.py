"""The people and names a run prints are the centre's: who may sign off, names the entries file
cannot carry or must shorten, and a check dated outside the results year (issue 17, 9-11;
issue 18, 6)."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
from conftest import DEMO, invoke

from ctforms.produce import edi
from ctforms.produce.names import MAX, entry_name

LONG_SURNAME = "Abcdefghij Klmnopqrst-Uvwxyzabcd Efghijklmn Opq"
LONG_FORENAMES = "Alexandra Bartholomew Christabel"
EDI = "E6439572.X01"
LISTING = "64395-entries-listing.xlsx"


def _demo_with_names(tmp_path: Path, names: dict[str, tuple[str, str]]) -> Path:
    """A copy of the demo centre whose tracker gives these candidates these names."""
    folder = tmp_path / "centre"
    shutil.copytree(DEMO, folder)
    tracker = folder / "tracker.csv"
    lines = tracker.read_text("utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        cells = line.split(",")
        if len(cells) > 5 and cells[1] in names:
            cells[4], cells[5] = names[cells[1]]
            lines[i] = ",".join(cells)
    tracker.write_text("".join(lines), "utf-8")
    return folder


def _run(folder: Path, out: Path, *extra: str) -> object:
    return invoke(
        "run",
        folder / "tracker.csv",
        "--centre",
        folder / "centre.toml",
        "--records",
        folder / "records.xlsx",
        "--catalogue",
        folder / "rules.xlsx",
        "--as-of",
        "2024-06-10",
        "-o",
        out,
        *extra,
    )


def _texts(path: Path) -> list[str]:
    ws = openpyxl.load_workbook(path)["Entries"]
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


# ---------------------------------------------------------------- 17.11 a name not carried


def test_a_name_the_file_cannot_carry_leaves_that_change_out_and_makes_the_rest(
    tmp_path: Path,
) -> None:
    # 0014 has a top-up; a digit in the surname is not in the entries alphabet.
    folder = _demo_with_names(tmp_path, {"0014": ("Müller 3rd", "Lena")})
    out = tmp_path / "out"
    result = _run(folder, out)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    said = (
        "candidate 0014: top-up 05838 -> 05839: make this change in Interchange by hand (the"
        " name cannot be carried)"
    )
    assert said in result.stdout  # type: ignore[attr-defined]
    assert "Müller 3rd" not in result.output  # type: ignore[attr-defined]
    records = edi.read_file((out / EDI).read_bytes(), EDI)
    in_file = [r["candidate_number"] for kind, r in records if kind == "C"]
    assert in_file == ["0036", "0063"]
    assert any(t.startswith(f"Not in the EDI file: {said}") for t in _texts(out / LISTING))
    # Every other output is made: the forms, the pack, the archive.
    for name in (
        "issues.json",
        "64395-incorrect-unit-grade-claimed.xlsx",
        "64395-declaration-evidence-pack.pdf",
        "64395-submission-archive.zip",
    ):
        assert (out / name).is_file(), name


def test_when_no_name_can_be_carried_no_file_is_made_and_it_says_why(tmp_path: Path) -> None:
    bad = ("Nowak 2", "Anna")
    folder = _demo_with_names(tmp_path, {"0014": bad, "0036": bad, "0063": bad})
    out = tmp_path / "out"
    result = _run(folder, out)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert not (out / EDI).exists()
    assert "no change below could go into an EDI file" in result.stdout  # type: ignore[attr-defined]
    assert result.stdout.count("the name cannot be carried") == 3  # type: ignore[attr-defined]
    assert (out / LISTING).is_file()


# ---------------------------------------------------------------- 18.6 long names


def test_a_long_name_keeps_a_forename_initial_and_is_listed_in_full(tmp_path: Path) -> None:
    folder = _demo_with_names(tmp_path, {"0036": (LONG_SURNAME, LONG_FORENAMES)})
    out = tmp_path / "out"
    result = _run(folder, out)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    records = edi.read_file((out / EDI).read_bytes(), EDI)
    name = next(r["name"] for kind, r in records if kind == "C" and r["candidate_number"] == "0036")
    assert name == "ABCDEFGHIJ KLMNOPQRST-UVWXYZABCD EFGHI:A"
    assert "name shortened" in result.stderr  # type: ignore[attr-defined]
    texts = _texts(out / LISTING)
    assert "Names shortened to fit the entries file (40 characters at most)" in texts
    assert f"0036: {name} (full name: {LONG_SURNAME}, {LONG_FORENAMES})" in texts


def test_the_shortening_rule_in_order() -> None:
    cut = [
        ("Smith", "Alexandra Bartholomew Christabel Dorothea Eleanor", "SMITH:ALEXANDRA B C D E"),
        ("Abcdefghijklmnopqrstuvwxyz", LONG_FORENAMES, "ABCDEFGHIJKLMNOPQRSTUVWXYZ:ALEXANDRA B C"),
        ("Featherstonehaugh-Cholmondeley", "Alexandra Josephine", None),
        ("Abcdefghijklmnopqrstuvwxyzabcdefg", "Mary-Jane Bartholomew", None),
        ("Featherstonehaugh-Cholmondeley-Smithson", "Alexandra", None),
        ("Featherstonehaugh-Cholmondeley-Smithsonian", "", None),
    ]
    made = [entry_name(s, f)[0] for s, f, _ in cut]
    assert made[0] == cut[0][2] and made[1] == cut[1][2]
    assert made[2] == "FEATHERSTONEHAUGH-CHOLMONDELEY:ALEXANDRA"
    assert made[3] == "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG:M B"
    # The surname alone does not fit: it is cut, never the first forename's initial.
    assert made[4] == "FEATHERSTONEHAUGH-CHOLMONDELEY-SMITHSO:A"
    assert made[5] == "FEATHERSTONEHAUGH-CHOLMONDELEY-SMITHSON:"
    assert all(len(m) <= MAX for m in made)
    assert entry_name("Smith", "Anna") == ("SMITH:ANNA", False)


def test_the_name_rule_is_data_with_its_source() -> None:
    rule = edi.load_layout().candidate_name
    assert rule.max_length == MAX == 40
    assert "DOMAIN.md" in rule.source and "assumption" in rule.source
    assert len(rule.shortening) == 5
