"""Show what would change in tests/golden/, and write it only when asked.

    python tests/regen_golden.py           # print the diff; exit 1 if anything would change
    python tests/regen_golden.py --write   # write the new golden files

The golden register is the demo's expected answer. A change to it needs its hand-written fact
in tests/test_golden_facts.py changed first, from the demo's design, not from this output.
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

from click.testing import CliRunner

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from conftest import DEMO_ARGS, GOLDEN  # noqa: E402

from ctforms.cli import cli  # noqa: E402


def main(argv: list[str]) -> int:
    write = "--write" in argv
    changed = False
    GOLDEN.mkdir(exist_ok=True)
    for fmt, name in (("json", "demo-register.json"), ("table", "demo-report.txt")):
        result = CliRunner().invoke(cli, ["check", *DEMO_ARGS, "--format", fmt])
        if result.exit_code not in (0, 1):
            print(result.output, file=sys.stderr)
            return 2
        path = GOLDEN / name
        old = path.read_text("utf-8") if path.exists() else ""
        if old == result.stdout:
            continue
        changed = True
        sys.stdout.writelines(
            difflib.unified_diff(
                old.splitlines(keepends=True),
                result.stdout.splitlines(keepends=True),
                f"golden/{name}",
                f"new/{name}",
            )
        )
        if write:
            path.write_text(result.stdout, encoding="utf-8")
            print(f"wrote {path}")
    if changed and not write:
        print("\nNot written. Change tests/test_golden_facts.py first, then run with --write.")
    return 1 if changed and not write else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
