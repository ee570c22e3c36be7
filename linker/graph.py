"""The goal–evidence graph of an analysis, as a networkx DiGraph.

Nodes: ``doc:<sha>`` → ``goal:<id>`` → ``subgoal:<id>`` → ``evidence:<id>``,
plus ``target:<subgoal id>`` and ``quantity:<evidence id>:<k>`` nodes where
numbers exist. Edges carry ``score``, ``method`` (model / lexical /
annotation), ``accepted`` and ``status``. Exported as GraphML (Gephi) or
node-link JSON; attribute values are kept to GraphML's scalar types.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx

from linker.errors import LinkerError

if TYPE_CHECKING:
    from linker.pipeline import Analysis


def build_graph(a: Analysis, *, candidates: bool = True) -> nx.DiGraph:
    g = nx.DiGraph(goal_document=a.goal_doc.path, model=a.model)
    doc = f"doc:{a.goal_doc.sha256[:12]}"
    g.add_node(doc, kind="document", label=a.goal_doc.path)
    units = a.unit_by_id
    method = "lexical" if a.model == "lexical" else "model"
    for goal in a.goals:
        gid = f"goal:{goal.id}"
        g.add_node(gid, kind="goal", label=goal.title, status=a.goal_status[goal.id].value)
        g.add_edge(doc, gid, kind="has_goal")
        for sg in goal.subgoals:
            v = a.verdicts[sg.id]
            sid = f"subgoal:{sg.id}"
            g.add_node(sid, kind="subgoal", label=sg.text, status=v.status.value, note=v.note,
                       block=sg.block or "", category=sg.category or "")
            g.add_edge(gid, sid, kind="has_subgoal")
            if sg.target is not None:
                tid = f"target:{sg.id}"
                t = sg.target
                g.add_node(tid, kind="target", label=f"{t.quantity or ''}{t.comparator}{t.value:g}{t.unit or ''}",
                           comparator=t.comparator, value=float(t.value), unit=t.unit or "", deadline=t.deadline or 0)
                g.add_edge(sid, tid, kind="has_target")
            for c in a.candidates.get(sg.id, []):
                if not (c.accepted or candidates):
                    continue
                u = units[c.evidence_id]
                eid = f"evidence:{u.id}"
                if eid not in g:
                    g.add_node(eid, kind="evidence", label=u.text, negative=u.negative, document=a.doc_of(u).path)
                    for k, q in enumerate(u.quantities):
                        qid = f"quantity:{u.id}:{k}"
                        g.add_node(qid, kind="quantity", label=f"{q.quantity or ''}{q.value:g}{q.unit or ''}",
                                   value=float(q.value), unit=q.unit or "")
                        g.add_edge(eid, qid, kind="reports")
                g.add_edge(sid, eid, kind="evidence" if c.accepted else "candidate", score=round(float(c.score), 4),
                           method=c.source if c.source in ("annotation",) else method, accepted=bool(c.accepted),
                           status=v.status.value)
    return g


def write_graph(g: nx.DiGraph, path: Path) -> None:
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".graphml":
        nx.write_graphml(g, path)
    elif suffix == ".json":
        data = nx.node_link_data(g, edges="links")
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    else:
        raise LinkerError(f"{path}: write the graph as .graphml or .json")
