"""Two helpers for the work that grows with the centre (issue 11: linear, and cheap).

construct: the tracker reader makes one model per candidate and per qualification entry, and the
register one per student: tens of thousands a run. Validating them again costs several
microseconds each and `model_construct` about as much (it looks up every field's aliases and
default); construct sets the same instance state directly.

gc_paused: building a register or a workbook makes hundreds of thousands of small objects, and
the cyclic collector rescans all that live (the register, the sheet so far) again and again as
they are made: a third of the time of a big action list, growing faster than the rows.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
P = ParamSpec("P")
R = TypeVar("R")
_set_attr = object.__setattr__


def construct(model: type[M], values: dict[str, Any]) -> M:
    """model.model_construct(**values), for trusted values that name every field of the model
    (tests/test_speed.py holds each caller to that): the same __dict__, fields set, no extra and
    no private attributes."""
    instance = model.__new__(model)
    _set_attr(instance, "__dict__", values)
    _set_attr(instance, "__pydantic_fields_set__", set(values))
    _set_attr(instance, "__pydantic_extra__", None)
    _set_attr(instance, "__pydantic_private__", None)
    return instance


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection inside (reference counting still frees what is dropped); the
    collector is back as it was after. Nests."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def without_gc(fn: Callable[P, R]) -> Callable[P, R]:
    """fn, run with the cyclic collector paused (gc_paused)."""

    @wraps(fn)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        with gc_paused():
            return fn(*args, **kwargs)

    return paused
