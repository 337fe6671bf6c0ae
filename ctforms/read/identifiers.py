"""Check digits of the learner and candidate identifiers (DOMAIN.md, "Entries and identifiers")."""

from __future__ import annotations

import operator
import re

_UCI_LETTERS = "ABCDEFGHKLMRTVWXY"
_ULN_RE = re.compile(r"[1-9]\d{9}")
_UCI_RE = re.compile(r"\d{5}[0-9A-Z]\d{6}[A-Z]")
_ULN_WEIGHTS = range(10, 0, -1)


def uln_is_valid(uln: str) -> bool:
    """10 digits, first non-zero; weights 10..1 over all digits; the sum mod 11 must be 10."""
    if not _ULN_RE.fullmatch(uln):
        return False
    # map() keeps the sum in C: the tracker reader checks one ULN per candidate.
    total: int = sum(map(operator.mul, map(int, uln), _ULN_WEIGHTS))
    return total % 11 == 10


def uci_check_character(first12: str) -> str | None:
    """The check character for the first 12 characters, or None when it cannot be computed.

    A letter in position 6 is legitimate but the algorithm is only published for digits,
    so such UCIs are accepted as given.
    """
    if not first12.isdigit() or len(first12) != 12:
        return None
    total = sum(int(d) * w for d, w in zip(first12, range(16, 4, -1), strict=True))
    return _UCI_LETTERS[total % 17]


def uci_is_valid(uci: str) -> bool:
    if not _UCI_RE.fullmatch(uci):
        return False
    expected = uci_check_character(uci[:12])
    return expected is None or expected == uci[12]
