from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ctforms.checks import rules
from ctforms.cli import cli

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
DEMO = FIXTURES / "demo"
BAD = FIXTURES / "bad"
GOLDEN = Path(__file__).resolve().parent / "golden"
DEMO_AS_OF = "2024-06-10"


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


DEMO_ARGS = [
    str(DEMO / "tracker.csv"),
    "--centre",
    str(DEMO / "centre.toml"),
    "--records",
    str(DEMO / "records.xlsx"),
    "--catalogue",
    str(DEMO / "rules.xlsx"),
    "--as-of",
    DEMO_AS_OF,
]


# Signing off the demo register, whose blocking issues are still open.
SIGN_OFF_ANYWAY = [
    "--signed-by",
    "Ben Okoro",
    "--role",
    "Exams Officer",
    "--allow-outstanding",
    "Visits rebooked for 27 June",
]


@pytest.fixture
def demo_args() -> list[str]:
    return list(DEMO_ARGS)


@pytest.fixture(autouse=True)
def _fresh_rules_engine() -> None:
    """Each test judges from nothing: no memoised result from an earlier test."""
    rules.clear_caches()
