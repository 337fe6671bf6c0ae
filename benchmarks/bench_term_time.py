"""Benchmark the term-time checkpoint: `ctforms check` and `ctforms run --checkpoint term-time`
on a big centre (issue 20).

    python benchmarks/bench_term_time.py              # 3,000 students, once
    python benchmarks/bench_term_time.py 9999 --repeat 3

For each size it writes a synthetic centre into benchmarks/out/term-time-N/ (bench_check.py's
tracker of 10 units a student, every ECD 'Summer 2024'; bench_run.py's centre.toml) and a
records.xlsx whose Expected sheet plans the students so that every kind is raised: a plan of
Summer 2025 for every 7th student (earlier than planned), every 11th planned for Summer 2023
(later), every 13th with no plan but a Course Start in September 2023 (check the course
length), every 17th with neither (unverifiable), the rest Certificating = Y. Then, each in a
fresh process: check --checkpoint term-time (JSON) and run --checkpoint term-time. It prints
wall time and peak memory (the child's own max RSS) of each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

import openpyxl
from bench_check import OUT, make_centre, span
from bench_run import CENTRE_TOML, CODE, measure

from ctforms.files.xlsxio import workbook_bytes

AS_OF = "2024-03-15"


def write_records(students: int, folder: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Expected"
    ws.append(
        [
            "Candidate Number",
            "Qualification Code",
            "Certificating (Y/N)",
            "Course Start",
            "Planned Completion",
        ]
    )
    for i in range(min(students, 9999)):
        number = f"{i % 9999 + 1:04d}"
        if i % 7 == 0:
            ws.append([number, CODE, "N", None, "Summer 2025"])
        elif i % 11 == 0:
            ws.append([number, CODE, "N", None, "Summer 2023"])
        elif i % 13 == 0:
            ws.append([number, CODE, "N", dt.datetime(2023, 9, 4), None])
        elif i % 17 == 0:
            continue  # no row: neither a plan nor a course start
        else:
            ws.append([number, CODE, "Y", None, None])
    (folder / "records.xlsx").write_bytes(workbook_bytes(wb, dt.datetime(2024, 3, 15)))


def make(students: int, out: Path) -> Path:
    folder = out / f"term-time-{students}"
    stamp = folder / ".made"
    if not stamp.exists():
        make_centre(students * 10, folder)
        (folder / "centre.toml").write_text(CENTRE_TOML)
        write_records(students, folder)
        stamp.write_text("")
    return folder


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[3000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    env = dict(os.environ, PYTHONHASHSEED="0")
    for students in args.sizes:
        folder = make(students, args.out)
        common = [
            str(folder / "tracker.csv"),
            "--centre",
            str(folder / "centre.toml"),
            "--records",
            str(folder / "records.xlsx"),
            "--catalogue",
            str(folder / "catalogue.yaml"),
            "--as-of",
            AS_OF,
            "--checkpoint",
            "term-time",
        ]
        py = [sys.executable, "-m", "ctforms"]
        cmds = {
            "check": [*py, "check", *common, "--format", "json", "-o", str(folder / "i.json")],
            "run": [*py, "run", *common, "-o", str(folder / "run-out")],
        }
        wall: dict[str, list[float]] = {k: [] for k in cmds}
        mem: dict[str, list[float]] = {k: [] for k in cmds}
        for _ in range(args.repeat):
            for name, cmd in cmds.items():
                cmd = [*cmd, "--force"]
                seconds, peak, code = measure(cmd, env)
                if code not in (0, 1):
                    print(f"{name} failed (exit {code})", file=sys.stderr)
                    return 1
                wall[name].append(seconds)
                mem[name].append(peak)
        text = (folder / "run-out" / "issues.txt").read_text("utf-8")
        summary = next((ln for ln in text.splitlines() if ln.startswith("Summary:")), "")
        print(f"{students:,} students ({students * 10:,} tracker rows): {summary.strip()}")
        for name in cmds:
            print(
                f"  {name}: {span(wall[name], '.2f')} s, peak {span(mem[name], '.0f')} MB"
                f" ({args.repeat} round{'s' if args.repeat != 1 else ''})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
