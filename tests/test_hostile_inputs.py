"""Hostile inputs through the CLI: zip and XML bombs, lying zips, giant or deeply nested files.

Each is refused with exit 2 and one "Error:" line naming the file, never a traceback, and
nothing is written. The bombs are small on disk: a "3 GB" part is a crafted zip header, and
limits are lowered (monkeypatch) where a real-size input would make the test slow.
"""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from conftest import DEMO, DEMO_AS_OF, GOLDEN, ROOT, invoke

from ctforms.files import limits

TRACKER = DEMO / "tracker.csv"
CENTRE = DEMO / "centre.toml"
REGISTER = GOLDEN / "demo-register.json"
SHEET = "xl/worksheets/sheet1.xml"  # the first sheet: Expected in records, Qualifications in rules


def refused(result: Result, *words: str) -> str:
    """Exit 2, one 'Error:' line containing `words`, no traceback; the line."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def rewrite_zip(
    src: Path, out: Path, change: Callable[[str, bytes], bytes | None], compresslevel: int = 6
) -> Path:
    """A copy of the workbook `src` with each part passed through `change` (None drops it)."""
    with (
        zipfile.ZipFile(src) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as z,
    ):
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                z.writestr(info.filename, data)
    return out


def patch_zip(path: Path, name: str, *, size: int | None = None, method: int | None = None) -> None:
    """Rewrite the zip headers of part `name`: its declared inflated size, its compression."""
    data = bytearray(path.read_bytes())
    encoded = name.encode()
    # Central directory entry (46 bytes then the name): method at 10, inflated size at 24.
    for m in re.finditer(rb"PK\x01\x02", data):
        start = m.start()
        (nlen,) = struct.unpack_from("<H", data, start + 28)
        if data[start + 46 : start + 46 + nlen] == encoded:
            if size is not None:
                struct.pack_into("<I", data, start + 24, size)
            if method is not None:
                struct.pack_into("<H", data, start + 10, method)
    # Local header (30 bytes then the name): method at 8, inflated size at 22.
    for m in re.finditer(rb"PK\x03\x04", data):
        start = m.start()
        (nlen,) = struct.unpack_from("<H", data, start + 26)
        if data[start + 30 : start + 30 + nlen] == encoded:
            if size is not None:
                struct.pack_into("<I", data, start + 22, size)
            if method is not None:
                struct.pack_into("<H", data, start + 8, method)
    path.write_bytes(bytes(data))


def records_with(
    tmp_path: Path, sheet_xml: Callable[[bytes], bytes], compresslevel: int = 6
) -> Path:
    """The demo records.xlsx with its first sheet's XML changed."""
    return rewrite_zip(
        DEMO / "records.xlsx",
        tmp_path / "records.xlsx",
        lambda name, data: sheet_xml(data) if name == SHEET else data,
        compresslevel,
    )


def check_records(records: Path) -> Result:
    return invoke("check", TRACKER, "--centre", CENTRE, "--records", records, "--as-of", DEMO_AS_OF)


def run_records(tmp_path: Path, records: Path) -> Result:
    out = tmp_path / "out"
    result = invoke(
        "run", TRACKER, "--centre", CENTRE, "--records", records, "--as-of", DEMO_AS_OF, "-o", out
    )
    assert not out.exists() or not any(out.iterdir()), "a failed run left files behind"
    return result


# --------------------------------------------------------------------------- XML bombs

LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10))
    + b"]>"
)
QUADRATIC = b'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY big "' + b"x" * 50_000 + b'">]>'


def _entity_bomb(prolog: bytes, reference: bytes) -> Callable[[bytes], bytes]:
    def change(xml: bytes) -> bytes:
        return prolog + xml.replace(b"<t>Candidate Number</t>", b"<t>" + reference + b"</t>", 1)

    return change


@pytest.mark.parametrize(
    ("prolog", "reference"),
    [(LAUGHS, b"&lol9;"), (QUADRATIC, b"&big;" * 20_000)],
    ids=["billion-laughs", "quadratic-blowup"],
)
def test_entity_expansion_bomb_in_records_is_refused(
    tmp_path: Path, prolog: bytes, reference: bytes
) -> None:
    records = records_with(tmp_path, _entity_bomb(prolog, reference))
    refused(check_records(records), "records.xlsx: not a readable Excel workbook", "entities")
    refused(run_records(tmp_path, records), "records.xlsx")


def test_entity_bomb_in_rules_workbook_and_form_template(tmp_path: Path) -> None:
    def in_every_sheet(name: str, data: bytes) -> bytes:
        if not name.startswith("xl/worksheets/"):
            return data
        return LAUGHS + data.replace(b"<sheetData>", b"<sheetData>&lol9;", 1)

    rules = rewrite_zip(DEMO / "rules.xlsx", tmp_path / "rules.xlsx", in_every_sheet)
    refused(invoke("catalogue", "check", rules), "rules.xlsx: not a readable Excel workbook")
    tpl = rewrite_zip(
        ROOT / "templates" / "missed-claim.xlsx", tmp_path / "ocr.xlsx", in_every_sheet
    )
    out = tmp_path / "forms"
    result = invoke(
        "forms", "missed-claim", REGISTER, "-o", out, "--template", tpl,
        "--map", ROOT / "templates" / "missed-claim.map.yaml",
    )  # fmt: skip
    refused(result, "ocr.xlsx: not a readable Excel workbook")
    assert not out.exists() or not any(out.iterdir())


# ---------------------------------------------------------------------------- zip bombs


def test_part_declared_to_unpack_to_3_gb_is_refused_before_reading(tmp_path: Path) -> None:
    records = records_with(tmp_path, lambda xml: xml)
    patch_zip(records, SHEET, size=3_000_000_000)
    line = refused(check_records(records), "records.xlsx", "unpacks to more than ctforms reads")
    assert "3,000 MB" in line and "the limits are 100 MB a part and 200 MB in all" in line
    assert "README" not in line  # the limit is said, not pointed at
    refused(run_records(tmp_path, records), "unpacks to more than ctforms reads")


def test_parts_together_past_the_total_limit_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "XLSX_MAX_TOTAL", 40_000)  # the demo records unpack to ~60 KB
    refused(check_records(DEMO / "records.xlsx"), "in all")


def test_high_compression_ratio_is_refused(tmp_path: Path) -> None:
    # 2 MB of one repeated cell compresses about 1000 to 1: no real workbook does that.
    row = b'<row><c t="inlineStr"><is><t>Y</t></is></c></row>'
    records = records_with(
        tmp_path,
        lambda xml: xml.replace(b"</sheetData>", row * (2_000_000 // len(row)) + b"</sheetData>"),
        compresslevel=9,
    )
    refused(check_records(records), "times larger than it is stored")


def test_zip_lying_about_a_part_size_is_refused(tmp_path: Path) -> None:
    # The headers say 1,000 bytes; the part really inflates to far more (zipfile stops at the
    # declared size, so the checksum fails): never read past what the zip declares.
    records = records_with(tmp_path, lambda xml: xml + b" " * 500_000)
    patch_zip(records, SHEET, size=1_000)
    refused(check_records(records), "records.xlsx: not a readable Excel workbook")


def test_actual_inflated_size_is_counted_not_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Should the declared sizes ever get past their check, the real bytes are still counted.
    monkeypatch.setattr(limits, "_check_declared", lambda *a: None)
    monkeypatch.setattr(limits, "XLSX_MAX_MEMBER", 20_000)
    refused(check_records(DEMO / "records.xlsx"), "unpacks to more than its zip entry says")


def test_workbook_file_past_the_size_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "XLSX_MAX_BYTES", 10_000)
    refused(check_records(DEMO / "records.xlsx"), "records.xlsx", "larger than ctforms reads")


def test_unknown_compression_is_refused(tmp_path: Path) -> None:
    records = records_with(tmp_path, lambda xml: xml)
    patch_zip(records, SHEET, method=99)  # AES and the like: zipfile cannot unpack it
    refused(check_records(records), "compression Excel does not")


def test_password_protected_or_old_xls_is_refused(tmp_path: Path) -> None:
    records = tmp_path / "records.xlsx"
    records.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    refused(check_records(records), "password-protected")


def test_truncated_zip_and_missing_workbook_part_are_refused(tmp_path: Path) -> None:
    whole = (DEMO / "records.xlsx").read_bytes()
    cut = tmp_path / "records.xlsx"
    cut.write_bytes(whole[: len(whole) // 2])
    refused(check_records(cut), "not a readable Excel workbook")
    gone = rewrite_zip(
        DEMO / "records.xlsx",
        tmp_path / "gone.xlsx",
        lambda name, data: None if name == "xl/workbook.xml" else data,
    )
    refused(check_records(gone), "gone.xlsx: not a readable Excel workbook")


def test_damaged_sheet_xml_is_one_line_naming_the_file(tmp_path: Path) -> None:
    records = records_with(tmp_path, lambda xml: xml[: len(xml) // 2])
    refused(check_records(records), "records.xlsx: not a readable Excel workbook", "XML")


# ------------------------------------------------------------------ row and column bounds


@pytest.mark.slow  # a sheet of a million rows
def test_sheet_claiming_every_row_and_column_is_read_quickly(tmp_path: Path) -> None:
    # A few bytes say A1:XFD1048576: openpyxl pads each row to 16,384 columns and fills in
    # a million empty rows. Only the first 100 columns are read, and blanks are skipped fast.
    def huge(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml)
        return xml.replace(
            b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
        )

    records = records_with(tmp_path, huge)
    result = check_records(records)  # how long it takes: benchmarks/bench_hostile.py
    assert result.exit_code in {0, 1}, result.output


@pytest.mark.slow  # a sheet of a million rows
def test_row_past_excels_last_row_is_refused(tmp_path: Path) -> None:
    def past(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]*"/>', b"", xml)
        return xml.replace(
            b"</sheetData>", b'<row r="1048577"><c r="A1048577"><v>1</v></c></row></sheetData>'
        )

    refused(check_records(records_with(tmp_path, past)), "past row 1,048,576")


# ---------------------------------------------------------------------- YAML, TOML, JSON


def _laughs_yaml() -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    return "catalogue_version: 1\n" + "\n".join(lines) + "\nsubjects: *a9\n"


def test_yaml_alias_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(_laughs_yaml())
    refused(invoke("catalogue", "check", path), "rules.yaml", "&anchors and *aliases")
    refused(
        invoke("check", TRACKER, "--centre", CENTRE, "--catalogue", path), "&anchors and *aliases"
    )


def test_yaml_aliases_within_the_limit_still_work(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "catalogue_version: 1\nsubjects:\n  - id: s\n    name: S\n    suite: 2016\n    level: 3\n"
        "    source: x\n    verified: false\n    units:\n"
        "      - &u {number: 1, title: U, glh: 60, assessment: Examined}\n"
        "    qualifications: []\n"
    )
    assert invoke("catalogue", "check", path).exit_code == 0


@pytest.mark.parametrize("deep", ["[" * 50_000 + "]" * 50_000, "{a: " * 200 + "1" + "}" * 200])
def test_deeply_nested_yaml_is_refused(tmp_path: Path, deep: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(f"catalogue_version: 1\nsubjects: {deep}\n")
    # "nested too deeply" (ctforms' check), or libyaml's own "maximum nesting depth"
    refused(invoke("catalogue", "check", path), "rules.yaml", "nest")


def test_yaml_form_map_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ocr.map.yaml"
    path.write_text(_laughs_yaml().replace("subjects", "columns"))
    result = invoke(
        "forms", "missed-claim", REGISTER, "-o", tmp_path / "out",
        "--template", ROOT / "templates" / "missed-claim.xlsx", "--map", path,
    )  # fmt: skip
    refused(result, "ocr.map.yaml", "&anchors and *aliases")
    assert not (tmp_path / "out").exists()


def test_deeply_nested_centre_toml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "centre.toml"
    path.write_text(CENTRE.read_text("utf-8") + "\n[deep]\nx = " + "[" * 50_000 + "]" * 50_000)
    refused(invoke("check", TRACKER, "--centre", path), "centre.toml", "nested too deeply")


def test_deeply_nested_register_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "issues.json"
    path.write_text('{"issues": ' + "[" * 100_000 + "]" * 100_000 + "}")
    for args in (("forms", "missed-claim"), ("entries",)):
        refused(invoke(*args, path, "-o", tmp_path / "out"), "issues.json")
        assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------------------ sizes


def test_tracker_past_the_size_limit_is_refused_without_reading_it_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("ctforms.read.tracker.TRACKER_MAX_BYTES", 1_000)
    refused(invoke("check", TRACKER, "--centre", CENTRE), "tracker.csv", "the limit is 1,000")


def test_tracker_giant_field_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "tracker.csv"
    path.write_text(TRACKER.read_text("utf-8").rstrip("\n") + '\n"' + "x" * 200_000 + '"\n')
    rows = TRACKER.read_text("utf-8").count("\n")
    refused(invoke("check", path, "--centre", CENTRE), f"tracker.csv, row {rows + 1}", "field")


@pytest.mark.parametrize(
    ("setting", "args"),
    [
        ("ctforms.read.centre.CENTRE_MAX_BYTES", ("check", TRACKER, "--centre", CENTRE)),
        ("ctforms.read.catalogue.YAML_MAX_BYTES", ("catalogue", "check", "{yaml}")),
        ("ctforms.files.limits.REGISTER_MAX_BYTES", ("entries", REGISTER, "-o", "{out}")),
        ("ctforms.cli.entries.EDI_MAX_BYTES", ("entries", "read", "{edi}")),
    ],
    ids=["centre.toml", "catalogue", "register", "entries-file"],
)
def test_plain_files_past_their_limit_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str, args: tuple[str | Path, ...]
) -> None:
    (tmp_path / "rules.yaml").write_text("catalogue_version: 1\nsubjects: []\n" + "#" * 200)
    (tmp_path / "E6439572.X01").write_bytes(b"H" + b" " * 79 + b"\r\n")
    monkeypatch.setattr(setting, 50)
    fill: dict[str, str | Path] = {
        "{yaml}": tmp_path / "rules.yaml",
        "{out}": tmp_path / "out",
        "{edi}": tmp_path / "E6439572.X01",
    }
    refused(invoke(*(fill.get(str(a), a) for a in args)), "larger than ctforms reads")
    assert not (tmp_path / "out").exists()


def test_very_long_action_text_still_gives_the_pack(tmp_path: Path) -> None:
    # Excel holds up to 32,767 characters in a cell; a table row of the PDF cannot split
    # across pages, so the pack shortens such a text (saying so) instead of failing.
    import json

    import openpyxl

    issue = json.loads(REGISTER.read_text("utf-8"))["issues"][0]["id"]
    wb = openpyxl.load_workbook(DEMO / "records.xlsx")
    wb["Actions"].append([issue, "Phoned OCR. " * 2_700, "01/06/2024", "REF", "B. Okoro"])
    records = tmp_path / "records.xlsx"
    wb.save(records)
    out = tmp_path / "out"
    result = invoke(
        "run", TRACKER, "--centre", CENTRE, "--records", records, "--catalogue",
        DEMO / "rules.xlsx", "--as-of", DEMO_AS_OF, "-o", out,
    )  # fmt: skip
    assert result.exit_code in {0, 1}, result.output
    assert (out / "64395-declaration-evidence-pack.pdf").exists()


def test_barred_row_without_units_is_refused(tmp_path: Path) -> None:
    # Found by tests/test_fuzz.py: a Barred row with a Code and no Units was a TypeError.
    import openpyxl

    wb = openpyxl.load_workbook(DEMO / "rules.xlsx")
    wb["Barred"].append(["05835", None])
    rules = tmp_path / "rules.xlsx"
    wb.save(rules)
    refused(invoke("catalogue", "check", rules), "sheet 'Barred'", "column 'Units'", "no units")
