"""Benchmark `ctforms check` against a plain csv.DictReader pass over the same tracker.

    python benchmarks/bench_check.py 10000 100000 200000  # rows; 10 units per student
    python benchmarks/bench_check.py 100000 --repeat 3 --seed 7  # a held-out centre, 3 rounds

For each size it writes a synthetic centre (tracker CSV of N/10 student-qualification entries x 10
units, centre.toml, catalogue) into benchmarks/out/, then runs, each in its own process:
  - baseline: `for row in csv.DictReader(f): pass`
  - check:    `ctforms check ... --format json -o issues.json`
and prints wall time, peak memory (max RSS) and the ratio (ranges over the rounds with
--repeat). --seed draws another centre of the same shape (the default seed is the row count).
Targets: 100,000 rows within 4x the baseline, and the time linear in rows from 10,000 to 200,000
(issue 11; 200,000 rows is about the most a centre of 9,999 candidates has); 1,000,000 rows
within 6x and under 2 GB (issue 2).
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

from ctforms.read.tracker import FIELDS

OUT = Path(__file__).resolve().parent / "out"
CENTRE = "64395"
UNITS = list(range(1, 13))  # 6 mandatory + 6 optional of which a student takes 4

CATALOGUE = """catalogue_version: 1
subjects:
  - id: bench-subject
    name: Benchmark subject
    suite: 2016
    level: 3
    source: synthetic (benchmark)
    verified: false
    units:
{units}
    qualifications:
{qualifications}
      - code: "09990"
        title: Benchmark Certificate
        size: Certificate
        glh: 180
        source: synthetic (benchmark)
        verified: true
        rules: {{verified: true, illustrative: true, source: synthetic, mandatory: [1, 2, 3, 4]}}
"""


def uln(n: int) -> str:
    """A valid, unique ULN for student n (two prefixes, so a check digit of 10 is avoided)."""
    for prefix in (100_000_000, 200_000_000, 300_000_000):
        digits = f"{prefix + n:09d}"
        total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = (10 - total) % 11
        if check < 10:
            return digits + str(check)
    raise AssertionError("unreachable: one of three prefixes has a valid check digit")


def _letters(n: int) -> str:
    """n in letters (0 -> a, 26 -> ba): unique names an EDI entries file can carry."""
    out = ""
    while True:
        n, d = divmod(n, 26)
        out = "abcdefghijklmnopqrstuvwxyz"[d] + out
        if not n:
            return out


def make_centre(rows: int, folder: Path, seed: int | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    # Ten units of 72 GLH make the Diploma's 720 (the catalogue's sizes must be the suite's);
    # the Certificate's four mandatory units (288) pass its 180 exactly when they are all there.
    units_yaml = "\n".join(
        f"      - {{number: {u}, title: Unit {u}, glh: 72,"
        f" assessment: {'Examined' if u % 3 == 1 else 'Moderated'}}}"
        for u in UNITS
    )
    # Candidate numbers are 4 digits (0001-9999), so past 9,999 students the synthetic centre's
    # candidates each hold entries for several qualification codes: N rows is always N/10
    # student-qualification entries of 10 units, the unit of work of every check.
    codes = [f"{9901 + i:05d}" for i in range(rows // 10 // 9999 + 1)]
    quals = "\n".join(
        f"""      - code: "{code}"
        title: Benchmark Diploma {code}
        size: Diploma
        glh: 720
        source: synthetic (benchmark)
        verified: true
        rules:
          verified: true
          illustrative: true
          source: synthetic (benchmark)
          mandatory: [1, 2, 3, 4, 5, 6]
          groups:
            - {{name: optional, units: [7, 8, 9, 10, 11, 12], min_units: 4}}"""
        for code in codes
    )
    (folder / "catalogue.yaml").write_text(CATALOGUE.format(units=units_yaml, qualifications=quals))
    (folder / "centre.toml").write_text(
        f'[centre]\nnumber = "{CENTRE}"\nname = "Benchmark College"\n\n[series]\nyear = 2024\n'
    )
    tracker = folder / "tracker.csv"
    rnd = random.Random(rows if seed is None else seed)
    statuses_ok = ["Result achieved", "Entry received", "Claim submitted", "Claim sampled"]
    with tracker.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([aliases[0] for field, aliases in FIELDS.items() if field != "uci"])
        students = rows // 10
        for s in range(students):
            person = s % 9999
            number = f"{person + 1:04d}"
            code = codes[s // 9999]
            name = (f"Surname{_letters(person)}", f"Forename{_letters(person)}")
            dob = f"{1 + person % 28:02d}/{1 + person % 12:02d}/2006"
            optional = rnd.sample(UNITS[6:], 4)
            for u in UNITS[:6] + sorted(optional):
                status = rnd.choice(statuses_ok) if rnd.random() > 0.03 else "Entry not received"
                grade = rnd.choice("DMP") if status == "Result achieved" else ""
                w.writerow(
                    [
                        CENTRE,
                        number,
                        uln(person),
                        *name,
                        dob,
                        code,
                        "Benchmark Diploma",
                        "Certificating in August 2024",
                        "Summer 2024",
                        "19/09/2022",
                        u,
                        f"Unit {u}",
                        "Examined" if u % 3 == 1 else "Moderated",
                        status,
                        grade,
                        "June 2024" if status == "Entry received" else "",
                    ]
                )
    return tracker


def measure(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss is the max over all children so far: run the larger job last.
    return wall, max(peak, before) / 1024


def folder_for(name: str, seed: int | None) -> Path:
    """Where a centre is made: one folder per size and seed."""
    return OUT / (name if seed is None else f"{name}-seed{seed}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[100_000], help="tracker rows")
    parser.add_argument("--repeat", type=int, default=1, help="rounds per size (default 1)")
    parser.add_argument("--seed", type=int, default=None, help="another centre of the shape")
    args = parser.parse_args(argv)
    print(f"{'rows':>10} {'DictReader s':>13} {'check s':>11} {'ratio':>9} {'check MB':>9}")
    for rows in args.sizes:
        folder = folder_for(f"n{rows}", args.seed)
        tracker = make_centre(rows, folder, args.seed)
        out = folder / "issues.json"
        walls: list[float] = []
        bases: list[float] = []
        ratios: list[float] = []
        peak = 0.0
        for _ in range(args.repeat):
            baseline, _ = measure(
                [
                    sys.executable,
                    "-c",
                    "import csv,sys\nfor r in csv.DictReader(open(sys.argv[1], newline='')): pass",
                    str(tracker),
                ]
            )
            out.unlink(missing_ok=True)
            wall, peak = measure(
                [
                    sys.executable,
                    "-m",
                    "ctforms",
                    "check",
                    str(tracker),
                    "--centre",
                    str(folder / "centre.toml"),
                    "--catalogue",
                    str(folder / "catalogue.yaml"),
                    "--as-of",
                    "2024-06-10",
                    "--format",
                    "json",
                    "-o",
                    str(out),
                ]
            )
            if not out.exists():
                print(f"check failed for {rows} rows", file=sys.stderr)
                return 1
            bases.append(baseline)
            walls.append(wall)
            ratios.append(wall / baseline)
        print(
            f"{rows:>10} {span(bases, '.2f'):>13} {span(walls, '.2f'):>11}"
            f" {span(ratios, '.2f'):>9} {peak:>9.0f}"
        )
    return 0


def span(values: list[float], fmt: str) -> str:
    """min-max of values (one number when they print the same)."""
    lo, hi = format(min(values), fmt), format(max(values), fmt)
    return lo if lo == hi else f"{lo}-{hi}"


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
