"""Issue 19, item 9: every workbook ctforms writes, printed as LibreOffice prints it (to PDF),
measured: A4 pages, text of a readable height on paper, and no page with hardly anything on
it but the last. Each workbook is rendered once for the module (LibreOffice is slow)."""

from __future__ import annotations

import copy
import json
import re
import shutil
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import DEMO, GOLDEN, invoke
from office import PDFTOPPM, REQUIRED, SOFFICE, convert_all

PDFTOTEXT = shutil.which("pdftotext")
pytestmark = [
    pytest.mark.skipif(
        (SOFFICE is None or PDFTOTEXT is None or PDFTOPPM is None) and not REQUIRED,
        reason="LibreOffice and poppler-utils are not installed",
    ),
    pytest.mark.slow,  # LibreOffice prints every paper
]

A4 = (595.3, 841.9)  # points
MIN_WORD_HEIGHT = 8.5  # points on paper: the median word's box (about 7.5 pt type or more)
MIN_LINES = 3  # a page that is not the last holds at least this many lines of text
RUN_WORKBOOKS = [
    "actions.xlsx",
    "64395-entries-listing.xlsx",
    "64395-incorrect-unit-grade-claimed.xlsx",
    "64395-missed-from-moderation-claim.xlsx",
    "64395-missing-mid-flight-tag.xlsx",
]
LONG_FORM = "64395-missed-from-moderation-claim-long.xlsx"  # 60 rows: over several pages


@dataclass
class Page:
    width: float
    height: float
    words: list[tuple[str, float, float]]  # text, top, height (points)

    @property
    def lines(self) -> int:
        return len({round(top) for _, top, _ in self.words})


def _pages(pdf: Path) -> list[Page]:
    """Each page's size and words, as poppler's pdftotext -bbox places them."""
    assert PDFTOTEXT is not None
    html = subprocess.run(
        [PDFTOTEXT, "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for page in re.findall(r"<page (.*?)</page>", html, re.S):
        width, height = (float(v) for v in re.findall(r'(?:width|height)="([\d.]+)"', page)[:2])
        words = [
            (text, float(y0), float(y1) - float(y0))
            for y0, y1, text in re.findall(
                r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>',
                page,
            )
        ]
        pages.append(Page(width, height, words))
    return pages


def _long_form_register(folder: Path) -> Path:
    """The demo register with its one missed-claim issue as 60 students': a form over pages."""
    data = json.loads((GOLDEN / "demo-register.json").read_text("utf-8"))
    (issue,) = [i for i in data["issues"] if i["kind"] == "missed-from-claim"]
    for n in range(1, 60):
        more = copy.deepcopy(issue)
        number = f"{1000 + n:04d}"
        more["id"] = issue["id"].replace(issue["candidate_number"], number)
        more["candidate_number"] = number
        data["issues"].append(more)
    path = folder / "long-register.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Page]]:
    """Every kind of workbook, printed to PDF in one LibreOffice run: name -> pages."""
    out = tmp_path_factory.mktemp("print")
    assert invoke("run", "--demo", "-o", out / "run").exit_code == 0
    books = [out / "run" / name for name in RUN_WORKBOOKS]
    assert invoke("records", "template", "-o", out / "records-template.xlsx").exit_code == 0
    made = invoke(
        "catalogue", "template", DEMO / "tracker.csv", "--centre", DEMO / "centre.toml",
        "-o", out / "rules-template.xlsx",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    long = invoke("forms", "missed-claim", _long_form_register(out), "-o", out / "long")
    assert long.exit_code == 0, long.output
    (form,) = (out / "long").glob("*.xlsx")
    books += [out / "records-template.xlsx", out / "rules-template.xlsx"]
    books.append(form.rename(out / LONG_FORM))
    pdfs = convert_all(books, "pdf", out / "pdf")
    return {book.name: _pages(pdf) for book, pdf in zip(books, pdfs, strict=True)}


def test_every_page_of_every_workbook_is_a4(printed: dict[str, list[Page]]) -> None:
    for name, pages in printed.items():
        for n, page in enumerate(pages, start=1):
            size = sorted((page.width, page.height))
            assert abs(size[0] - A4[0]) < 1 and abs(size[1] - A4[1]) < 1, f"{name} page {n}"


def test_the_text_is_readable_on_paper(printed: dict[str, list[Page]]) -> None:
    for name, pages in printed.items():
        heights = [h for page in pages for _, _, h in page.words]
        assert heights, name
        assert statistics.median(heights) >= MIN_WORD_HEIGHT, f"{name}: text too small"


def test_the_action_list_prints_what_a_person_reads(printed: dict[str, list[Page]]) -> None:
    pages = printed["actions.xlsx"]
    words = [w for page in pages for w, _, _ in page.words]
    assert statistics.median(h for p in pages for _, _, h in p.words) >= 9.5  # about 8 pt+
    for title in ("Severity", "Deadline", "Surname", "Summary", "Action", "Remedy"):
        assert title in words
    assert "claim-needed/0011/05839/9" not in words  # the Issue ID stays in the sheet
    # The header row on every page of the list (the last page is the About sheet).
    assert all("Severity" in [w for w, _, _ in page.words] for page in pages[:-1])


def test_no_page_but_the_last_is_nearly_empty(printed: dict[str, list[Page]]) -> None:
    for name, pages in printed.items():
        if name.endswith("-template.xlsx"):
            continue  # a sheet to fill in prints its header row alone, by design
        for n, page in enumerate(pages[:-1], start=1):
            assert page.lines >= MIN_LINES, f"{name}: page {n} has {page.lines} lines"


def test_a_long_upload_form_repeats_its_header_block_on_every_page(
    printed: dict[str, list[Page]],
) -> None:
    pages = printed[LONG_FORM]
    assert len(pages) >= 2
    for n, page in enumerate(pages, start=1):
        words = [w for w, _, _ in page.words]
        assert "64395" in words and "Centre" in words, f"page {n}: no header block"
        assert page.lines >= MIN_LINES, f"page {n}"
    rows = sum(1 for page in pages for w, _, _ in page.words if re.fullmatch(r"1\d{3}", w))
    assert rows == 59  # every added student, each once
    # A column narrowed to fit the page breaks no word: the unit title whole in every row.
    words = [w for page in pages for w, _, _ in page.words]
    assert words.count("management") == 60 and "Qualification" in words
