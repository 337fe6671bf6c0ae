"""Building pydantic models from values already validated, fast.

The tracker reader makes one model per candidate and per qualification entry, and the register
one per student: tens of thousands a run. Validating them again costs several microseconds each
and `model_construct` about as much (it looks up every field's aliases and default); this sets
the same instance state directly.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
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
