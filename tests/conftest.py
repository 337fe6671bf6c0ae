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


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder `ctforms run --demo` writes, made once for the session. Tests and fixtures
    that only read a demo run's files share it; one that changes the folder copies it first."""
    folder = tmp_path_factory.mktemp("demo-run") / "run"
    result = invoke("run", "--demo", "-o", folder)
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="session")
def checked_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A page's workspace in which the demo centre's files were checked on 10/06/2024. Tests
    never use it: each takes a copy (`webkit.copy_site`), so the check runs once for the
    session, not once for each test that starts from it."""
    from test_web import check_demo_files
    from webkit import make_site

    site = make_site(tmp_path_factory.mktemp("checked-demo") / "ws")
    check_demo_files(site)
    return site.workspace.root


@pytest.fixture(autouse=True)
def _fresh_rules_engine() -> None:
    """Each test judges from nothing: no memoised result from an earlier test."""
    rules.clear_caches()
