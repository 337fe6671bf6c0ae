"""What is known of a qualification's size and rules of combination, and what is not, in plain
lines: for `ctforms catalogue show` and the rules page. The state in a word (fully, partly or
not known) is rules.known_state, as in the register's catalogue section and the pack."""

from __future__ import annotations

from collections.abc import Mapping

from ctforms.checks import rules
from ctforms.models import OptionalGroup, Qualification, RulesKnowledge, Unit
from ctforms.read.catalogue import Entry
from ctforms.words import count


def _group(g: OptionalGroup) -> str:
    need = [count(g.min_units, "unit")] if g.min_units else []
    need += [f"{g.min_glh} GLH"] if g.min_glh else []
    most = f"; at most {g.max_units} count" if g.max_units else ""
    units = ", ".join(map(str, g.units))
    least = f"at least {' and '.join(need)}" if need else "no minimum"
    return f"group {g.name}: units {units}; {least}{most}"


def _hours(glh: int | None) -> str:
    return "not known" if glh is None else f"{glh} GLH"


def describe(entry: Entry) -> list[str]:
    """A qualification in plain lines, for `ctforms catalogue show`."""
    q, subject = entry.qualification, entry.subject
    state = "verified" if q.verified else "NOT verified"
    lines = [
        f"{q.code}  {q.title}",
        f"  subject: {subject.name} (suite {subject.suite}, level {subject.level})",
        f"  source: {q.source} ({state}; from {entry.origin})",
        "  units:",
    ]
    for u in subject.units:
        kind = u.assessment.value if u.assessment else "type not confirmed"
        lines.append(f"    {u.number:>3}  {_hours(u.glh):>9}  {kind:<18} {u.title}")
    return lines + [f"  {line}" for line in knowledge_lines(q, entry.units)]


def knowledge_lines(q: Qualification, units: Mapping[int, Unit]) -> list[str]:
    """What is known of a qualification's size and rules, and what is not, in plain lines."""
    confirmed = "" if q.verified or q.glh is None else " (not confirmed: not used)"
    lines = [f"size: {q.size or 'not known'}, minimum GLH: {_hours(q.glh)}{confirmed}"]
    r = q.rules
    if r is None:
        lines.append("rules of combination (mandatory and optional units): none given")
    else:
        if r.illustrative:
            rstate = "illustrative, not OCR's"
        else:
            rstate = "verified" if r.verified else "NOT verified: not used"
        # A source that already says it (the demo's handbook) is not made to say it twice.
        source = " ".join(r.source.replace(f"({rstate})", "").split()) or r.source
        lines.append(f"rules of combination ({rstate}; {source}):")
        lines.append(f"  mandatory: {', '.join(map(str, r.mandatory)) or 'none'}")
        lines += [f"  {_group(g)}" for g in r.groups]
        for p in r.pathways:
            lines.append(
                f"  pathway {p.name}: mandatory {', '.join(map(str, p.mandatory)) or 'none'}"
            )
            lines += [f"    {_group(g)}" for g in p.groups]
        lines += [f"  barred together: {', '.join(map(str, b))}" for b in r.barred]
    state = rules.known_state(q, units)
    if state == "fully known":
        return [*lines, "fully known: every student's combination and GLH are checked"]
    return [
        *lines,
        "partly known: what is known is checked for every student"
        if state == "partly known"
        else "not known: nothing can be checked for a student",
        "not known (students who depend on it are checked by hand): "
        + "; ".join(rules.not_known(q, units)),
    ]


def rules_knowledge(code: str, entry: Entry | None, students: int = 0) -> RulesKnowledge:
    """One qualification's knowledge; entry None: the catalogue has no such code."""
    if entry is None:
        return RulesKnowledge(
            code=code,
            state="not known",
            lines=[
                "not known: it is not in the catalogue; add it in the rules workbook (download"
                " it from the Rules of combination page, or make it with 'ctforms catalogue"
                " template')"
            ],
            students=students,
            in_catalogue=False,
        )
    q = entry.qualification
    return RulesKnowledge(
        code=code,
        title=q.title,
        state=rules.known_state(q, entry.units),
        lines=knowledge_lines(q, entry.units),
        students=students,
    )
