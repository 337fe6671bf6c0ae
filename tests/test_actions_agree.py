"""Every issue's action agrees with its evidence, names the file made for it, and is written in
words for people (no template gap, no option name, no internal key); deadlines are working days.

`contradictions` is the rule book: it is run over the demo's register (through the CLI) and
over small hand-built cases for the evidence the demo does not show, and it must catch the
contradiction this file was written for (a TAG outside the window told to make a late request).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from checkkit import (
    ANA,
    AS_OF,
    CENTRE_NUMBER,
    CNR,
    ENR,
    IT_EXT,
    UNKNOWN,
    candidate,
    context,
    expected,
    qentry,
    tag,
    tracker,
    unit,
    visit,
)
from conftest import DEMO_ARGS, invoke

from ctforms.checks import examined, moderated, tags
from ctforms.checks.guidance import DATE_KEYS, GUIDANCE
from ctforms.models import (
    Grade,
    Issue,
    IssueKind,
    Records,
    SeriesDates,
    Severity,
    VisitRow,
    VisitStatus,
)
from ctforms.paperwork import form_file_name, hoc_declaration_file_name, listing_file_name
from ctforms.read.centre import TAG_WINDOW, long_date, working_day

K = IssueKind
D = dt.date
# What run (or the forms / entries commands) makes for each kind, as a function of the centre.
FILE_FOR: dict[IssueKind, list[str]] = {
    K.MISSED_FROM_CLAIM: ["missed-claim"],
    K.INCORRECT_CLAIM: ["incorrect-claim"],
    K.MISSING_TAG: ["missing-tag", "declaration"],
    K.NO_QUALIFICATION_ENTRY: ["listing"],
    K.WRONG_SIZE_ENTRY: ["listing"],
    K.MOVE_DOWN_AVAILABLE: ["listing"],
}
MAY_NOT_BE_NEEDED = "may be an optional unit"
LONG_DATE = re.compile(
    r"\b(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) )?\d{1,2}"
    r" (?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December) \d{4}\b"
)


def _file(what: str, centre: str) -> str:
    if what == "declaration":
        return hoc_declaration_file_name(centre)
    if what == "listing":
        return listing_file_name(centre)
    return form_file_name(centre, what)


def contradictions(issue: Issue, series: SeriesDates, centre: str) -> list[str]:
    """Where the issue's action, remedy or deadline disagree with its evidence."""
    found: list[str] = []
    text = f"{issue.action} {issue.remedy}"
    ev = issue.evidence

    def need(ok: bool, why: str) -> None:
        if not ok:
            found.append(f"{issue.id}: {why}")

    need(bool(issue.action and issue.remedy and issue.deadline_label), "an empty text")
    need("{" not in text and "}" not in text, "a template gap left in the text")
    for words in (text, issue.deadline_label, ev.note or ""):
        need("--" not in words, f"an option name in {words!r}")
        need(not re.search(r"\b[a-z]+_[a-z_]+\b", words), f"an internal key in {words!r}")
    need(issue.deadline is not None and issue.deadline.weekday() < 5, "deadline not a weekday")
    # Dates written in the text are the series' (as deadlines: working days) or OCR's fixed ones.
    allowed = {long_date(working_day(getattr(series, k))) for k in DATE_KEYS}
    allowed |= {f"{d.day} {d:%B %Y}" for d in (*TAG_WINDOW, D(2021, 9, 1))}
    for written in LONG_DATE.findall(text):
        need(written in allowed, f"a date typed by hand: {written}")

    out_of_window = issue.kind is K.MISSING_TAG and ev.in_tag_window is False
    # The post-moderation forms are for visits that have taken place (issue 17, item 5).
    before_visit = (
        issue.kind in (K.INCORRECT_CLAIM, K.MISSED_FROM_CLAIM) and ev.visit_taken_place is False
    )
    for what in FILE_FOR.get(issue.kind, []):
        name = _file(what, centre)
        if out_of_window:  # not on the form: the file must not be offered for it
            need(name not in text, f"names {name} though a TAG is not allowed")
        elif before_visit:
            need(name not in text, f"names {name} though the visit has not taken place")
        else:
            need(name in issue.action, f"does not name {name}")
    if before_visit:
        need("Correct the claim in Interchange" in issue.action, "not put right in Interchange")
        need("two weeks before the moderation visit" in issue.deadline_label, "not by the visit")
    need(issue.kind is not K.MISSED_FROM_CLAIM or ev.visit_taken_place is True, "visit ahead")
    if issue.kind is K.MISSING_TAG:
        late = "late request" in issue.action
        if ev.in_tag_window is False:
            need(not late, "a late request for a TAG outside the window")
            need("assessed normally" in issue.action, "does not say to assess normally")
        elif ev.in_tag_window is None:
            need("check" in issue.action.lower(), "does not say to check the planned date")
        else:
            need(late, "no late request for a TAG inside the window")
    if issue.kind is K.CLAIM_NEEDED:
        if ev.visit_date is None:
            need("no moderation visit is recorded" in issue.action, "assumes a visit")
            need("final moderation deadline" in issue.deadline_label, "counts from no visit")
        else:
            need(ev.visit_date > AS_OF or ev.visit_date is None, "the visit is not ahead")
            need("still ahead" in issue.action, "does not say the visit is ahead")
    if issue.kind is K.MODERATED_NOT_ACHIEVED and ev.visit_date is None:
        need("no visit ahead is recorded" in issue.action, "assumes a visit ahead")
    if issue.kind in (K.EXAMINED_NOT_ENTERED, K.CLAIM_NEEDED, K.MISSED_FROM_CLAIM):
        maybe = issue.severity is Severity.WARNING
        need((MAY_NOT_BE_NEEDED in issue.action) == maybe, "required-ness differs from severity")
    return found


def _demo_register(tmp_path: Path) -> dict[str, object]:
    out = tmp_path / "issues.json"
    result = invoke("check", *DEMO_ARGS, "--format", "json", "-o", out)
    assert result.exit_code in (0, 1), result.output
    data = json.loads(out.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def test_every_demo_action_agrees_with_its_evidence(tmp_path: Path) -> None:
    data = _demo_register(tmp_path)
    series = SeriesDates.model_validate(data["series"])
    centre = data["centre"]
    assert isinstance(centre, dict) and isinstance(data["issues"], list)
    issues = [Issue.model_validate(i) for i in data["issues"]]
    found = [p for i in issues for p in contradictions(i, series, centre["number"])]
    assert found == []
    # The demo shows the cases this was written for.
    assert any(i.kind is K.MISSING_TAG and i.evidence.in_tag_window is False for i in issues)
    assert any(
        i.kind is K.INCORRECT_CLAIM and i.evidence.visit_taken_place is False for i in issues
    )


def test_every_action_names_a_file_run_made(demo_run: Path) -> None:
    """Through the CLI: each file an open issue's action names is in run's folder."""
    out = demo_run
    data = json.loads((out / "issues.json").read_text("utf-8"))
    made = {p.name for p in out.iterdir()}
    named = set()
    for issue in data["issues"]:
        if not issue["handled"]:
            named |= set(re.findall(r"\b64395-[a-z-]+\.(?:xlsx|docx)\b", issue["action"]))
    assert named, "no action names a file"
    assert named <= made


def _tag_issues(planned: dt.date | None) -> list[Issue]:
    track = tracker(candidate("0001", qentry(IT_EXT, 1, unit(4, CNR))))
    records = Records(tags=[tag("0001", IT_EXT, 4, Grade.MERIT, planned)])
    return tags.check(context(track, records))[1]


@pytest.mark.parametrize(
    ("planned", "words"),
    [
        (D(2021, 3, 1), "late request"),
        (D(2021, 9, 1), "assessed normally"),
        (D(2020, 7, 31), "assessed normally"),
        (None, "First check the assessment was planned within 1 August 2020 to 31 August 2021"),
    ],
)
def test_tag_action_follows_the_window(planned: dt.date | None, words: str) -> None:
    [issue] = _tag_issues(planned)
    assert words in issue.action
    assert contradictions(issue, context(tracker()).centre.series, CENTRE_NUMBER) == []


def test_the_rule_book_catches_a_late_request_outside_the_window() -> None:
    [issue] = _tag_issues(D(2021, 9, 1))
    series = context(tracker()).centre.series
    wrong_text, wrong_remedy = GUIDANCE[K.MISSING_TAG].action.render(context(tracker()).text_fields)
    wrong = issue.model_copy(update={"action": wrong_text, "remedy": wrong_remedy})
    found = contradictions(wrong, series, CENTRE_NUMBER)
    assert any("late request for a TAG outside the window" in f for f in found)
    assert any("though a TAG is not allowed" in f for f in found)


def _no_claim(visits: list[VisitRow] | None, code: str = IT_EXT) -> Issue:
    track = tracker(candidate("0001", qentry(code, 1, 2, 3, 4, unit(5, CNR))))
    records = Records(expected=expected(("0001", code)), visits=visits)
    issues = moderated.check(context(track, records))[1]
    assert len(issues) == 1
    return issues[0]


@pytest.mark.parametrize(
    ("visits", "kind", "words"),
    [
        (None, K.CLAIM_NEEDED, "no moderation visit is recorded"),
        ([], K.CLAIM_NEEDED, "no moderation visit is recorded"),
        ([visit(IT_EXT, D(2024, 6, 26))], K.CLAIM_NEEDED, "still ahead"),
        (
            [visit(IT_EXT, D(2024, 5, 20), VisitStatus.COMPLETED)],
            K.MISSED_FROM_CLAIM,
            f"{CENTRE_NUMBER}-missed-from-moderation-claim.xlsx",
        ),
    ],
)
def test_no_claim_action_follows_the_visits(
    visits: list[VisitRow] | None, kind: IssueKind, words: str
) -> None:
    issue = _no_claim(visits)
    assert issue.kind is kind
    assert words in issue.action
    assert contradictions(issue, context(tracker()).centre.series, CENTRE_NUMBER) == []


def test_a_unit_that_may_not_be_needed_says_so() -> None:
    """Rules not fully known (code not in the catalogue): a unit never started is a warning,
    and the action says to check whether it is needed before acting."""
    track = tracker(candidate("0001", qentry(UNKNOWN, unit(1, ENR), unit(2, CNR))))
    records = Records(expected=expected(("0001", UNKNOWN)), visits=[])
    ctx = context(track, records)
    found = examined.check(ctx)[1] + moderated.check(ctx)[1]
    assert {i.kind for i in found} >= {K.CLAIM_NEEDED}
    for issue in found:
        assert issue.severity is Severity.WARNING
        assert MAY_NOT_BE_NEEDED in issue.action
        assert issue.remedy.startswith("if needed: ")
        assert contradictions(issue, ctx.centre.series, CENTRE_NUMBER) == []


def test_moderated_not_achieved_with_no_visit_ahead_says_book_one() -> None:
    track = tracker(candidate("0001", qentry(IT_EXT, 1, 2, 3, unit(4, ANA), 5)))
    records = Records(
        expected=expected(("0001", IT_EXT)),
        visits=[visit(IT_EXT, D(2024, 6, 1), VisitStatus.COMPLETED)],
    )
    ctx = context(track, records)
    [issue] = [i for i in moderated.check(ctx)[1] if i.kind is K.MODERATED_NOT_ACHIEVED]
    assert "no visit ahead is recorded" in issue.action
    assert contradictions(issue, ctx.centre.series, CENTRE_NUMBER) == []


def test_every_kind_and_alternative_fills_its_template() -> None:
    from ctforms.checks import guidance

    ctx = context(tracker())
    actions = [g.action for g in GUIDANCE.values()]
    actions += [v for v in vars(guidance).values() if isinstance(v, guidance.Action)]
    actions += [guidance.maybe_not_needed(a) for a in list(actions)]
    for action in actions:
        text, remedy = action.render(ctx.text_fields)
        assert "{" not in text + remedy and "}" not in text + remedy
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", text + remedy + action.deadline_label)
        assert "--" not in text + remedy
    assert set(GUIDANCE) == set(IssueKind)
