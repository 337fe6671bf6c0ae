"""Refresh tests/golden/ after an intended change:  python tests/regen_golden.py

Read the diff before committing it: the golden register is the demo's expected answer."""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from conftest import DEMO_ARGS, GOLDEN  # noqa: E402

from ctforms.cli import cli  # noqa: E402


def main() -> None:
    args = ["check", *DEMO_ARGS]
    GOLDEN.mkdir(exist_ok=True)
    for fmt, name in (("json", "demo-register.json"), ("table", "demo-report.txt")):
        result = CliRunner().invoke(cli, [*args, "--format", fmt])
        assert result.exit_code in (0, 1), result.output
        (GOLDEN / name).write_text(result.stdout, encoding="utf-8")
        print(f"wrote {GOLDEN / name}")


if __name__ == "__main__":
    main()
