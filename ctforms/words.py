"""Counting in words: one place decides between 'issue' and 'issues' for every output."""

from __future__ import annotations


def plural(n: int, one: str, many: str | None = None) -> str:
    """The form of a word for n things: 'issue' for one, 'issues' (or `many`) otherwise."""
    return one if n == 1 else (one + "s" if many is None else many)


def count(n: int, one: str, many: str | None = None) -> str:
    """'1 issue', '2 issues', '0 issues': the number and the word that agrees with it."""
    return f"{n} {plural(n, one, many)}"
