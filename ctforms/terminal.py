"""Progress on the terminal for the command line: which step, how far.

Shown on stderr only when stderr is a terminal and the work has already taken a second, so a
quick command, a pipe, a log or CI sees nothing extra.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, TextIO

import click

DELAY = 1.0  # seconds of work before a display is worth showing


def _delay() -> float:
    try:  # CTFORMS_PROGRESS_DELAY=0 shows it at once (the tests, a slow screen reader)
        return float(os.environ.get("CTFORMS_PROGRESS_DELAY", DELAY))
    except ValueError:
        return DELAY


_SCALE = 1000  # bar units per step


class Steps:
    """A bar over a fixed list of steps; step() moves on, part() says how far inside a step."""

    def __init__(
        self,
        steps: list[str],
        *,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.steps = steps
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.clock = clock
        self.started = clock()
        self.index = -1
        self.done = 0  # bar units shown so far
        self.bar: Any = None

    def __enter__(self) -> Steps:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.bar is not None:
            if kind is None:
                self._show(len(self.steps) * _SCALE)
            self.bar.render_finish()
            self.bar = None

    def step(self, name: str) -> None:
        """The next step starts (its name must be in the list given)."""
        self.index = self.steps.index(name)
        self._show(self.index * _SCALE)

    def part(self, fraction: float) -> None:
        """How far through the current step, 0 to 1 (e.g. the share of a file read)."""
        fraction = min(max(fraction, 0.0), 1.0)
        self._show(max(self.index, 0) * _SCALE + int(fraction * _SCALE))

    def _label(self) -> str:
        i = max(self.index, 0)
        widest = max(len(step) for step in self.steps)  # the bar stays put as steps change
        return f"[{i + 1}/{len(self.steps)}] {self.steps[i]:<{widest}}"

    def _show(self, units: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if self.clock() - self.started < _delay():
                return
            self.bar = click.progressbar(
                length=len(self.steps) * _SCALE,
                label=self._label(),
                file=self.stream,
                show_eta=False,
                show_percent=True,
                width=24,
            )
            self.bar.__enter__()
        self.bar.label = self._label()
        if units > self.done:
            self.bar.update(units - self.done)
            self.done = units
        else:
            self.bar.render_progress()
