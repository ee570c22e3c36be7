"""The goal–evidence graph of an analysis, as a networkx DiGraph.

Nodes (attribute ``kind``):

``document``  ``doc:<sha12>``, the goal document and every evidence document;
``goal``      ``goal:<id>`` with status, block, category;
``subgoal``   ``subgoal:<id>`` with status, note, block, category, confidence, flags;
``target``    ``target:<sub-goal id>``, the number a sub-goal promises;
``actual``    ``actual:<sub-goal id>``, the 完成值 a self-evaluation table reports;
``evidence``  ``evidence:<unit id>``, a sentence (``negative`` for 存在的问题);
``quantity``  ``quantity:<unit id>:<k>``, a number an evidence sentence reports.

Edges (attribute ``kind``): document → goal ``has_goal``; goal → sub-goal
``has_subgoal``; sub-goal → target ``has_target``; sub-goal → actual ``reported``;
sub-goal → evidence ``evidence`` (accepted), ``candidate`` (not accepted) or
``negative_evidence`` (a problem statement among its candidates); evidence →
quantity ``reports``; target → quantity/actual ``compared`` (the figure that decided
met/unmet); document → evidence ``problem`` for every problem statement of an
evidence document. Links carry ``score``, ``method`` (model, lexical, annotation,
table), ``accepted`` and ``status``.

Written as GraphML (Gephi) or node-link JSON; attribute values are kept to GraphML's
scalar types (no None: empty strings and 0 stand for "none"), and GraphML's text to the
characters XML allows (a form feed of extracted text is dropped there).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx

from linker.errors import LinkerError

if TYPE_CHECKING:
    from linker.model import Document, Quantity
    from linker.pipeline import Analysis


def _doc_id(d: Document) -> str:
    return f"doc:{d.sha256[:12]}"


def _qlabel(q: Quantity) -> str:
    from linker.status import describe

    return describe(q)


def _quantity_attrs(q: Quantity) -> dict[str, object]:
    return {
        "label": _qlabel(q),
        "quantity": q.quantity or "",
        "comparator": q.comparator,
        "value": float(q.value),
        "unit": q.unit or "",
        "plain_value": float(q.plain_value),
        "deadline": int(q.deadline or 0),
    }


def build_graph(a: Analysis, *, candidates: bool = True) -> nx.DiGraph:
    """The graph of an analysis; ``candidates=False`` keeps only accepted links."""
    from linker.scoring import goal_block

    g = nx.DiGraph(goal_document=a.goal_doc.path, model=a.model)
    gdoc = _doc_id(a.goal_doc)
    g.add_node(gdoc, kind="document", label=a.goal_doc.path, role="goals")
    for d in a.evidence_docs:
        if _doc_id(d) not in g:
            g.add_node(_doc_id(d), kind="document", label=d.path, role="evidence")
    units = a.unit_by_id
    method = "lexical" if a.model == "lexical" else "model"

    def add_unit(uid: str) -> str:
        u = units[uid]
        eid = f"evidence:{u.id}"
        if eid not in g:
            g.add_node(
                eid,
                kind="evidence",
                label=u.text,
                negative=bool(u.negative),
                document=a.doc_of(u).path,
                section=a.doc_of(u).section(u.section_id).title,
                heading=u.heading,
            )
            for k, q in enumerate(u.quantities):
                qid = f"quantity:{u.id}:{k}"
                g.add_node(qid, kind="quantity", **_quantity_attrs(q))
                g.add_edge(eid, qid, kind="reports")
        return eid

    for u in a.units:
        if u.negative:
            g.add_edge(_doc_id(a.doc_of(u)), add_unit(u.id), kind="problem")
    for goal in a.goals:
        gid = f"goal:{goal.id}"
        block, cat, conf = goal_block(goal)
        g.add_node(
            gid,
            kind="goal",
            label=goal.title or goal.text[:60],
            status=a.goal_status[goal.id].value,
            block=block or "",
            category=cat or "",
            category_confidence=float(conf),
        )
        g.add_edge(gdoc, gid, kind="has_goal")
        for sg in goal.subgoals:
            v = a.verdicts[sg.id]
            sid = f"subgoal:{sg.id}"
            g.add_node(
                sid,
                kind="subgoal",
                label=sg.text,
                status=v.status.value,
                note=v.note,
                block=sg.block or "",
                category=sg.category or "",
                category_confidence=float(sg.category_confidence),
                flags="; ".join(v.flags),
                source=v.source,
                due=int(v.due or 0),
            )
            g.add_edge(gid, sid, kind="has_subgoal", status=v.status.value)
            tid = ""
            if sg.target is not None:
                tid = f"target:{sg.id}"
                g.add_node(tid, kind="target", **_quantity_attrs(sg.target))
                g.add_edge(sid, tid, kind="has_target")
            if sg.actual is not None:
                aid = f"actual:{sg.id}"
                g.add_node(aid, kind="actual", **_quantity_attrs(sg.actual))
                g.add_edge(sid, aid, kind="reported", method="table", status=v.status.value, score=1.0, accepted=True)
                if tid:
                    g.add_edge(tid, aid, kind="compared", status=v.status.value, method="table")
            for c in a.candidates.get(sg.id, []):
                negative = c.evidence_id in v.problems
                if not (c.accepted or candidates or negative):
                    continue
                eid = add_unit(c.evidence_id)
                kind = "evidence" if c.accepted else ("negative_evidence" if negative else "candidate")
                g.add_edge(
                    sid,
                    eid,
                    kind=kind,
                    score=round(float(c.score), 4),
                    method="annotation" if c.source == "annotation" else method,
                    accepted=bool(c.accepted),
                    status=v.status.value,
                    negative=bool(units[c.evidence_id].negative),
                )
            if tid and v.actual is not None and v.evidence_id and v.evidence_id in units:
                u = units[v.evidence_id]
                k = next((i for i, q in enumerate(u.quantities) if q is v.actual), None)
                if k is not None:
                    add_unit(u.id)
                    g.add_edge(tid, f"quantity:{u.id}:{k}", kind="compared", status=v.status.value, method=method)
    return g


def write_graph(g: nx.DiGraph, path: Path) -> None:
    """Write ``.graphml`` (Gephi, yEd) or ``.json`` (networkx node-link, links under "links")."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".graphml", ".json"):
        raise LinkerError(f"{path}: write the graph as .graphml or .json")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".graphml":
        nx.write_graphml(_xml_safe(g), path)
    else:
        data = nx.node_link_data(g, edges="links")
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(g: nx.DiGraph) -> nx.DiGraph:
    """A copy whose text holds no character XML 1.0 forbids (a form feed or vertical tab of extracted text)."""

    def clean(attrs: dict[str, object]) -> dict[str, object]:
        return {k: _NOT_XML.sub("", v) if isinstance(v, str) else v for k, v in attrs.items()}

    out = nx.DiGraph(**clean(dict(g.graph)))
    out.add_nodes_from((n, clean(d)) for n, d in g.nodes(data=True))
    out.add_edges_from((u, v, clean(d)) for u, v, d in g.edges(data=True))
    return out


def read_graph(path: Path) -> nx.DiGraph:
    """Read a graph written by :func:`write_graph` back."""
    path = Path(path)
    if path.suffix.lower() == ".graphml":
        return nx.read_graphml(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    return nx.node_link_graph(data, edges="links", directed=True)
