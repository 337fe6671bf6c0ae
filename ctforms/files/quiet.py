"""The officer reads ctforms' own words only: a dependency's notice to its developers is not
for them. Called by the faces (the command line's entry and the page's server), never on import,
so a program or test that imports ctforms keeps its own warning settings."""

from __future__ import annotations

import warnings

# Where a dependency's notices come from: the signing stack, imported when a pack is made or
# checked (pyHanko imports cryptography's DSA, which cryptography has deprecated).
_DEPENDENCIES = r"(pyhanko|pyhanko_certvalidator|cryptography|asn1crypto|oscrypto)(\.|$)"


def quiet_dependencies() -> None:
    """Silence the warnings third-party code raises; ctforms' own messages are not warnings (an
    InputError, a line of output) and are untouched."""
    from cryptography.utils import CryptographyDeprecationWarning

    # By category: whichever module it is attributed to (a stack level may name the caller).
    warnings.filterwarnings("ignore", category=CryptographyDeprecationWarning)
    warnings.filterwarnings("ignore", module=_DEPENDENCIES)
