"""Judgments override the model for their document, and analyze() reads them from the store."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from linker import anchors, feedback
from linker.model import Status
from linker.pipeline import Options, analyze
from linker.store import Judgment, Store, now
from tests.conftest import SEED


def make(a, sg, unit, label: str, value: str | None = None, created: str | None = None) -> Judgment:  # type: ignore[no-untyped-def]
    gd = a.goal_doc
    ed = a.doc_of(unit) if unit is not None else a.evidence_docs[0]
    return Judgment(goal_path=gd.path, goal_sha256=gd.sha256, evidence_path=ed.path, evidence_sha256=ed.sha256,
                    subgoal=gd.quote(sg.start, sg.end), subgoal_span=(sg.start, sg.end),
                    evidence=ed.quote(unit.start, unit.end) if unit is not None else None,
                    evidence_span=(unit.start, unit.end) if unit is not None else None,
                    label=label, value=value, annotator="测试员", created=created or now())


def test_accept_adds_a_missing_link_and_reject_removes_one(analysis_000) -> None:
    a = copy.deepcopy(analysis_000)
    sg = anchors.map_subgoal(a, a.goal_doc, "从“建、扩、收、调、拓”五个维度发力")
    proposed = {c.evidence_id for c in a.candidates.get(sg.id, [])}
    far = next(u for u in a.units if u.id not in proposed and "学位" not in u.text)
    top = a.candidates[sg.id][0]
    feedback.apply(a, [make(a, sg, far, "accept"), make(a, sg, a.unit_by_id[top.evidence_id], "reject")])
    cands = a.candidates[sg.id]
    added = [c for c in cands if c.evidence_id == far.id]
    assert len(added) == 1 and added[0].accepted and added[0].source == "annotation" and added[0].score == 1.0
    rejected = next(c for c in cands if c.evidence_id == top.evidence_id)
    assert not rejected.accepted and rejected.source == "annotation"
    assert cands[-1] is rejected  # rejected links go to the end
    assert a.verdicts[sg.id].status in (Status.MET, Status.UNMET, Status.EVIDENCED)


def test_later_judgment_wins(analysis_000) -> None:
    a = copy.deepcopy(analysis_000)
    _, sg = next(iter(a.subgoals()))
    u = a.units[0]
    feedback.apply(a, [make(a, sg, u, "reject", created="2026-01-02T00:00:00Z"),
                       make(a, sg, u, "accept", created="2026-01-01T00:00:00Z")])
    c = next(c for c in a.candidates[sg.id] if c.evidence_id == u.id)
    assert not c.accepted


def test_no_evidence_and_overrides(analysis_000) -> None:
    a = copy.deepcopy(analysis_000)
    pairs = list(a.subgoals())
    with_ev = next(sg for _, sg in pairs if any(c.accepted for c in a.candidates.get(sg.id, [])))
    other = next(sg for _, sg in pairs if sg is not with_ev)
    feedback.apply(a, [make(a, with_ev, None, "no_evidence"), make(a, other, None, "status_override", "unmet"),
                       make(a, other, None, "block_override", "效果")])
    assert not any(c.accepted for c in a.candidates[with_ev.id])
    assert a.verdicts[with_ev.id].status == Status.UNEVIDENCED and "no evidence exists" in a.verdicts[with_ev.id].note
    assert a.verdicts[other.id].status == Status.UNMET and other.block == "效果"
    goal = next(g for g, sg in pairs if sg is other)
    assert a.goal_status[goal.id] != Status.MET


def test_judgments_of_another_document_are_ignored(analysis_000) -> None:
    a = copy.deepcopy(analysis_000)
    _, sg = next(iter(a.subgoals()))
    j = make(a, sg, None, "status_override", "met")
    other = Judgment(**{**j.__dict__, "goal_path": "examples/004_80b70c2aac03ec7c.txt", "goal_sha256": "0" * 64})
    before = a.verdicts[sg.id].status
    feedback.apply(a, [other])
    assert a.verdicts[sg.id].status == before


def test_analyze_reads_the_store_and_never_creates_one(tmp_path: Path, analysis_000) -> None:
    missing = tmp_path / "none.sqlite"
    plain = analyze(SEED["000"], options=Options(model="lexical", db=missing))
    assert not missing.exists()
    _, sg = next(iter(plain.subgoals()))
    db = tmp_path / "a.sqlite"
    with Store(db) as s:
        s.add(make(plain, sg, None, "status_override", "met"))
    fed = analyze(SEED["000"], options=Options(model="lexical", db=db))
    assert fed.verdicts[sg.id].status == Status.MET and "测试员" in fed.verdicts[sg.id].note
    off = analyze(SEED["000"], options=Options(model="lexical", db=db, use_store=False))
    assert off.verdicts[sg.id].status == plain.verdicts[sg.id].status


def test_judgments_of_goal_titles_are_not_stale(tmp_path: Path, analysis_000) -> None:
    from linker import store as st

    gold = Path(__file__).resolve().parents[1] / "annotations" / "000_3d28e81d7327b640.jsonl"
    titles = sum(1 for line in gold.read_text(encoding="utf-8").splitlines() if '"title": true' in line)
    assert titles == 19
    from linker.goals import _GUIDING

    # and 总体目标's guiding clauses (以…为指导), which are its context, no sub-goals
    titles += sum(1 for line in gold.read_text(encoding="utf-8").splitlines() if _GUIDING.match(json.loads(line)["subgoal"]))
    assert titles == 21
    with Store(tmp_path / "a.sqlite") as s:
        st.import_jsonl(s, [gold], root=gold.parents[1])
        js = list(s.iter_judgments())
    a = copy.deepcopy(analysis_000)
    warnings = list(a.goal_doc.warnings)
    done = feedback.apply(a, js)
    assert a.goal_doc.warnings == warnings  # the unchanged report: nothing is stale
    assert done.titles == titles and done.unmapped == 0 and done.applied == len(st.latest(js)) - titles
    # a judgment whose sub-goal is gone still is
    _, sg = next(iter(a.subgoals()))
    gone = Judgment(**{**make(a, sg, None, "no_evidence").__dict__, "subgoal": "这句话不在报告里", "subgoal_span": None})
    done = feedback.apply(a, [*js, gone])
    assert done.unmapped == 1 and a.goal_doc.warnings[-1].startswith("1 annotation(s) no longer match")


def test_times_in_other_zones_compare_as_times(analysis_000) -> None:
    a = copy.deepcopy(analysis_000)
    sg = next(sg for _, sg in a.subgoals() if any(c.accepted for c in a.candidates.get(sg.id, [])))
    u = a.unit_by_id[next(c for c in a.candidates[sg.id] if c.accepted).evidence_id]
    # "no evidence" at 02:00 UTC (10:00 in Beijing), then the link accepted at 05:00 UTC: the link counts
    feedback.apply(a, [make(a, sg, None, "no_evidence", created="2025-01-01T10:00:00+08:00"),
                       make(a, sg, u, "accept", created="2025-01-01T05:00:00Z")])
    assert next(c for c in a.candidates[sg.id] if c.evidence_id == u.id).accepted
    assert a.verdicts[sg.id].status != Status.UNEVIDENCED
