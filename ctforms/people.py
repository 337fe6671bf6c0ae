"""People named in the paperwork: never the example names `ctforms init` writes."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from ctforms.errors import Field, InputError, TomlKey

# The names templates/centre.toml ships, so that a centre that has not edited them yet does not
# send OCR a paper signed "B. Example".
EXAMPLE_NAMES = frozenset({"dr a. example", "b. example", "c. example", "d. example"})


def is_example_name(name: str) -> bool:
    return " ".join(name.split()).casefold() in EXAMPLE_NAMES


def real_name(
    name: str,
    key: TomlKey | str,
    fix: str = "",
    fields: tuple[Field, ...] = (),
    file: Path | None = None,
) -> str:
    """The name, refused if it is empty (the papers would print a blank where a person signs
    or is named) or still the init template's example. `key` names where it came from: a
    centre.toml key, else words for what was typed, with `fix` saying what to do instead and
    its `fields`."""
    plain = " ".join(name.split())
    if isinstance(key, tuple):
        if not plain:
            raise InputError(
                "is empty",
                file=file,
                key=key,
                remedy="put the real name there",
                in_file="put the real name in centre.toml",
            )
        if is_example_name(plain):
            raise InputError(
                f"is still the example name {name!r}",
                file=file,
                key=key,
                remedy="put the real name there, then check again",
                in_file="put the real name in centre.toml, then check again",
            )
        return name
    fix = fix or "put the real name there"
    if not plain:
        raise InputError(f"{key} is empty", remedy=fix, fields=fields)
    if is_example_name(plain):
        raise InputError(f"{key} is an example name ({name!r})", remedy=fix, fields=fields)
    return name


def typed_name(name: str, key: str, fields: tuple[Field, ...] = ()) -> str:
    """A name typed for this command (e.g. who signs off): refused with control characters,
    which the pack would otherwise print as the signer."""
    if any(unicodedata.category(c) == "Cc" for c in name):
        raise InputError(
            f"{key}: give a person's name, typed plainly (no control characters)", fields=fields
        )
    return name


def same_name(a: str, b: str) -> bool:
    """Whether two typings name the same person: case, spaces and compatibility forms aside
    ("ben  okoro", "Ben Okoro"; "B.Okoro", "B. Okoro")."""

    def key(name: str) -> str:
        return "".join(unicodedata.normalize("NFKC", name).split()).casefold()

    return key(a) == key(b)


SIGNER = "the name of the person signing off"


def allowed_signer(name: str, officer: str, deputies: list[str]) -> str:
    """The person signing off as centre.toml names them: the Exams Officer or one of the
    deputies the centre lists. A name typed with control characters, still an example of
    'ctforms init', or anyone else's is refused (with the names allowed)."""
    typed_name(name, SIGNER, ("signed_by",))
    real_name(name, SIGNER, "type the real name", ("signed_by",))
    allowed = [n for n in [officer, *deputies] if n.strip()]
    for person in allowed:
        if same_name(name, person):
            return person
    if not allowed:
        raise InputError(
            "the register names no Exams Officer: put their name in centre.toml ([exams_officer]"
            " name) and check again"
        )
    listed = ", ".join(repr(n) for n in allowed)
    raise InputError(
        f"the name {name!r} is not the centre's Exams Officer or a deputy the centre"
        f" lists (allowed: {listed})",
        remedy="to let someone else sign, add them to the deputies who may sign off (on the Centre"
        " page), then check again",
        in_file="to let someone else sign, add them to centre.toml ([exams_officer] deputies ="
        ' ["..."]) and check again',
        fields=("signed_by",),
    )


# A reason for signing off with blocking issues left is printed in the pack for OCR and the
# centre's auditors: a sentence someone can act on, not a keystroke to get past the refusal.
REASON_WORDS = 3
REASON_EXAMPLE = "Visits rebooked with the moderator for 27 June"


def reason_problem(reason: str) -> str:
    """What is wrong with a reason for signing off with blocking issues left, or ''."""
    words = [w for w in reason.split() if any(c.isalpha() for c in w)]
    if len(words) >= REASON_WORDS:
        return ""
    return (
        f"the reason must be a sentence of at least {REASON_WORDS} words saying why the pack is"
        f" signed off with blocking issues left (it is printed in the pack), e.g."
        f" {REASON_EXAMPLE!r}"
    )
