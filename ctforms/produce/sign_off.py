"""Who may sign the declaration, and when: the sign-off policy the pack and the page both apply."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ctforms.errors import InputError
from ctforms.models import Issue, Register, Severity
from ctforms.people import allowed_signer, reason_problem
from ctforms.words import count

SIGNING_ROLE = "Exams Officer"  # OCR: only this My Cambridge role can submit the declaration


def outstanding(register: Register) -> list[Issue]:
    """Blocking issues without a recorded action: a sign-off with any needs a reason."""
    return [i for i in register.issues if i.severity is Severity.BLOCKING and not i.handled]


@dataclass(frozen=True)
class SignOff:
    """An explicit sign-off by a named person; without one the pack is a review draft."""

    name: str
    role: str
    outstanding_reason: str | None = None  # why it is signed with blocking issues left


def check_sign_off(register: Register, sign_off: SignOff) -> SignOff:
    """Refuse a sign-off OCR would not accept, by someone the centre does not name, or made with
    blocking issues left silently; else the sign-off with the name as centre.toml writes it."""
    if sign_off.role.strip().casefold() != SIGNING_ROLE.casefold():
        raise InputError(
            f"only the '{SIGNING_ROLE}' role may sign the declaration (OCR: the person"
            f" submitting it must have the Exams Officer role in My Cambridge), not"
            f" {sign_off.role!r}",
            fields=("role",),
        )
    if not sign_off.name.strip():
        raise InputError("the name of the person signing off is missing", fields=("signed_by",))
    c = register.centre
    name = allowed_signer(sign_off.name, c.exams_officer, c.exams_officer_deputies)
    left = outstanding(register)
    reason = (sign_off.outstanding_reason or "").strip()
    if left and not reason and sign_off.outstanding_reason is None:
        raise InputError(
            f"{count(len(left), 'blocking issue')} without a recorded action: record what was"
            " done in the Actions sheet of records.xlsx and check with it, or sign off anyway"
            " giving the reason they are left",
            fields=("records", "reason"),
        )
    if left and reason_problem(reason):  # a blank reason too: it was given, and is not one
        raise InputError(reason_problem(reason), fields=("reason",))
    return replace(sign_off, name=name)
