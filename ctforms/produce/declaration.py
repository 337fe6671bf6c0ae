"""The declaration's wording: OCR's for Checkpoint 2 by year, ctforms' summary for term time."""

from __future__ import annotations

from importlib import resources

import yaml
from pydantic import BaseModel


class Statement(BaseModel):
    text: str
    checks: list[str]


class Declaration(BaseModel):
    year: int
    source: str
    preamble: str
    statements: list[Statement]
    centre_preamble: str
    centre_statements: list[Statement]


def load_declaration(year: int) -> tuple[Declaration, bool]:
    """The declaration for the year, or the latest earlier one (and True: assumed wording)."""
    folder = resources.files("ctforms.data").joinpath("declarations")
    years = sorted(
        int(p.name.removesuffix(".yaml"))
        for p in folder.iterdir()
        if p.name.endswith(".yaml") and p.name.removesuffix(".yaml").isdigit()
    )
    usable = [y for y in years if y <= year] or years[:1]
    chosen = usable[-1]
    data = yaml.safe_load(folder.joinpath(f"{chosen}.yaml").read_text("utf-8"))
    return Declaration.model_validate(data), chosen != year


def load_term_time_declaration() -> Declaration:
    """The term-time checkpoint's declaration: ctforms' summary of OCR's timeline (its source
    says so), as OCR's wording is not in ctforms' sources."""
    folder = resources.files("ctforms.data").joinpath("declarations")
    data = yaml.safe_load(folder.joinpath("term-time.yaml").read_text("utf-8"))
    return Declaration.model_validate(data)
