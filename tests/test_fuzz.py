"""Fuzzing every reader through the CLI: random bytes, mutations of the demo's valid files, and
valid files carrying hostile values. Whatever comes in, the command reads it (exit 0 or 1) or
refuses it (exit 2) with one "Error:" line: never a traceback, never a file written on exit 2.

A bounded, derandomised run is part of the suite. For a longer, random run:
    CTFORMS_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import Result
from conftest import DEMO, DEMO_AS_OF, GOLDEN, ROOT, invoke
from hypothesis import HealthCheck, event, example, given, reject, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

# The strategies carry the demo files as arguments: Hypothesis warns their repr is long.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Generating overly large repr"),
    pytest.mark.slow,  # long fuzz: whole runs on many drawn inputs
]

_EXAMPLES = int(os.environ.get("CTFORMS_FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    max_examples=_EXAMPLES or 12,
    deadline=None,
    derandomize=not _EXAMPLES,  # the suite's run is the same every time
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

TRACKER = DEMO / "tracker.csv"
CENTRE = DEMO / "centre.toml"
MAP = ROOT / "templates" / "missed-claim.map.yaml"
FORM_TEMPLATE = ROOT / "templates" / "missed-claim.xlsx"


# ------------------------------------------------------------------------- the corpus


@functools.cache
def corpus() -> dict[str, bytes]:
    """The demo's valid files, and the register and EDI file the demo produces."""
    with tempfile.TemporaryDirectory(prefix="ctforms-fuzz-") as tmp:
        return _make_corpus(Path(tmp))


def _make_corpus(made: Path) -> dict[str, bytes]:
    issues = made / "issues.json"
    result = invoke(
        "check", TRACKER, "--centre", CENTRE, "--records", DEMO / "records.xlsx",
        "--catalogue", DEMO / "rules.xlsx", "--as-of", DEMO_AS_OF, "--format", "json",
        "-o", issues,
    )  # fmt: skip
    assert result.exit_code in {0, 1}, result.output
    assert invoke("entries", issues, "-o", made / "entries").exit_code == 0
    (edi,) = (made / "entries").glob("E*.X01")
    yaml_out = made / "rules.yaml"
    export = invoke("catalogue", "export", DEMO / "rules.xlsx", "--format", "yaml", "-o", yaml_out)
    assert export.exit_code == 0, export.output
    return {
        "tracker.csv": TRACKER.read_bytes(),
        "centre.toml": CENTRE.read_bytes(),
        "records.xlsx": (DEMO / "records.xlsx").read_bytes(),
        "rules.xlsx": (DEMO / "rules.xlsx").read_bytes(),
        "rules.yaml": yaml_out.read_bytes(),
        "issues.json": issues.read_bytes(),
        "entries.X01": edi.read_bytes(),
        "template.xlsx": FORM_TEMPLATE.read_bytes(),
    }


@contextmanager
def workspace() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="ctforms-fuzz-") as tmp:
        (Path(tmp) / "out").mkdir()
        yield Path(tmp)


def clean(result: Result, out: Path) -> None:
    """Read (0/1) or refused (2) with one Error line and nothing written; never a traceback.

    (invoke() lets any other exception through, so a traceback fails the test by itself.)"""
    assert result.exit_code in {0, 1, 2}, result.output
    # --hypothesis-show-statistics: how many reach the end rather than the first refusal
    event(
        f"exit {result.exit_code}: {result.stderr[:40].strip()}"
        if result.exit_code == 2
        else f"exit {result.exit_code}"
    )
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        assert not any(out.iterdir()), f"exit 2 left {sorted(p.name for p in out.iterdir())}"


# ------------------------------------------------------------------------- strategies

HOSTILE_WORDS = [
    "",
    " ",
    "=1+1",
    '=HYPERLINK("http://x","y")',
    "+44",
    "-1",
    "@SUM(A1)",
    "#REF!",
    "#N/A",
    "\u202eevil\u202c",
    "مريم العلي",
    "Zoë",
    "💥",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\ud800",
    "\ufffe",
    "NaN",
    "inf",
    "-0",
    "1e309",
    "0.5",
    "9" * 40,
    "0" * 20,
    "05839",
    "5839",
    "99999",
    "Y",
    "N",
    "yes",
    "2024-02-30",
    "31/12/9999",
    "00/00/0000",
    "01/01/0001",
    "Unit 9",
    "Unit",
    "\r\n",
    "\t",
    "a,b",
    '"',
    "'",
    "%s%n",
    "{}",
    "[]",
    "null",
    "true",
    "Mandatory",
    "Examined",
    "Moderated",
    "Result achieved",
    "Certificating in August 2024",
    "Completed",
    "D*",
    "M",
    "P",
    "U",
]
HOSTILE_TEXT = st.one_of(
    st.sampled_from(HOSTILE_WORDS),
    st.text(max_size=30),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=6),
    st.integers(1_000, 140_000).map(lambda n: "x" * n),  # past the CSV field limit too
)
CELL_VALUES = st.one_of(
    HOSTILE_TEXT,
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)),
    st.dates(min_value=dt.date(1900, 3, 1)),
    st.times(),
)
XML_SNIPPETS = [
    b'<!DOCTYPE x [<!ENTITY a "aaaa">]>',
    b"&a;",
    b"&amp;",
    b"&#0;",
    b"&#xD800;",
    b"]]>",
    b'<c r="A2" t="n"><v>x</v></c>',
    b'<c r="A2" t="d"><v>not a date</v></c>',
    b'<c r="B2" t="s"><v>99999</v></c>',
    b'<c r="B2" t="b"><v>7</v></c>',
    b'<c r="C2" t="e"><v>#REF!</v></c>',
    b'<c r="A2" s="9999"><v>1</v></c>',
    b'<c r="A2"><v>1e400</v></c>',
    b'<c r="A2"><v>-1e400</v></c>',
    b'<c r="ZZZZ2"><v>1</v></c>',
    b'<c r="A0"><v>1</v></c>',
    b'<c r="A2"><f>1/0</f><v>#DIV/0!</v></c>',
    b'<row r="0">',
    b'<row r="-5">',
    b'<row r="99999999">',
    b'<row r="x">',
    b"</row>",
    b"<row>",
    b"</sheetData>",
    b'<dimension ref="A1:XFD1048576"/>',
    b'<dimension ref="garbage"/>',
    b'<sheet name="" r:id="x"/>',
    b'<numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>',
    b'<xf numFmtId="14"/>',
    b"\x00",
    b"\xff\xfe",
]


@st.composite
def mutated(draw: st.DrawFn, data: bytes, snippets: list[bytes] | None = None) -> bytes:
    """`data` with a few bytes flipped, cut, repeated or (if given) snippets put in."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        ops = ["flip", "delete", "insert", "truncate", "repeat"] + (
            ["snippet"] * 3 if snippets else []
        )
        op = draw(st.sampled_from(ops))
        at = draw(st.integers(0, len(out)))
        if op == "flip" and at < len(out):
            out[at] = draw(st.integers(0, 255))
        elif op == "delete":
            del out[at : at + draw(st.integers(1, 64))]
        elif op == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif op == "truncate":
            del out[at:]
        elif op == "repeat":
            out[at:at] = out[at : at + draw(st.integers(1, 200))] * draw(st.integers(2, 50))
        elif op == "snippet" and snippets:
            # At a tag boundary, so the snippet reaches the parser rather than breaking the XML.
            starts = [i for i in range(len(out)) if out[i] == 0x3C][:5000] or [0]
            at = draw(st.sampled_from(starts))
            out[at:at] = draw(st.sampled_from(snippets))
    return bytes(out)


def rezip(workbook: bytes, part: str, content: bytes) -> bytes:
    """The workbook with one part replaced; a valid zip (right sizes and checksums)."""
    raw = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as zin,
        zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            zout.writestr(info.filename, content if info.filename == part else zin.read(info))
    return raw.getvalue()


@st.composite
def xml_mutated(draw: st.DrawFn, workbook: bytes) -> bytes:
    """One part of a valid workbook mutated, the zip itself kept valid."""
    with zipfile.ZipFile(io.BytesIO(workbook)) as z:
        names = z.namelist()
        part = draw(st.sampled_from(names))
        content = z.read(part)
    return rezip(workbook, part, draw(mutated(content, XML_SNIPPETS)))


@st.composite
def hostile_cells(draw: st.DrawFn, workbook: bytes) -> bytes:
    """A valid workbook (saved by openpyxl) with some cells given hostile values."""
    wb = openpyxl.load_workbook(io.BytesIO(workbook))
    for _ in range(draw(st.integers(1, 8))):
        ws = wb[draw(st.sampled_from(wb.sheetnames))]
        row = draw(st.integers(1, max(ws.max_row, 1) + 1))
        column = draw(st.integers(1, max(ws.max_column, 1) + 1))
        value = draw(CELL_VALUES)
        if isinstance(value, str):  # a lone surrogate cannot be saved at all
            value = "".join(c for c in value if not 0xD800 <= ord(c) <= 0xDFFF)
        try:
            ws.cell(row=row, column=column).value = value
        except (IllegalCharacterError, ValueError, TypeError):
            # openpyxl will not store it; put it in as text without what XML cannot carry
            ws.cell(row=row, column=column).value = "".join(
                c for c in str(value) if c >= " " and not 0xD800 <= ord(c) <= 0xDFFF
            )
    raw = io.BytesIO()
    try:
        wb.save(raw)
    except ValueError:  # a value lxml will not write (U+FFFE...): not a workbook Excel makes
        reject()
    return raw.getvalue()


def any_workbook(name: str) -> st.SearchStrategy[bytes]:
    valid = corpus()[name]
    return st.one_of(
        st.binary(max_size=600),
        mutated(valid),  # the zip's bytes themselves
        xml_mutated(valid),
        hostile_cells(valid),
    )


@st.composite
def hostile_csv(draw: st.DrawFn, data: bytes) -> bytes:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    for _ in range(draw(st.integers(1, 5))):
        r = draw(st.integers(0, len(rows) - 1))
        c = draw(st.integers(0, len(rows[r])))
        text = draw(HOSTILE_TEXT)
        if c < len(rows[r]):
            rows[r][c] = text
        else:
            rows[r].append(text)
    out = io.StringIO()
    csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"]))).writerows(rows)
    return out.getvalue().encode(
        draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])), "surrogatepass"
    )


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, (*path, i))


JSON_VALUES = st.one_of(
    HOSTILE_TEXT,
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False),
    st.just([]),
    st.just({}),
    st.integers(1, 300).map(lambda n: json.loads("[" * n + "]" * n)),
    st.just({"unexpected": "field"}),
)


@st.composite
def hostile_json(draw: st.DrawFn, data: bytes) -> bytes:
    doc = json.loads(data)
    paths = list(_leaves(doc))
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(paths[1:]))
        node = doc
        try:
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = draw(JSON_VALUES)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change replaced the way there
    return json.dumps(doc, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")


def any_text(name: str, *structured: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    valid = corpus()[name]
    return st.one_of(st.binary(max_size=600), mutated(valid), *structured)


# ------------------------------------------------------------------------------ tests


def _write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


def _check(tmp: Path, *args: str | Path) -> None:
    out = tmp / "out"
    clean(
        invoke("check", *args, "--as-of", DEMO_AS_OF, "--format", "json", "-o", out / "i.json"), out
    )


@FUZZ
@given(data=st.data())
def test_tracker(data: st.DataObject) -> None:
    valid = corpus()["tracker.csv"]
    tracker = data.draw(any_text("tracker.csv", hostile_csv(valid)))
    with workspace() as tmp:
        _check(tmp, _write(tmp, "tracker.csv", tracker), "--centre", CENTRE)


@FUZZ
@given(centre=any_text("centre.toml"))
def test_centre_toml(centre: bytes) -> None:
    with workspace() as tmp:
        _check(tmp, TRACKER, "--centre", _write(tmp, "centre.toml", centre))


@FUZZ
@given(records=any_workbook("records.xlsx"))
def test_records_workbook(records: bytes) -> None:
    with workspace() as tmp:
        _check(tmp, TRACKER, "--centre", CENTRE, "--records", _write(tmp, "records.xlsx", records))


@FUZZ
@given(rules=any_workbook("rules.xlsx"))
def test_rules_workbook(rules: bytes) -> None:
    with workspace() as tmp:
        path = _write(tmp, "rules.xlsx", rules)
        clean(invoke("catalogue", "check", path), tmp / "out")
        _check(tmp, TRACKER, "--centre", CENTRE, "--catalogue", path)


@FUZZ
@given(catalogue=any_text("rules.yaml"))
def test_yaml_catalogue(catalogue: bytes) -> None:
    with workspace() as tmp:
        clean(invoke("catalogue", "check", _write(tmp, "rules.yaml", catalogue)), tmp / "out")


@FUZZ
@given(data=st.data())
def test_register(data: st.DataObject) -> None:
    register = data.draw(any_text("issues.json", hostile_json(corpus()["issues.json"])))
    with workspace() as tmp:
        path = _write(tmp, "issues.json", register)
        forms, entries, pack = (tmp / "forms", tmp / "entries", tmp / "pack")
        for out in (forms, entries, pack):
            out.mkdir()
        clean(invoke("forms", "missed-claim", path, "-o", forms), forms)
        clean(invoke("entries", path, "-o", entries), entries)
        clean(
            invoke(
                "declaration", path, "--signed-by", "Ben Okoro", "--role", "Exams Officer",
                "--allow-outstanding", "Signed off while fuzzing", "-o", pack / "pack.pdf",
            ),
            pack,
        )  # fmt: skip


@FUZZ
@given(edi=any_text("entries.X01"))
def test_entries_file(edi: bytes) -> None:
    with workspace() as tmp:
        clean(invoke("entries", "read", _write(tmp, "E6439572.X01", edi)), tmp / "out")


@FUZZ
@given(template=any_workbook("template.xlsx"))
def test_form_template(template: bytes) -> None:
    with workspace() as tmp:
        out = tmp / "out"
        tpl = _write(tmp, "ocr.xlsx", template)
        clean(
            invoke(
                "forms", "missed-claim", GOLDEN / "demo-register.json", "-o", out,
                "--template", tpl, "--map", MAP,
            ),
            out,
        )  # fmt: skip


@st.composite
def hostile_actions(draw: st.DrawFn, workbook: bytes) -> bytes:
    """The records workbook with Actions rows for real issues, carrying hostile values: what a
    centre types there reaches every output `run` writes (forms, pack, listing, archive)."""
    ids = [issue["id"] for issue in json.loads(corpus()["issues.json"])["issues"]]
    wb = openpyxl.load_workbook(io.BytesIO(workbook))
    ws = wb["Actions"]
    for _ in range(draw(st.integers(1, 4))):
        date = draw(st.one_of(st.dates(dt.date(2023, 9, 1), dt.date(2024, 6, 10)), CELL_VALUES))
        action, ref, by = (draw(CELL_VALUES) for _ in range(3))
        values = [draw(st.sampled_from(ids)), action, date, ref, by]
        clean_values = [
            "".join(c for c in v if c >= " " and not 0xD800 <= ord(c) <= 0xDFFF)
            if isinstance(v, str)
            else v
            for v in values
        ]
        ws.append(clean_values)
    raw = io.BytesIO()
    try:
        wb.save(raw)
    except ValueError:
        reject()
    return raw.getvalue()


@settings(FUZZ, max_examples=_EXAMPLES or 6)
@given(records=hostile_actions(corpus()["records.xlsx"]))
def test_run_with_hostile_records(records: bytes) -> None:
    with workspace() as tmp:
        out = tmp / "out"
        path = _write(tmp, "records.xlsx", records)
        result = invoke(
            "run", TRACKER, "--centre", CENTRE, "--records", path,
            "--catalogue", DEMO / "rules.xlsx", "--as-of", DEMO_AS_OF, "-o", out, "--force",
        )  # fmt: skip
        clean(result, out)


# ------------------------------------ issue 18 (3-5): implausible rules, sheet names, formulas

# The demo's rules (fixtures/demo/rules.xlsx): code -> (mandatory units, optional units).
_DEMO_RULES = {"05835": ([1, 2], [4, 5, 9, 14, 16, 22]), "05839": ([1, 2, 3], [4, 8, 9, 12, 17])}
_RULES_SHEETS = ["Qualifications", "Units", "Groups", "Barred", "Subjects"]


def _book_bytes(wb: Any) -> bytes:
    raw = io.BytesIO()
    wb.save(raw)
    return raw.getvalue()


def _header_row(ws: Any) -> list[str]:
    return [c.value for c in ws[1]]


@st.composite
def implausible_rules(draw: st.DrawFn) -> tuple[bytes, str, str]:
    """The demo's rules workbook with one thing no Cambridge Technical can be: (workbook, where
    the refusal must point, words it must say)."""
    from ctforms.read.plausible import _size_key, bounds

    wb = openpyxl.load_workbook(io.BytesIO(corpus()["rules.xlsx"]))
    kind = draw(
        st.sampled_from(
            ["unit glh", "minimum glh", "size", "barred", "group", "formula", "near", "twin"]
        )
    )
    if kind == "unit glh":
        ws = wb["Units"]
        row = draw(st.integers(2, ws.max_row))
        glh = draw(st.one_of(st.integers(181, 10**18), st.integers(1, 9)))
        ws.cell(row, 4).value = glh
        return _book_bytes(wb), f"sheet 'Units', row {row}, column 'GLH'", "GLH"
    if kind == "minimum glh":
        ws = wb["Qualifications"]
        row = draw(st.integers(2, ws.max_row))
        right = bounds().sizes[(2016, 3)][_size_key(ws.cell(row, 3).value)][1]
        glh = draw(st.integers(1, 10**18).filter(lambda g: g != right))
        ws.cell(row, 4).value = glh
        return _book_bytes(wb), f"sheet 'Qualifications', row {row}, column 'Minimum GLH'", "GLH"
    if kind == "size":
        ws = wb["Qualifications"]
        row = draw(st.integers(2, ws.max_row))
        known = bounds().sizes[(2016, 3)]
        size = draw(
            st.text("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ()-", max_size=24).filter(
                lambda t: bool(t.split()) and _size_key(" ".join(t.split())) not in known
            )
        )
        ws.cell(row, 3).value = size
        return _book_bytes(wb), f"sheet 'Qualifications', row {row}, column 'Size'", "not a size"
    if kind == "barred":
        code = draw(st.sampled_from(sorted(_DEMO_RULES)))
        mandatory, optional = _DEMO_RULES[code]
        units = [draw(st.sampled_from(mandatory))]
        units += draw(st.lists(st.sampled_from(mandatory + optional), min_size=1, max_size=3))
        if len(set(units)) < 2:
            reject()
        ws = wb["Barred"]
        ws.append([code, ", ".join(map(str, units))])
        return _book_bytes(wb), f"sheet 'Barred', row {ws.max_row}, column 'Units'", "mandatory"
    if kind == "group":
        # 05839's group: five optional units of 60 GLH, 300 at most.
        wb["Groups"].cell(2, 5).value = draw(st.integers(301, 10**12))
        return _book_bytes(wb), "sheet 'Groups', row 2, column 'Min GLH'", "no student"
    if kind == "formula":
        name = draw(st.sampled_from(_RULES_SHEETS))
        ws = wb[name]
        row = draw(st.integers(2, ws.max_row))
        headers = _header_row(ws)
        column = draw(st.integers(1, len(headers)).filter(lambda c: headers[c - 1] != "Notes"))
        text = draw(st.sampled_from(["=60+60", '=WEBSERVICE("http://x.invalid")', "=A1", "=1/0"]))
        ws.cell(row, column).value = text
        where = f"sheet '{name}', row {row}, column '{headers[column - 1]}'"
        return _book_bytes(wb), where, "not a formula"
    name = draw(st.sampled_from(_RULES_SHEETS))
    if kind == "near":
        near = draw(st.sampled_from([name[:-1], name + "s", name.lower()[:-1], name + " sheet"]))
        wb[name].title = near
        return _book_bytes(wb), f"sheet '{near}'", f"no sheet '{name}', but a sheet '{near}'"
    twin = draw(st.sampled_from([name + " ", " " + name, name.upper(), name.lower()]))
    wb.create_sheet("Twin")
    data = _book_bytes(wb)
    book = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
    data = rezip(data, "xl/workbook.xml", book.replace(b'name="Twin"', f'name="{twin}"'.encode()))
    return data, f"sheet '{twin}'", f"two sheets, '{name}' and '{twin}'"


@FUZZ
@given(case=implausible_rules())
def test_implausible_rules_are_refused_where_they_are(case: tuple[bytes, str, str]) -> None:
    rules, where, words = case
    with workspace() as tmp:
        path = _write(tmp, "rules.xlsx", rules)
        out = tmp / "out"
        for result in (
            invoke("catalogue", "check", path),
            invoke(
                "check", TRACKER, "--centre", CENTRE, "--catalogue", path, "--as-of", DEMO_AS_OF,
                "--format", "json", "-o", out / "i.json",
            ),
        ):  # fmt: skip
            clean(result, out)
            assert result.exit_code == 2, result.output
            assert result.stderr.startswith(f"Error: rules.xlsx, {where}: "), result.stderr
            assert words in result.stderr, result.stderr


@st.composite
def records_with_a_formula(draw: st.DrawFn) -> tuple[bytes, str]:
    """The demo's records with a formula, no value saved, in a cell ctforms reads."""
    wb = openpyxl.load_workbook(io.BytesIO(corpus()["records.xlsx"]))
    name = draw(st.sampled_from(["Actions", "Visits", "Expected", "Claims", "Entry Decisions"]))
    if name == "Entry Decisions":
        ws = wb.create_sheet(name)
        ws.append(["Candidate Number", "Qualification Code", "Make the Change (Y/N)", "Decided By"])
        ws.append(["0012", "05838", "Y", "Ben Okoro"])
    ws = wb[name]
    headers = _header_row(ws)
    row = draw(st.integers(2, ws.max_row))
    column = draw(st.integers(1, len(headers)))
    ws.cell(row, column).value = draw(st.sampled_from(["=Staff!A1", '=CONCAT("B. ","Okoro")']))
    return _book_bytes(wb), f"sheet '{name}', row {row}, column '{headers[column - 1]}'"


@FUZZ
@given(case=records_with_a_formula())
def test_a_records_formula_without_a_value_is_called_a_formula(case: tuple[bytes, str]) -> None:
    records, where = case
    with workspace() as tmp:
        out = tmp / "out"
        result = invoke(
            "check", TRACKER, "--centre", CENTRE, "--records", _write(tmp, "records.xlsx", records),
            "--as-of", DEMO_AS_OF, "--format", "json", "-o", out / "i.json",
        )  # fmt: skip
        clean(result, out)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(f"Error: records.xlsx, {where}: "), result.stderr
        assert "holds a formula" in result.stderr and "is empty" not in result.stderr


@st.composite
def implausible_yaml(draw: st.DrawFn) -> tuple[bytes, str]:
    """The demo's rules as YAML (catalogue export) with one implausible value: (file, words)."""
    text = corpus()["rules.yaml"].decode("utf-8")
    kind = draw(st.sampled_from(["unit glh", "minimum glh", "size", "barred", "group"]))
    if kind == "unit glh":
        glh = draw(st.one_of(st.integers(181, 10**18), st.integers(1, 9)))
        text = text.replace(
            "{number: 1, title: Fundamentals of IT, glh: 90", f"{{number: 1, glh: {glh}", 1
        )
        return text.encode(), "units[1].glh: "
    if kind == "minimum glh":
        glh = draw(st.integers(1, 10**18).filter(lambda g: g not in {180, 360, 540, 720, 1080}))
        return text.replace("    glh: 360\n", f"    glh: {glh}\n", 1).encode(), ".glh: "
    if kind == "size":
        size = draw(st.sampled_from(["Mega Diploma", "Diplomas", "Certificate Plus", "BTEC"]))
        text = text.replace("size: Extended Certificate", f"size: {size}", 1)
        return text.encode(), f"'{size}' is not a size"
    if kind == "barred":
        units = draw(st.sampled_from(["[1, 2]", "[1, 16]", "[2, 4, 5]"]))
        return text.replace("      - [16, 22]\n", f"      - {units}\n", 1).encode(), "mandatory"
    glh = draw(st.integers(421, 10**9))  # 05835's optional units give 420 at most
    return text.replace("min_glh: 180", f"min_glh: {glh}", 1).encode(), "no student could meet"


@FUZZ
@given(case=implausible_yaml())
def test_an_implausible_yaml_catalogue_is_refused(case: tuple[bytes, str]) -> None:
    catalogue, words = case
    with workspace() as tmp:
        path = _write(tmp, "rules.yaml", catalogue)
        result = invoke("catalogue", "check", path)
        clean(result, tmp / "out")
        assert result.exit_code == 2, result.output
        assert words in result.stderr, result.stderr


# ------------------------------------------- long and uncarried names (issue 18, item 6)

NAME_PART = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdeéøß '-3", min_size=0, max_size=60)


def _with_name(tracker: bytes, number: str, surname: str, forenames: str) -> bytes:
    """The demo tracker with candidate `number` renamed (every row of theirs)."""
    rows = list(csv.reader(io.StringIO(tracker.decode("utf-8"))))
    for row in rows[1:]:
        if row[1] == number:
            row[4], row[5] = surname, forenames
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


@settings(FUZZ, max_examples=_EXAMPLES or 6)
@example(
    surname="Abcdefghij Klmnopqrst-Uvwxyzabcd Efghijklmn Opq",
    forenames="Alexandra Bartholomew Christabel",
)
@example(surname="Müller 3rd", forenames="Lena")
@given(surname=NAME_PART, forenames=NAME_PART)
def test_run_with_any_name_for_an_entry_change(surname: str, forenames: str) -> None:
    """0036 has a move-down: whatever their name, the run makes every output; the entries file
    carries a name of at most 40 characters that keeps the first forename's initial (shortened
    names are listed in full), or leaves the change out and says to make it by hand."""
    from ctforms.produce import edi
    from ctforms.produce.names import NameError_, entry_name, transliterate

    with workspace() as tmp:
        out = tmp / "out"
        tracker = _write(
            tmp, "tracker.csv", _with_name(corpus()["tracker.csv"], "0036", surname, forenames)
        )
        result = invoke(
            "run", tracker, "--centre", CENTRE, "--records", DEMO / "records.xlsx",
            "--catalogue", DEMO / "rules.xlsx", "--as-of", DEMO_AS_OF, "-o", out, "--force",
        )  # fmt: skip
        clean(result, out)
        if result.exit_code == 2:
            return  # e.g. an empty surname: the tracker is refused, said in one line
        try:
            expected, shortened = entry_name(surname, forenames)
        except NameError_:
            assert "candidate 0036: move-down" in result.stdout
            assert "(the name cannot be carried)" in result.stdout
            return
        edi_file = out / "E6439572.X01"
        records = edi.read_file(edi_file.read_bytes(), edi_file.name).records
        name = next(
            r["name"] for k, r in records if k == edi.DETAIL and r["candidate_number"] == "0036"
        )
        assert name == expected and len(name) <= 40 and ":" in name
        letters = [c for c in transliterate(forenames) if c.isalpha()]
        if letters:
            # The first forename's first letter is always kept (a leading hyphen may stay).
            kept = [c for c in name.split(": ", 1)[1] if c.isalpha()]
            assert kept[:1] == letters[:1], name
        if shortened:
            listing = openpyxl.load_workbook(out / "64395-entries-listing.xlsx")["Entries"]
            texts = [c.value for row in listing.iter_rows() for c in row if c.value]
            assert any(str(t).startswith(f"0036: {name} (full name: ") for t in texts)


# ------------------------------------------------------------- one writer at a time (issue 18)

# What a run's folder may hold before a forced re-run: an earlier run's own files (some
# changed), entries files of any sequence (sent or not), the centre's own files, links,
# subfolders, hidden files and a killed run's staging folder.
_OWN = ["issues.json", "actions.xlsx", "64395-entries-listing.xlsx", "64395-submission-archive.zip"]
_ENTRIES = [f"E6439572.X{n:02d}" for n in (1, 2, 3, 7)] + ["A6439572.X02"]
_FOREIGN = ["keep.txt", "tracker.csv", "E1111172.X01", "e6439572.x01", "notes"]


@st.composite
def run_folders(draw: st.DrawFn) -> list[tuple[str, str, bytes]]:
    """(kind, name, bytes) of the things in a folder, kind one of file, link, folder, stage."""
    things: list[tuple[str, str, bytes]] = []
    for name in draw(st.lists(st.sampled_from(_OWN + _ENTRIES), unique=True, max_size=5)):
        things.append(("file", name, draw(st.binary(max_size=40))))
    if draw(st.integers(0, 3)) == 0:
        things.append(("file", draw(st.sampled_from(_FOREIGN)), b"the centre's own"))
    if draw(st.integers(0, 5)) == 0:
        things.append((draw(st.sampled_from(["link", "folder"])), "other", b""))
    if draw(st.booleans()):
        things.append(("file", ".hidden", b"hidden"))
    if draw(st.booleans()):
        things.append(("stage", ".ctforms-unfinished-dead", b"personal data"))
    return things


def _lay_out(out: Path, things: list[tuple[str, str, bytes]]) -> None:
    for kind, name, data in things:
        if kind == "file":
            (out / name).write_bytes(data)
        elif kind == "link":
            (out / name).symlink_to("/etc/passwd")
        elif kind == "folder":
            (out / name).mkdir()
        else:
            (out / name).mkdir()
            (out / name / "issues.json").write_bytes(data)


def _everything(out: Path) -> dict[str, bytes | None]:
    return {
        str(p.relative_to(out)): p.read_bytes() if p.is_file() and not p.is_symlink() else None
        for p in sorted(out.rglob("*"))
    }


@settings(FUZZ, max_examples=_EXAMPLES or 8)
@given(things=run_folders())
def test_a_forced_run_leaves_exactly_what_its_archive_lists(
    things: list[tuple[str, str, bytes]],
) -> None:
    """Whatever the folder held: refused with one line and nothing changed (a stopped run's
    staging folder aside, which is removed and said), or the folder holds exactly the files
    its archive lists, every earlier entries file is kept (in place or in earlier-entries/),
    and no staging folder is left."""
    with workspace() as tmp:
        out = tmp / "out"
        _lay_out(out, things)
        before = _everything(out)
        result = invoke(
            "run", TRACKER, "--centre", CENTRE, "--records", DEMO / "records.xlsx",
            "--catalogue", DEMO / "rules.xlsx", "--as-of", DEMO_AS_OF, "-o", out, "--force",
        )  # fmt: skip
        assert result.exit_code in {0, 2}, result.output
        assert not list(out.glob(".ctforms-unfinished-*"))
        if any(kind == "stage" for kind, _, _ in things):
            assert "the unfinished outputs of a run that was stopped" in result.stderr
        event(f"exit {result.exit_code}")
        if result.exit_code == 2:
            assert result.stderr.count("Error: ") == 1 and result.stdout == ""
            left = {k: v for k, v in before.items() if not k.startswith(".ctforms-unfinished-")}
            assert _everything(out) == left
            return
        archive = out / "64395-submission-archive.zip"
        with zipfile.ZipFile(archive) as zf:
            listed = set(zf.namelist()) - {"manifest.json"}
        shown = {p.name for p in out.iterdir() if not p.name.startswith(".") and p.is_file()}
        assert shown == listed | {archive.name}
        assert {p.name for p in out.iterdir() if p.is_dir()} <= {"earlier-entries"}
        assert invoke("verify", archive).exit_code == 0
        now = _everything(out)
        for _kind, name, data in things:
            if name in _ENTRIES:
                kept = [now.get(name), now.get(f"earlier-entries/{name}")]
                assert data in kept, f"{name} was lost"
                if now.get(name) is not None and now.get(name) != data:
                    raise AssertionError(f"{name} was replaced")


@st.composite
def held_paths(draw: st.DrawFn) -> list[tuple[str, ...]]:
    parts = st.lists(st.sampled_from(["a", "b", "runs", "x"]), min_size=0, max_size=3)
    return draw(st.lists(parts.map(tuple), min_size=1, max_size=4))


@settings(FUZZ, max_examples=_EXAMPLES or 40)
@given(held=held_paths(), wanted=st.lists(st.sampled_from(["a", "b", "runs"]), max_size=3))
def test_a_writer_is_refused_exactly_when_another_writes_it_or_around_it(
    held: list[tuple[str, ...]], wanted: list[str]
) -> None:
    """Others (another thread: as another process would) hold some paths; writing a path is
    refused iff one of them is that path, a folder it is in, or inside it; the refusal names
    the holder, and nothing stays held afterwards."""
    import threading

    from ctforms.files.lock import Busy, writing

    with workspace() as tmp:
        target = tmp.joinpath(*wanted)
        ready, finish = threading.Event(), threading.Event()
        taken: list[Path] = []

        def hold() -> None:
            with contextlib.ExitStack() as stack:
                for parts in held:
                    path = tmp.joinpath(*parts)
                    with contextlib.suppress(Busy):  # one of them holds it already
                        stack.enter_context(writing(path, f"holding {path.name or 'it'}"))
                        taken.append(path)
                ready.set()
                finish.wait()

        holder = threading.Thread(target=hold)
        holder.start()
        ready.wait()
        try:
            clash = [p for p in taken if p == target or p in target.parents or target in p.parents]
            try:
                with writing(target, "the one that wants it"):
                    refused = None
            except Busy as exc:
                refused = str(exc)
        finally:
            finish.set()
            holder.join()
        assert (refused is not None) == bool(clash), (taken, target, refused)
        if refused is not None:
            assert "holding" in refused and " is in use (process " in refused
        with writing(target, "again, once let go"):
            pass


# ------------------------------------------- issue 18: implausible tracker dates, page addresses

_PLAUSIBLE = (2000, 2100)  # read/parsing.py EARLIEST_DATE, LATEST_DATE
_OUTSIDE_YEARS = st.one_of(st.integers(1, _PLAUSIBLE[0] - 1), st.integers(_PLAUSIBLE[1] + 1, 9999))
_MONTHS = ["January", "June", "November", "Summer", "Autumn"]


@st.composite
def implausible_tracker(draw: st.DrawFn) -> tuple[bytes, int, str]:
    """The demo's tracker with one cell of one row holding a date or year outside 2000 to 2100:
    the file, the file row, the column."""
    rows = list(csv.reader(io.StringIO(corpus()["tracker.csv"].decode("utf-8-sig"))))
    header = rows[0]
    column = draw(
        st.sampled_from(
            ["Entry Date", "Unit Series", "Estimated Completion", "Certification Status"]
        )
    )
    year = draw(_OUTSIDE_YEARS)
    if column == "Entry Date":
        day = draw(st.dates(dt.date(year, 1, 1), dt.date(year, 12, 31)))
        value = draw(
            st.sampled_from(
                [
                    f"{day.day:02}/{day.month:02}/{day.year:04}",
                    f"{day.year:04}-{day.month:02}-{day.day:02}",
                ]
            )
        )
    elif column == "Certification Status":
        value = f"Certificating in {draw(st.sampled_from(['August', 'January']))} {year:04}"
    else:
        value = f"{draw(st.sampled_from(_MONTHS))} {year:04}"
    at = draw(st.integers(1, len(rows) - 1))
    rows[at][header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode(), at + 1, column


@FUZZ
@given(case=implausible_tracker())
def test_an_implausible_tracker_date_is_refused_naming_its_row_and_column(
    case: tuple[bytes, int, str],
) -> None:
    tracker, row, column = case
    with workspace() as tmp:
        out = tmp / "out"
        path = _write(tmp, "tracker.csv", tracker)
        for result in (
            invoke("check", path, "--centre", CENTRE, "--as-of", DEMO_AS_OF, "-o", out / "i.json"),
            invoke("run", path, "--centre", CENTRE, "--as-of", DEMO_AS_OF, "-o", out, "--force"),
        ):
            clean(result, out)
            assert result.exit_code == 2, result.output
            assert result.stderr.startswith(
                f"Error: tracker.csv, row {row}, column '{column}': "
            ), result.stderr
            assert "(it takes 2000 to 2100): a typing slip; correct it" in result.stderr


_KEPT: list[tempfile.TemporaryDirectory[str]] = []


@functools.cache
def _checked_site() -> Any:
    """A page on a workspace with one check of the demo's files, made once for the section."""
    from webkit import make_site

    from ctforms.files.output import write_bytes

    # Removed when the process ends (the folder object lives as long as the cache).
    folder = tempfile.TemporaryDirectory(prefix="ctforms-fuzz-site-")
    _KEPT.append(folder)
    site = make_site(Path(folder.name) / "ws")
    write_bytes(site.workspace.centre, CENTRE.read_bytes())
    files = {"tracker": ("tracker.csv", TRACKER.read_bytes())}
    assert site.post("check", {"as_of": DEMO_AS_OF}, files=files).status_code == 303
    assert site.wait().status_code == 303
    return site


RUN_TEXT = st.one_of(
    st.sampled_from(
        ["../../etc", "/etc", "%2Fetc", "..", ".", "", " ", "2099-01-01-1", "2024-06-10-0",
         "2024-06-10-1/../..", "\x00", "<script>x</script>", "README", "runs", "next"]
    ),
    st.text(max_size=40),
    st.from_regex(r"\A\d{4}-\d{2}-\d{2}-\d{1,4}\Z"),
)  # fmt: skip


@FUZZ
@given(run=RUN_TEXT, page=st.sampled_from(["results", "files"]), name=st.text(max_size=20))
def test_an_address_naming_any_check_is_answered_in_the_page_s_words(
    run: str, page: str, name: str
) -> None:
    """Whatever run an address names: the latest check's page if it is that one, else 'not
    found' with a link to the latest; never 'no check has been made', a fault or the README."""
    from urllib.parse import quote

    site = _checked_site()
    latest = site.workspace.run_folder(None)
    for address in (
        f"{page}?run={quote(run, safe='')}",
        f"files/{quote(run, safe='')}/{quote(name, safe='') or 'x'}",
    ):
        r = site.get(address)
        assert r.status_code in (200, 404), (address, r.status_code)
        assert "No check has been made" not in r.text, address
        assert "README" not in r.text and "Traceback" not in r.text, address
        if r.status_code == 404 and "No such check" in r.text:
            assert (
                f"{site.base}/{page if address.startswith(page) else 'files'}?run={latest.id}"
                in r.text
            )
