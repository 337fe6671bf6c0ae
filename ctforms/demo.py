"""Where the shipped demo centre and templates live: inside the wheel, or in a source checkout."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_SOURCE = _PACKAGE.parent

# The demo is a snapshot of a centre a week before the 2024 declaration window.
DEMO_AS_OF = dt.date(2024, 6, 10)
# The demo's term-time example: a check in March, while the term-time declaration is open.
DEMO_TERM_TIME_AS_OF = dt.date(2024, 3, 15)


def _find(installed: str, source: str) -> Path:
    for candidate in (_PACKAGE / installed, _SOURCE / source):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"ctforms is installed without its {source} folder")


def demo_dir() -> Path:
    return _find("_demo", "fixtures/demo")


def templates_dir() -> Path:
    return _find("_templates", "templates")
