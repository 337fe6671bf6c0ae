"""What the pages show beside the register: proposals and what is known of the rules."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from ctforms.models.base import _Model


class Proposal(_Model):
    """An entry change ctforms found possible and the centre decides on (today a move-down:
    the achieved units already meet a smaller size), with what the records decided so far."""

    candidate_number: str
    surname: str = ""
    forenames: str = ""
    name: str = Field(description="'Surname, Forenames'; empty when not in the tracker")
    qualification_code: str = Field(description="the code the candidate is entered for")
    qualification_title: str = ""
    proposed_code: str
    proposed_title: str = ""
    kind: Literal["move-down", "top-up"]
    why: str = Field(description="one plain sentence")
    issue_id: str
    decision: bool | None = Field(
        description="the Entry Decisions sheet: True make the change, False not, None undecided"
    )
    decided_by: str | None = None
    decided_on: dt.date | None = None
    handled: bool = Field(default=False, description="an Actions row names the issue")

    @property
    def note(self) -> str:
        """The proposal in one line, as `ctforms entries` and the listing say it."""
        who = f"{self.candidate_number} {self.name}" if self.name else self.candidate_number
        move = f"{self.kind} {self.qualification_code} -> {self.proposed_code}"
        if self.decision is False:
            on = f" on {self.decided_on:%d/%m/%Y}" if self.decided_on else ""
            return f"{who}: {move}: declined by {self.decided_by}{on}; not in the file"
        return (
            f"{who}: {move}: proposed, not in the file until confirmed (on the Decisions page,"
            f" or in records.xlsx, sheet Entry Decisions: {self.candidate_number},"
            f" {self.proposed_code}, Y, your name)"
        )


class RulesKnowledge(_Model):
    """What is known of one qualification's rules, for a page: its state in a word and the
    plain lines `ctforms catalogue check` prints."""

    code: str
    title: str = ""
    state: Literal["fully known", "partly known", "not known"]
    lines: list[str] = Field(default_factory=list)
    students: int = Field(
        default=0,
        description="students expecting a result for it: the pack's Summary by qualification"
        " and the Results page count them so",
    )
    entered_expecting_another: int = Field(
        default=0,
        description="students entered for it who expect another size of the subject (a top-up"
        " or move-down is due): counted under the size they expect, not in students",
    )
    in_catalogue: bool = True
