"""docs/cli.md, the command-line reference, made from every command's own `--help`.

    python tests/cli_reference.py           # say whether docs/cli.md is current; exit 1 if not
    python tests/cli_reference.py --write   # write docs/cli.md

The help is the one source: a hand-written table drifts. Each command's help is rendered in
this process at a fixed width, so the file is the same on every machine and terminal;
tests/test_cli_reference.py fails when the file is stale.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "cli.md"
WIDTH = 100  # the terminal width the help is wrapped at

HEAD = """\
# Command-line reference

Made from each command's `--help` by `python tests/cli_reference.py --write`; do not edit by
hand (`tests/test_cli_reference.py` fails when this file differs from the help). Every command
also runs as `python -m ctforms ...`. The README says which command to use when.
"""


def commands(
    command: click.Command, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command and subcommand in the order `--help` lists them, the group first."""
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command, info_name="ctforms")
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from commands(sub, (*path, name))


def help_text(root: click.Command, path: tuple[str, ...]) -> str:
    result = CliRunner().invoke(
        root, [*path, "--help"], prog_name="ctforms", terminal_width=WIDTH, color=False
    )
    if result.exit_code != 0:
        raise RuntimeError(f"ctforms {' '.join(path)} --help failed: {result.output}")
    return result.output.rstrip() + "\n"


def reference() -> str:
    from ctforms.cli import cli

    found = list(commands(cli))
    parts = [HEAD, "\n## Contents\n\n"]
    for path, _ in found:
        name = " ".join(("ctforms", *path))
        anchor = "-".join(("ctforms", *path))
        parts.append(f"- [`{name}`](#{anchor})\n")
    for path, _ in found:
        name = " ".join(("ctforms", *path))
        parts.append(f"\n## {name}\n\n```text\n{help_text(cli, path)}```\n")
    return "".join(parts)


def main(argv: list[str]) -> int:
    text = reference()
    current = REFERENCE.read_text("utf-8") if REFERENCE.exists() else ""
    if "--write" in argv:
        if text != current:
            REFERENCE.write_text(text, "utf-8")
            print(f"wrote {REFERENCE.relative_to(ROOT)}")
        else:
            print(f"{REFERENCE.relative_to(ROOT)} is current")
        return 0
    if text == current:
        print(f"{REFERENCE.relative_to(ROOT)} is current")
        return 0
    print(f"{REFERENCE.relative_to(ROOT)} is stale: python tests/cli_reference.py --write")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
