"""The rules-of-combination check on its own: each verdict, with hand-worked GLH.

The test catalogue (checkkit): 05839 = mandatory 1, 2, 3 (90 + 90 + 60) + at least 2 units and
120 GLH of 4, 5, 6, 8, 9 (60 each), 360 GLH; 05838 = mandatory 1, 2 + any of 3-9, 180 GLH.
"""

from __future__ import annotations

from checkkit import (
    ANA,
    CATALOGUE_YAML,
    CNR,
    CS,
    IT_CERT,
    IT_EXT,
    UNKNOWN,
    D,
    candidate,
    catalogue,
    context,
    expected,
    qentry,
    tracker,
    unit,
)

from ctforms.checks import combination
from ctforms.models import CheckStatus, Grade, Issue, IssueKind, Records, Severity

# SERIES_2024 gives Sunday 23 June: the deadline is the Friday before.
DECLARATION_CLOSES = D(2024, 6, 21)
# SERIES_2024 gives Saturday 15 June: the deadline is the Friday before.
DECLARATION_OPENS = D(2024, 6, 14)


def kinds(issues: list[Issue]) -> list[tuple[str | None, str, int | None]]:
    return [(i.candidate_number, i.kind.value, i.unit_number) for i in issues]


def test_clean_students_raise_nothing_and_the_check_passes() -> None:
    track = tracker(
        candidate("0001", qentry(IT_EXT, 1, 2, 3, 4, 5)),  # 240 + 120 = 360
        candidate("0002", qentry(IT_CERT, 1, 2)),  # 180
    )
    result, issues = combination.check(context(track))
    assert issues == []
    assert result.status is CheckStatus.PASSED
    assert result.students_checked == 2
    assert result.notes == []


# Unit 1 in progress (not achieved), so no achieved set meets 05838 (mandatory 1, 2) and no
# move-down muddies a test that is about something else.
IN_PROGRESS_1 = unit(1, CS)


def test_mandatory_unit_missing_with_its_evidence() -> None:
    # 1, 2 + 4, 5, 6 = 180 + 180 = 360: enough GLH, unit 3 missing.
    track = tracker(candidate("0001", qentry(IT_EXT, IN_PROGRESS_1, 2, 4, 5, 6)))
    result, issues = combination.check(context(track))
    assert kinds(issues) == [("0001", "mandatory-unit-missing", 3)]
    (issue,) = issues
    assert issue.id == "mandatory-unit-missing/0001/05839/3"
    assert issue.severity is Severity.BLOCKING
    assert issue.deadline == DECLARATION_CLOSES
    assert issue.summary == "Mandatory unit 3 is not being taken"
    assert issue.unit_title == "Cyber security"
    e = issue.evidence
    assert (e.glh_taken, e.glh_required, e.mandatory_missing) == (360, 360, [3])
    assert result.status is CheckStatus.ISSUES


def test_a_missing_mandatory_unit_and_a_glh_shortfall_are_both_said() -> None:
    # 1, 2 + 4 = 240 of 360, and unit 3 missing. Achieved 1, 2 meet 05838: a move-down.
    track = tracker(candidate("0001", qentry(IT_EXT, 1, 2, unit(4, CS))))
    _, issues = combination.check(context(track))
    assert kinds(issues) == [
        ("0001", "mandatory-unit-missing", 3),
        ("0001", "glh-short", None),
        ("0001", "move-down-available", None),
    ]
    assert issues[1].summary == "Units taken add up to 240 GLH; Extended Certificate needs 360"


def test_glh_one_under_equal_and_one_over_the_minimum() -> None:
    yaml = CATALOGUE_YAML.replace(
        "{number: 9, title: Product development, glh: 60",
        "{number: 9, title: Product development, glh: 59",
    )
    cat = catalogue(yaml)
    # 1, 2, 3 + 4, 9 = 240 + 60 + 59 = 359: one hour short.
    under = tracker(candidate("0001", qentry(IT_EXT, IN_PROGRESS_1, 2, 3, 4, 9)))
    _, issues = combination.check(context(under, cat=cat))
    assert [(i.kind, i.evidence.glh_taken) for i in issues] == [(IssueKind.GLH_SHORT, 359)]
    # 1, 2, 3 + 4, 5 = 360: exactly enough.
    equal = tracker(candidate("0001", qentry(IT_EXT, 1, 2, 3, 4, 5)))
    assert combination.check(context(equal, cat=cat))[1] == []
    # 1, 2, 3 + 4, 5, 9 = 419: over.
    over = tracker(candidate("0001", qentry(IT_EXT, 1, 2, 3, 4, 5, 9)))
    assert combination.check(context(over, cat=cat))[1] == []


def test_move_down_evidence() -> None:
    # 1, 2 achieved, 3 and 9 in progress: 1, 2, 3, 9 = 300 < 360; 1 + 2 = 180 meets 05838.
    track = tracker(candidate("0007", qentry(IT_EXT, 1, 2, unit(3, CS), unit(9, CS))))
    _, issues = combination.check(context(track))
    assert kinds(issues) == [("0007", "glh-short", None), ("0007", "move-down-available", None)]
    move = issues[1]
    assert move.severity is Severity.WARNING
    assert move.deadline == DECLARATION_OPENS
    assert move.evidence.move_down_code == IT_CERT
    assert move.evidence.registered_code == IT_EXT
    assert move.evidence.direction == "move-down"
    assert move.summary == (
        "Extended Certificate cannot be met with the units taken; the achieved units already"
        " meet 05838 (Certificate)"
    )


def test_no_move_down_when_an_achieved_unit_did_not_pass() -> None:
    # Unit 2 shows 'Result achieved' but with a U: it does not count towards 05838.
    track = tracker(
        candidate("0001", qentry(IT_EXT, 1, unit(2, grade=Grade.UNCLASSIFIED), unit(3, CS)))
    )
    _, issues = combination.check(context(track))
    assert kinds(issues) == [("0001", "glh-short", None)]
    # With a pass it does.
    track = tracker(candidate("0001", qentry(IT_EXT, 1, unit(2, grade=Grade.PASS), unit(3, CS))))
    _, issues = combination.check(context(track))
    assert ("0001", "move-down-available", None) in kinds(issues)


def test_a_move_down_may_be_possible_when_the_smaller_rules_are_not_known() -> None:
    # 05838 keeps its 180 GLH but loses its rules.
    cert_rules = (
        "        rules:\n          verified: true\n          source: test\n"
        "          mandatory: [1, 2]\n"
        "          groups: [{name: options, units: [3, 4, 5, 6, 8, 9]}]\n"
    )
    assert cert_rules in CATALOGUE_YAML
    yaml = CATALOGUE_YAML.replace(cert_rules, "")
    cat = catalogue(yaml)
    assert cat.entries[IT_CERT].qualification.rules is None
    track = tracker(candidate("0001", qentry(IT_EXT, 1, 2, unit(3, CS))))
    _, issues = combination.check(context(track, cat=cat))
    assert kinds(issues) == [("0001", "glh-short", None)]
    assert issues[0].evidence.note == (
        "a move-down to 05838 (Certificate) may be possible: its rules are not fully known"
        " (which units are mandatory or optional); check in the centre handbook whether the"
        " achieved units (1, 2) meet them"
    )


BARRED_YAML = CATALOGUE_YAML.replace(
    "groups: [{name: options, units: [4, 5, 6, 8, 9], min_units: 2, min_glh: 120}]",
    "groups: [{name: options, units: [4, 5, 6, 8, 9], min_units: 2, min_glh: 120}]\n"
    "          barred: [[4, 5]]",
)


def test_barred_pair_with_enough_glh_and_the_unit_to_drop() -> None:
    cat = catalogue(BARRED_YAML)
    # 240 + 4, 5, 6 = 420; 4 and 5 barred; dropping either leaves 360 with 2 option units.
    track = tracker(candidate("0001", qentry(IT_EXT, 1, 2, 3, 4, 5, unit(6, CS))))
    _, issues = combination.check(context(track, cat=cat))
    assert kinds(issues) == [("0001", "invalid-combination", None)]
    (issue,) = issues
    assert issue.summary == (
        "Enough GLH (420) but the units break the rules: units 4 and 5 may not be combined"
    )
    assert issue.evidence.barred_found == [4, 5]
    assert issue.evidence.note == "dropping unit 4 or unit 5 would meet the rules"


def test_a_barred_pair_that_dropping_cannot_fix_may_lead_to_a_move_down() -> None:
    cat = catalogue(BARRED_YAML)
    # 240 + 4, 5 = 360; without 4 or 5 only 300 and one option unit. 1, 2 meet 05838.
    track = tracker(candidate("0001", qentry(IT_EXT, 1, 2, unit(3, CS), unit(4, CS), 5)))
    _, issues = combination.check(context(track, cat=cat))
    assert kinds(issues) == [
        ("0001", "invalid-combination", None),
        ("0001", "move-down-available", None),
    ]
    assert issues[0].evidence.note is None


def test_units_outside_the_rules_are_named_on_a_shortfall() -> None:
    # 05838 has no unit 7 in its subject: unit 7 counts nothing.
    track = tracker(candidate("0001", qentry(IT_CERT, 1, unit(7, CS))))
    _, issues = combination.check(context(track))
    short = [i for i in issues if i.kind is IssueKind.GLH_SHORT]
    assert short[0].evidence.note == "unit 7 not in the rules for 05838: no GLH counted for them"


def test_not_in_the_catalogue_is_one_line_for_the_code() -> None:
    track = tracker(
        candidate("0001", qentry(UNKNOWN, 1)),
        candidate("0002", qentry(IT_EXT, 1, 2, 3, 4, 5)),
        candidate("0003", qentry(UNKNOWN, 1, 2)),
    )
    result, issues = combination.check(context(track))
    assert kinds(issues) == [(None, "combination-unverifiable", None)]
    (line,) = issues
    assert line.id == "combination-unverifiable/-/09999/-"
    assert line.severity is Severity.WARNING
    assert line.deadline == DECLARATION_CLOSES
    assert line.evidence.students == 2
    assert line.evidence.candidate_numbers == ["0001", "0003"]
    assert line.evidence.unverified == ["the qualification itself (it is not in the catalogue)"]
    assert line.summary == (
        "Rules of combination for 09999 not known: 2 students to check by hand (0001, 0003);"
        " not known: the qualification itself (it is not in the catalogue)"
    )
    assert result.status is CheckStatus.ISSUES  # the line is an issue to act on
    assert result.notes == [
        "The rules of combination for 09999 are not known: 2 students must be checked by hand"
        " against the centre handbook (the qualification itself (it is not in the catalogue)),"
        " unless the rules are entered in the rules workbook (download it from the Rules of"
        " combination page, or make it with 'ctforms catalogue template') and checked again."
    ]


GLH_ONLY_YAML = CATALOGUE_YAML.replace(
    """        rules:
          verified: true
          source: test
          mandatory: [1, 2, 3]
          groups: [{name: options, units: [4, 5, 6, 8, 9], min_units: 2, min_glh: 120}]
""",
    "",
)


def test_glh_only_a_shortfall_is_found_and_the_rest_is_one_line() -> None:
    cat = catalogue(GLH_ONLY_YAML)
    assert cat.entries[IT_EXT].qualification.rules is None
    track = tracker(
        candidate("0001", qentry(IT_EXT, 1, 2, 3, 4, 5)),  # 360: may be fine
        candidate("0002", qentry(IT_EXT, 1, 2, 3)),  # 240 < 360 whatever the rules
        candidate("0003", qentry(IT_EXT, 1, 2, 4, 5, 6)),  # 360 (3 missing: not known)
    )
    result, issues = combination.check(context(track, cat=cat))
    assert kinds(issues) == [
        ("0002", "glh-short", None),
        ("0002", "move-down-available", None),
        (None, "combination-unverifiable", None),
    ]
    line = issues[-1]
    assert line.evidence.candidate_numbers == ["0001", "0002", "0003"]
    assert line.evidence.unverified == ["which units are mandatory or optional"]
    assert line.summary.startswith("Rules of combination for 05839 partly known: 3 students")
    assert result.notes[0].startswith(
        "The rules of combination for 05839 are only partly known: what is known was checked,"
        " but 3 students must still be checked by hand"
    )


def test_a_student_without_an_entry_between_two_does_not_stop_the_check() -> None:
    track = tracker(
        candidate("0001", qentry(IT_EXT, IN_PROGRESS_1, 2, 4, 5, 6)),
        candidate("0003", qentry(IT_EXT, IN_PROGRESS_1, 2, 4, 5, 6)),
    )
    records = Records(expected=expected(("0001", IT_EXT), ("0002", IT_EXT), ("0003", IT_EXT)))
    _, issues = combination.check(context(track, records))
    assert kinds(issues) == [
        ("0001", "mandatory-unit-missing", 3),
        ("0003", "mandatory-unit-missing", 3),
    ]


def test_first_and_last_students_of_a_centre() -> None:
    track = tracker(
        candidate("0001", qentry(IT_EXT, IN_PROGRESS_1, 2, 4, 5, 6)),
        candidate("5000", qentry(IT_EXT, 1, 2, 3, 4, 5)),
        candidate("9999", qentry(IT_EXT, IN_PROGRESS_1, 2, 4, 5, 6)),
    )
    _, issues = combination.check(context(track))
    assert [i.candidate_number for i in issues] == ["0001", "9999"]


def test_problem_units_count_as_taken() -> None:
    # A unit 'attempted, not achieved' or with no claim is still taken: the combination is
    # judged on every unit; the unit checks say what to do about each.
    track = tracker(candidate("0001", qentry(IT_EXT, 1, 2, unit(3, ANA), unit(4, CNR), 5)))
    _, issues = combination.check(context(track))
    assert issues == []


def test_illustrative_rules_are_said() -> None:
    yaml = CATALOGUE_YAML.replace(
        "          source: test\n          mandatory: [1, 2, 3]",
        "          illustrative: true\n          source: test\n          mandatory: [1, 2, 3]",
    )
    track = tracker(candidate("0001", qentry(IT_EXT, 1, 2, 3, 4, 5)))
    result, issues = combination.check(context(track, cat=catalogue(yaml)))
    assert issues == []
    assert result.notes == [
        "Rules used for 05839 are illustrative (made up for the demo or for training), not OCR's."
    ]


def test_one_student_to_check_is_said_in_the_singular() -> None:
    track = tracker(candidate("0001", qentry(UNKNOWN, 1)))
    result, (line,) = combination.check(context(track))
    assert line.summary.startswith("Rules of combination for 09999 not known: 1 student to check")
    assert result.notes[0].startswith(
        "The rules of combination for 09999 are not known: 1 student must be checked by hand"
    )
    assert line.evidence.note == "09999 is not in the catalogue; add it in the rules workbook"


def test_at_most_ten_candidate_numbers_in_the_summary() -> None:
    ten = tracker(*(candidate(f"{n:04d}", qentry(UNKNOWN, 1)) for n in range(1, 11)))
    (line,) = combination.check(context(ten))[1]
    assert "(0001, 0002, 0003, 0004, 0005, 0006, 0007, 0008, 0009, 0010);" in line.summary
    eleven = tracker(*(candidate(f"{n:04d}", qentry(UNKNOWN, 1)) for n in range(1, 12)))
    (line,) = combination.check(context(eleven))[1]
    assert "0009, 0010 and 1 more);" in line.summary
    assert line.evidence.students == 11
    assert line.evidence.candidate_numbers == [f"{n:04d}" for n in range(1, 12)]


def test_the_line_names_where_the_rules_came_from() -> None:
    cat = catalogue(GLH_ONLY_YAML)
    track = tracker(candidate("0001", qentry(IT_EXT, 1, 2, 3, 4, 5)))
    (line,) = combination.check(context(track, cat=cat))[1]
    assert line.evidence.note == "catalogue: test; rules: none (from test.yaml)"
    partial = CATALOGUE_YAML.replace(
        "          mandatory: [1, 2, 3]\n",
        "          mandatory: [1, 2, 3]\n          unknown: [7]\n",
    ).replace("      - {number: 9,", "      - {number: 7, glh: 60}\n      - {number: 9,")
    track = tracker(candidate("0001", qentry(IT_EXT, 1, 2, 3, 4, 7)))  # 300 + 7 = 360
    (line,) = combination.check(context(track, cat=catalogue(partial)))[1]
    assert line.evidence.note == "catalogue: test; rules: test (from test.yaml)"
    assert line.evidence.unverified == ["the rule for unit 7 (no Rule given)"]


def test_partly_known_when_the_rules_are_known_but_the_minimum_is_not() -> None:
    yaml = CATALOGUE_YAML.replace(
        "        glh: 360\n        source: test\n        verified: true",
        "        glh: 360\n        source: test\n        verified: false",
    )
    track = tracker(candidate("0001", qentry(IT_EXT, 1, 2, 3, 4, 5)))
    result, (line,) = combination.check(context(track, cat=catalogue(yaml)))
    assert line.summary.startswith("Rules of combination for 05839 partly known: 1 student")
    assert line.evidence.unverified == ["the minimum GLH (360 is not confirmed)"]
    assert result.notes[0].startswith("The rules of combination for 05839 are only partly known")


def test_two_group_shortfalls_are_both_in_the_note() -> None:
    yaml = CATALOGUE_YAML.replace(
        "groups: [{name: options, units: [4, 5, 6, 8, 9], min_units: 2, min_glh: 120}]",
        "groups: [{name: practical, units: [4, 5], min_units: 1},"
        " {name: theory, units: [6, 8, 9], min_units: 1}]",
    )
    # 240 + 6, 8 = 360 GLH but nothing from "practical"; "theory" met.
    track = tracker(candidate("0001", qentry(IT_EXT, IN_PROGRESS_1, 2, 3, 6, 8)))
    (issue,) = combination.check(context(track, cat=catalogue(yaml)))[1]
    assert issue.evidence.note == "practical: 0 of 1 unit"
    # Units 2, 3 only (+ unit 1 in progress): both groups short, and GLH short too.
    track = tracker(candidate("0001", qentry(IT_EXT, IN_PROGRESS_1, 2, 3, 6)))
    issues = combination.check(context(track, cat=catalogue(yaml)))[1]
    assert [i.kind for i in issues] == [IssueKind.GLH_SHORT]
    two = CATALOGUE_YAML.replace(
        "groups: [{name: options, units: [4, 5, 6, 8, 9], min_units: 2, min_glh: 120}]",
        "groups: [{name: practical, units: [4, 5], min_units: 2},"
        " {name: theory, units: [6, 8, 9], min_units: 3}]",
    )
    # 240 + 4 + 6 = 360, the minimum; practical 1 of 2, theory 1 of 3.
    track = tracker(candidate("0001", qentry(IT_EXT, IN_PROGRESS_1, 2, 3, 4, 6)))
    (issue,) = combination.check(context(track, cat=catalogue(two)))[1]
    assert issue.evidence.note == "practical: 1 of 2 units; theory: 1 of 3 units"


def test_the_move_down_hint_follows_a_note_already_there() -> None:
    # 05838 without rules (GLH only): a move-down may be possible. The student also takes
    # unit 7, which the rules of 05839 do not list: the shortfall's note says so first.
    cert_rules = (
        "        rules:\n          verified: true\n          source: test\n"
        "          mandatory: [1, 2]\n"
        "          groups: [{name: options, units: [3, 4, 5, 6, 8, 9]}]\n"
    )
    yaml = CATALOGUE_YAML.replace(cert_rules, "").replace(
        "      - {number: 9,", "      - {number: 7, glh: 60}\n      - {number: 9,"
    )
    track = tracker(candidate("0001", qentry(IT_EXT, 1, 2, unit(3, CS), unit(7, CS))))
    (short,) = combination.check(context(track, cat=catalogue(yaml)))[1]
    assert short.evidence.note == (
        "unit 7 not in the rules for 05839: no GLH counted for them; a move-down to 05838"
        " (Certificate) may be possible: its rules are not fully known (which units are"
        " mandatory or optional); check in the centre handbook whether the achieved units"
        " (1, 2) meet them"
    )


def test_the_hint_when_nothing_is_achieved_and_the_smaller_size_is_barely_known() -> None:
    # 05838: no rules, its 180 GLH not confirmed, no size name. Nothing rules a move-down out.
    cert_rules = (
        "        rules:\n          verified: true\n          source: test\n"
        "          mandatory: [1, 2]\n"
        "          groups: [{name: options, units: [3, 4, 5, 6, 8, 9]}]\n"
    )
    yaml = CATALOGUE_YAML.replace(cert_rules, "").replace(
        "        size: Certificate\n        glh: 180\n        source: test\n        verified: true",
        "        glh: 180\n        source: test\n        verified: false",
    )
    assert catalogue(yaml).entries[IT_CERT].qualification.size == ""
    track = tracker(candidate("0001", qentry(IT_EXT, unit(1, CS), unit(2, CS))))
    missing, short = combination.check(context(track, cat=catalogue(yaml)))[1]
    assert (missing.kind, short.kind) == (IssueKind.MANDATORY_UNIT_MISSING, IssueKind.GLH_SHORT)
    assert missing.evidence.note == (
        "a move-down to 05838 (a smaller size) may be possible: its rules are not fully known"
        " (which units are mandatory or optional; the minimum GLH); check in the centre"
        " handbook whether the achieved units (none) meet them"
    )
