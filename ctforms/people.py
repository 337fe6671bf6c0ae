"""People named in the paperwork: never the example names `ctforms init` writes."""

from __future__ import annotations

from ctforms.errors import InputError

# The names templates/centre.toml ships, so that a centre that has not edited them yet does not
# send OCR a paper signed "B. Example".
EXAMPLE_NAMES = frozenset({"dr a. example", "b. example"})


def real_name(name: str, key: str) -> str:
    """The name, refused if it is still the init template's example."""
    if " ".join(name.split()).casefold() in EXAMPLE_NAMES:
        raise InputError(
            f"{key} in centre.toml is still the example {name!r} from 'ctforms init': put the"
            " real name there, then run the check again"
        )
    return name
