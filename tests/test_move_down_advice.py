"""Advice to move a student down names only a size the catalogue has for their subject and whose
known rules their achieved units meet; where there is none, the action says what else can be
done (issue 17, item 8). Through `ctforms check`, on the demo and on the demo with one more size."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import DEMO_ARGS, invoke

SMALLEST = "glh-short/0065/05843/-"  # Digital Media Certificate: the smallest size there is
# The vague advice the actions used to give whoever they were for.
VAGUE = ("to a smaller size", "a move-down entry")

# A made-up subject of two sizes (Level 2, 2012 suite: sizes not fixed by the plausibility
# bounds), and a student entered for its Certificate who has achieved unit 1 only: its Award
# (unit 1) is the smaller size. (Level 3 2016 has no size below the Certificate.)
MADE_UP = """
catalogue_version: 1
subjects:
  - id: made-up-2012-l2
    name: Made-up Studies
    suite: 2012
    level: 2
    source: test
    verified: true
    units:
      - {{number: 1, glh: 90}}
      - {{number: 3, glh: 60}}
      - {{number: 4, glh: 60}}
    qualifications:
      - code: "09997"
        title: Made-up Certificate
        size: Certificate
        glh: 180
        source: test
        verified: true
        rules:
          verified: true
          source: test
          mandatory: [1]
      - code: "09998"
        title: Made-up Award
        size: Award
        glh: 90
        source: test
        verified: {verified}
{rules}
"""
KNOWN_RULES = """\
        rules:
          verified: true
          source: test
          mandatory: [1]
"""
STUDENT = [
    "64395,0098,,,Testcase,Morgan,01/02/2006,09997,Made-up Certificate,Certificating in August"
    " 2024,Summer 2024,18/09/2023,{unit},Unit {unit},{kind},{status},{grade},{series}".format(**u)
    for u in (
        {
            "unit": 1,
            "kind": "Examined",
            "status": "Result achieved",
            "grade": "P",
            "series": "June 2023",
        },
        {"unit": 3, "kind": "Moderated", "status": "Claim submitted", "grade": "", "series": ""},
    )
]
MADE_UP_SHORT = "glh-short/0098/09997/-"


def _check(tmp_path: Path, *extra: str | Path, args: list[str] | None = None) -> dict[str, Any]:
    out = tmp_path / "issues.json"
    result = invoke("check", *(args or DEMO_ARGS), *extra, "--format", "json", "-o", out)
    assert result.exit_code == 1, result.output
    data = json.loads(out.read_text("utf-8"))
    return {i["id"]: i for i in data["issues"]}


def _made_up(tmp_path: Path, *, rules_known: bool) -> list[str]:
    """The demo's arguments with the made-up student in the tracker and the made-up subject in
    one more catalogue."""
    catalogue = tmp_path / "made-up.yaml"
    catalogue.write_text(
        MADE_UP.format(
            verified="true" if rules_known else "false",
            rules=KNOWN_RULES if rules_known else "",
        ),
        encoding="utf-8",
    )
    args = list(DEMO_ARGS)
    tracker = tmp_path / "tracker.csv"
    demo = Path(args[0]).read_text("utf-8").rstrip("\n")
    tracker.write_text("\n".join([demo, *STUDENT]) + "\n", encoding="utf-8")
    args[0] = str(tracker)
    return [*args, "--catalogue", str(catalogue)]


def test_the_smallest_size_is_never_told_to_move_down(tmp_path: Path) -> None:
    issues = _check(tmp_path)
    smallest = issues[SMALLEST]
    text = f"{smallest['action']} {smallest['remedy']}"
    assert "move down" not in text and "move them down" not in text
    assert "there is no smaller size of this qualification in the catalogue" in text
    # What else can be done: complete the units, or OCR changes the certification status.
    assert smallest["action"].startswith(
        "The units the student is taking do not add up to the qualification's minimum guided"
        " learning hours. Enter or claim the missing units. A move-down cannot help"
    )
    assert "they cannot certificate this series: email vqprocessing@ocr.org.uk" in text
    assert not any(f"move-down-available/0065/{code}/-" in issues for code in ("05843", "-"))
    for issue in issues.values():
        if issue["kind"] == "move-down-available":
            continue  # the proposal itself: its summary names the size
        for vague in VAGUE:
            assert vague not in issue["action"] + issue["remedy"], issue["id"]


def test_a_move_down_is_named_where_the_achieved_units_meet_a_smaller_size(
    tmp_path: Path,
) -> None:
    issues = _check(tmp_path)
    # 0012: units 1 and 2 achieved meet the IT Certificate 05838, which the move-down proposes.
    short = issues["glh-short/0012/05839/-"]
    assert "a move-down to 05838 (Certificate) lets them still get a result" in short["action"]
    assert "(see the move-down issue)" in short["action"]
    assert short["remedy"] == "enter or claim more units (or move down to 05838)"
    assert issues["move-down-available/0012/05839/-"]["evidence"]["move_down_code"] == "05838"
    # 0013 (mandatory unit 3 missing) and 0009 (unit 2 not achieved): IT has a smaller size,
    # but what they have achieved does not meet it.
    for ident in ("mandatory-unit-missing/0013/05839/3", "examined-not-achieved/0009/05839/2"):
        issue = issues[ident]
        assert (
            "A move-down cannot help: the units already achieved do not meet any smaller size"
            " in the catalogue." in issue["action"]
        ), ident
        assert "move down to" not in issue["remedy"]
        assert issue["remedy"].endswith(
            "; if that cannot be done in time, email vqprocessing@ocr.org.uk"
        )


def test_a_smaller_size_added_to_the_catalogue_is_then_named(tmp_path: Path) -> None:
    issues = _check(tmp_path, args=_made_up(tmp_path, rules_known=True))
    short = issues[MADE_UP_SHORT]
    assert "a move-down to 09998 (Award) lets them still get a result" in short["action"]
    assert short["remedy"] == "enter or claim more units (or move down to 09998)"
    move = issues["move-down-available/0098/09997/-"]
    assert move["evidence"]["move_down_code"] == "09998"


def test_a_smaller_size_whose_rules_are_not_known_is_only_a_maybe(tmp_path: Path) -> None:
    issues = _check(tmp_path, args=_made_up(tmp_path, rules_known=False))
    short = issues[MADE_UP_SHORT]
    assert (
        "a move-down to 09998 (Award) may be possible: its rules are not fully known"
        in (short["action"])
    )
    assert (
        "If not, and the student cannot complete them in time, they cannot certificate"
        in (short["action"])
    )
    assert short["remedy"] == "enter or claim more units (or check a move-down to 09998)"
    assert "move-down-available/0098/09997/-" not in issues  # not proposed: not known
