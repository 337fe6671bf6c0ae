"""Issue 11 (4): progress on stderr for run, check and declaration, on a terminal only, and only
once the work has taken a second."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DEMO_ARGS, GOLDEN, SIGN_OFF_ANYWAY, invoke

from ctforms.terminal import Steps


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_nothing_is_shown_in_the_first_second() -> None:
    now = [0.0]
    out = _Tty()
    with Steps(["Reading", "Writing"], stream=out, clock=lambda: now[0]) as steps:
        steps.step("Reading")
        now[0] = 0.9
        steps.part(0.5)
        steps.step("Writing")
    assert out.getvalue() == ""


def test_after_a_second_it_says_which_step_and_how_far() -> None:
    now = [0.0]
    out = _Tty()
    with Steps(["Reading", "Writing"], stream=out, clock=lambda: now[0]) as steps:
        steps.step("Reading")
        now[0] = 1.5
        steps.part(0.5)
        assert "[1/2] Reading" in out.getvalue()
        assert "25%" in out.getvalue()  # half of the first of two steps
        steps.step("Writing")
        assert "[2/2] Writing" in out.getvalue()
        assert "50%" in out.getvalue()
    assert "100%" in out.getvalue().rsplit("\r", 1)[-1]  # the last state drawn


def test_not_a_terminal_shows_nothing() -> None:
    now = [0.0]
    out = io.StringIO()
    with Steps(["Reading"], stream=out, clock=lambda: now[0]) as steps:
        now[0] = 10.0
        steps.step("Reading")
        steps.part(1.0)
    assert out.getvalue() == ""


@pytest.mark.slow  # a real ctforms or tool process
def test_commands_in_a_pipe_print_nothing_extra(tmp_path: Path) -> None:
    run = invoke("run", *DEMO_ARGS, "-o", tmp_path / "out")
    assert run.exit_code == 0
    assert "%" not in run.stderr and "[1/" not in run.stderr
    check = invoke("check", *DEMO_ARGS)
    assert check.stderr == ""
    signed = invoke(
        "declaration",
        GOLDEN / "demo-register.json",
        *SIGN_OFF_ANYWAY,
        "-o",
        tmp_path / "pack.pdf",
    )
    assert signed.exit_code == 0
    assert signed.stderr == ""


def _on_a_terminal(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run ctforms with stderr on a pseudo-terminal and stdout in a pipe."""
    leader, follower = pty.openpty()
    env = {**os.environ, "CTFORMS_PROGRESS_DELAY": "0", "COLUMNS": "100"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ctforms", *args],
        stdout=subprocess.PIPE,
        stderr=follower,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        env=env,
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        seen += chunk
    out = proc.stdout.read() if proc.stdout else b""
    code = proc.wait()
    os.close(leader)
    return code, out.decode(), seen.decode(errors="replace")


@pytest.mark.slow  # a real ctforms or tool process
@pytest.mark.parametrize("command", ["run", "check", "declaration"])
def test_on_a_terminal_each_step_is_shown(tmp_path: Path, command: str) -> None:
    if command == "run":
        args = ["run", *DEMO_ARGS, "-o", str(tmp_path / "out")]
        steps = ["Reading and checking the tracker", "Filling the forms", "Archiving"]
    elif command == "check":
        args = ["check", *DEMO_ARGS]
        steps = ["Reading and checking the tracker"]
    else:
        args = ["declaration", str(GOLDEN / "demo-register.json"), "--signed-by", "Ben Okoro"]
        args += ["--role", "Exams Officer", "--allow-outstanding", "Visits rebooked for 27 June"]
        args += ["-o", str(tmp_path / "pack.pdf")]
        steps = ["Reading the register", "Making the evidence pack"]
    code, out, err = _on_a_terminal(args, tmp_path)
    assert code in (0, 1), err
    for step in steps:
        assert step in err
    assert "100%" in err
    assert "%" not in out  # stdout stays clean for a pipe
