"""Converting produced files with LibreOffice, the real client, for the tests."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar, cast

import pytest

_Test = TypeVar("_Test", bound=Callable[..., object])

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# CI installs LibreOffice and poppler and sets this, so a missing install fails, not skips.
REQUIRED = os.environ.get("CTFORMS_REQUIRE_TOOLS") == "1"
PDFTOPPM = shutil.which("pdftoppm")
_pdftoppm_installed = pytest.mark.skipif(
    PDFTOPPM is None and not REQUIRED, reason="poppler-utils is not installed"
)

_office_installed = pytest.mark.skipif(
    SOFFICE is None and not REQUIRED, reason="LibreOffice is not installed"
)


def needs_pdftoppm(test: _Test) -> _Test:
    """poppler renders the pages: skipped without it, and slow (a process a page)."""
    return cast(_Test, pytest.mark.slow(_pdftoppm_installed(test)))


def needs_office(test: _Test) -> _Test:
    """LibreOffice runs the test: skipped without it, and slow (seconds a conversion)."""
    return cast(_Test, pytest.mark.slow(_office_installed(test)))  # pytest types marks as Any


def convert(path: Path, to: str, outdir: Path) -> Path:
    """Convert one file with a fresh profile (convert_all checks that the file was made:
    LibreOffice exits 0 even on failure)."""
    return convert_all([path], to, outdir)[0]


def shown_rows(data: bytes, name: str, tmp_path: Path) -> list[list[str]]:
    """The first sheet of workbook `data` as LibreOffice shows it, row by row (its CSV export:
    UTF-8, and cells as shown, so a date's format counts)."""
    path = tmp_path / name
    path.write_bytes(data)
    to = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true"
    with convert(path, to, tmp_path / "out").open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def convert_all(paths: list[Path], to: str, outdir: Path) -> list[Path]:
    """Convert several files in one LibreOffice run (one start, not one a file: the machine
    is shared); the converted files, in the order given."""
    assert SOFFICE is not None, "LibreOffice (soffice) is required but not installed"
    profile = outdir / f"profile-{uuid.uuid4().hex}"
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            to,
            "--outdir",
            str(outdir),
            *map(str, paths),
        ],
        check=False,
        capture_output=True,
        timeout=600,
    )
    results = [outdir / f"{path.stem}.{to.split(':')[0]}" for path in paths]
    missing = [r.name for r in results if not r.exists()]
    assert not missing, f"LibreOffice did not convert {missing} to {to}"
    return results
