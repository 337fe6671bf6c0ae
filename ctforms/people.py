"""People named in the paperwork: never the example names `ctforms init` writes."""

from __future__ import annotations

import unicodedata

from ctforms.errors import InputError

# The names templates/centre.toml ships, so that a centre that has not edited them yet does not
# send OCR a paper signed "B. Example".
EXAMPLE_NAMES = frozenset({"dr a. example", "b. example"})


def real_name(name: str, key: str, fix: str = "") -> str:
    """The name, refused if it is empty (the papers would print a blank where a person signs
    or is named) or still the init template's example. `key` names where it came from (a
    centre.toml key by default); `fix` says what to do instead."""
    plain = " ".join(name.split())
    if not plain:
        raise InputError(
            f"{key} is empty: {fix}"
            if fix
            else f"{key} is empty in centre.toml: put the real name there"
        )
    if plain.casefold() in EXAMPLE_NAMES:
        where = key if fix else f"{key} in centre.toml"
        raise InputError(
            f"{where} is still the example {name!r} from 'ctforms init': "
            + (fix or "put the real name there, then run the check again")
        )
    return name


def typed_name(name: str, key: str) -> str:
    """A name typed for this command (e.g. --signed-by): refused with control characters, which
    the pack would otherwise print as the signer."""
    if any(unicodedata.category(c) == "Cc" for c in name):
        raise InputError(f"{key}: give a person's name, typed plainly (no control characters)")
    return name
