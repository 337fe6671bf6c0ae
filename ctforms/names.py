"""Candidate names as entries files carry them: SURNAME:FORENAMES, A-Z, space, hyphen, apostrophe,
at most 40 characters."""

from __future__ import annotations

import unicodedata

MAX = 40
# Letters that do not decompose into A-Z plus accents.
_SPECIAL = {
    "Ø": "O", "ø": "O", "Æ": "AE", "æ": "AE", "Œ": "OE", "œ": "OE", "ß": "SS", "Ł": "L",
    "ł": "L", "Đ": "D", "đ": "D", "Ð": "D", "ð": "D", "Þ": "TH", "þ": "TH", "ı": "I",
    "’": "'", "‘": "'", "‐": "-", "–": "-",
}  # fmt: skip
ALLOWED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ '-")


class NameError_(ValueError):
    """A name that cannot be written in the entries alphabet."""


def transliterate(text: str) -> str:
    out = []
    for ch in text:
        ch = _SPECIAL.get(ch, ch)
        plain = "".join(
            c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
        )
        out.append(plain.upper())
    cleaned = " ".join("".join(out).split())
    bad = sorted({c for c in cleaned if c not in ALLOWED})
    if bad:
        raise NameError_(
            f"{text!r} has {', '.join(repr(c) for c in bad)}, which entries cannot carry"
            " (letters A-Z, space, hyphen, apostrophe): correct the name in your MIS"
        )
    return cleaned


def entry_name(surname: str, forenames: str) -> tuple[str, bool]:
    """SURNAME:FORENAMES within 40 characters, and whether it had to be shortened.

    Shortening keeps the surname whole and cuts the forenames (then the surname, if it alone
    is too long): the convention of MIS exports."""
    sur = transliterate(surname)
    fore = transliterate(forenames)
    if not sur:
        raise NameError_("the surname is empty")
    full = f"{sur}:{fore}"
    if len(full) <= MAX:
        return full, False
    if len(sur) + 1 >= MAX:
        return f"{sur[: MAX - 1]}:", True
    return f"{sur}:{fore[: MAX - len(sur) - 1]}".rstrip(), True
