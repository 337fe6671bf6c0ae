"""Candidate names as entries files carry them: SURNAME: FORENAMES (AQA's example: BURNS: EMMA KAY),
A-Z, space, hyphen, apostrophe, at most 40 characters (the layout data's candidate_name, with its
source and shortening rule)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from ctforms.produce.edi import load_layout
from ctforms.words import count

MAX = load_layout().candidate_name.max_length
SEP = load_layout().candidate_name.separator  # ': ' between surname and forenames
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
        what = "a character" if len(bad) == 1 else count(len(bad), "character")
        # The name itself is personal data: the message says what is wrong, not the name.
        raise NameError_(
            f"has {what} the entries file cannot carry (it takes letters A-Z, space,"
            " hyphen and apostrophe; accents are dropped): give the name in Latin letters in"
            " your MIS and download the tracker again"
        )
    return cleaned


def entry_name(surname: str, forenames: str) -> tuple[str, bool]:
    """SURNAME: FORENAMES (SURNAME: with no forename) within the layout's length, and whether it
    had to be shortened.

    A longer name takes the first of the layout data's shortening forms that fits: the later
    forenames as initials, then dropped from the last; then every forename as an initial,
    dropped from the last; then the surname cut before the first initial. The first forename's
    initial is always kept."""
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
    full = f"{sur}{SEP}{fore}" if fore else f"{sur}{SEP.rstrip()}"
    if len(full) <= MAX:
        return full, False
    for shorter in _shortened_forenames(fore.split()):
        if len(sur) + len(SEP) + len(shorter) <= MAX:
            return f"{sur}{SEP}{shorter}", True
    initial = _initial(fore)
    # The surname alone is too long: cut it where the first initial still fits, not mid-gap.
    sep = SEP if initial else SEP.rstrip()  # 'SURNAME:' when there is no forename
    room = sur[: MAX - len(sep) - len(initial)]
    cut = room.rstrip(" '-") or room
    return f"{cut}{sep}{initial}", True


def _shortened_forenames(names: list[str]) -> Iterator[str]:
    """The forenames in the layout's shortening order, longest first."""
    if not names:
        return
    first, rest = names[0], [_initial(n) for n in names[1:]]
    for keep in range(len(rest), -1, -1):
        yield " ".join([first, *rest[:keep]])
    initials = [_initial(first), *rest]
    for keep in range(len(initials), 0, -1):
        yield " ".join(initials[:keep])


def _initial(name: str) -> str:
    """A name's first letter (not a leading apostrophe or hyphen); '' for no name."""
    return next((c for c in name if c.isalpha()), name[:1])
