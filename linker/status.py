"""Statuses of sub-goals and goals from their accepted evidence (and from self-evaluation tables).

Sub-goal, in order:

``met``          a reported number about the target's quantity satisfies it (units and
                 scale normalised: 1.3万 = 13000; 百分点 against a % level through the
                 baseline); when the deadline lies after the evidence year the figure is
                 an interim one and the note says so ("interim: … already reaches the
                 2025 target") — never a silent ``met``;
``unmet``        such a number contradicts it (普惠率 88% against ≥ 90%), or a problem
                 sentence (存在的问题) is the only accepted evidence; when the deadline
                 lies after the evidence year the note says "not yet due";
``evidenced``    qualitative evidence accepted;
``weak``         nothing accepted, but a doubtful candidate;
``unevidenced``  nothing convincing.

A sub-goal that is a row of a self-evaluation table (项目支出绩效自评表) is judged from
the table itself: its 完成值 against its 指标值 (see :mod:`linker.selfeval`), with
flags for an empty 完成值 or 偏差原因. A deadline written at the head of a goal
("到2025年，…") is given to its sub-goals' targets that state none.

Problem statements among a sub-goal's candidates (negative evidence that scored at
least "weak") are kept in :attr:`Verdict.problems`, accepted or not, so they are shown.

Goals roll up: all met → ``met``; all with accepted evidence → ``unmet`` if any is
unmet, else ``evidenced``; none with accepted evidence → ``unevidenced`` (``weak`` when
some are weak); a mix of sub-goals with and without evidence → ``partial``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from linker.model import Candidate, EvidenceUnit, Goal, Quantity, Status, SubGoal

if TYPE_CHECKING:
    from linker.match import Scorer
    from linker.model import Document


@dataclass
class Verdict:
    status: Status
    note: str = ""
    actual: Quantity | None = None  # the number that decided met / unmet
    evidence_id: str | None = None
    source: str = "evidence"  # evidence | table | none
    flags: list[str] = field(default_factory=list)  # what an evaluator should check (empty 完成值 …)
    problems: list[str] = field(default_factory=list)  # ids of problem sentences (存在的问题) among the candidates
    due: int | None = None  # the target's deadline when it lies after the evidence year


# generic heads of measured nouns: two nouns sharing only these do not measure the same thing
_TAILS = sorted(
    [
        "覆盖率",
        "达标率",
        "合格率",
        "优良率",
        "完成率",
        "执行率",
        "准确率",
        "及时率",
        "普及率",
        "满意度",
        "满意率",
        "比例",
        "比重",
        "占比",
        "人数",
        "人次",
        "数量",
        "个数",
        "规模",
        "面积",
        "金额",
        "总额",
        "增长率",
        "增速",
        "水平",
        "率",
        "数",
        "量",
        "额",
    ],
    key=len,
    reverse=True,
)


def _split_noun(noun: str) -> tuple[str, str]:
    n = re.sub(r"[（(][^）)]*[）)]$|[\s“”\"]", "", noun)
    for t in _TAILS:
        if n.endswith(t):
            return n[: -len(t)], t
    return n, ""


def noun_match(a: str | None, b: str | None) -> int:
    """How surely two measured nouns name the same thing: 2 sure, 1 likely, 0 no.

    2: one holds the other and the shorter says more than a generic head
    (入园率 in 学前三年入园率; not 覆盖率 in 集团化办学覆盖率);
    1: their specific parts share a stretch of two characters or more that covers most
    (60%) of the shorter one (普惠率 and 普惠性幼儿园覆盖率), never through generic heads
    alone (集团化办学覆盖率 vs 普惠性幼儿园覆盖率 → 0, 义务教育就近入学比例 vs
    义务教育专任教师…比例 → 0).
    """
    if not a or not b:
        return 0
    a = re.sub(r"\s+", "", a)
    b = re.sub(r"\s+", "", b)
    if a == b:
        return 2
    ha, _ = _split_noun(a)
    hb, _ = _split_noun(b)
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    hs = ha if short == a else hb
    if short in long_ and len(short) >= 2 and hs:
        return 2
    if _diverge(ha, hb):
        return 0
    if len(ha) >= 2 and len(hb) >= 2 and _common(ha, hb) >= max(2.0, 0.6 * min(len(ha), len(hb))):
        return 1
    return 0


def _diverge(a: str, b: str) -> bool:
    """Same stem, different things: 一般公共预算|收入 against 一般公共预算|支出, 进口 against 出口."""
    k = 0
    while k < min(len(a), len(b)) and a[k] == b[k]:
        k += 1
    return k >= 2 and len(a) - k >= 2 and len(b) - k >= 2


def _common(a: str, b: str) -> int:
    """Length of the longest common stretch of two strings."""
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            if a[i:j] in b:
                best = j - i
            else:
                break
    return best


def describe(q: Quantity) -> str:
    """A figure as an evaluator reads it: "普惠率 ≥90%"."""
    comp = {">=": "≥", "<=": "≤", "~": "≈", "=": "", ">": ">", "<": "<"}.get(q.comparator, q.comparator)
    value = f"{q.value:g}"
    more = "余" if q.approx and q.comparator == ">" else ""
    if more:
        comp = ""
    return f"{q.quantity or ''} {comp}{value}{more}{q.unit or ''}".strip()


def due_context(status: Status, note: str, deadline: int | None, evidence_year: int | None) -> tuple[Status, str]:
    """Say when a figure is measured before its target is due (met: interim; unmet: not yet due)."""
    if deadline is None or evidence_year is None or evidence_year >= deadline:
        return status, note
    if status == Status.MET:
        return status, f"interim: {note} in {evidence_year}, ahead of the {deadline} deadline"
    if status == Status.UNMET:
        return status, f"not yet due: {note} in {evidence_year}; the target is due by {deadline}"
    return status, note


def _as_change(q: Quantity) -> Quantity:
    """A 百分点 figure is a change: read it as an increase unless it says otherwise."""
    from linker.quantities import normalise_unit

    if normalise_unit(q.unit)[0] == "百分点" and q.change is None:
        return replace(q, change="increase")
    return q


def comparable(actual: Quantity, target: Quantity) -> bool | None:
    """:func:`linker.quantities.compare`, plus 百分点 against a % level through a baseline.

    A target "提高5个百分点" from a baseline of 85% is the level 90%; an actual "从85%提高到
    90%" against a 百分点 target is the change of 5 百分点. Without a baseline the two
    cannot be compared (``None``).
    """
    from linker import quantities

    a, t = _as_change(actual), _as_change(target)
    ok = quantities.compare(a, t)
    if ok is not None:
        return ok
    from linker.quantities import normalise_unit

    pct = {normalise_unit(a.unit)[0], normalise_unit(t.unit)[0]}
    if pct != {"%", "百分点"}:
        return None
    if normalise_unit(t.unit)[0] == "百分点" and t.base_value is not None and a.change is None:
        sign = -1 if t.change == "decrease" else 1
        level = replace(t, value=t.base_value + sign * t.value, unit="%", change=None)
        return quantities.compare(a, level)
    if normalise_unit(a.unit)[0] == "%" and a.base_value is not None and normalise_unit(t.unit)[0] == "百分点":
        delta = a.value - a.base_value
        ch = replace(a, value=abs(delta), unit="百分点", change="increase" if delta >= 0 else "decrease")
        return quantities.compare(ch, t)
    return None


def judge_subgoal(
    sg: SubGoal,
    cands: Sequence[Candidate],
    units: dict[str, EvidenceUnit],
    scorer: Scorer,
    *,
    evidence_year: int | None = None,
    row: object | None = None,
) -> Verdict:
    """The status of one sub-goal. ``row`` is its self-evaluation table row, if it has one."""
    problems = [c.evidence_id for c in cands if units[c.evidence_id].negative and (c.accepted or c.score >= scorer.weak)]
    flags: list[str] = []
    if row is not None:
        from linker.selfeval import judge_row

        rv = judge_row(row, evidence_year=evidence_year)  # type: ignore[arg-type]
        flags = rv.flags
        if rv.status != Status.UNEVIDENCED or not any(c.accepted for c in cands):
            return Verdict(rv.status, rv.note, rv.actual, None, "table", flags, problems, _due(sg, evidence_year))
    elif sg.actual is not None and sg.target is not None:
        ok = comparable(sg.actual, sg.target)
        if ok is not None:
            st = Status.MET if ok else Status.UNMET
            verb = "satisfies" if ok else "falls short of"
            st, note = due_context(
                st, f"reported {describe(sg.actual)} {verb} {describe(sg.target)}", sg.target.deadline, evidence_year
            )
            return Verdict(st, note, sg.actual, None, "table", flags, problems, _due(sg, evidence_year))
    v = _from_evidence(sg, cands, units, scorer, evidence_year)
    v.flags = flags + v.flags
    v.problems = problems
    return v


def _due(sg: SubGoal, evidence_year: int | None) -> int | None:
    d = sg.target.deadline if sg.target is not None else None
    return d if d is not None and evidence_year is not None and evidence_year < d else None


def _decisive(
    sg: SubGoal, cands: Sequence[Candidate], units: dict[str, EvidenceUnit]
) -> tuple[Quantity, str, bool, float] | None:
    """The reported figure about the target's quantity that decides met / unmet, best noun match first."""
    if sg.target is None or not sg.target.quantity:
        return None
    found: list[tuple[int, float, Quantity, str, bool]] = []
    for c in cands:
        u = units[c.evidence_id]
        for q in u.quantities:
            strength = noun_match(sg.target.quantity, q.quantity)
            if not strength:
                continue
            ok = comparable(q, sg.target)
            if ok is not None:
                found.append((strength, c.score, q, u.id, ok))
    if not found:
        return None
    found.sort(key=lambda f: (-f[0], -f[1]))
    _, score, q, uid, ok = found[0]
    return q, uid, ok, score


def _from_evidence(
    sg: SubGoal, cands: Sequence[Candidate], units: dict[str, EvidenceUnit], scorer: Scorer, evidence_year: int | None
) -> Verdict:
    accepted = [c for c in cands if c.accepted]
    hit = _decisive(sg, accepted, units)
    via = ""
    if hit is None:
        # a doubtful candidate that reports the very quantity the target measures is decisive too:
        # a number that contradicts the target must be shown, not hidden behind a weaker link
        doubtful = [c for c in cands if not c.accepted and c.score >= scorer.weak and not units[c.evidence_id].negative]
        hit = _decisive(sg, doubtful, units)
        via = f" (a candidate sentence, score {hit[3]:.2f}, reports it)" if hit is not None else ""
    if hit is not None and sg.target is not None:
        q, uid, ok, _ = hit
        st = Status.MET if ok else Status.UNMET
        verb = "satisfies" if ok else "contradicts"
        st, note = due_context(st, f"{describe(q)} {verb} {describe(sg.target)}", sg.target.deadline, evidence_year)
        return Verdict(st, note + via, q, uid, due=_due(sg, evidence_year))
    if not accepted:
        if cands and cands[0].score >= scorer.weak:
            return Verdict(Status.WEAK, "only a doubtful match", source="none")
        return Verdict(Status.UNEVIDENCED, "no convincing evidence", source="none")
    if all(units[c.evidence_id].negative for c in accepted):
        return Verdict(Status.UNMET, "only problem statements (存在的问题) speak to it", None, accepted[0].evidence_id)
    note = "qualitative evidence"
    if sg.target is not None:
        note = f"qualitative evidence; no reported figure for {describe(sg.target)}"
    return Verdict(Status.EVIDENCED, note, evidence_id=accepted[0].evidence_id, due=_due(sg, evidence_year))


def roll_up(statuses: Sequence[Status]) -> Status:
    """A goal's status from its sub-goals' (see the module docstring)."""
    s = set(statuses)
    if not s:
        return Status.UNEVIDENCED
    has = {Status.MET, Status.UNMET, Status.EVIDENCED}
    if s == {Status.MET}:
        return Status.MET
    if s <= has:
        return Status.UNMET if Status.UNMET in s else Status.EVIDENCED
    if not s & has:
        return Status.UNEVIDENCED if s == {Status.UNEVIDENCED} else Status.WEAK
    return Status.PARTIAL


def judge(
    goals: Sequence[Goal],
    candidates: dict[str, list[Candidate]],
    units: dict[str, EvidenceUnit],
    scorer: Scorer,
    *,
    evidence_year: int | None = None,
    goal_doc: Document | None = None,
) -> tuple[dict[str, Verdict], dict[str, Status]]:
    """Verdicts of every sub-goal and the roll-up of every goal.

    ``goal_doc``: the document the goals come from; its self-evaluation tables then
    decide the rows they hold.
    """
    rows = {}
    if goal_doc is not None:
        from linker.selfeval import rows_by_span

        rows = rows_by_span(goal_doc)
    sub: dict[str, Verdict] = {}
    top: dict[str, Status] = {}
    for g in goals:
        for sg in g.subgoals:
            hit = rows.get((sg.start, sg.end))
            sub[sg.id] = judge_subgoal(
                sg, candidates.get(sg.id, []), units, scorer, evidence_year=evidence_year, row=hit[1] if hit else None
            )
        top[g.id] = roll_up([sub[sg.id].status for sg in g.subgoals])
    return sub, top
