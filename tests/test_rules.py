"""The rules-of-combination engine, on small hand-worked qualifications."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ctforms.checks.rules import (
    Outcome,
    drop_to_meet,
    evaluate,
    move_down,
    move_down_possible,
    not_known,
    satisfies,
    top_up_missing,
)
from ctforms.models import Assessment, OptionalGroup, Pathway, Qualification, Rules, Unit
from ctforms.models import UnitStatus as S

RA, ER, CS = S.RESULT_ACHIEVED, S.ENTRY_RECEIVED, S.CLAIM_SUBMITTED  # good standing
ANA, CNR = S.ATTEMPTED_NOT_ACHIEVED, S.CLAIM_NOT_RECEIVED  # problems

# GLH: units 1-3 = 90 (examined), 4-9 = 60, 10 = 30, 11 = 120 (moderated).
HOURS = {1: 90, 2: 90, 3: 90, 4: 60, 5: 60, 6: 60, 7: 60, 8: 60, 9: 60, 10: 30, 11: 120}
UNITS = {
    n: Unit(
        number=n,
        glh=h,
        assessment=Assessment.EXAMINED if n <= 3 else Assessment.MODERATED,
    )
    for n, h in HOURS.items()
}


def group(
    units: list[int],
    *,
    name: str = "options",
    min_units: int = 0,
    min_glh: int = 0,
    max_units: int | None = None,
) -> OptionalGroup:
    return OptionalGroup(
        name=name, units=units, min_units=min_units, min_glh=min_glh, max_units=max_units
    )


def qual(
    code: str,
    glh: int,
    *,
    verified: bool = True,
    mandatory: list[int] | None = None,
    groups: list[OptionalGroup] | None = None,
    pathways: list[Pathway] | None = None,
    barred: list[list[int]] | None = None,
) -> Qualification:
    rules = Rules(
        verified=verified,
        source="test",
        mandatory=mandatory or [],
        groups=groups or [],
        pathways=pathways or [],
        barred=barred or [],
    )
    return Qualification(
        code=code, title=code, size=code, glh=glh, source="test", verified=True, rules=rules
    )


# Extended Certificate: mandatory 1, 2, 3 (270 GLH) + at least 2 units and 120 GLH of 4-7;
# 270 + 2 x 60 = 390.
EXT = qual(
    "00002", 390, mandatory=[1, 2, 3], groups=[group([4, 5, 6, 7], min_units=2, min_glh=120)]
)
# Certificate: mandatory 1, 2 = 180.
CERT = qual("00001", 180, mandatory=[1, 2])


# ---------------------------------------------------------------------------- mandatory, GLH


def test_mandatory_units_and_group_met() -> None:
    # 90 + 90 + 90 + 60 + 60 = 390 >= 390; group: 2 units, 120 GLH
    c = evaluate(EXT, {1: RA, 2: RA, 3: ER, 4: CS, 5: RA}, UNITS)
    assert c.outcome is Outcome.SATISFIED
    assert c.pathway is None
    assert (c.glh_taken, c.glh_required) == (390, 390)
    assert c.mandatory_missing == c.barred_found == []
    assert c.groups_short == []
    # Losing any one unit breaks it: a mandatory unit, or the group drops to 1 unit / 330 GLH.
    assert c.required == c.strictly_required == [1, 2, 3, 4, 5]
    assert satisfies(EXT, {1, 2, 3, 4, 5}, UNITS)


def test_mandatory_missing_even_with_enough_glh() -> None:
    # 90 + 90 + 4 x 60 = 420 >= 390 and the group is met, but mandatory unit 3 is absent
    c = evaluate(EXT, {1: RA, 2: RA, 4: CS, 5: CS, 6: CS, 7: CS}, UNITS)
    assert c.outcome is Outcome.MANDATORY_MISSING
    assert c.mandatory_missing == [3]
    assert c.glh_taken == 420
    assert "3" in c.reason
    assert not satisfies(EXT, {1, 2, 4, 5, 6, 7}, UNITS)


def test_glh_short_is_reported_before_an_unmet_group() -> None:
    # 270 + 60 = 330 < 390; the group (1 of 2 units, 60 of 120 GLH) is short too
    c = evaluate(EXT, {1: RA, 2: RA, 3: RA, 4: CS}, UNITS)
    assert c.outcome is Outcome.GLH_SHORT
    assert (c.glh_taken, c.glh_required) == (330, 390)
    assert c.groups_short == ["options: 1 of 2 units, 60 of 120 GLH"]


# ---------------------------------------------------------------------------- optional groups


def test_group_by_count_invalid_with_enough_glh() -> None:
    # mandatory 1; "options" needs 2 of [10, 11]; "free" allows 4 and 5 but asks for nothing.
    q = qual(
        "00003",
        210,
        mandatory=[1],
        groups=[group([10, 11], min_units=2), group([4, 5], name="free")],
    )
    # 90 + 30 + 60 + 60 = 240 >= 210, but only 1 of the 2 option units
    c = evaluate(q, {1: RA, 10: RA, 4: RA, 5: RA}, UNITS)
    assert c.outcome is Outcome.INVALID_COMBINATION
    assert c.glh_taken == 240
    assert c.groups_short == ["options: 1 of 2 units"]
    assert c.reason == "options: 1 of 2 units"
    # 90 + 30 + 120 = 240, both option units
    assert satisfies(q, {1, 10, 11}, UNITS)


def test_group_by_glh() -> None:
    q = qual("00004", 150, mandatory=[1], groups=[group([4, 10, 11], min_glh=120)])
    # one unit of 120 GLH meets the group: 90 + 120 = 210 >= 150
    assert satisfies(q, {1, 11}, UNITS)
    # two units, but 60 + 30 = 90 < 120; overall 90 + 90 = 180 >= 150
    c = evaluate(q, {1: RA, 4: RA, 10: RA}, UNITS)
    assert c.outcome is Outcome.INVALID_COMBINATION
    assert c.groups_short == ["options: 90 of 120 GLH"]


def test_max_units_caps_what_a_group_counts() -> None:
    q = qual("00005", 150, mandatory=[1], groups=[group([4, 5, 11], min_glh=120, max_units=1)])
    # 4 and 5 would make 120 GLH, but only one counts: 60 of 120 (overall 90 + 120 = 210)
    c = evaluate(q, {1: RA, 4: RA, 5: RA}, UNITS)
    assert c.outcome is Outcome.INVALID_COMBINATION
    assert c.groups_short == ["options: 60 of 120 GLH"]
    # the one that counts is the largest: unit 11, 120 GLH; extra units are allowed
    assert satisfies(q, {1, 11}, UNITS)
    assert satisfies(q, {1, 4, 5, 11}, UNITS)


# ---------------------------------------------------------------------------- pathways

# Base: mandatory 1, 2 (180). A: + 4, 5 (120) = 300. B: + 6 (60) and 1 of [7, 8] (60) = 300.
PATHWAYS = qual(
    "00006",
    300,
    mandatory=[1, 2],
    pathways=[
        Pathway(name="A", mandatory=[4, 5]),
        Pathway(name="B", mandatory=[6], groups=[group([7, 8], name="B options", min_units=1)]),
    ],
)


def test_one_pathway_is_enough() -> None:
    assert satisfies(PATHWAYS, {1, 2, 4, 5}, UNITS)  # A: 180 + 120 = 300
    assert satisfies(PATHWAYS, {1, 2, 6, 7}, UNITS)  # B: 180 + 60 + 60 = 300
    c = evaluate(PATHWAYS, {1: RA, 2: RA, 6: RA, 7: RA}, UNITS)
    assert (c.outcome, c.pathway) == (Outcome.SATISFIED, "B")


def test_units_from_two_pathways_do_not_combine() -> None:
    # A lacks 5; B: 180 + 60 (unit 6) = 240 < 300, unit 4 does not count and "B options" is
    # empty. B has no missing mandatory unit, so B is the one judged.
    assert not satisfies(PATHWAYS, {1, 2, 4, 6}, UNITS)
    c = evaluate(PATHWAYS, {1: RA, 2: RA, 4: RA, 6: RA}, UNITS)
    assert (c.outcome, c.pathway) == (Outcome.GLH_SHORT, "B")
    assert c.glh_taken == 240
    assert c.groups_short == ["B options: 0 of 1 unit"]
    assert c.not_permitted == []  # 4 is allowed by A, just not by B


def test_best_pathway_breaks_ties_on_glh_shortfall_then_order() -> None:
    # A: lacks 5, 180 + 60 = 240 (short 60). B: lacks 6, 180 + 60 + 60 = 300 (short 0) -> B
    c = evaluate(PATHWAYS, {1: RA, 2: RA, 4: RA, 7: RA, 8: RA}, UNITS)
    assert (c.pathway, c.mandatory_missing, c.glh_taken) == ("B", [6], 300)
    # A: lacks 5, 240; B: lacks 6, 180 + 60 = 240, group met: a tie -> A, listed first
    c = evaluate(PATHWAYS, {1: RA, 2: RA, 4: RA, 7: RA}, UNITS)
    assert (c.pathway, c.mandatory_missing, c.glh_taken) == ("A", [5], 240)


# ---------------------------------------------------------------------------- barred


def test_barred_combination() -> None:
    q = qual("00007", 210, mandatory=[1], groups=[group([4, 5, 6], min_units=2)], barred=[[4, 5]])
    assert satisfies(q, {1, 4, 6}, UNITS)  # 90 + 60 + 60 = 210
    # also 210 GLH with 2 option units, but 4 and 5 are barred together
    assert not satisfies(q, {1, 4, 5}, UNITS)
    c = evaluate(q, {1: RA, 4: RA, 5: RA}, UNITS)
    assert c.outcome is Outcome.INVALID_COMBINATION
    assert c.barred_found == [4, 5]
    assert c.reason == "units 4 and 5 may not be combined"


# ---------------------------------------------------------------- units that do not count


def test_not_permitted_units_do_not_count() -> None:
    q = qual("00008", 240, mandatory=[1, 2], groups=[group([4, 5], min_units=1)])
    # 8 and 9 (120 GLH) are not in the rules: 90 + 90 = 180 < 240, not 300
    c = evaluate(q, {1: RA, 2: RA, 8: RA, 9: RA}, UNITS)
    assert c.outcome is Outcome.GLH_SHORT
    assert c.glh_taken == 180
    assert c.not_permitted == [8, 9]
    assert c.required == [1, 2]  # the rules cannot need 8 or 9


def test_a_unit_without_glh_on_record_leaves_the_glh_check_open() -> None:
    q = qual("00009", 240, mandatory=[1, 2], groups=[group([4, 42], min_units=1)])
    # 42 is permitted and meets the group by count, but has no GLH on record: 180 known GLH
    # plus an unknown amount may or may not reach 240.
    c = evaluate(q, {1: RA, 2: RA, 42: RA}, UNITS)
    assert c.unknown_units == [42]
    assert c.not_permitted == []
    assert (c.outcome, c.glh_taken, c.glh_required) == (Outcome.PARTLY_VERIFIED, 180, 240)
    assert c.unverified == ["the GLH of unit 42"]
    assert c.reason == "not known: the GLH of unit 42"
    assert not satisfies(q, {1, 2, 42}, UNITS)
    # 1, 2, 4, 42 = 240 known: the unknown hours of 42 cannot matter.
    c = evaluate(q, {1: RA, 2: RA, 4: RA, 42: RA}, UNITS)
    assert (c.outcome, c.unverified) == (Outcome.SATISFIED, [])
    # A mandatory unit missing is certain whatever 42's hours are.
    c = evaluate(q, {1: RA, 42: RA}, UNITS)
    assert (c.outcome, c.mandatory_missing) == (Outcome.MANDATORY_MISSING, [2])
    assert c.unverified == ["the GLH of unit 42"]


# ---------------------------------------------------------------------------- cannot verify


@pytest.mark.parametrize(
    "q",
    [
        qual("00010", 180, verified=False, mandatory=[1, 2]),
        Qualification(code="00011", title="x", size="x", glh=180, source="s", verified=True),
    ],
    ids=["rules-unverified", "no-rules"],
)
def test_without_rules_only_the_glh_is_checked(q: Qualification) -> None:
    # {1, 2} would meet mandatory 1, 2 = 180 if the rules could be trusted
    assert not satisfies(q, {1, 2}, UNITS)
    c = evaluate(q, {2: ANA, 1: RA, 42: RA}, UNITS)
    # 90 + 90 = 180 reaches the minimum: the GLH check passes, the rest is not known.
    assert c.outcome is Outcome.PARTLY_VERIFIED
    assert c.unverified == ["which units are mandatory or optional"]
    assert c.required == [1, 2, 42]  # every unit taken may be needed
    assert c.strictly_required == []  # 42's GLH is not known: it might replace either
    assert c.unknown_units == [42]
    assert c.glh_taken == 180  # nothing is ruled out: 90 + 90 + 0 for the unknown 42
    assert top_up_missing(q, {1: RA}, UNITS) == [
        "90 more GLH overall",
        f"cannot verify for {q.code}: which units are mandatory or optional",
    ]


def test_without_rules_a_glh_shortfall_is_certain() -> None:
    q = Qualification(code="00016", title="x", size="x", glh=360, source="s", verified=True)
    # 90 + 90 + 60 = 240 < 360 whatever the rules are
    c = evaluate(q, {1: RA, 2: RA, 4: CS}, UNITS)
    assert (c.outcome, c.glh_taken, c.glh_required) == (Outcome.GLH_SHORT, 240, 360)
    assert c.reason == "240 GLH taken, 360 needed"
    assert c.unverified == ["which units are mandatory or optional"]
    assert c.strictly_required == [1, 2, 4]
    # 359 vs 360: one hour short is short; 360 is enough.
    hours = {1: Unit(number=1, glh=179), 2: Unit(number=2, glh=180), 3: Unit(number=3, glh=1)}
    assert evaluate(q, {1: RA, 2: RA}, hours).outcome is Outcome.GLH_SHORT
    assert evaluate(q, {1: RA, 2: RA, 3: RA}, hours).outcome is Outcome.PARTLY_VERIFIED


def test_nothing_known_cannot_verify() -> None:
    # The minimum GLH is inferred, not confirmed, and there are no rules: nothing to check.
    q = Qualification(code="00017", title="x", size="x", glh=180, source="s", verified=False)
    c = evaluate(q, {1: RA}, UNITS)
    assert c.outcome is Outcome.CANNOT_VERIFY
    assert c.glh_required is None
    assert c.unverified == [
        "which units are mandatory or optional",
        "the minimum GLH (180 is not confirmed)",
    ]
    assert c.reason == (
        "not known: which units are mandatory or optional; the minimum GLH (180 is not confirmed)"
    )


def test_rules_with_units_of_unknown_rule() -> None:
    # Mandatory 1, 2 known; optional 4, 5 known; the rule for 6 is not known.
    q = qual("00018", 300, mandatory=[1, 2], groups=[group([4, 5])])
    q = q.model_copy(update={"rules": q.rules.model_copy(update={"unknown": [6]})})  # type: ignore[union-attr]
    # Only units of known rule: judged in full.
    c = evaluate(q, {1: RA, 2: RA, 4: RA, 5: RA}, UNITS)  # 300
    assert (c.outcome, c.unverified) == (Outcome.SATISFIED, [])
    # 6 is spare: 1, 2, 4, 5 already make 300.
    c = evaluate(q, {1: RA, 2: RA, 4: RA, 5: RA, 6: RA}, UNITS)
    assert (c.outcome, c.unverified) == (Outcome.SATISFIED, [])
    # 6 is needed to reach 300: whether it counts is not known.
    c = evaluate(q, {1: RA, 2: RA, 4: RA, 6: RA}, UNITS)
    assert c.outcome is Outcome.PARTLY_VERIFIED
    assert c.unverified == ["the rule for unit 6 (no Rule given)"]
    assert c.required == [1, 2, 4, 6]
    assert c.not_permitted == []
    # Short even if 6 counts: certain.
    c = evaluate(q, {1: RA, 2: RA, 6: RA}, UNITS)
    assert (c.outcome, c.glh_taken) == (Outcome.GLH_SHORT, 240)
    # A unit not listed at all is not permitted.
    c = evaluate(q, {1: RA, 2: RA, 4: RA, 7: RA}, UNITS)
    assert (c.outcome, c.not_permitted, c.glh_taken) == (Outcome.GLH_SHORT, [7], 240)


# ---------------------------------------------------------------------------- required units


def test_problem_optional_not_required_when_others_fill_the_group() -> None:
    # Good: 1, 2, 3, 4, 5 = 390 with 2 option units, so 6 (no claim) is spare.
    c = evaluate(EXT, {1: RA, 2: RA, 3: RA, 4: CS, 5: CS, 6: CNR}, UNITS)
    assert c.outcome is Outcome.SATISFIED
    assert c.required == [1, 2, 3, 4, 5]
    # Taken minus 4 is {1, 2, 3, 5, 6} = 390, still 2 option units: 4 is not strictly needed.
    assert c.strictly_required == [1, 2, 3]


def test_mandatory_problem_unit_is_required_and_strictly() -> None:
    # Good: 1, 3, 4, 5 lacks mandatory 2; taken (any status) = 390 is satisfied.
    c = evaluate(EXT, {1: RA, 2: ANA, 3: RA, 4: CS, 5: CS}, UNITS)
    assert c.outcome is Outcome.SATISFIED
    assert c.required == [1, 2, 3, 4, 5]
    assert c.strictly_required == [1, 2, 3, 4, 5]  # without 4 or 5 the group has 1 unit


def test_two_problem_optionals_one_needed_both_required_neither_strictly() -> None:
    # Good: 1, 2, 3, 4 = 330 < 390, one option unit: 5 or 6 must come good.
    # Taken minus 5 = {1, 2, 3, 4, 6} = 390, 2 option units (likewise minus 6, minus 4).
    c = evaluate(EXT, {1: RA, 2: RA, 3: RA, 4: CS, 5: CNR, 6: ANA}, UNITS)
    assert c.required == [1, 2, 3, 4, 5, 6]
    assert c.strictly_required == [1, 2, 3]


def test_required_leaves_out_units_the_rules_do_not_allow() -> None:
    # Good: 1, 2, 3, 4, 9 = 330 permitted (9 is not in the rules) -> falls back to every
    # permitted unit taken. Taken = 390 permitted; without 5 it is 330.
    c = evaluate(EXT, {1: RA, 2: RA, 3: RA, 4: CS, 5: CNR, 9: RA}, UNITS)
    assert c.not_permitted == [9]
    assert c.required == c.strictly_required == [1, 2, 3, 4, 5]


def test_strictly_required_when_the_units_taken_fall_short() -> None:
    # 270 + 60 = 330 < 390 whatever happens: losing any unit still fails, so all are strict.
    c = evaluate(EXT, {1: RA, 2: RA, 3: RA, 4: ANA}, UNITS)
    assert c.outcome is Outcome.GLH_SHORT
    assert c.required == c.strictly_required == [1, 2, 3, 4]


# ---------------------------------------------------------------------------- memoising


def test_same_code_with_different_rules_is_not_confused() -> None:
    strict = qual("00012", 90, mandatory=[1, 2])
    loose = qual("00012", 90, mandatory=[1])
    assert satisfies(loose, {1}, UNITS)  # 90 >= 90
    assert not satisfies(strict, {1}, UNITS)  # 2 missing
    fewer_hours = {1: Unit(number=1, glh=60)}
    assert not satisfies(loose, {1}, fewer_hours)  # 60 < 90


def test_results_are_shared_and_frozen() -> None:
    statuses = {1: RA, 2: RA}
    c = evaluate(CERT, statuses, UNITS)
    assert evaluate(CERT, dict(statuses), UNITS) is c
    assert evaluate(CERT, {1: RA, 2: ANA}, UNITS) is not c  # statuses change `required`
    with pytest.raises(ValidationError):
        c.outcome = Outcome.GLH_SHORT  # type: ignore[misc]


# ---------------------------------------------------------------------------- move down


def test_move_down_picks_the_largest_smaller_size_met() -> None:
    mid = qual("00013", 270, mandatory=[1, 2, 3])
    unverified = qual("00014", 300, verified=False, mandatory=[1])
    siblings = [CERT, unverified, mid, EXT]
    # 1, 2, 3 = 270 meets mid (270) and CERT (180); the unverified 300 is not trusted
    assert move_down(EXT, siblings, {1, 2, 3}, UNITS) is mid
    # 1, 2 = 180 meets only CERT
    assert move_down(EXT, siblings, {1, 2}, UNITS) is CERT
    # 1 = 90 meets nothing smaller
    assert move_down(EXT, siblings, {1}, UNITS) is None
    # EXT itself is met, but it is the registered size, not a smaller one
    assert move_down(EXT, siblings, {1, 2, 3, 4, 5}, UNITS) is mid
    assert move_down(CERT, siblings, {1, 2, 3}, UNITS) is None  # nothing smaller than 180


# ---------------------------------------------------------------------------- top up


def test_top_up_missing_lists_the_pieces() -> None:
    # 90 + 90 + 60 = 240: unit 3 missing; group 1 of 2 units, 60 of 120 GLH; 390 - 240 = 150
    assert top_up_missing(EXT, {1: RA, 2: RA, 4: ANA}, UNITS) == [
        "unit 3 (mandatory)",
        "options: 1 more unit / 60 more GLH",
        "150 more GLH overall",
    ]
    assert top_up_missing(EXT, {1: RA, 2: RA, 3: RA, 4: RA, 5: CNR}, UNITS) == []


def test_top_up_missing_glh_only_group_and_barred() -> None:
    q = qual(
        "00015",
        180,
        groups=[group([4, 5, 6, 10], min_units=2, min_glh=150)],
        barred=[[4, 5, 6]],
    )
    # 10 + 4: 2 units (enough) but 30 + 60 = 90 of 150 GLH; overall 90 < 180
    assert top_up_missing(q, {10: RA, 4: RA}, UNITS) == [
        "options: 60 more GLH",
        "90 more GLH overall",
    ]
    # 4 + 5 + 6 = 180 GLH, 3 units: only the barred set is wrong
    assert top_up_missing(q, {4: RA, 5: RA, 6: RA}, UNITS) == [
        "units 4, 5 and 6 are barred together"
    ]
    # nothing taken: 2 more units, 150 more GLH
    assert top_up_missing(q, {}, UNITS) == [
        "options: 2 more units / 150 more GLH",
        "180 more GLH overall",
    ]


# ---------------------------------------------------------------------------- more than one fault


def test_glh_shortfall_is_reported_beside_a_missing_mandatory_unit() -> None:
    # 1, 2 = 180 of 390 and unit 3 missing: both are certain.
    c = evaluate(EXT, {1: RA, 2: RA}, UNITS)
    assert (c.outcome, c.mandatory_missing) == (Outcome.MANDATORY_MISSING, [3])
    assert (c.glh_short, c.glh_taken) == (210, 180)
    # 1, 2, 4, 5, 6, 7 = 420: unit 3 missing, GLH enough.
    c = evaluate(EXT, {1: RA, 2: RA, 4: CS, 5: CS, 6: CS, 7: CS}, UNITS)
    assert (c.outcome, c.glh_short) == (Outcome.MANDATORY_MISSING, 0)


def test_dropping_one_of_a_barred_pair() -> None:
    q = qual("00019", 270, mandatory=[1], groups=[group([4, 5, 6, 11])], barred=[[4, 5]])
    # 90 + 60 + 60 + 120 = 330, but 4 and 5 are barred: without either, 270 remains.
    c = evaluate(q, {1: RA, 4: RA, 5: RA, 11: RA}, UNITS)
    assert c.outcome is Outcome.INVALID_COMBINATION
    assert drop_to_meet(q, {1, 4, 5, 11}, UNITS) == [[4], [5]]
    # 1, 4, 5 = 210: dropping either leaves 150 < 270, so dropping cannot help.
    assert drop_to_meet(q, {1, 4, 5}, UNITS) == []
    # Nothing barred: nothing to drop.
    assert drop_to_meet(q, {1, 4, 11}, UNITS) == []


def test_a_group_shortfall_together_with_a_barred_pair() -> None:
    q = qual(
        "00020",
        180,
        mandatory=[1],
        groups=[group([4, 5, 6], name="options", min_units=3)],
        barred=[[4, 5]],
    )
    # 90 + 60 + 60 = 210: GLH enough; only 2 of 3 option units and 4 + 5 barred.
    c = evaluate(q, {1: RA, 4: RA, 5: RA}, UNITS)
    assert c.outcome is Outcome.INVALID_COMBINATION
    assert c.reason == "options: 2 of 3 units; units 4 and 5 may not be combined"
    assert c.groups_short == ["options: 2 of 3 units"]
    assert c.barred_found == [4, 5]
    assert drop_to_meet(q, {1, 4, 5}, UNITS) == []  # the group needs all three anyway


def test_unknown_glh_inside_a_group() -> None:
    # The group needs 120 GLH from 4 and 42; 42's GLH is not on record.
    q = qual("00021", 150, mandatory=[1], groups=[group([4, 42], min_glh=120)])
    c = evaluate(q, {1: RA, 4: RA, 42: RA}, UNITS)
    # 60 known + unknown may reach 120 (group) and 150 (overall): not a failure, not a pass.
    assert c.outcome is Outcome.PARTLY_VERIFIED
    assert c.unverified == ["the GLH of unit 42"]
    # Without 42 the group has 60 of 120 GLH, whatever 42 is: certain failure.
    c = evaluate(q, {1: RA, 4: RA, 10: RA}, UNITS)
    assert c.outcome is Outcome.INVALID_COMBINATION
    assert c.reason == "options: 60 of 120 GLH"


def test_glh_ties_are_enough() -> None:
    # Exactly the minimum meets it; one hour under does not.
    loose = qual("00023", 180, groups=[group([1, 2, 10])])
    assert evaluate(loose, {1: RA, 2: RA}, UNITS).outcome is Outcome.SATISFIED  # 180 = 180
    tight = qual("00024", 181, groups=[group([1, 2, 10])])
    c = evaluate(tight, {1: RA, 2: RA}, UNITS)
    assert (c.outcome, c.glh_short, c.reason) == (Outcome.GLH_SHORT, 1, "180 GLH taken, 181 needed")
    over = qual("00025", 179, groups=[group([1, 2, 10])])
    assert evaluate(over, {1: RA, 2: RA}, UNITS).outcome is Outcome.SATISFIED


def test_move_down_only_to_a_strictly_smaller_size() -> None:
    same = qual("00026", 390, mandatory=[1, 2])  # a sibling of the same GLH as EXT
    assert move_down(EXT, [same], {1, 2}, UNITS) is None
    smaller = qual("00027", 389, mandatory=[1, 2])
    assert move_down(EXT, [same, smaller], {1, 2}, UNITS) is None  # 180 < 389
    cert = qual("00028", 180, mandatory=[1, 2])
    assert move_down(EXT, [same, smaller, cert], {1, 2}, UNITS) is cert
    # A size whose GLH is not known is never a move-down target.
    unknown = Qualification(code="00029", title="x", size="x", source="s", verified=True)
    assert move_down(EXT, [unknown], {1, 2}, UNITS) is None


def test_move_down_possible_when_the_smaller_rules_are_not_known() -> None:
    glh_only = Qualification(code="00030", title="x", size="x", glh=180, source="s", verified=True)
    assert move_down(EXT, [glh_only], {1, 2}, UNITS) is None
    assert move_down_possible(EXT, [glh_only], {1, 2}, UNITS) == [glh_only]
    # 90 < 180 even with every unit counted: not possible either.
    assert move_down_possible(EXT, [glh_only], {1}, UNITS) == []


def test_reason_texts_in_full() -> None:
    c = evaluate(EXT, {1: RA, 2: RA, 4: CS, 5: CS, 6: CS, 7: CS}, UNITS)
    assert c.reason == "mandatory unit 3 is not being taken"
    c = evaluate(EXT, {4: CS, 5: CS, 6: CS, 7: CS}, UNITS)
    assert c.reason == "mandatory units 1, 2 and 3 are not being taken"
    c = evaluate(PATHWAYS, {1: RA, 2: RA, 4: RA}, UNITS)
    assert c.reason == "mandatory unit 5 (pathway A) is not being taken"
    c = evaluate(EXT, {1: RA, 2: RA, 3: RA, 4: CS, 5: CS}, UNITS)
    assert c.reason == "rules of combination and GLH met"


def test_rules_known_only_in_part_leave_unlisted_units_open() -> None:
    # Mandatory 1, 2 known; nothing else listed, and the rules say they are not complete.
    q = qual("00031", 300, mandatory=[1, 2])
    q = q.model_copy(update={"rules": q.rules.model_copy(update={"complete": False})})  # type: ignore[union-attr]
    # 1, 2 + 4, 5 = 300: 4 and 5 may count, nothing says they do.
    c = evaluate(q, {1: RA, 2: RA, 4: RA, 5: RA}, UNITS)
    assert c.outcome is Outcome.PARTLY_VERIFIED
    assert c.unverified == ["the rule for units 4 and 5 (no Rule given)"]
    assert c.not_permitted == []
    # The mandatory part is still checked, and 1 + 4 = 150 < 300 even if 4 counts.
    c = evaluate(q, {1: RA, 4: RA}, UNITS)
    assert (c.outcome, c.mandatory_missing, c.glh_short) == (Outcome.MANDATORY_MISSING, [2], 150)
    # Complete rules would rule 4 and 5 out: 180 < 300.
    closed = qual("00032", 300, mandatory=[1, 2])
    c = evaluate(closed, {1: RA, 2: RA, 4: RA, 5: RA}, UNITS)
    assert (c.outcome, c.not_permitted) == (Outcome.GLH_SHORT, [4, 5])


def test_top_up_lacking_only_what_is_lacking() -> None:
    # The group needs 2 units and 120 GLH; unit 11 alone gives 120 GLH but 1 unit.
    q = qual("00033", 210, mandatory=[1], groups=[group([4, 11], min_units=2, min_glh=120)])
    assert top_up_missing(q, {1: RA, 11: RA}, UNITS) == ["options: 1 more unit"]


def test_top_up_says_every_part_not_known() -> None:
    q = Qualification(code="00034", title="x", size="x", glh=180, source="s", verified=False)
    assert top_up_missing(q, {1: RA}, UNITS) == [
        "cannot verify for 00034: which units are mandatory or optional; the minimum GLH"
        " (180 is not confirmed)"
    ]


def test_a_same_size_sibling_met_is_not_a_move_down() -> None:
    # 00035 is as big as EXT (390) and 1-5 meet it; EXT itself is not met (group short).
    same = qual("00035", 390, groups=[group([1, 2, 3, 4, 5])])
    assert satisfies(same, {1, 2, 3, 4, 5}, UNITS)
    assert move_down(EXT, [same], {1, 2, 3, 4, 5}, UNITS) is None
    # Among smaller sizes the largest comes first, and a tie goes to the lower code.
    a, b = qual("00037", 180, mandatory=[1, 2]), qual("00036", 180, mandatory=[1, 2])
    assert move_down(EXT, [a, b], {1, 2}, UNITS) is b


def test_an_unknown_minimum_leaves_even_known_rules_partly_verified() -> None:
    # Rules known and met, but the minimum GLH (390) is not confirmed.
    q = qual("00038", 390, mandatory=[1, 2, 3], groups=[group([4, 5, 6, 7])])
    q = q.model_copy(update={"verified": False})
    c = evaluate(q, {1: RA, 2: RA, 3: RA, 4: RA, 5: RA}, UNITS)
    assert (c.outcome, c.unverified) == (
        Outcome.PARTLY_VERIFIED,
        ["the minimum GLH (390 is not confirmed)"],
    )
    assert c.glh_required is None
    # With no figure at all, nothing is said to be unconfirmed.
    none = Qualification(code="00039", title="x", size="x", source="s", verified=True)
    assert evaluate(none, {1: RA}, UNITS).unverified == [
        "which units are mandatory or optional",
        "the minimum GLH",
    ]


def test_unknown_hours_count_nothing_until_known() -> None:
    hours = {1: Unit(number=1, glh=90), 2: Unit(number=2, glh=59), 3: Unit(number=3)}
    q = qual("00040", 150, groups=[group([1, 2, 3])])
    # 90 + 59 = 149 known, one hour short: unit 3's hours decide it.
    c = evaluate(q, {1: RA, 2: RA, 3: RA}, hours)
    assert (c.outcome, c.unverified) == (Outcome.PARTLY_VERIFIED, ["the GLH of unit 3"])
    # In a group too: 59 of 60 known from units 2 and 3.
    q = qual("00041", 90, mandatory=[1], groups=[group([2, 3], min_glh=60)])
    c = evaluate(q, {1: RA, 2: RA, 3: RA}, hours)
    assert (c.outcome, c.unverified) == (Outcome.PARTLY_VERIFIED, ["the GLH of unit 3"])


def test_what_a_qualification_leaves_unknown() -> None:
    open_rules = qual("00042", 180, mandatory=[1], groups=[group([4])])
    open_rules = open_rules.model_copy(
        update={
            "verified": False,
            "rules": open_rules.rules.model_copy(update={"complete": False, "unknown": [5]}),  # type: ignore[union-attr]
        }
    )
    hours = {1: Unit(number=1, glh=90), 4: Unit(number=4), 5: Unit(number=5, glh=60)}
    assert not_known(open_rules, hours) == [
        "the rule for unit 5",
        "which other units are allowed",
        "the minimum GLH",
        "the GLH of unit 4",
    ]
    assert not_known(EXT, UNITS) == []


def test_knowledge_lines_do_not_say_illustrative_twice() -> None:
    """Trial 2, finding 8: the Rules page read "(illustrative, not OCR's; ctforms demo centre
    handbook (illustrative, not OCR's))"."""
    from ctforms.checks.knowledge import knowledge_lines

    demo = Rules(
        verified=False,
        illustrative=True,
        source="ctforms demo centre handbook (illustrative, not OCR's)",
        mandatory=[1],
    )
    q = Qualification(
        code="00003", title="t", size="s", glh=90, source="test", verified=True, rules=demo
    )
    lines = knowledge_lines(q, UNITS)
    assert "rules of combination (illustrative, not OCR's; ctforms demo centre handbook):" in lines
    assert not any(line.count("illustrative") > 1 for line in lines)
