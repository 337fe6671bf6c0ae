"""docs/cli.md is the commands' own --help: a change to the help must be written into it."""

from __future__ import annotations

from cli_reference import REFERENCE, commands, reference

from ctforms.cli import cli


def test_the_cli_reference_is_current() -> None:
    assert REFERENCE.read_text("utf-8") == reference(), (
        "docs/cli.md differs from the commands' --help: run python tests/cli_reference.py --write"
    )


def test_the_reference_has_every_command_and_subcommand() -> None:
    text = REFERENCE.read_text("utf-8")
    names = [" ".join(("ctforms", *path)) for path, _ in commands(cli)]
    assert {"ctforms run", "ctforms catalogue export", "ctforms records decide"} <= set(names)
    for name in names:
        assert f"\n## {name}\n" in text
