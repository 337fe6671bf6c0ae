"""How long work reports to its face (the CLI's progress bar, the page's job), and the
silent reporter for work nobody watches."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """What long work reports to its face: which step, and how far through it (0 to 1)."""

    def step(self, name: str) -> None: ...

    def part(self, fraction: float) -> None: ...


class _Quiet:
    def step(self, name: str) -> None:
        pass

    def part(self, fraction: float) -> None:
        pass
