"""The `ctforms` group: a user's mistake in one line and exit code 2, never a traceback; and
main(), the entry point, which ends the process without a slow teardown."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from typing import Any

import click

from ctforms import __version__
from ctforms.errors import InputError
from ctforms.files.quiet import quiet_dependencies
from ctforms.options import in_cli_words


class _Exit2(click.ClickException):
    exit_code = 2


class _UsageLine(click.ClickException):
    """A usage mistake said in one line and the help hint, without Click's usage block."""

    exit_code = 2

    def __init__(self, exc: click.UsageError) -> None:
        super().__init__(exc.format_message())
        self.hint = f"Try '{exc.ctx.command_path} --help'." if exc.ctx else ""

    def show(self, file: Any = None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True)
        if self.hint:
            click.echo(self.hint, err=True)


def _usage_line(exc: click.UsageError) -> click.ClickException:
    # A group run bare shows its help (NoArgsIsHelpError): that one stays as Click has it.
    return exc if isinstance(exc, click.exceptions.NoArgsIsHelpError) else _UsageLine(exc)


class Group(click.Group):
    """Turns a user's mistake into one 'Error:' line and exit code 2, never a traceback."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:  # the group's own options: `ctforms --bogus`
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise _usage_line(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:  # a subcommand's arguments, or no such command
            raise _usage_line(exc) from None
        except InputError as exc:
            raise _Exit2(in_cli_words(exc)) from None
        except PermissionError as exc:
            raise _Exit2(f"{exc.filename}: permission denied") from None
        except BrokenPipeError:
            raise  # the reader of a pipe stopped reading (| head): main() ends quietly
        except OSError as exc:  # a path that cannot be read or written: still one line
            where = exc.filename or "the output (the screen, pipe or file it goes to)"
            raise _Exit2(f"{where}: {exc.strerror or exc}") from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            # A fault of ctforms, not of the input. Outputs are staged, so nothing was left
            # half-written; CTFORMS_DEBUG=1 shows the traceback for a bug report.
            if os.environ.get("CTFORMS_DEBUG"):
                raise
            said = " ".join(str(exc).split())[:200]
            raise _Exit2(
                f"ctforms failed unexpectedly ({type(exc).__name__}: {said});"
                " no output was written. Please report this with CTFORMS_DEBUG=1 set."
            ) from None


@click.group(cls=Group, name="ctforms")
@click.version_option(__version__, prog_name="ctforms")
def cli() -> None:
    """Checkpoint 2 results checks and paperwork for OCR Cambridge Technicals.

    \b
    Example (the shipped demo centre, everything into one folder):
        ctforms run --demo -o demo-out
        ctforms run tracker.csv --centre centre.toml --records records.xlsx \\
            --checkpoint term-time --as-of 2024-03-15 -o term-time-2024
    """


def main() -> None:
    quiet_dependencies()  # before any command imports the signing stack
    if sys.argv[1:2] == ["check"]:
        # A check keeps all it makes until the process exits, and makes no reference cycles:
        # the cyclic collector would only rescan it (45-80 ms at 100,000 rows). Only here, in
        # a process that ends with the command: never in `serve`, which runs check after check.
        gc.disable()
    try:
        cli(prog_name="ctforms")
        code: int = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    except BrokenPipeError:
        code = _quiet_pipe()
    except OSError as exc:  # --help or --version into a full disk: said before any command
        click.echo(f"Error: cannot write the output ({exc.strerror or exc})", err=True)
        code = 2
    _exit_now(code)


def _quiet_pipe() -> int:
    # Python's advice: point stdout at devnull so no later flush fails again.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1


def _exit_now(code: int) -> None:
    """Exit without freeing every object of the register one by one, as mypy does: on a big
    tracker that teardown is 50-70 ms of a second's check. Every file is closed by now (each
    is written whole and renamed into place); only the standard streams need flushing."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = _quiet_pipe()
    except OSError:
        code = code or 2
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    os._exit(code)
