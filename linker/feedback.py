"""Feed people's judgments back into an analysis.

``apply(analysis, judgments)`` makes what annotators decided win over the model for
that document: accepted links are accepted (added as ``source="annotation"``
candidates when the model did not propose them), rejected ones are not, a
"no evidence exists" mark un-accepts the sub-goal's links, and status or block
overrides replace the computed ones. Statuses are then judged again with
:func:`linker.status.judge`. Judgments are mapped by their quotes
(:mod:`linker.anchors`); those that no longer map are counted in a warning on
the goal document, never silently dropped. Judgments of a goal's own words that
are no sub-goal — its title line (the gold files' ``"title": true`` records), or a
guiding clause such as 以…为指导 (:data:`linker.goals._GUIDING`) — are not stale:
they are counted apart, as :attr:`Applied.titles`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from linker import anchors
from linker.model import Candidate, Document, Goal, Status
from linker.store import Judgment, latest

if TYPE_CHECKING:
    from linker.match import Scorer
    from linker.pipeline import Analysis
    from linker.status import Years

Order = tuple[int, datetime, int]  # Judgment.order


def _same_doc(doc: Document, path: str, sha: str) -> bool:
    """A judgment's document is this one: same bytes, or (edited since) the same file name."""
    return sha == doc.sha256 or Path(path).name == Path(doc.path).name


def relevant(analysis: Analysis, judgments: Iterable[Judgment]) -> list[Judgment]:
    """The judgments about this analysis' goal document and (for links) one of its evidence documents."""
    out = []
    for j in judgments:
        if not _same_doc(analysis.goal_doc, j.goal_path, j.goal_sha256):
            continue
        if j.kind == "link" and not any(_same_doc(d, j.evidence_path, j.evidence_sha256) for d in analysis.evidence_docs):
            continue
        out.append(j)
    return out


def _doc_index(analysis: Analysis, j: Judgment) -> int | None:
    exact = [i for i, d in enumerate(analysis.evidence_docs) if d.sha256 == j.evidence_sha256]
    if exact:
        return exact[0]
    named = [i for i, d in enumerate(analysis.evidence_docs) if Path(d.path).name == Path(j.evidence_path).name]
    return named[0] if named else None


@dataclass
class Applied:
    """What :func:`apply` did with the judgments about the analysis (the latest ones)."""

    applied: int = 0  # mapped onto a sub-goal (and evidence sentence) and applied
    titles: int = 0  # about a goal's words that are no sub-goal (title line, guiding clause): kept apart, not stale
    unmapped: int = 0  # no longer match the analysis: counted in the goal document's warning


def title_of(analysis: Analysis, j: Judgment) -> Goal | None:
    """The goal whose own words that are no sub-goal (its title line, a guiding clause) ``j``'s sub-goal
    quote names, if it does."""
    gd = analysis.goal_doc
    span = anchors.locate(gd, j.subgoal, hint=j.subgoal_span, prefer=[(g.start, g.end) for g in analysis.goals])
    if span is None:
        return None
    if any(sg.start < span[1] and span[0] < sg.end for _, sg in analysis.subgoals()):
        return None
    return next((g for g in analysis.goals if g.start <= span[0] and span[1] <= g.end), None)


def scorer_of(analysis: Analysis) -> Scorer:
    """The scorer ``analysis`` was judged with (its ``scorer_source``), else the default one."""
    from linker.errors import ModelError
    from linker.match import DEFAULT_SCORER, load_scorer

    path, _, family = analysis.scorer_source.rpartition(":")
    if not path:
        return DEFAULT_SCORER
    try:
        return load_scorer(Path(path), family)
    except ModelError:
        return DEFAULT_SCORER


def apply(analysis: Analysis, judgments: Iterable[Judgment], *, scorer: Scorer | None = None,
          evidence_year: Years = None) -> Applied:
    """Let the judgments override the model in ``analysis`` (in place) and re-judge statuses.

    ``scorer`` and ``evidence_year`` default to what the pipeline judged with: the
    analysis' own scorer, and the year of each evidence document.
    """
    from linker import goals as goals_mod
    from linker.status import Verdict, judge, roll_up

    js = latest(relevant(analysis, judgments))
    done = Applied()
    if not js:
        return done
    gd = analysis.goal_doc
    by_sg = {sg.id: sg for _, sg in analysis.subgoals()}
    accepts: dict[str, list[tuple[Order, str]]] = {}  # sub-goal id → [(Judgment.order, unit id)]
    no_evidence: dict[str, Judgment] = {}
    statuses: dict[str, Judgment] = {}
    for j in js:
        sg = anchors.map_subgoal(analysis.goals, gd, j.subgoal, j.subgoal_span)
        if sg is None:
            if title_of(analysis, j) is not None:
                done.titles += 1
            else:
                done.unmapped += 1
            continue
        if j.label in ("accept", "reject"):
            di = _doc_index(analysis, j)
            u = anchors.map_unit(analysis, j.evidence or "", j.evidence_span, doc_index=di) if di is not None else None
            if u is None:
                done.unmapped += 1
                continue
            cands = analysis.candidates.setdefault(sg.id, [])
            c = next((c for c in cands if c.evidence_id == u.id), None)
            if c is None:
                if j.label == "reject":
                    c = Candidate(0.0, sg.id, u.id, source="annotation")
                else:
                    c = Candidate(1.0, sg.id, u.id, source="annotation")
                cands.append(c)
            c.accepted = j.label == "accept"
            c.source = "annotation"
            if c.accepted:
                accepts.setdefault(sg.id, []).append((j.order, u.id))
        elif j.label == "no_evidence":
            prev = no_evidence.get(sg.id)
            if prev is None or j.order >= prev.order:
                no_evidence[sg.id] = j
        elif j.label == "status_override":
            statuses[sg.id] = j
        elif j.label == "block_override":
            by_sg[sg.id].block = j.value
        done.applied += 1
    for sid, mark in no_evidence.items():
        # a "no evidence" mark counts unless a link was accepted after it
        if any(when > mark.order for when, _ in accepts.get(sid, [])):
            continue
        for c in analysis.candidates.get(sid, []):
            if c.accepted:
                c.accepted = False
                c.source = "annotation"
    for cands in analysis.candidates.values():
        cands.sort(key=lambda c: (c.source == "annotation" and not c.accepted, -c.score))
    if done.unmapped:
        gd.warnings.append(f"{done.unmapped} annotation(s) no longer match a sub-goal or evidence sentence of this analysis")
    scorer = scorer if scorer is not None else scorer_of(analysis)
    if evidence_year is None and analysis.evidence_docs:
        evidence_year = {i: goals_mod.report_year(d) for i, d in enumerate(analysis.evidence_docs)}
    # rejected links are not even doubtful evidence: judge without them
    visible = {sid: [c for c in cands if not (c.source == "annotation" and not c.accepted)]
               for sid, cands in analysis.candidates.items()}
    verdicts, _ = judge(analysis.goals, visible, analysis.unit_by_id, scorer, evidence_year=evidence_year,
                        goal_doc=analysis.goal_doc)
    for sid, mark in no_evidence.items():
        v = verdicts.get(sid)
        if v is not None and v.status in (Status.UNEVIDENCED, Status.WEAK):
            verdicts[sid] = Verdict(Status.UNEVIDENCED, f"no evidence exists ({mark.annotator})")
    for sid, j in statuses.items():
        verdicts[sid] = Verdict(Status(j.value), f"set by {j.annotator}" + (f": {j.note}" if j.note else ""))
    analysis.verdicts = verdicts
    analysis.goal_status = {g.id: roll_up([verdicts[sg.id].status for sg in g.subgoals]) for g in analysis.goals}
    return done


def apply_store(analysis: Analysis, db: str | Path | None = None, **kwargs: object) -> int:
    """Apply the judgments of the store at ``db`` (default path when None); a missing file means none. Returns how many."""
    from linker.store import open_existing

    store = open_existing(db)
    if store is None:
        return 0
    with store:
        js = list(store.iter_judgments())
    apply(analysis, js, **kwargs)  # type: ignore[arg-type]
    return len(js)
