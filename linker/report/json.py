"""The ``linker.report/1`` JSON document (see ../shared/schema/).

The required fields are a stable contract; more fields are added freely.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from linker.model import Candidate, Document, EvidenceUnit, Status

if TYPE_CHECKING:
    from linker.pipeline import Analysis

SCHEMA_ID = "linker.report/1"
CANDIDATES_SHOWN = 3


def _doc(d: Document) -> dict[str, Any]:
    return {"path": d.path, "sha256": d.sha256, "format": d.format, "encoding": d.encoding}


def _link(a: Analysis, c: Candidate, units: dict[str, EvidenceUnit]) -> dict[str, Any]:
    u = units[c.evidence_id]
    d = a.doc_of(u)
    section = d.section(u.section_id)
    return {
        "id": u.id,
        "text": d.quote(u.start, u.end) or u.text,
        "score": round(c.score, 4),
        "section": (section.numbering + section.title).strip(),
        "heading": u.heading,
        "negative": u.negative,
        "document": d.path,
        "span": [u.start, u.end],
        "page": d.page_of(u.start),
        "quantities": [q.to_json() for q in u.quantities],
        "features": {k: round(v, 4) for k, v in c.features.items()},
    }


def to_json(a: Analysis) -> dict[str, Any]:
    from linker.scoring import goal_block, suggest
    from linker.selfeval import find_tables
    from linker.status import note_zh

    units = a.unit_by_id
    gd = a.goal_doc
    goals = []
    counts = {s.value: 0 for s in (Status.MET, Status.UNMET, Status.EVIDENCED, Status.WEAK, Status.UNEVIDENCED)}
    for g in a.goals:
        sec = gd.section(g.section_id)
        subgoals = []
        for sg in g.subgoals:
            v = a.verdicts[sg.id]
            counts[v.status.value] += 1
            cands = a.candidates.get(sg.id, [])
            subgoals.append({
                "id": sg.id,
                "text": gd.quote(sg.start, sg.end) or sg.text,
                "status": v.status.value,
                "note": v.note,
                "note_zh": note_zh(v.note),
                "source": v.source,  # evidence | table (its self-evaluation row) | none
                "due": v.due,  # the target's deadline when the figure was measured before it (met: ahead; unmet: not yet due)
                "target": sg.target.to_json() if sg.target is not None else None,
                "more_targets": [t.to_json() for t in sg.more_targets],  # the rest of a 分别 list
                "actual": v.actual.to_json() if v.actual is not None else None,
                "span": [sg.start, sg.end],
                "block": sg.block,
                "category": sg.category,
                "category_confidence": round(sg.category_confidence, 3),
                "flags": list(getattr(v, "flags", [])),
                "problems": [_link(a, c, units) for c in cands if c.evidence_id in getattr(v, "problems", [])],
                "evidence": [_link(a, c, units) for c in cands if c.accepted],
                "candidates": [_link(a, c, units) for c in cands if not c.accepted][:CANDIDATES_SHOWN],
            })
        g_block, g_cat, g_conf = goal_block(g)
        goals.append({
            "id": g.id,
            "block": g_block,
            "category": g_cat,
            "category_confidence": g_conf,
            "text": g.title or gd.quote(g.start, g.end),
            "full_text": gd.quote(g.start, g.end),
            "kind": g.kind,
            "section": (sec.numbering + sec.title).strip(),
            "status": a.goal_status[g.id].value,
            "subgoals": subgoals,
        })
    return {
        "schema": SCHEMA_ID,
        "goal_document": _doc(gd),
        "evidence_document": _doc(a.evidence_docs[0]),
        "evidence_documents": [_doc(d) for d in a.evidence_docs],
        "model": a.model,
        "scorer": a.scorer_source,
        # what the reader should know before trusting the links: reading, the model, the re-ranker
        "warnings": list(dict.fromkeys([*(w for d in [gd, *(d for d in a.evidence_docs if d is not gd)] for w in d.warnings),
                                        *a.warnings])),
        "summary": {"goals": len(a.goals), "subgoals": sum(counts.values()), "status": counts, "evidence_units": len(a.units)},
        "goals": goals,
        "scores": suggest(a),
        "flags": [f for t in find_tables(gd) for f in t.flags],
        "problems": [
            {"id": u.id, "text": a.doc_of(u).quote(u.start, u.end) or u.text, "document": a.doc_of(u).path,
             "section": (lambda s: (s.numbering + s.title).strip())(a.doc_of(u).section(u.section_id))}
            for u in a.units if u.negative
        ],
    }


def missing_rows(a: Analysis, *, include_weak: bool = False, include_unmet: bool = False) -> list[dict[str, str]]:
    """Sub-goals with no accepted evidence (and optionally weak / unmet ones), in document order."""
    wanted = {Status.UNEVIDENCED}
    if include_weak:
        wanted.add(Status.WEAK)
    if include_unmet:
        wanted.add(Status.UNMET)
    rows = []
    for g in a.goals:
        for sg in g.subgoals:
            v = a.verdicts[sg.id]
            if v.status in wanted:
                rows.append({"goal_id": g.id, "goal": g.title, "subgoal_id": sg.id, "subgoal": sg.text,
                             "status": v.status.value, "note": v.note})
    return rows
