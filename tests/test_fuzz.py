"""Fuzzing every reader through the CLI: random bytes, mutations of the demo's valid files, and
valid files carrying hostile values. Whatever comes in, the command reads it (exit 0 or 1) or
refuses it (exit 2) with one "Error:" line: never a traceback, never a file written on exit 2.

A bounded, derandomised run is part of the suite. For a longer, random run:
    CTFORMS_FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest tests/test_fuzz.py
"""

from __future__ import annotations

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
from hypothesis import HealthCheck, event, given, reject, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

# The strategies carry the demo files as arguments: Hypothesis warns their repr is long.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

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
                "--allow-outstanding", "fuzzing", "-o", pack / "pack.pdf",
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
