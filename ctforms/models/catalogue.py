"""The catalogue: qualifications, their units and their rules of combination."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ctforms.models.base import Assessment, QualificationCode, _Model


class Unit(_Model):
    number: int = Field(ge=1)
    title: str = ""
    glh: int | None = Field(default=None, gt=0, description="None when not known")
    assessment: Assessment | None = Field(
        default=None, description="None when not confirmed: the tracker's Unit Type is used"
    )


class OptionalGroup(_Model):
    """Choose from `units`: at least `min_units` of them and at least `min_glh` hours."""

    name: str = "optional"
    units: list[int] = Field(min_length=1)
    min_units: int = Field(default=0, ge=0)
    min_glh: int = Field(default=0, ge=0)
    max_units: int | None = Field(default=None, ge=1)


class Pathway(_Model):
    name: str
    mandatory: list[int] = Field(default_factory=list)
    groups: list[OptionalGroup] = Field(default_factory=list)


class Rules(_Model):
    """Rules of combination. A student must satisfy the base rules and one pathway (if any)."""

    verified: bool = Field(description="checked against OCR's specification or the centre's")
    illustrative: bool = Field(
        default=False, description="made up for demonstration: not OCR's rules"
    )
    source: str
    mandatory: list[int] = Field(default_factory=list)
    groups: list[OptionalGroup] = Field(default_factory=list)
    pathways: list[Pathway] = Field(default_factory=list)
    barred: list[list[int]] = Field(
        default_factory=list, description="sets of units of which at most one may be taken"
    )
    unknown: list[int] = Field(
        default_factory=list,
        description="units listed for the qualification whose rule (mandatory or optional) is"
        " not known; every mandatory unit is taken to be listed in `mandatory`",
    )
    complete: bool = Field(
        default=True,
        description="false when only part of the rules is known: a unit not named here may be"
        " allowed too (its place is not known)",
    )


class Qualification(_Model):
    code: QualificationCode = Field(pattern=r"^\d{5}$")
    title: str
    size: str = ""
    glh: int | None = Field(
        default=None, gt=0, description="minimum GLH for the qualification; None when not known"
    )
    source: str
    verified: bool = Field(description="title, size and minimum GLH confirmed (not inferred)")
    rules: Rules | None = None


class Subject(_Model):
    """Qualifications of one subject, level and suite share their units (move-down/top-up)."""

    id: str
    name: str
    suite: Literal[2012, 2016]
    level: int = Field(ge=1, le=3)
    source: str
    verified: bool
    units: list[Unit] = Field(default_factory=list)
    qualifications: list[Qualification]


class CatalogueFile(_Model):
    catalogue_version: Literal[1] = 1
    subjects: list[Subject]
