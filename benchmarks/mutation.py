"""Mutation testing of the rules engine and every check module, with the project's own suite.

    python benchmarks/mutation.py                    # everything (a fresh run: tens of minutes)
    python benchmarks/mutation.py "ctforms.checks.rules*"   # only the mutants whose names match
    python benchmarks/mutation.py --keep             # reuse mutants/ from the last run
    python benchmarks/mutation.py --show             # also print each survivor's diff

mutmut (configured in pyproject.toml, [tool.mutmut]) changes the code one small way at a time
(`<` into `<=`, `continue` into `break`, a string into another...) and runs the tests that reach
it; a mutant no test notices "survived". Prints killed / survived per module and the score.
Not part of CI: it takes minutes. Run it from the project root.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = [sys.executable, "-m", "mutmut"]


def _module(name: str) -> str:
    """ctforms.checks.tags.x_check__mutmut_3 -> ctforms.checks.tags"""
    return ".".join(p for p in name.split(".") if not p.startswith("x"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "names", nargs="*", help="mutant name patterns, e.g. 'ctforms.checks.rules*'"
    )
    parser.add_argument("--keep", action="store_true", help="reuse mutants/ from the last run")
    parser.add_argument("--show", action="store_true", help="print each survivor's diff")
    parser.add_argument("--children", type=int, default=2, help="parallel test runs")
    args = parser.parse_args()
    if shutil.which("mutmut") is None and subprocess.call([*MUTMUT, "--version"]) != 0:
        print("mutmut is not installed: pip install mutmut", file=sys.stderr)
        return 2
    if not args.keep:
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    run = subprocess.run(
        [*MUTMUT, "run", "--max-children", str(args.children), *args.names],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        check=False,
    )
    if run.returncode not in (0, 1):
        print(f"mutmut run failed (exit {run.returncode})", file=sys.stderr)
        return 2
    listing = subprocess.run(
        [*MUTMUT, "results", "--all", "true"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    per: dict[str, Counter[str]] = defaultdict(Counter)
    survivors: list[str] = []
    for line in listing.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if not name or status == "not checked":
            continue
        per[_module(name)][status] += 1
        if status != "killed":
            survivors.append(name)
    if not per:
        # mutmut ends quietly when the suite fails before any mutant (its "clean run").
        print("mutmut made no results: run 'python -m mutmut run' to see why", file=sys.stderr)
        return 2
    total: Counter[str] = Counter()
    print(f"{'module':<34} {'killed':>7} {'survived':>9} {'other':>6} {'score':>7}")
    for module in sorted(per):
        c = per[module]
        total += c
        print(_row(module, c))
    print(_row("total", total))
    print("\nSurvivors (each is a change no test noticed):")
    for name in survivors:
        print(f"  {name}")
        if args.show:
            diff = subprocess.run(
                [*MUTMUT, "show", name], cwd=ROOT, capture_output=True, text=True, check=False
            ).stdout
            print("".join(f"      {line}\n" for line in diff.splitlines() if line[:1] in "+-"))
    return 0


def _row(label: str, c: Counter[str]) -> str:
    killed, survived = c["killed"], c["survived"]
    other = sum(c.values()) - killed - survived  # timeouts, suspicious, ...
    judged = sum(c.values())
    score = f"{100 * killed / judged:.1f}%" if judged else "-"
    return f"{label:<34} {killed:>7} {survived:>9} {other:>6} {score:>7}"


if __name__ == "__main__":
    raise SystemExit(main())
