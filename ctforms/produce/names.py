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


def _count(n: int) -> str:
    return "a character" if n == 1 else f"{n} characters"


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
        # The name itself is personal data: the message says what is wrong, not the name.
        raise NameError_(
            f"has {_count(len(bad))} the entries file cannot carry (it takes letters A-Z, space,"
            " hyphen and apostrophe; accents are dropped): give the name in Latin letters in"
            " your MIS and download the tracker again"
        )
    return cleaned


def entry_name(surname: str, forenames: str) -> tuple[str, bool]:
    """SURNAME:FORENAMES within 40 characters, and whether it had to be shortened.

    Shortening keeps the surname whole and cuts the forenames (then the surname, if it alone
    is too long): the convention of MIS exports."""
    try:
        sur = transliterate(surname)
    except NameError_ as exc:
        raise NameError_(f"the surname {exc}") from None
    try:
        fore = transliterate(forenames)
    except NameError_ as exc:
        raise NameError_(f"the forenames {str(exc).replace('has', 'have', 1)}") from None
    if not sur:
        raise NameError_("the surname is empty")
    full = f"{sur}:{fore}"
    if len(full) <= MAX:
        return full, False
    if len(sur) + 1 >= MAX:
        return f"{sur[: MAX - 1]}:", True
    return f"{sur}:{fore[: MAX - len(sur) - 1]}".rstrip(), True
