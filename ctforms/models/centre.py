"""The centre profile (centre.toml)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from ctforms.models.base import CentreNumber, UnitStatus, _Model


class CentreDetails(_Model):
    number: CentreNumber = Field(pattern=r"^\d{5}$", description="5-digit OCR centre number")
    name: str = Field(min_length=1)
    head_of_centre: str = ""


class ExamsOfficer(_Model):
    name: str = ""
    email: str = ""
    deputies: list[str] = Field(
        default_factory=list,
        description="others the centre allows to sign off the evidence pack in the officer's"
        " absence (they too need the Exams Officer role in My Cambridge)",
    )


class SeriesDates(_Model):
    """The series' key dates. Only 2023's are OCR's; other years repeat them and are flagged."""

    year: int = Field(ge=2020, le=2100, description="summer in which results are expected")
    declaration_opens: dt.date
    declaration_closes: dt.date
    final_visit_booked_by: dt.date
    claims_recommended_by: dt.date
    final_moderation_deadline: dt.date
    special_consideration_closes: dt.date
    tracker_frozen_from: dt.date
    term_time_declaration_closes: dt.date | None = Field(
        default=None,
        # Absent from Checkpoint 2's registers unless centre.toml gives it: they stay as before.
        exclude_if=lambda v: v is None,
        description="the term-time checkpoint's declaration closes (estimated completion"
        " dates); when not given, 30 April of the results year, moved to a working day, assumed",
    )
    assumed: list[str] = Field(
        default_factory=list,
        description="dates neither in centre.toml nor published for this year: check them",
    )


class TrackerSettings(_Model):
    columns: dict[str, str] = Field(
        default_factory=dict, description="export header -> ctforms field name"
    )
    statuses: dict[str, UnitStatus] = Field(
        default_factory=dict, description="extra unit-status labels -> ctforms status"
    )


class SigningSettings(_Model):
    """The centre's key pair: `ctforms run` signs each archive's manifest with it."""

    key: str = Field(
        min_length=1, description="private key (PEM), relative to centre.toml's folder"
    )
    cert: str = Field(
        min_length=1, description="its certificate (PEM), relative to centre.toml's folder"
    )


class CentreProfile(_Model):
    centre: CentreDetails
    exams_officer: ExamsOfficer = Field(default_factory=ExamsOfficer)
    series: SeriesDates
    tracker: TrackerSettings = Field(default_factory=TrackerSettings)
    signing: SigningSettings | None = None
