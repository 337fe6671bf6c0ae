"""Input limits and safe opening, in one place (docs/inputs.md, "Limits on inputs").

Every file a user gives is size-checked before it is read, so a hostile or mistaken input is
refused with one line instead of exhausting memory or time. A workbook is checked as a zip
(declared and actual inflated sizes, compression ratio) before openpyxl sees it, and its rows
are read within a row and column bound. The limits admit a real centre's files with room to
spare: at most 9,999 candidates of perhaps 30 units each is 300,000 tracker rows (about 35 MB).
"""

from __future__ import annotations

import contextlib
import importlib
import io
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError
from xml.parsers.expat import ExpatError

import yaml

from ctforms.errors import InputError

MB = 1_000_000

# Plain files: refused past these sizes before they are read.
TRACKER_MAX_BYTES = 200 * MB  # ~1.8 million rows; the 1,000,000-row benchmark is ~110 MB
CENTRE_MAX_BYTES = 1 * MB  # centre.toml is a page of settings
YAML_MAX_BYTES = 20 * MB  # a YAML catalogue or form map; the shipped catalogue is ~30 KB
REGISTER_MAX_BYTES = 200 * MB  # issues.json
EDI_MAX_BYTES = 20 * MB  # 9,999 candidates' entries are ~2 MB
KEY_MAX_BYTES = 1 * MB  # a PEM key or certificate is a few KB
PDF_MAX_BYTES = 200 * MB  # a signed evidence pack; 9,999 students make ~2 MB

# YAML: aliases are counted every time they are used, so "billion laughs" is refused here.
YAML_MAX_NODES = 2_000_000
# Deeper nesting than this is refused (PyYAML and tomllib recurse; Python's stack would not).
MAX_NESTING = 100

# Workbooks (records.xlsx, rules.xlsx, a form's own template).
XLSX_MAX_BYTES = 50 * MB  # the file itself
XLSX_MAX_MEMBER = 100 * MB  # one part (a sheet's XML), inflated; 300,000 rows are ~75 MB
XLSX_MAX_TOTAL = 200 * MB  # all parts together, inflated
XLSX_MAX_RATIO = 200  # inflated / compressed, for parts over 1 MB (Excel's are ~5-30)
XLSX_MAX_MEMBERS = 10_000  # parts in the zip
SHEET_MAX_ROWS = 1_048_576  # Excel's own: a row past it did not come from Excel
SHEET_MAX_COLUMNS = 100  # columns read from each sheet (A to CV); the rest are ignored

_RATIO_FROM = 1 * MB


def _size(n: int) -> str:
    return f"{n / MB:,.0f} MB" if n >= 10 * MB else f"{n:,} bytes"


def too_big(what: str, size: int | None, limit: int) -> InputError:
    found = f" ({_size(size)})" if size is not None else ""
    return InputError(
        f"{what} is larger than ctforms reads{found}: the limit is {_size(limit)}, far above"
        " any real file of its kind; check this is the right file"
    )


def regular_file(path: Path, what: str) -> None:
    """Refuse a folder, a pipe, a socket or a device where a file is read: a pipe with no
    writer would wait for ever, a device never ends."""
    try:
        mode = Path(path).stat().st_mode
    except OSError:
        return  # not found, no permission: the reader says so in its own words
    if not stat.S_ISREG(mode):
        raise InputError(
            f"{what} must be a regular file, not a folder, pipe or device; save it as a file"
            " and give that",
            file=path,
        )


def read_limited(path: Path, limit: int, what: str) -> bytes:
    """The bytes of `path`, refused past `limit` (a device or pipe included: never read whole).

    OSError (file not found, permission) is left to the caller, which knows what to say."""
    regular_file(path, what)
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        try:
            size: int | None = Path(path).stat().st_size or None
        except OSError:
            size = None
        raise InputError(too_big(what, size, limit).detail, file=path)
    return data


def read_text_limited(path: Path, limit: int, what: str, encoding: str) -> str:
    """Like Path.read_text (universal newlines), within `limit` bytes."""
    text = read_limited(path, limit, what).decode(encoding)
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --------------------------------------------------------------------------------- YAML


# libyaml's parser when PyYAML was built with it (about 5x faster); the same safe constructor.
_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str, name: str | Path) -> Any:
    """yaml.safe_load, refusing alias expansion past YAML_MAX_NODES and deep nesting.

    yaml.YAMLError is left to the caller (it names the line)."""
    loader = _SAFE_LOADER(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            raise InputError(
                "nested too deeply to be a ctforms file; check this is the right file", file=name
            ) from None
        if node is None:
            return None
        _check_expansion(node, name)
        try:
            return loader.construct_document(node)
        except ValueError as exc:  # e.g. an integer of thousands of digits
            said = "a number thousands of digits long" if "digits" in str(exc) else str(exc)
            raise InputError(
                f"holds {said[:120]}; check this is the right file", file=name
            ) from None
    finally:
        loader.dispose()


def _check_expansion(root: yaml.Node, name: str | Path) -> None:
    """Count the nodes the document would have with every alias expanded (aliases share the
    node they point to, so each distinct node is sized once), and its depth."""
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    # Iterative post-order walk: the composer already bounds depth, but keep the stack ours.
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if not done:
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
            continue
        sizes[id(node)] = 1 + sum(sizes.get(id(c), 0) for c in children)
        depths[id(node)] = 1 + max((depths.get(id(c), 0) for c in children), default=0)
        if sizes[id(node)] > YAML_MAX_NODES:
            raise InputError(
                f"expands to more than {YAML_MAX_NODES:,} values (through its &anchors and"
                " *aliases); write the values out, or check this is the right file",
                file=name,
            )
        if depths[id(node)] > MAX_NESTING:
            raise InputError(
                f"nested more than {MAX_NESTING} levels deep; check this is the right file",
                file=name,
            )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


# ----------------------------------------------------------------------------- workbooks

_HELP = "save it again from Excel as .xlsx"


def unreadable(path: Path, why: str) -> InputError:
    return InputError(f"not a readable Excel workbook ({why}); {_HELP}", file=path)


def check_xlsx(path: Path) -> None:
    """Refuse a workbook whose zip is damaged, encrypted or too big, declared or actual,
    before openpyxl reads it. The zip's declared sizes can lie: zipfile never inflates a part
    past its declared size (the CRC then fails), and every part is inflated here, in bounded
    chunks, counting what really comes out."""
    path = Path(path)
    size = path.stat().st_size
    if size > XLSX_MAX_BYTES:
        raise InputError(too_big("the workbook", size, XLSX_MAX_BYTES).detail, file=path)
    with open(path, "rb") as fh:
        magic = fh.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE file: old .xls, or encrypted .xlsx
        raise unreadable(
            path, "an old .xls workbook or a password-protected one; remove any password"
        )
    if not magic.startswith(b"PK"):
        raise unreadable(path, "it is not a zip file, as every .xlsx is")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > XLSX_MAX_MEMBERS:
                raise unreadable(path, f"a zip of {len(infos):,} parts")
            total = 0
            for info in infos:
                total += info.file_size
                _check_declared(path, info, total)
            real = 0
            for info in infos:
                real += _inflate(zf, info, path, XLSX_MAX_TOTAL - real)
    except zipfile.BadZipFile as exc:
        raise unreadable(path, f"not a valid zip: {exc}") from None
    except (zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError, OSError) as exc:
        # OSError: offsets in a damaged zip's headers that cannot be sought to
        raise unreadable(path, f"its zip cannot be unpacked: {exc}") from None


def _check_declared(path: Path, info: zipfile.ZipInfo, total: int) -> None:
    if info.flag_bits & 0x1:
        raise InputError(
            "the workbook is password-protected (encrypted); remove the password in Excel"
            " (File > Info > Protect Workbook) and save it again",
            file=path,
        )
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise unreadable(path, f"part {info.filename} uses a compression Excel does not")
    if info.file_size > XLSX_MAX_MEMBER or total > XLSX_MAX_TOTAL:
        raise InputError(
            f"the workbook unpacks to more than ctforms reads (part {info.filename} is"
            f" {_size(info.file_size)}; the limits are {_size(XLSX_MAX_MEMBER)} a part and"
            f" {_size(XLSX_MAX_TOTAL)} in all, far above any real workbook); check this is the"
            " right file",
            file=path,
        )
    if info.file_size > _RATIO_FROM and info.file_size > XLSX_MAX_RATIO * max(
        info.compress_size, 1
    ):
        raise InputError(
            f"part {info.filename} unpacks {info.file_size // max(info.compress_size, 1):,}"
            f" times larger than it is stored, more than any real workbook (limit"
            f" {XLSX_MAX_RATIO}x; Excel's are 5 to 30x); check this is the right file",
            file=path,
        )


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, budget: int) -> int:
    """Inflate one part in 1 MB chunks; its real size, refused past its budget."""
    cap = min(XLSX_MAX_MEMBER, budget)
    n = 0
    with zf.open(info) as fh:
        while chunk := fh.read(1 << 20):
            n += len(chunk)
            if n > cap:
                raise InputError(
                    f"part {info.filename} unpacks to more than its zip entry says, past what"
                    f" ctforms reads ({_size(XLSX_MAX_MEMBER)} a part, {_size(XLSX_MAX_TOTAL)} in"
                    " all): the file is damaged or not a real workbook; check this is the right"
                    " file",
                    file=path,
                )
    return n


# openpyxl's failures on a damaged workbook: XML errors (defusedxml's are ValueErrors), a
# missing part (KeyError), bad values in the XML (TypeError/ValueError from its descriptors)...
_OPENPYXL_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    ParseError,
    ExpatError,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    AttributeError,
    OverflowError,
    EOFError,
    NotImplementedError,
    RecursionError,
)
with contextlib.suppress(ImportError):  # openpyxl parses some parts with lxml if installed
    _OPENPYXL_ERRORS += (importlib.import_module("lxml.etree").LxmlError,)


def _describe(exc: BaseException) -> str:
    """What went wrong, from the innermost cause (openpyxl wraps errors in its own ValueError,
    whose text names the full path)."""
    while (inner := exc.__cause__ or exc.__context__) is not None and inner is not exc:
        exc = inner
    if type(exc).__module__.startswith("defusedxml"):
        return "its XML declares entities, as an XML bomb does; Excel never writes them"
    if isinstance(exc, ParseError | ExpatError) or type(exc).__module__.startswith("lxml"):
        return f"damaged XML: {exc}"
    if isinstance(exc, KeyError):
        return f"a part is missing: {exc}"
    text = " ".join(str(exc).split())[:120]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@contextlib.contextmanager
def openpyxl_errors(path: Path) -> Iterator[None]:
    """Turn what openpyxl raises on a damaged workbook into one InputError naming the file."""
    try:
        yield
    except InputError:
        raise
    except _OPENPYXL_ERRORS as exc:
        raise unreadable(path, _describe(exc)) from None


def open_xlsx(path: Path, *, read_only: bool = True) -> Any:
    """A workbook opened to read values (or, read_only=False, to fill in), after check_xlsx."""
    import warnings

    import openpyxl  # imported here: only the commands given a workbook pay for it
    from openpyxl.utils.exceptions import InvalidFileException

    path = Path(path)
    check_xlsx(path)
    # openpyxl warns (on stderr) about parts it skips and extensions it drops, also while
    # rows are read: not the user's concern, and not one clear line.
    warnings.filterwarnings("ignore", module="openpyxl")
    with openpyxl_errors(path):
        try:
            return openpyxl.load_workbook(path, read_only=read_only, data_only=read_only)
        except InvalidFileException as exc:
            raise unreadable(path, _describe(exc)) from None


def sheet_rows(ws: Any, path: Path) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, values) of a sheet, the first SHEET_MAX_COLUMNS columns only, blank rows
    skipped; a damaged sheet is one InputError, a row past Excel's last row another."""
    rows = ws.iter_rows(values_only=True, max_col=SHEET_MAX_COLUMNS, max_row=SHEET_MAX_ROWS + 1)
    number = 0
    while True:
        with openpyxl_errors(path):
            values = next(rows, None)
        if values is None:
            return
        number += 1
        # A row of blanks is a shared tuple of Nones (openpyxl's filler): skip it at C speed.
        if values.count(None) == len(values):
            continue
        if number > SHEET_MAX_ROWS:
            raise InputError(
                f"a row past row {SHEET_MAX_ROWS:,}, Excel's last; {_HELP}",
                file=path,
                sheet=ws.title,
            )
        yield number, values


# A formula's <f> element, with or without a namespace prefix: a fast test before any parse.
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d{1,7})$")


@dataclass(frozen=True)
class Formula:
    """A cell that holds a formula: its text, and whether the file keeps the value Excel
    last worked out for it (openpyxl's data_only reads that value, or None without it; an
    empty text saved also reads as None)."""

    text: str
    cached: bool


def sheet_formulas(ws: Any, path: Path) -> dict[tuple[int, int], Formula]:
    """The cells of a sheet opened by open_xlsx that hold formulas, by (row, column index from
    0), within the bounds sheet_rows reads. openpyxl's data_only reading gives a formula's
    saved value, or None when there is none, so without this a formula reads as a blank.

    A light pass over the sheet's XML (already bounded by check_xlsx), skipped when no formula
    tag appears in it; parsed with defusedxml, as openpyxl parses it."""
    iterparse = importlib.import_module("defusedxml.ElementTree").iterparse  # no type stubs
    from openpyxl.utils.cell import column_index_from_string

    archive, part = getattr(ws.parent, "_archive", None), getattr(ws, "_worksheet_path", None)
    if archive is None or part is None:  # pragma: no cover - not a read-only sheet
        return {}
    with openpyxl_errors(path):
        with archive.open(part) as fh:
            data = fh.read(XLSX_MAX_MEMBER + 1)
        if not _FORMULA_TAG.search(data):
            return {}
        found: dict[tuple[int, int], Formula] = {}
        row = column = 0
        for event, element in iterparse(io.BytesIO(data), events=("start", "end")):
            tag = element.tag.rsplit("}", 1)[-1]
            if event == "start":
                if tag == "row":  # numbered as openpyxl numbers it: r, or the next one
                    r = element.get("r") or ""
                    row, column = (int(r) if r.isdigit() else row + 1), 0
                continue
            if tag == "c":
                ref = _CELL_REF.match(element.get("r") or "")
                column = column_index_from_string(ref[1]) if ref else column + 1
                if ref:
                    row = int(ref[2])
                parts = {child.tag.rsplit("}", 1)[-1]: child for child in element}
                f = parts.get("f")
                if f is not None and row <= SHEET_MAX_ROWS and column <= SHEET_MAX_COLUMNS:
                    text = " ".join((f.text or "").split())
                    shown = "=" + (text if len(text) <= 40 else text[:39] + "…")
                    v = parts.get("v")
                    # openpyxl writes an empty <v/> beside a formula it cannot work out;
                    # Excel saves a formula's empty text as t="str" and an empty <v/>.
                    saved = v is not None and (bool(v.text) or element.get("t") == "str")
                    found[(row, column - 1)] = Formula(shown, saved)
                element.clear()
            elif tag == "row":
                element.clear()
        return found
