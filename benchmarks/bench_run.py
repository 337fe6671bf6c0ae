"""Benchmark `ctforms run` against `ctforms check` and a plain csv.DictReader pass (issue 11).

    python benchmarks/bench_run.py                       # 300, 3,000 and 9,999 students, once
    python benchmarks/bench_run.py 3000 --repeat 3       # one size, three rounds
    python benchmarks/bench_run.py 3000 --seed 7         # a held-out centre of the same shape

For each size it writes a synthetic centre into benchmarks/out/run-N/ (bench_check.py's tracker
of 10 units a student, a rules catalogue, a centre.toml with a Head of Centre and an exams
officer, and a records.xlsx that raises issues of several kinds: visits, claims against the
markbook, TAGs, RIA, expected certification, some of them handled in Actions). Then, each in a
fresh process, and the three of a round one after the other so they share the machine's load:
  - baseline: `for row in csv.DictReader(f): pass` over the tracker
  - check:    `ctforms check ... --format json -o issues.json`
  - run:      `ctforms run ... -o run-out --force`
(--no-records: check and run on the tracker and catalogue alone. --seed: another draw of the
tracker's statuses, grades and optional units, and of which students the records' patterns
fall on; without it, the default centre, made the same way every time.)
It prints wall time and peak memory (the child's own max RSS, from wait4) of each, and the ratios
run/check and check/baseline, as ranges over the rounds. Targets (issue 11): run on 3,000 students
within 3x check; peak memory of run on 9,999 students under 500 MB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
from bench_check import CENTRE, OUT, folder_for, make_centre, span

from ctforms.files.xlsxio import workbook_bytes

AS_OF = "2024-06-10"
CODE = "09901"  # bench_check's qualification code for the first 9,999 students
SMALLER = "09990"  # bench_check's Certificate of the same subject

CENTRE_TOML = f"""[centre]
number = "{CENTRE}"
name = "Benchmark College"
head_of_centre = "Dr Alex Benchmark"

[exams_officer]
name = "Sam Officer"
email = "exams@bench.example"

[series]
year = 2024
"""


def write_records(students: int, folder: Path, seed: int | None = None) -> None:
    """A records.xlsx in which about one student in ten has something to do."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)

    def sheet(title: str, header: list[str], rows: list[list[object]]) -> None:
        ws = wb.create_sheet(title)
        ws.append(header)
        for row in rows:
            ws.append(row)

    people = [f"{n % 9999 + 1:04d}" for n in range(min(students, 9999))]
    if seed is not None:  # the same patterns on other students
        random.Random(seed).shuffle(people)
    # Expected: everyone certificating except every 97th (an unexpected certification); every
    # 53rd expects the smaller Certificate instead (a move-down entry: the EDI file and listing).
    sheet(
        "Expected",
        ["Candidate Number", "Qualification Code", "Certificating (Y/N)"],
        [
            [p, SMALLER if i % 53 == 1 else CODE, "N" if i % 97 == 0 else "Y"]
            for i, p in enumerate(people)
        ],
    )
    # One visit ahead of the as-of date with the claim submitted on time.
    sheet(
        "Visits",
        ["Qualification Code", "Moderator", "Visit Date", "Visit Status", "Claim Submitted On"],
        [[CODE, "R. Moderator", dt.datetime(2024, 6, 20), "Scheduled", dt.datetime(2024, 5, 30)]],
    )
    # Claims and markbook for the moderated units 2, 5 (always taken: mandatory): every 29th
    # claim disagrees with the markbook (incorrect claim); every 17th student has a markbook
    # grade for unit 6 but no claim (missed from the claim).
    claims: list[list[object]] = []
    markbook: list[list[object]] = []
    for i, p in enumerate(people):
        for unit in (2, 5):
            grade = "DMP"[(i + unit) % 3]
            claimed = "P" if (i + unit) % 29 == 0 and grade != "P" else grade
            claims.append([p, CODE, unit, claimed, None])
            markbook.append([p, CODE, unit, grade])
        if i % 17 == 0:
            markbook.append([p, CODE, 6, "M"])
    sheet(
        "Claims",
        ["Candidate Number", "Qualification Code", "Unit Number", "Grade Claimed", "Visit Date"],
        claims,
    )
    sheet(
        "Markbook",
        ["Candidate Number", "Qualification Code", "Unit Number", "Final Grade"],
        markbook,
    )
    sheet(
        "TAGs",
        [
            "Candidate Number",
            "Qualification Code",
            "Unit Number",
            "Planned Assessment Date",
            "TAG Grade",
        ],
        [[p, CODE, 3, dt.datetime(2021, 5, 12), "M"] for p in people[5::50]],
    )
    sheet(
        "RIA",
        ["Candidate Number", "Qualification Code", "Unit Number", "Requested On"],
        [[p, CODE, 4, dt.datetime(2022, 3, 1)] for p in people[7::60]],
    )
    # A handful handled, so the "handled" part of every output is exercised.
    sheet(
        "Actions",
        ["Issue ID", "Action Taken", "Date", "OCR Reference", "By"],
        [
            [f"unexpected-certification/{p}/{CODE}/-", "Asked OCR", dt.datetime(2024, 6, 3)]
            for p in people[::97][::3]
        ],
    )
    (folder / "records.xlsx").write_bytes(workbook_bytes(wb, dt.datetime(2024, 6, 10)))


def make_run_centre(students: int, out: Path, seed: int | None = None) -> Path:
    folder = out / folder_for(f"run-{students}", seed).name
    tracker = folder / "tracker.csv"
    stamp = folder / ".made"
    if not stamp.exists():  # the centre is deterministic: made once per size
        make_centre(students * 10, folder, seed)
        (folder / "centre.toml").write_text(CENTRE_TOML)
        write_records(students, folder, seed)
        stamp.write_text("")
    return tracker


def measure(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) of this one child (wait4 gives its own rusage) and exit code."""
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):  # 1: blocking issues found, expected
        assert child.stderr is not None
        sys.stderr.write(child.stderr.read().decode(errors="replace"))
    return wall, usage.ru_maxrss / 1024, child.returncode


def commands(tracker: Path, records: bool) -> dict[str, list[str]]:
    folder = tracker.parent
    common = [
        "--centre",
        str(folder / "centre.toml"),
        *(["--records", str(folder / "records.xlsx")] if records else []),
        "--catalogue",
        str(folder / "catalogue.yaml"),
        "--as-of",
        AS_OF,
    ]
    py = sys.executable
    return {
        "DictReader": [
            py,
            "-c",
            "import csv,sys\nfor r in csv.DictReader(open(sys.argv[1], newline='')): pass",
            str(tracker),
        ],
        "check": [
            py,
            "-m",
            "ctforms",
            "check",
            str(tracker),
            *common,
            "--format",
            "json",
            "-o",
            str(folder / "issues.json"),
            "--force",
        ],
        "run": [
            py,
            "-m",
            "ctforms",
            "run",
            str(tracker),
            *common,
            "-o",
            str(folder / "run-out"),
            "--force",
        ],
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[300, 3000, 9999])
    parser.add_argument("--repeat", type=int, default=1, help="rounds per size (default 1)")
    parser.add_argument("--out", type=Path, default=OUT, help="where the centres are made")
    parser.add_argument(
        "--no-records",
        dest="records",
        action="store_false",
        help="check and run without records.xlsx (the tracker and catalogue only)",
    )
    parser.add_argument(
        "--seed", type=int, default=None, help="a held-out centre: another draw of the same shape"
    )
    args = parser.parse_args(argv)
    env = dict(os.environ, PYTHONHASHSEED="0")
    rows_out: list[tuple[str, ...]] = []
    for students in args.sizes:
        tracker = make_run_centre(students, args.out, args.seed)
        cmds = commands(tracker, args.records)
        wall: dict[str, list[float]] = {k: [] for k in cmds}
        mem: dict[str, list[float]] = {k: [] for k in cmds}
        ratio_rc: list[float] = []
        ratio_cb: list[float] = []
        for _ in range(args.repeat):
            for name, cmd in cmds.items():
                seconds, peak, code = measure(cmd, env)
                if code not in (0, 1):
                    print(f"{name} failed for {students} students (exit {code})", file=sys.stderr)
                    return 1
                wall[name].append(seconds)
                mem[name].append(peak)
            ratio_rc.append(wall["run"][-1] / wall["check"][-1])
            ratio_cb.append(wall["check"][-1] / wall["DictReader"][-1])
        text = (tracker.parent / "run-out" / "issues.txt").read_text("utf-8")
        issues = next((line for line in text.splitlines() if line.startswith("Summary:")), "")
        rows_out.append(
            (
                f"{students:,}",
                f"{students * 10:,}",
                span(wall["DictReader"], ".2f"),
                span(wall["check"], ".2f"),
                span(wall["run"], ".2f"),
                span(ratio_rc, ".1f"),
                span(ratio_cb, ".1f"),
                span(mem["check"], ".0f"),
                span(mem["run"], ".0f"),
            )
        )
        print(f"# {students} students: {issues.strip()}", file=sys.stderr)
    head = (
        "students",
        "rows",
        "DictReader s",
        "check s",
        "run s",
        "run/check",
        "check/DictReader",
        "check MB",
        "run MB",
    )
    widths = [max(len(h), *(len(r[i]) for r in rows_out)) for i, h in enumerate(head)]
    with_records = "with records.xlsx" if args.records else "without records.xlsx"
    seed = "default centre" if args.seed is None else f"seed {args.seed}"
    print(
        f"rounds per size: {args.repeat}; {with_records}; {seed};"
        " peak memory is each child's max RSS"
    )
    print(" | ".join(h.rjust(w) for h, w in zip(head, widths, strict=True)))
    for row in rows_out:
        print(" | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
