"""How soon hostile inputs are refused, and how the page's server holds: the timing claims the
tests no longer make (a test waits on conditions; on a loaded machine a window of seconds is
noise, not a finding).

    python benchmarks/bench_hostile.py                  # every case, once
    python benchmarks/bench_hostile.py --repeat 3       # three rounds: the range is printed
    python benchmarks/bench_hostile.py surname yaml     # some cases only

Each refusal runs `ctforms` in a fresh process (wall time, Python's start included), on inputs
made as tests/test_hostile_inputs.py makes them. The server cases start `ctforms serve` or
ctforms' own connection protocol on 127.0.0.1 only. It prints each case's time against its
target; the exit code is 1 if any case misses its target.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the tests' own makers of hostile inputs

import test_hostile_inputs as hostile  # noqa: E402
from conftest import DEMO, DEMO_AS_OF  # noqa: E402

TRACKER = DEMO / "tracker.csv"
CENTRE = DEMO / "centre.toml"


def ctforms(*args: str | Path) -> int:
    done = subprocess.run(
        [sys.executable, "-m", "ctforms", *map(str, args)], capture_output=True, check=False
    )
    return done.returncode


def check_records(records: Path) -> int:
    return ctforms(
        "check", TRACKER, "--centre", CENTRE, "--records", records, "--as-of", DEMO_AS_OF
    )


# ---------------------------------------------------------------------------- refusals


def surname(tmp: Path) -> Callable[[], object]:
    lines = (DEMO / "tracker.csv").read_text("utf-8-sig").splitlines()
    cells = lines[1].split(",")
    cells[4] = "A" * 100_000
    lines[1] = ",".join(cells)
    path = tmp / "tracker.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return lambda: _expect(2, ctforms("check", path, "--centre", CENTRE, "--as-of", DEMO_AS_OF))


def declared_3gb(tmp: Path) -> Callable[[], object]:
    records = hostile.records_with(tmp, lambda xml: xml)
    hostile.patch_zip(records, hostile.SHEET, size=3_000_000_000)
    return lambda: _expect(2, check_records(records))


def entity_bombs(tmp: Path) -> Callable[[], object]:
    made = []
    for i, (prolog, ref) in enumerate(
        [(hostile.LAUGHS, b"&lol9;"), (hostile.QUADRATIC, b"&big;" * 20_000)]
    ):
        (tmp / str(i)).mkdir()
        made.append(hostile.records_with(tmp / str(i), hostile._entity_bomb(prolog, ref)))
    return lambda: [_expect(2, check_records(r)) for r in made]


def every_row_and_column(tmp: Path) -> Callable[[], object]:
    import re

    def huge(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml)
        return xml.replace(
            b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
        )

    records = hostile.records_with(tmp, huge)
    return lambda: _expect((0, 1), check_records(records))


def yaml_aliases(tmp: Path) -> Callable[[], object]:
    path = tmp / "rules.yaml"
    path.write_text(hostile._laughs_yaml())
    return lambda: _expect(2, ctforms("catalogue", "check", path))


def archive_bomb(tmp: Path) -> Callable[[], object]:
    """A member of 256 MB of zeros (a few hundred KB stored) that the manifest says is 10 bytes:
    said changed without reading it all."""
    import test_archive

    bomb = tmp / "bomb.zip"
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("big.bin", "w") as fh:
            for _ in range(256):
                fh.write(chunk)
        zf.writestr("manifest.json", test_archive._manifest([("big.bin", 10, "0" * 64)]))
    return lambda: _expect(1, ctforms("verify", bomb))


def _expect(wanted: int | tuple[int, ...], code: int) -> int:
    if code not in (wanted if isinstance(wanted, tuple) else (wanted,)):
        raise SystemExit(f"unexpected exit code {code} (wanted {wanted})")
    return code


# ---------------------------------------------------------------------------- the server


def half_sent(tmp: Path) -> Callable[[], object]:
    """The page answered while 1,030 connections hold a half-sent request (a server allowed
    1,024 open files); timed from the request for the page to its answer."""
    import resource

    import test_web_server as web

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))

    def limit() -> None:  # the server may open 1,024 files, as under `ulimit -n 1024`
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))

    def run() -> None:
        server = web.start(tmp / "ws", preexec=limit)
        held: list[socket.socket] = []
        try:
            held = web._connect_all(server.port, 1030)
            began = time.perf_counter()
            status, _, _ = web.fetch(server.url)
            SPLITS.append(time.perf_counter() - began)
            assert status == 200
        finally:
            for s in held:
                s.close()
            server.stop()

    return run


def slow_head(tmp: Path) -> Callable[[], object]:
    """A request head trickled a byte a tenth of a second, against a half-second deadline:
    timed until the server closes the connection."""
    import uvicorn

    from ctforms.web.connections import guarded_protocol
    from ctforms.web.server import _Server, bind

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    def run() -> None:
        sock = bind(0)
        server = _Server(
            uvicorn.Config(
                app, http=guarded_protocol(0.5, 4), ws="none", lifespan="off", log_config=None
            )
        )
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.01)
        try:
            s = socket.create_connection(("127.0.0.1", sock.getsockname()[1]))
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            began = time.perf_counter()
            s.settimeout(0.1)
            while True:
                with contextlib.suppress(OSError):
                    s.sendall(b"x")
                try:
                    if s.recv(100) == b"":
                        break
                except TimeoutError:
                    continue
                except OSError:
                    break
            SPLITS.append(time.perf_counter() - began)
        finally:
            server.should_exit = True
            thread.join(5)

    return run


SPLITS: list[float] = []  # a case's own measure, when not the whole of its run

# name: (what, make, target in seconds)
CASES: dict[str, tuple[str, Callable[[Path], Callable[[], object]], float]] = {
    "surname": ("a 100,000-character surname refused", surname, 5),
    "declared": ("a part declared to unpack to 3 GB refused", declared_3gb, 10),
    "entities": ("two entity-expansion bombs refused", entity_bombs, 20),
    "huge-sheet": ("a sheet claiming A1:XFD1048576 read", every_row_and_column, 30),
    "yaml": ("a YAML alias bomb refused", yaml_aliases, 10),
    "archive": ("a 256 MB member the manifest says is 10 bytes", archive_bomb, 5),
    "half-sent": ("the page answered beside 1,030 half-sent requests", half_sent, 5),
    "slow-head": ("a trickled request head closed (deadline 0.5 s)", slow_head, 1.5),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", choices=[[], *CASES], default=[])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    chosen = args.cases or list(CASES)
    missed = 0
    print(f"{'case':<11} {'seconds':>13} {'target':>7}  what")
    for name in chosen:
        what, make, target = CASES[name]
        times = []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory(prefix="ctforms-bench-") as tmp:
                run = make(Path(tmp))
                SPLITS.clear()
                began = time.perf_counter()
                run()
                times.append(SPLITS[-1] if SPLITS else time.perf_counter() - began)
        low, high = min(times), max(times)
        span = f"{low:.2f}" if args.repeat == 1 else f"{low:.2f}-{high:.2f}"
        ok = high < target
        missed += not ok
        print(f"{name:<11} {span:>13} {target:>6}s  {what}{'' if ok else '  MISSED'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
