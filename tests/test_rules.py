"""The rules-of-combination engine, on small hand-worked qualifications."""

from __future__ import annotations

from ctforms.models import (
    Assessment,
    OptionalGroup,
    Pathway,
    Qualification,
    Rules,
    Unit,
    UnitStatus,
)
from ctforms.rules import Outcome, evaluate, move_down, satisfies, top_up_missing

RA, ER, CS = UnitStatus.RESULT_ACHIEVED, UnitStatus.ENTRY_RECEIVED, UnitStatus.CLAIM_SUBMITTED
ANA, CNR = UnitStatus.ATTEMPTED_NOT_ACHIEVED, UnitStatus.CLAIM_NOT_RECEIVED

# Units 1-3: 90 GLH examined; 4-9: 60 GLH moderated.
UNITS = {
    n: Unit(
        number=n,
        title=f"U{n}",
        glh=90 if n <= 3 else 60,
        assessment=Assessment.EXAMINED if n <= 3 else Assessment.MODERATED,
    )
    for n in range(1, 10)
}


def qual(code: str, glh: int, *, verified: bool = True, **rules: object) -> Qualification:
    return Qualification(
        code=code,
        title=code,
        size=code,
        glh=glh,
        source="test",
        verified=True,
        rules=Rules(verified=verified, source="test", **rules),
    )


# Extended Certificate: mandatory 1, 2, 3 (270 GLH) + at least 2 units / 120 GLH of 4-7 = 390.
EXT = qual(
    "00002",
    390,
    mandatory=[1, 2, 3],
    groups=[OptionalGroup(name="options", units=[4, 5, 6, 7], min_units=2, min_glh=120)],
)
# Certificate: mandatory 1, 2 = 180.
CERT = qual("00001", 180, mandatory=[1, 2])


def test_satisfied_with_mandatory_and_group() -> None:
    # 90+90+90 + 60+60 = 390 >= 390; group 2 units/120 GLH
    c = evaluate(EXT, {1: RA, 2: RA, 3: ER, 4: CS, 5: RA}, UNITS)
    assert c.outcome is Outcome.SATISFIED
    assert c.glh_taken == 390
    assert c.required == [1, 2, 3, 4, 5]
    assert c.strictly_required == [1, 2, 3, 4, 5]


def test_mandatory_missing() -> None:
    # unit 3 not taken, even though 1+2+4+5+6 = 360... mandatory comes first
    c = evaluate(EXT, {1: RA, 2: RA, 4: CS, 5: CS, 6: CS}, UNITS)
    assert c.outcome is Outcome.MANDATORY_MISSING
    assert c.mandatory_missing == [3]


def test_glh_short() -> None:
    # 90*3 + 60 = 330 < 390
    c = evaluate(EXT, {1: RA, 2: RA, 3: RA, 4: CS}, UNITS)
    assert c.outcome is Outcome.GLH_SHORT
    assert c.glh_taken == 330


def test_group_by_glh_only() -> None:
    q = qual("00003", 210, mandatory=[1], groups=[OptionalGroup(units=[4, 5, 6], min_glh=120)])
    # 90 + 60 + 60 = 210, group 120 GLH -> satisfied
    assert satisfies(q, {1, 4, 5}, UNITS)
    # 90 + 60 = 150: GLH short (group short too, GLH is reported first)
    assert evaluate(q, {1: RA, 4: RA}, UNITS).outcome is Outcome.GLH_SHORT


def test_invalid_combination_group_by_count() -> None:
    # mandatory 1, total 150; group needs 2 units of [4, 5]; unit 8 fills the GLH but is not in
    # the group, so the group (by count) is short with enough GLH.
    q = qual(
        "00004",
        150,
        mandatory=[1],
        groups=[
            OptionalGroup(units=[4, 5], min_units=2),
            OptionalGroup(name="free", units=[8, 9], min_units=0),
        ],
    )
    c = evaluate(q, {1: RA, 4: RA, 8: RA}, UNITS)  # 90+60+60 = 210 >= 150
    assert c.outcome is Outcome.INVALID_COMBINATION
    assert c.groups_short == ["optional: 1 of 2 units"]


def test_max_units_caps_what_a_group_counts() -> None:
    q = qual("00005", 90, groups=[OptionalGroup(units=[4, 5, 6], min_glh=120, max_units=1)])
    # three units taken, but only one counts: 60 of 120 GLH
    assert not satisfies(q, {4, 5, 6}, UNITS)


def test_barred_combination() -> None:
    q = qual(
        "00006",
        210,
        mandatory=[1],
        groups=[OptionalGroup(units=[4, 5, 6], min_units=2)],
        barred=[[4, 5]],
    )
    assert satisfies(q, {1, 4, 6}, UNITS)
    c = evaluate(q, {1: RA, 4: RA, 5: RA}, UNITS)  # 210 GLH but 4 and 5 barred
    assert c.outcome is Outcome.INVALID_COMBINATION
    assert c.barred_found == [4, 5]


def test_pathways_one_is_enough_and_best_is_reported() -> None:
    q = qual(
        "00007",
        330,
        mandatory=[1, 2],
        pathways=[
            Pathway(name="A", mandatory=[4, 5], groups=[]),
            Pathway(name="B", mandatory=[6], groups=[OptionalGroup(units=[7, 8], min_units=1)]),
        ],
    )
    # Pathway B: 90+90+60+60 = 300 < 330; pathway A: 90+90+60+60 = 300 too; add 9 (not
    # permitted) - it does not count.
    assert not satisfies(q, {1, 2, 6, 7, 9}, UNITS)
    # A with 1, 2, 4, 5 + 3? 3 is not permitted either. Make 330 via pathway B with 7 and 8.
    assert satisfies(q, {1, 2, 6, 7, 8}, UNITS)  # 180 + 60*3 = 360
    c = evaluate(q, {1: RA, 2: RA, 4: RA}, UNITS)
    assert c.outcome is Outcome.MANDATORY_MISSING
    assert c.pathway == "A" and c.mandatory_missing == [5]


def test_not_permitted_units_do_not_count() -> None:
    c = evaluate(CERT, {1: RA, 5: RA, 6: RA}, UNITS)  # 5 and 6 are not in the certificate
    assert c.not_permitted == [5, 6]
    assert c.outcome is Outcome.MANDATORY_MISSING
    assert c.glh_taken == 90


def test_unknown_units_are_listed() -> None:
    c = evaluate(CERT, {1: RA, 2: RA, 42: RA}, UNITS)
    assert c.unknown_units == [42]


def test_cannot_verify_without_verified_rules() -> None:
    unverified = qual("00008", 180, verified=False, mandatory=[1, 2])
    no_rules = Qualification(code="00009", title="x", size="x", glh=180, source="s", verified=True)
    for q in (unverified, no_rules):
        c = evaluate(q, {1: RA, 2: ANA}, UNITS)
        assert c.outcome is Outcome.CANNOT_VERIFY
        assert c.required == [1, 2]
        assert not satisfies(q, {1, 2}, UNITS)
        assert top_up_missing(q, {1: RA}, UNITS)[0].startswith("cannot verify")


def test_optional_problem_unit_not_required_when_others_fill_the_group() -> None:
    # Group needs 2 of 4-7; 4 and 5 are in good standing, 6 has no claim -> 6 not required.
    c = evaluate(EXT, {1: RA, 2: RA, 3: RA, 4: CS, 5: CS, 6: CNR}, UNITS)
    assert c.outcome is Outcome.SATISFIED
    assert 6 not in c.required
    assert c.required == [1, 2, 3, 4, 5]


def test_mandatory_problem_unit_is_required_and_strictly_so() -> None:
    c = evaluate(EXT, {1: RA, 2: ANA, 3: RA, 4: CS, 5: CS}, UNITS)
    assert 2 in c.required
    assert 2 in c.strictly_required


def test_two_problem_optionals_one_needed_both_required_neither_strictly() -> None:
    # Good: 1, 2, 3, 4 (330 GLH, group 1 unit): one of 5 and 6 must be resolved.
    c = evaluate(EXT, {1: RA, 2: RA, 3: RA, 4: CS, 5: CNR, 6: ANA}, UNITS)
    assert {5, 6} <= set(c.required)
    assert 5 not in c.strictly_required and 6 not in c.strictly_required


def test_move_down_picks_the_largest_smaller_size() -> None:
    mid = qual("00010", 270, mandatory=[1, 2, 3])
    siblings = [CERT, mid, EXT]
    # achieved 1, 2, 3 -> mid (270) beats CERT (180)
    assert move_down(EXT, siblings, {1, 2, 3}, UNITS) == mid
    assert move_down(EXT, siblings, {1, 2}, UNITS) == CERT
    assert move_down(EXT, siblings, {1}, UNITS) is None
    assert move_down(CERT, siblings, {1, 2, 3}, UNITS) is None  # nothing smaller


def test_top_up_missing_lists_the_pieces() -> None:
    missing = top_up_missing(EXT, {1: RA, 2: RA, 4: RA}, UNITS)
    assert missing == [
        "unit 3 (mandatory)",
        "options: 1 of 2 units, 60 of 120 GLH",
        "150 more GLH overall",
    ]
    assert top_up_missing(EXT, {1: RA, 2: RA, 3: RA, 4: RA, 5: RA}, UNITS) == []
