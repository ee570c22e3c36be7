"""Statuses of sub-goals and goals from their accepted evidence.

Sub-goal, in order:

``met``          an accepted sentence reports a number about the target's quantity
                 that satisfies it (units and scale normalised);
``unmet``        such a number contradicts it (普惠率 88% against ≥ 90%), or a
                 problem sentence (存在的问题) is the accepted evidence; a target
                 whose deadline lies after the evidence year and is not yet reached
                 is ``unmet`` with the note "not yet due";
``evidenced``    qualitative evidence accepted;
``weak``         nothing accepted, but a doubtful candidate;
``unevidenced``  nothing convincing.

Goals roll up: all sub-goals met → met; any unmet among evidenced ones → unmet
when none lacks evidence; all with evidence → evidenced; none → unevidenced (or
weak when all are weak); otherwise ``partial``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from linker.match import Scorer
from linker.model import Candidate, EvidenceUnit, Goal, Quantity, Status, SubGoal


@dataclass
class Verdict:
    status: Status
    note: str = ""
    actual: Quantity | None = None  # the number that decided met / unmet
    evidence_id: str | None = None


def judge_subgoal(
    sg: SubGoal,
    cands: Sequence[Candidate],
    units: dict[str, EvidenceUnit],
    scorer: Scorer,
    *,
    evidence_year: int | None = None,
) -> Verdict:
    from linker import quantities

    accepted = [c for c in cands if c.accepted]
    if not accepted:
        if cands and cands[0].score >= scorer.weak:
            return Verdict(Status.WEAK, "only a doubtful match")
        return Verdict(Status.UNEVIDENCED, "no convincing evidence")
    if sg.target is not None:
        for c in accepted:
            u = units[c.evidence_id]
            for q in u.quantities:
                if not _same_quantity(sg.target, q):
                    continue
                ok = quantities.compare(q, sg.target)
                if ok is None:
                    continue
                due = sg.target.deadline
                if ok:
                    return Verdict(Status.MET, f"{_fmt(q)} satisfies {_fmt(sg.target)}", q, u.id)
                if due is not None and evidence_year is not None and evidence_year < due:
                    return Verdict(Status.UNMET, f"not yet due: {_fmt(q)} in {evidence_year} against {_fmt(sg.target)} by {due}", q, u.id)
                return Verdict(Status.UNMET, f"{_fmt(q)} contradicts {_fmt(sg.target)}", q, u.id)
    if all(units[c.evidence_id].negative for c in accepted):
        return Verdict(Status.UNMET, "only problem statements (存在的问题) speak to it", None, accepted[0].evidence_id)
    return Verdict(Status.EVIDENCED, "qualitative evidence")


def _same_quantity(target: Quantity, q: Quantity) -> bool:
    from linker.match import _noun_overlap

    if target.quantity and q.quantity:
        return _noun_overlap(target.quantity, q.quantity)
    return False


def _fmt(q: Quantity) -> str:
    comp = {">=": "≥", "<=": "≤", "~": "≈", "=": "", ">": ">", "<": "<"}.get(q.comparator, q.comparator)
    value = f"{q.value:g}"
    return f"{q.quantity or ''} {comp}{value}{q.unit or ''}".strip()


def roll_up(statuses: Sequence[Status]) -> Status:
    s = set(statuses)
    if not s:
        return Status.UNEVIDENCED
    has = {Status.MET, Status.UNMET, Status.EVIDENCED}
    if s == {Status.MET}:
        return Status.MET
    if s <= has:
        return Status.UNMET if Status.UNMET in s else Status.EVIDENCED
    if s == {Status.UNEVIDENCED}:
        return Status.UNEVIDENCED
    if s <= {Status.WEAK, Status.UNEVIDENCED}:
        return Status.WEAK if s == {Status.WEAK} else (Status.PARTIAL if Status.WEAK in s else Status.UNEVIDENCED)
    return Status.PARTIAL


def judge(
    goals: Sequence[Goal],
    candidates: dict[str, list[Candidate]],
    units: dict[str, EvidenceUnit],
    scorer: Scorer,
    *,
    evidence_year: int | None = None,
) -> tuple[dict[str, Verdict], dict[str, Status]]:
    sub: dict[str, Verdict] = {}
    top: dict[str, Status] = {}
    for g in goals:
        for sg in g.subgoals:
            sub[sg.id] = judge_subgoal(sg, candidates.get(sg.id, []), units, scorer, evidence_year=evidence_year)
        top[g.id] = roll_up([sub[sg.id].status for sg in g.subgoals])
    return sub, top
