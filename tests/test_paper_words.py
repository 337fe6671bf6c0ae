"""The words of the papers a run writes: they name things, not commands (the officer and the
Head of Centre may use only the web page), and issue kinds are said in plain words."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import DEMO, DEMO_AS_OF
from pypdf import PdfReader

from ctforms import pipeline
from ctforms.checks.guidance import (
    CLAIM_LATE_VISIT_HELD,
    CLAIM_NEEDED_NO_VISIT,
    GUIDANCE,
    KIND_LABELS,
    MODERATED_NOT_ACHIEVED_NO_VISIT,
    TAG_DATE_UNKNOWN,
    TAG_OUTSIDE_WINDOW,
    kind_label,
)
from ctforms.models import IssueKind
from ctforms.produce.rules_template import INSTRUCTIONS

# A command of ctforms: allowed in a paper only beside the page's way of doing the same thing.
COMMAND = re.compile(r"ctforms (run|check|forms|entries|catalogue|records|declaration|init)\b")
BESIDE = 250  # characters before the command in which the page must be named


def _bare_commands(text: str) -> list[str]:
    text = " ".join(text.split())
    return [
        text[max(0, m.start() - 80) : m.end() + 20]
        for m in COMMAND.finditer(text)
        if "page" not in text[max(0, m.start() - BESIDE) : m.start()]
    ]


def _xlsx_text(path: Path) -> str:
    wb = openpyxl.load_workbook(path)
    return "\n".join(
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
    )


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> pipeline.Run:
    out = tmp_path_factory.mktemp("run") / "out"
    return pipeline.run(pipeline.demo_sources(), dt.date.fromisoformat(DEMO_AS_OF), out)


def test_no_paper_of_a_run_names_a_bare_command(demo_run: pipeline.Run) -> None:
    found: dict[str, list[str]] = {}
    for path in sorted(demo_run.outdir.iterdir()):
        if path.suffix == ".xlsx":
            text = _xlsx_text(path)
        elif path.suffix == ".docx":
            text = zipfile.ZipFile(path).read("word/document.xml").decode()
        elif path.suffix == ".pdf":
            text = " ".join(p.extract_text() or "" for p in PdfReader(path).pages)
        elif path.suffix in (".txt", ".ics", ".json"):
            text = path.read_text("utf-8")
        else:
            continue
        if bare := _bare_commands(text):
            found[path.name] = bare
    assert found == {}


def test_the_rules_workbook_names_the_page_beside_each_command() -> None:
    made = pipeline.rules_template(DEMO / "tracker.csv", records=DEMO / "records.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(made.data))
    text = "\n".join(str(c.value) for c in wb["Instructions"]["A"] if c.value)
    assert _bare_commands(text) == []
    assert _bare_commands("\n".join(INSTRUCTIONS)) == []
    assert "Rules of combination page" in text
    assert "DOMAIN.md" not in _xlsx_text_of(made.data)


def _xlsx_text_of(data: bytes) -> str:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join(
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
    )


def test_every_action_text_is_face_neutral() -> None:
    """The same words serve the command line, the page and the papers: no command names a
    file's maker (the page used to strip them with a pattern)."""
    actions = [g.action for g in GUIDANCE.values()] + [
        TAG_OUTSIDE_WINDOW,
        TAG_DATE_UNKNOWN,
        CLAIM_NEEDED_NO_VISIT,
        CLAIM_LATE_VISIT_HELD,
        MODERATED_NOT_ACHIEVED_NO_VISIT,
    ]
    for action in actions:
        for text in (action.text, action.remedy):
            assert "made by ctforms" not in text
            assert _bare_commands(text) == [], text


def test_every_kind_has_a_plain_label() -> None:
    assert set(KIND_LABELS) == set(IssueKind)
    assert len(set(KIND_LABELS.values())) == len(IssueKind)
    for kind in IssueKind:
        assert kind_label(kind) == kind_label(kind.value) == KIND_LABELS[kind]
        assert kind_label(kind) != kind.value and kind_label(kind)[0].isupper()


def test_the_pack_and_the_action_list_say_kinds_in_words(demo_run: pipeline.Run) -> None:
    text = " ".join(p.extract_text() or "" for p in PdfReader(demo_run.pack).pages)
    text = " ".join(text.split())
    # The kinds' codes appear only inside issue IDs (incorrect-claim/0033/05835/5) and file
    # names (64395-missing-tag-hoc-declaration.docx).
    codes = "|".join(k.value for k in IssueKind)
    assert not re.search(rf"(?<![-\w])({codes})(?![-/\w])", text)
    assert "Wrong unit or grade claimed: 1" in text
    assert "Issue ID" in text
    ws = openpyxl.load_workbook(demo_run.outdir / "actions.xlsx")["Actions"]
    header = [c.value for c in ws[1]]
    kinds = {row[header.index("Kind")] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert kinds <= set(KIND_LABELS.values())
    assert header[-1] == "Issue ID (for the Actions sheet)"
