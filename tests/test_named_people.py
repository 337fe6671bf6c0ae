"""The people and names a run prints are the centre's: who may sign off, names the entries file
cannot carry or must shorten, and a check dated outside the results year (issue 17, 9-11;
issue 18, 6)."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
import types
from pathlib import Path

import openpyxl
import pytest
from click.testing import Result
from conftest import DEMO, GOLDEN, invoke
from pypdf import PdfReader
from webkit import Site, error_beside, make_site

from ctforms import pipeline
from ctforms.cli import check as check_module
from ctforms.files.output import write_bytes
from ctforms.produce import edi
from ctforms.produce.names import MAX, entry_name
from ctforms.register import load_register

LONG_SURNAME = "Abcdefghij Klmnopqrst-Uvwxyzabcd Efghijklmn Opq"
LONG_FORENAMES = "Alexandra Bartholomew Christabel"
EDI = "E6439572.X01"
LISTING = "64395-entries-listing.xlsx"


REGISTER = GOLDEN / "demo-register.json"
REASON = "Visits rebooked with the moderator for 27 June"
DEPUTIES = 'deputies = ["Priya Shah", "Tom O\'Hara"]'
CENTRE_WITH_DEPUTIES = (
    (DEMO / "centre.toml")
    .read_text("utf-8")
    .replace(
        'email = "exams@riverside.example"\n', f'email = "exams@riverside.example"\n{DEPUTIES}\n'
    )
)


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


def _run(folder: Path, out: Path, *extra: str) -> Result:
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
    assert result.exit_code == 0, result.output
    said = (
        "candidate 0014: top-up 05838 -> 05839: make this change in Interchange by hand (the"
        " name cannot be carried)"
    )
    assert said in result.stdout
    assert "Müller 3rd" not in result.output
    records = edi.read_file((out / EDI).read_bytes(), EDI).records
    in_file = [r["candidate_number"] for kind, r in records if kind == edi.DETAIL]
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
    assert result.exit_code == 0, result.output
    assert not (out / EDI).exists()
    assert "no change below could go into an EDI file" in result.stdout
    assert result.stdout.count("the name cannot be carried") == 3
    assert (out / LISTING).is_file()


# ---------------------------------------------------------------- 18.6 long names


def test_a_long_name_keeps_a_forename_initial_and_is_listed_in_full(tmp_path: Path) -> None:
    folder = _demo_with_names(tmp_path, {"0036": (LONG_SURNAME, LONG_FORENAMES)})
    out = tmp_path / "out"
    result = _run(folder, out)
    assert result.exit_code == 0, result.output
    records = edi.read_file((out / EDI).read_bytes(), EDI).records
    name = next(
        r["name"] for kind, r in records if kind == edi.DETAIL and r["candidate_number"] == "0036"
    )
    assert name == "ABCDEFGHIJ KLMNOPQRST-UVWXYZABCD EFGH: A"
    assert "name shortened" in result.stderr
    texts = _texts(out / LISTING)
    assert "Names shortened to fit the entries file (40 characters at most)" in texts
    assert f"0036: {name} (full name: {LONG_SURNAME}, {LONG_FORENAMES})" in texts


def test_the_shortening_rule_in_order() -> None:
    cut = [
        ("Smith", "Alexandra Bartholomew Christabel Dorothea Eleanor", "SMITH: ALEXANDRA B C D E"),
        ("Abcdefghijklmnopqrstuvwxyz", LONG_FORENAMES, "ABCDEFGHIJKLMNOPQRSTUVWXYZ: ALEXANDRA B"),
        ("Featherstonehaugh-Cholmondeley", "Alexandra Josephine", None),
        ("Abcdefghijklmnopqrstuvwxyzabcdefg", "Mary-Jane Bartholomew", None),
        ("Featherstonehaugh-Cholmondeley-Smithson", "Alexandra", None),
        ("Featherstonehaugh-Cholmondeley-Smithsonian", "", None),
    ]
    made = [entry_name(s, f)[0] for s, f, _ in cut]
    assert made[0] == cut[0][2] and made[1] == cut[1][2]
    assert made[2] == "FEATHERSTONEHAUGH-CHOLMONDELEY: A J"
    assert made[3] == "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG: M B"
    # The surname alone does not fit: it is cut, never the first forename's initial.
    assert made[4] == "FEATHERSTONEHAUGH-CHOLMONDELEY-SMITHS: A"
    assert made[5] == "FEATHERSTONEHAUGH-CHOLMONDELEY-SMITHSON:"
    assert all(len(m) <= MAX for m in made)
    assert entry_name("Smith", "Anna") == ("SMITH: ANNA", False)


def test_the_name_rule_is_data_with_its_source() -> None:
    rule = edi.load_layout().candidate_name
    assert rule.max_length == MAX == 40
    assert "BURNS: EMMA KAY" in rule.source and "assumption" in rule.source
    assert rule.separator == ": "
    assert len(rule.shortening) == 5


# ---------------------------------------------------------------- 17.9 who may sign off


def _declare(out: Path, signed_by: str, *extra: str | Path, register: Path = REGISTER) -> Result:
    return invoke(
        "declaration", register, "--signed-by", signed_by, "--role", "Exams Officer",
        *extra, "-o", out,
    )  # fmt: skip


def _pdf_text(pdf: Path) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(pdf).pages)


def _register_with_deputies(tmp_path: Path) -> Path:
    centre = tmp_path / "centre.toml"
    centre.write_text(CENTRE_WITH_DEPUTIES, "utf-8")
    out = tmp_path / "issues.json"
    result = invoke(
        "check", DEMO / "tracker.csv", "--centre", centre, "--records", DEMO / "records.xlsx",
        "--catalogue", DEMO / "rules.xlsx", "--as-of", "2024-06-10", "--format", "json", "-o", out,
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    return out


def test_an_unknown_signer_is_refused_with_the_names_allowed(tmp_path: Path) -> None:
    pdf = tmp_path / "pack.pdf"
    result = _declare(pdf, "Someone Else", "--allow-outstanding", REASON)
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: the name 'Someone Else' is not the centre's Exams Officer or a deputy the"
        " centre lists (allowed: 'Ben Okoro'); to let someone else sign, add them to"
        ' centre.toml ([exams_officer] deputies = ["..."]) and check again (--signed-by)\n'
    )
    assert not pdf.exists()


def test_the_officer_s_name_is_matched_forgiving_of_case_and_spacing(tmp_path: Path) -> None:
    pdf = tmp_path / "pack.pdf"
    result = _declare(pdf, "  ben   OKORO ", "--allow-outstanding", REASON)
    assert result.exit_code == 0, result.output
    assert "signed off by Ben Okoro with 21 blocking issues" in result.stdout
    assert "Ben Okoro, Exams Officer" in _pdf_text(pdf)  # as centre.toml writes it


def test_a_deputy_the_centre_lists_may_sign_and_no_one_else(tmp_path: Path) -> None:
    register = _register_with_deputies(tmp_path)
    pdf = tmp_path / "pack.pdf"
    result = _declare(pdf, "PRIYA SHAH", "--allow-outstanding", REASON, register=register)
    assert result.exit_code == 0, result.output
    assert "signed off by Priya Shah" in result.stdout
    assert "Priya Shah, Exams Officer" in _pdf_text(pdf)
    refused = _declare(
        tmp_path / "p2.pdf", "Sam Jones", "--allow-outstanding", REASON, register=register
    )
    assert refused.exit_code == 2
    assert "(allowed: 'Ben Okoro', 'Priya Shah', \"Tom O'Hara\")" in refused.stderr
    assert not (tmp_path / "p2.pdf").exists()


@pytest.mark.parametrize(
    ("line", "said"),
    [
        (
            'deputies = "Priya Shah"',
            '[exams_officer] deputies: "Priya Shah" is text; write the names as a list',
        ),
        ("deputies = [1]", "[exams_officer] deputies: 1 is a number; write each name in quotes"),
        ('deputies = ["  "]', "[exams_officer] deputies: a name is empty"),
        (
            'deputies = ["ben okoro"]',
            "is the Exams Officer, who may sign anyway; list only the others",
        ),
        ('deputies = ["Priya Shah", "priya  shah"]', '"priya  shah" is listed twice'),
    ],
)
def test_centre_toml_deputies_are_checked(tmp_path: Path, line: str, said: str) -> None:
    centre = tmp_path / "centre.toml"
    centre.write_text(CENTRE_WITH_DEPUTIES.replace(DEPUTIES, line), "utf-8")
    result = invoke("check", DEMO / "tracker.csv", "--centre", centre, "--as-of", "2024-06-10")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: centre.toml: ")
    assert said in result.stderr


def test_init_shows_the_deputies_key_commented_with_why(tmp_path: Path) -> None:
    assert invoke("init", tmp_path).exit_code == 0
    text = (tmp_path / "centre.toml").read_text("utf-8")
    assert '# deputies = ["C. Example", "D. Example"]' in text
    assert "refuses any name" in text and "Exams Officer role in My Cambridge" in text
    # Uncommented, it reads; the example names themselves may never sign.
    (tmp_path / "centre.toml").write_text(text.replace("# deputies", "deputies"), "utf-8")
    result = invoke("check", DEMO / "tracker.csv", "--centre", tmp_path / "centre.toml")
    assert "deputies" not in result.stderr


def test_example_deputies_are_warned_of_and_never_offered_to_sign(tmp_path: Path) -> None:
    centre = tmp_path / "centre.toml"
    centre.write_text(
        CENTRE_WITH_DEPUTIES.replace(DEPUTIES, 'deputies = ["Priya Shah", "C. Example"]'), "utf-8"
    )
    out = tmp_path / "out"
    args: list[str | Path] = ["--centre", centre, "--as-of", "2024-06-10", "-o", out]
    result = invoke("run", DEMO / "tracker.csv", "--records", DEMO / "records.xlsx", *args)
    assert result.exit_code in (0, 1), result.stderr
    assert (
        "warning: [exams_officer] deputies lists the example name 'C. Example' in centre.toml:"
        " no one may sign off by an example name" in result.stderr
    )
    register = load_register(out / "issues.json")
    assert pipeline.allowed_signers(register) == ["Ben Okoro", "Priya Shah"]


@pytest.mark.parametrize("reason", ["x", "  Visits   rebooked ", "1 2 3 4"])
def test_a_reason_to_sign_with_issues_left_must_be_a_sentence(tmp_path: Path, reason: str) -> None:
    pdf = tmp_path / "pack.pdf"
    result = _declare(pdf, "Ben Okoro", "--allow-outstanding", reason)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "Error: the reason must be a sentence of at least 3 words saying why"
    )
    assert result.stderr.endswith('(--allow-outstanding "REASON")\n')
    assert "e.g. 'Visits rebooked with the moderator for 27 June'" in result.stderr
    assert not pdf.exists()


@pytest.fixture
def deputies_site(tmp_path: Path) -> Site:
    """The demo's files checked in a workspace whose centre.toml lists two deputies."""
    site = make_site(tmp_path / "ws")
    write_bytes(site.workspace.centre, CENTRE_WITH_DEPUTIES.encode())
    files = {
        name: (f"{name}.{ext}", (DEMO / f"{name}.{ext}").read_bytes())
        for name, ext in (("tracker", "csv"), ("records", "xlsx"), ("rules", "xlsx"))
    }
    assert site.post("check", {"as_of": "2024-06-10"}, files=files).status_code == 303
    assert site.wait().status_code == 303
    return site


SIGN_FORM = {"signed_by": "Ben Okoro", "role": "Exams Officer", "confirm": "yes", "reason": REASON}


def test_the_page_offers_the_deputies_and_refuses_anyone_else(deputies_site: Site) -> None:
    page = deputies_site.get("sign-off").text
    assert '<option value="Priya Shah">' in page and '<option value="Ben Okoro">' in page
    assert (
        "Only the Exams Officer and the deputies named on the Centre page may sign: Ben Okoro,"
        " Priya Shah" in page
    )
    r = deputies_site.post("sign-off", SIGN_FORM | {"signed_by": "Sam Jones"})
    assert r.status_code == 400
    beside = error_beside(r.text, "signed_by") or ""
    assert "The name 'Sam Jones' is not the centre's Exams Officer" in beside
    assert "Priya Shah" in beside and "--" not in beside and "check again" in beside
    assert "add them to the deputies who may sign off (on the Centre page)" in beside
    assert "centre.toml" not in beside
    r = deputies_site.post("sign-off", SIGN_FORM | {"reason": "x"})
    assert r.status_code == 400
    assert "at least 3 words" in (error_beside(r.text, "reason") or "")
    assert "at least 3 words, e.g. “Visits rebooked with the moderator for 27 June”" in r.text
    assert (
        deputies_site.post("sign-off", SIGN_FORM | {"signed_by": "priya  shah"}).status_code == 303
    )
    assert "Signed off by Priya Shah (Exams Officer)" in deputies_site.get("sign-off?signed=1").text


def test_the_centre_page_shows_and_saves_the_deputies(deputies_site: Site) -> None:
    page = deputies_site.get("centre").text
    form = {
        k: html.unescape(v) for k, v in re.findall(r'name="([a-z_]+)"[^>]*value="([^"]*)"', page)
    }
    assert form["officer_name"] == "Ben Okoro"
    assert form["deputies"] == "Priya Shah; Tom O'Hara"
    assert deputies_site.post("centre", form).status_code == 303
    text = deputies_site.workspace.centre.read_text("utf-8")
    assert 'deputies = ["Priya Shah", "Tom O\'Hara"]' in text
    # Changed on the page, checked by the same reader as the command line's, beside the field.
    r = deputies_site.post("centre", form | {"deputies": "Priya Shah; ben okoro"})
    assert r.status_code == 400
    beside = html.unescape(error_beside(r.text, "deputies") or "")
    assert beside == (
        'Deputies who may sign off: "ben okoro" is the Exams Officer, who may sign anyway; list'
        " only the others."
    )
    assert deputies_site.post("centre", form | {"deputies": " ; "}).status_code == 303
    assert "deputies" not in deputies_site.workspace.centre.read_text("utf-8")


# ---------------------------------------------------------------- 17.10 outside the results year

AFTER = (
    "This date is after the 2024 declaration closed (Friday 21 June 2024): every deadline will"
    " show as overdue. Check on a date in the summer of 2024 (--as-of YYYY-MM-DD)?"
)
BEFORE = (
    "This date is before the 2024 results year began: no deadline will be near yet. Check on a"
    " date in the summer of 2024 (--as-of YYYY-MM-DD)?"
)


@pytest.mark.parametrize(
    ("as_of", "said"),
    [("2024-12-07", AFTER), ("2023-12-07", BEFORE), ("2024-06-10", None), ("2024-01-01", None)],
)
def test_check_warns_in_the_page_s_words_outside_the_results_year(
    as_of: str, said: str | None
) -> None:
    result = invoke(
        "check", DEMO / "tracker.csv", "--centre", DEMO / "centre.toml", "--as-of", as_of
    )
    assert result.exit_code == 1  # the check still runs on the date given
    if said is None:
        assert "results year" not in result.stderr and "declaration closed" not in result.stderr
    else:
        day = dt.date.fromisoformat(as_of)
        line = f"warning: checked as of {day:%A} {day.day} {day:%B %Y}. {said}\n"
        assert result.stderr.startswith(line)


def test_run_warns_too(tmp_path: Path) -> None:
    folder = _demo_with_names(tmp_path, {})
    result = _run(folder, tmp_path / "out", "--as-of", "2025-01-06")  # the later --as-of counts
    assert result.exit_code == 0, result.output
    assert "every deadline will show as overdue" in result.stderr


class _December(dt.date):
    @classmethod
    def today(cls) -> _December:
        return cls(2026, 12, 7)


def test_without_as_of_the_warning_says_the_date_is_today(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # "Today" is a fixed December day here, never the machine's date.
    monkeypatch.setattr(check_module, "dt", types.SimpleNamespace(date=_December))
    result = invoke("check", DEMO / "tracker.csv", "--centre", DEMO / "centre.toml")
    assert result.stderr.startswith(
        "warning: checked as of Monday 7 December 2026 (today: no --as-of was given). This date"
        " is after the 2024 declaration closed"
    )


@pytest.mark.slow  # several whole checks in a row
def test_the_register_and_its_papers_carry_the_date_warning(tmp_path: Path) -> None:
    """Found by an exams-officer trial: the warning was on screen only. It is the register's
    first note, so issues.txt and the pack carry it too (and the terminal says it once)."""
    folder = _demo_with_names(tmp_path, {})
    out = tmp_path / "out"
    result = _run(folder, out, "--as-of", "2024-12-09")
    assert result.exit_code == 0, result.output
    register = json.loads((out / "issues.json").read_text("utf-8"))
    assert register["warnings"][0] == (
        "Checked as of Monday 9 December 2024. This date is after the 2024 declaration closed"
        " (Friday 21 June 2024): every deadline will show as overdue. Check on a date in the"
        " summer of 2024?"
    )
    assert "every deadline will show as overdue" in (out / "issues.txt").read_text("utf-8")
    assert result.stderr.count("every deadline will show as overdue") == 1
    on_time = _run(folder, tmp_path / "june", "--as-of", "2024-06-10")
    assert "overdue" not in json.dumps(
        json.loads((tmp_path / "june" / "issues.json").read_text("utf-8"))["warnings"]
    )
    assert on_time.exit_code == 0
