"""`ctforms declaration` (signatures: test_signatures.py; the archive: test_archive.py)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
from conftest import DEMO, GOLDEN, invoke
from office import PDFTOPPM, needs_pdftoppm
from pypdf import PdfReader

from ctforms.models import Register
from ctforms.produce.declaration import load_declaration

REGISTER = GOLDEN / "demo-register.json"
SIGN = ["--signed-by", "Ben Okoro", "--role", "Exams Officer"]
REASON = "Visits rebooked for 27 June; OCR informed of the rest"
ANYWAY = ["--allow-outstanding", REASON]  # the demo register has blocking issues left


def _pack(
    tmp_path: Path, *extra: str | Path, register: Path = REGISTER, name: str = "pack.pdf"
) -> tuple[int, Path]:
    out = tmp_path / name
    result = invoke("declaration", register, *SIGN, *extra, "-o", out)
    return result.exit_code, out


def _pages(pdf: Path) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(pdf).pages]


def test_pack_holds_every_statement_student_and_issue(tmp_path: Path) -> None:
    code, pdf = _pack(tmp_path, *ANYWAY)
    assert code == 0
    text = " ".join(_pages(pdf))
    declaration, assumed = load_declaration(2024)
    assert assumed and declaration.year == 2023
    for s in [*declaration.statements, *declaration.centre_statements]:
        assert " ".join(s.text.format(year=2024).split()) in text
    register = Register.model_validate_json(REGISTER.read_text("utf-8"))
    for student in register.students:
        assert student.candidate_number in text
        if student.surname:
            assert f"{student.surname}, {student.forenames}" in text
    for issue in register.issues:
        assert issue.id in text.replace(" ", "") or issue.id in text
    for f in register.inputs:
        assert f.sha256[:32] in text.replace(" ", "")
    assert "Riverside Sixth Form College (64395)" in text


def test_run_writes_a_draft_bannered_on_every_page_with_no_sign_off(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("run", "--demo", "-o", out)
    assert result.exit_code == 0, result.output
    pages = _pages(out / "64395-declaration-evidence-pack.pdf")
    assert len(pages) > 3
    for n, page in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in page
        assert "NOT READY TO DECLARE" in page
    text = " ".join(pages)
    assert "Signed off by Review draft: not signed off" in text
    assert "I, " not in text and "Signature" not in text  # no sign-off block
    assert "Not signed off. This is a review draft" in text
    # The outstanding table names the student, not only the id.
    assert "0011 Kowalczyk, Maja" in text
    last = result.output.strip().splitlines()[-1]
    assert last == (
        "The evidence pack is a review draft, not signed off: 21 blocking issues stand between"
        " the centre and its declaration."
    )


def test_sign_off_is_refused_while_blocking_issues_have_no_action(tmp_path: Path) -> None:
    code, pdf = _pack(tmp_path)
    assert code == 2 and not pdf.exists()
    result = invoke("declaration", REGISTER, *SIGN, "-o", tmp_path / "p.pdf")
    assert result.stderr == (
        "Error: 21 blocking issues without a recorded action: record what was done in the"
        " Actions sheet of records.xlsx and check with it, or sign off anyway giving the reason"
        ' they are left (--records, --allow-outstanding "REASON")\n'
    )
    blank = invoke("declaration", REGISTER, *SIGN, "--allow-outstanding", " ", "-o", pdf)
    assert blank.exit_code == 2 and not pdf.exists()
    assert blank.stderr.startswith("Error: the reason must be a sentence of at least 3 words")


def test_a_file_that_is_not_a_register_is_named_as_such(tmp_path: Path) -> None:
    pdf = tmp_path / "p.pdf"
    book = invoke("declaration", DEMO / "records.xlsx", *SIGN, "-o", pdf)
    assert book.stderr == (
        "Error: records.xlsx: not a register: it is not text (a workbook or a PDF?); give the"
        " issues.json a check wrote\n"
    )
    role = invoke("declaration", REGISTER, "--signed-by", "Ben Okoro", "--role", "Head", "-o", pdf)
    assert role.exit_code == 2 and role.stderr.endswith("not 'Head' (--role)\n")
    result = invoke("declaration", DEMO / "tracker.csv", *SIGN, "-o", pdf)
    assert result.exit_code == 2 and not pdf.exists()
    assert result.stderr == (
        "Error: tracker.csv: not a register: it is not JSON text; give the issues.json a check"
        " wrote\n"
    )


def test_allow_outstanding_prints_the_reason_and_lists_them(tmp_path: Path) -> None:
    code, pdf = _pack(tmp_path, *ANYWAY)
    assert code == 0
    pages = _pages(pdf)
    assert not any("NOT READY TO DECLARE" in p for p in pages)
    sign_off = next(p for p in pages if "Outstanding at sign-off" in p)
    assert f"Reason given: {REASON}" in sign_off
    assert "claim-needed/0011/05839/9" in sign_off.replace(" ", "")
    assert "0011 Kowalczyk, Maja" in sign_off
    assert "I, Ben Okoro (Exams Officer), confirm" in sign_off
    assert "Signed off with 21 blocking issues outstanding" in pages[0]


@pytest.mark.parametrize("name", ["B. Example", "dr a.  example"])
def test_the_init_example_names_are_refused(tmp_path: Path, name: str) -> None:
    result = invoke(
        "declaration",
        REGISTER,
        "--signed-by",
        name,
        "--role",
        "Exams Officer",
        *ANYWAY,
        "-o",
        tmp_path / "p.pdf",
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: the name of the person signing off is an example name ({name!r}); type the"
        " real name (--signed-by)\n"
    )
    assert not (tmp_path / "p.pdf").exists()


def test_run_refuses_the_init_example_names_before_writing(tmp_path: Path) -> None:
    invoke("init", tmp_path / "c")
    toml = (tmp_path / "c" / "centre.toml").read_text("utf-8").replace("12345", "64395")
    (tmp_path / "c" / "centre.toml").write_text(toml, encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(
        "run", DEMO / "tracker.csv", "--centre", tmp_path / "c" / "centre.toml", "-o", out
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: centre.toml: [centre] head_of_centre is still the example name 'Dr A. Example';"
        " put the real name in centre.toml, then check again\n"
    )
    assert not out.exists() or not any(out.iterdir())


def _demo_centre(tmp_path: Path, replace: tuple[str, str]) -> Path:
    text = (DEMO / "centre.toml").read_text("utf-8")
    assert replace[0] in text
    path = tmp_path / "centre.toml"
    path.write_text(text.replace(*replace), encoding="utf-8")
    return path


EMPTY_NAMES = [
    (
        ('head_of_centre = "Dr Margaret O\'Neill"', 'head_of_centre = ""'),
        "[centre] head_of_centre",
    ),
    (
        ('head_of_centre = "Dr Margaret O\'Neill"', 'head_of_centre = "   "'),
        "[centre] head_of_centre",
    ),
    (('head_of_centre = "Dr Margaret O\'Neill"', ""), "[centre] head_of_centre"),  # key left out
    (('name = "Ben Okoro"', 'name = ""'), "[exams_officer] name"),
]


@pytest.mark.parametrize(("replace", "key"), EMPTY_NAMES)
def test_run_refuses_an_empty_name_before_writing(
    tmp_path: Path, replace: tuple[str, str], key: str
) -> None:
    """The papers print the Head of Centre and the Exams Officer: a blank is refused like the
    example names, in one line, before any file is written."""
    centre = _demo_centre(tmp_path, replace)
    out = tmp_path / "out"
    args: list[str | Path] = ["--centre", centre, "--records", DEMO / "records.xlsx"]
    args += ["--as-of", "2024-06-10"]
    result = invoke("run", DEMO / "tracker.csv", *args, "-o", out)
    assert result.exit_code == 2
    said = f"Error: {centre.name}: {key} is empty; put the real name in centre.toml\n"
    assert result.stderr == said
    assert not out.exists() or not any(out.iterdir())
    # A check writes no paper and needs no signatory: it still runs, and says so now.
    checked = invoke("check", DEMO / "tracker.csv", *args)
    assert checked.exit_code == 1 and "BLOCKING" in checked.stdout, checked.stderr
    assert checked.stderr == (
        f"warning: {key} is empty; put the real name in centre.toml (the forms and the evidence"
        " pack are refused until then)\n"
    )


def test_papers_from_a_register_with_no_head_of_centre_are_refused(tmp_path: Path) -> None:
    data = json.loads(REGISTER.read_text("utf-8"))
    data["centre"]["head_of_centre"] = ""
    register = tmp_path / "issues.json"
    register.write_text(json.dumps(data), encoding="utf-8")
    said = "Error: [centre] head_of_centre is empty; put the real name in centre.toml\n"
    form = invoke("forms", "missing-tag", register, "-o", tmp_path / "forms")
    assert (form.exit_code, form.stderr) == (2, said)
    signed = invoke(
        "declaration", register, "--signed-by", "Ben Okoro", "--role", "Exams Officer",
        *ANYWAY, "-o", tmp_path / "p.pdf",
    )  # fmt: skip
    assert (signed.exit_code, signed.stderr) == (2, said)
    assert not (tmp_path / "p.pdf").exists()


def _all_handled(tmp_path: Path) -> Path:
    data = json.loads(REGISTER.read_text("utf-8"))
    for issue in data["issues"]:
        if issue["severity"] == "blocking":
            issue["handled"] = True
            issue["handled_by"] = {
                "action_taken": "done",
                "date": "2024-06-11",
                "ocr_reference": "",
                "by": "BO",
            }
    path = tmp_path / "handled.json"
    path.write_text(json.dumps(data))
    return path


def test_no_banner_when_every_blocking_issue_is_handled(tmp_path: Path) -> None:
    _, pdf = _pack(tmp_path, register=_all_handled(tmp_path))
    text = " ".join(_pages(pdf))
    assert "NOT READY TO DECLARE" not in text
    assert "Every blocking issue has a recorded action" in text


def test_records_bring_in_actions_recorded_after_the_check(tmp_path: Path) -> None:
    register = Register.model_validate_json(REGISTER.read_text("utf-8"))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Actions"
    ws.append(["Issue ID", "Action Taken", "Date", "OCR Reference", "By"])
    for issue in register.issues:
        if issue.severity.value == "blocking":
            ws.append([issue.id, "Sorted", "11/06/2024", "REF", "BO"])
    wb.save(tmp_path / "records.xlsx")
    code, pdf = _pack(tmp_path, "--records", tmp_path / "records.xlsx")
    assert code == 0
    assert "NOT READY TO DECLARE" not in " ".join(_pages(pdf))


@pytest.mark.parametrize("role", ["Teacher", "Head of Centre", "exams officer assistant"])
def test_only_the_exams_officer_may_sign(tmp_path: Path, role: str) -> None:
    result = invoke(
        "declaration", REGISTER, "--signed-by", "X", "--role", role, "-o", tmp_path / "p.pdf"
    )
    assert result.exit_code == 2
    assert "only the 'Exams Officer' role may sign" in result.stderr
    assert not (tmp_path / "p.pdf").exists()


def test_pack_is_deterministic(tmp_path: Path) -> None:
    _, a = _pack(tmp_path, *ANYWAY, name="a.pdf")
    _, b = _pack(tmp_path, *ANYWAY, name="b.pdf")
    assert a.read_bytes() == b.read_bytes()


@needs_pdftoppm
def test_first_page_renders(tmp_path: Path) -> None:
    _, pdf = _pack(tmp_path, *ANYWAY)
    assert PDFTOPPM is not None
    subprocess.run(
        [PDFTOPPM, "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
        capture_output=True,
    )
    png = next(tmp_path.glob("page*.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 2000


# ------------------------------------------------------------------ layout of long tables (#11)

HEADER = "Cand. Name Expects Entered Status Blocking Warnings"


def _register_with(tmp_path: Path, students: int = 0, action: str | None = None) -> Path:
    """The demo register with `students` more students (0100...), or its first blocking
    issue's action replaced."""
    data = json.loads(REGISTER.read_text("utf-8"))
    template = data["students"][0]
    for n in range(students):
        data["students"].append(
            {**template, "candidate_number": f"{100 + n:04d}", "surname": f"Extra{n}"}
        )
    if action is not None:
        next(i for i in data["issues"] if i["severity"] == "blocking")["action"] = action
    path = tmp_path / "register.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_table_over_many_pages_has_its_header_once_at_the_top_of_each(tmp_path: Path) -> None:
    register = _register_with(tmp_path, students=400)
    code, pdf = _pack(tmp_path, *ANYWAY, register=register)
    assert code == 0
    pages = _pages(pdf)
    first = next(n for n, p in enumerate(pages) if f"Students expecting a result {HEADER}" in p)
    last = next(n for n, p in enumerate(pages) if "Outstanding issues and recorded" in p)
    assert last - first >= 8  # 465 students: the table spans pages
    for page in pages[first:last]:
        assert page.count(HEADER) == 1, page[:200]  # repeated, never restarted mid-page
        assert page.index(HEADER) < 60
    students = " ".join(pages[first:last])
    for n in range(400):
        assert f"{100 + n:04d} Extra{n}, Tobi" in students


def test_an_action_is_shown_whole_when_it_fits_a_page(tmp_path: Path) -> None:
    """Actions of 500 characters and more were cut; now only a text taller than a page is."""
    code, pdf = _pack(tmp_path, *ANYWAY)
    assert code == 0
    text = " ".join(_pages(pdf))
    register = Register.model_validate_json(REGISTER.read_text("utf-8"))
    longest = max(register.issues, key=lambda i: len(i.action))
    assert len(longest.action) > 500
    assert " ".join(longest.action.split()) in text
    assert "see issues.json" not in text


def test_a_cell_taller_than_a_page_is_shortened_saying_so(tmp_path: Path) -> None:
    action = " ".join(f"Phoned OCR (call {n})." for n in range(3_000))
    code, pdf = _pack(tmp_path, *ANYWAY, register=_register_with(tmp_path, action=action))
    assert code == 0
    pages = _pages(pdf)
    text = " ".join(pages)
    assert "Phoned OCR (call 0). Phoned OCR (call 1)." in text
    assert "Phoned OCR (call 2999)." not in text
    assert "… (shortened here; the full text is in issues.json)" in text
    for n, page in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in page


def test_a_reason_longer_than_a_page_is_shortened_saying_so(tmp_path: Path) -> None:
    reason = " ".join(f"Reason {n}." for n in range(4_000))
    code, pdf = _pack(tmp_path, "--allow-outstanding", reason)
    assert code == 0
    text = " ".join(_pages(pdf))
    assert f"Reason given: {reason[:200]}" in text
    assert "Reason 3999." not in text
    assert "… (shortened here; the full text is in issues.json)" in text


def test_a_name_wider_than_its_column_is_cut_across_lines_not_over_the_next(
    tmp_path: Path,
) -> None:
    data = json.loads(REGISTER.read_text("utf-8"))
    data["students"][0]["surname"] = "Abcdefghij" * 20
    register = tmp_path / "register.json"
    register.write_text(json.dumps(data), encoding="utf-8")
    code, pdf = _pack(tmp_path, *ANYWAY, register=register)
    assert code == 0
    lines = "\n".join(p.extract_text() for p in PdfReader(pdf).pages).splitlines()
    pieces = [line for line in lines if "Abcdefghij" in line]
    assert len(pieces) == 5 and all(len(p) < 45 for p in pieces)  # as a Paragraph cuts it
    assert "".join(pieces) == "Abcdefghij" * 20 + ", Tobi"


def test_lines_formatted_once_give_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pack's memo of formatted lines changes nothing: the same bytes as reportlab's own
    formatting, also when the font moves between subsets (over 256 distinct glyphs: CJK)."""
    from reportlab.pdfgen.textobject import PDFTextObject

    import ctforms.produce.pack
    import ctforms.produce.pdf_layout

    register = Register.model_validate_json(REGISTER.read_text("utf-8"))
    cjk = [chr(0x4E00 + n) for n in range(600)]
    for n, issue in enumerate(register.issues):
        if issue.candidate is not None:
            issue.candidate.surname = "".join(cjk[(n * 20) % 580 : (n * 20) % 580 + 20])
            issue.candidate.forenames = "Zoë Siân"
    memo = ctforms.produce.pack.build_pack(register, prepared_by="Ben Okoro")
    monkeypatch.setattr(ctforms.produce.pdf_layout, "_MemoText", PDFTextObject)
    plain = ctforms.produce.pack.build_pack(register, prepared_by="Ben Okoro")
    assert memo == plain


def test_issue_ids_break_only_between_parts_and_never_leave_a_lone_dash(tmp_path: Path) -> None:
    """Issue 19, item 5: an id is broken only after a '/', and a '-' part (no candidate, no
    unit) stays with the part before it: no line of the pack is only '-' or '/'."""
    code, pdf = _pack(tmp_path, *ANYWAY)  # both tables: every issue, and those outstanding
    assert code == 0
    text = "\n".join(p.extract_text() or "" for p in PdfReader(pdf).pages)
    lines = [line.strip() for line in text.splitlines()]
    assert not [line for line in lines if line in {"-", "/", "-/", "/-"}]
    assert not [line for line in lines if line.startswith(("-/", "/"))]
    register = Register.model_validate_json(REGISTER.read_text("utf-8"))
    for issue in register.issues:
        parts = re.findall(r"[^/]*/|[^/]+", issue.id)
        whole = "\n?".join(re.escape(part) for part in parts)  # a break only after a '/'
        assert len(re.findall(whole, text)) >= 1, issue.id
        assert "\n-" not in "".join(re.findall(whole, text)), issue.id
