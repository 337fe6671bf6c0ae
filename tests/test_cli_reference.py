"""docs/cli.md is the commands' own --help: a change to the help must be written into it."""

from __future__ import annotations

import re

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


def test_the_readme_is_short_and_gives_the_two_commands() -> None:
    root = REFERENCE.parent.parent
    readme = (root / "README.md").read_text("utf-8")
    assert len(readme.splitlines()) <= 300
    assert "run --demo" in readme and "python -m pytest" in readme
    assert "python -m pytest\n" in (root / ".ci" / "run").read_text("utf-8")


def test_every_link_between_the_documents_leads_to_a_file() -> None:
    root = REFERENCE.parent.parent
    for page in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text("utf-8")):
            if "://" not in target:
                assert (page.parent / target).exists(), f"{page.name} links to {target}"
