"""Check the gold goal→evidence annotations in annotations/*.jsonl.

For every line: the sub-goal quote must occur inside the goal section of the goal
document and the evidence quote inside the evidence sections of the evidence
document (exact str.find on the raw UTF-8 text); labels and flags must be valid.
Prints sub-goals, links and no_evidence sub-goals per file. Exit status 1 on error.

    python bench/check_annotations.py [FILE ...]   (default: annotations/*.jsonl and annotations/agreement/*.jsonl)
"""
from __future__ import annotations

import json
import sys
from collections import OrderedDict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (start marker, end marker) of the goal / evidence sections; None = document edge.
GOAL_SECTIONS = {
    "examples/000_3d28e81d7327b640.txt": [("（二）部门整体绩效目标设立情况", "二、当年预算执行情况")],
    "examples/004_80b70c2aac03ec7c.txt": [("（二）部门整体绩效目标设立情况", "二、当年预算执行情况")],
    "examples/003_666c668a4aecd772.txt": [("(二)主要目标", "三、主要任务")],
}
EVIDENCE_SECTIONS = {
    "examples/000_3d28e81d7327b640.txt": [("三、整体绩效目标实现情况", "四、预算管理情况分析")],
    "examples/004_80b70c2aac03ec7c.txt": [("二、当年预算执行情况", "四、预算管理情况")],
    "examples/001_255e7cc77b2edc79.txt": [(None, None)],
}
KEYS = ["goal_document", "evidence_document", "subgoal", "evidence", "label", "annotator",
        "contradicts", "title", "table_row", "note"]


def spans(text: str, markers) -> list[tuple[int, int]]:
    out = []
    for a, b in markers:
        s = 0 if a is None else text.index(a)
        e = len(text) if b is None else text.index(b, s)
        out.append((s, e))
    return out


def inside(text: str, quote: str, rng: list[tuple[int, int]]) -> bool:
    for s, e in rng:
        i = text.find(quote, s)
        if i >= 0 and i + len(quote) <= e:
            return True
    return False


def check(path: Path) -> int:
    errors = 0
    subgoals: "OrderedDict[str, list[dict]]" = OrderedDict()
    texts: dict[str, str] = {}
    last_pos = -1
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        def err(msg):
            nonlocal errors
            errors += 1
            print(f"{path.name}:{n}: {msg}")
        r = json.loads(line)
        if list(r) != KEYS:  # before any helper field is added
            err(f"keys {list(r)}")
        for d in (r["goal_document"], r["evidence_document"]):
            if d not in texts:
                texts[d] = (ROOT / d).read_text(encoding="utf-8")
        gt, et = texts[r["goal_document"]], texts[r["evidence_document"]]
        grng = spans(gt, GOAL_SECTIONS[r["goal_document"]])
        erng = spans(et, EVIDENCE_SECTIONS[r["evidence_document"]])
        if not inside(gt, r["subgoal"], grng):
            err(f"sub-goal not in goal section: {r['subgoal'][:40]}")
        pos = next((gt.find(r["subgoal"], s) for s, e in grng if gt.find(r["subgoal"], s) >= 0), -1)
        if r["subgoal"] not in subgoals and pos < last_pos:
            err(f"sub-goal out of document order: {r['subgoal'][:40]}")
        last_pos = max(last_pos, pos) if r["subgoal"] not in subgoals else last_pos
        if r["label"] == "accept":
            if not r["evidence"] or not inside(et, r["evidence"], erng):
                err(f"evidence not in evidence section: {str(r['evidence'])[:40]}")
        elif r["label"] == "no_evidence":
            if r["evidence"] is not None:
                err("no_evidence with evidence")
        else:
            err(f"bad label {r['label']}")
        for k in ("contradicts", "title", "table_row"):
            if not isinstance(r[k], bool):
                err(f"{k} not bool")
        if r["contradicts"] and r["label"] != "accept":
            err("contradicts on a non-accept line")
        if subgoals and r["subgoal"] in subgoals and list(subgoals)[-1] != r["subgoal"]:
            err(f"lines of one sub-goal not contiguous: {r['subgoal'][:40]}")
        if r["evidence"]:
            epos = next((et.find(r["evidence"], s) for s, e in erng if et.find(r["evidence"], s) >= 0), -1)
            prev = [x for x in subgoals.get(r["subgoal"], []) if x["evidence"]]
            if prev and epos < prev[-1]["_epos"]:
                err(f"evidence out of document order: {r['evidence'][:40]}")
            r["_epos"] = epos
        subgoals.setdefault(r["subgoal"], []).append(r)
    for sg, rows in subgoals.items():
        labels = {x["label"] for x in rows}
        if "no_evidence" in labels and len(rows) != 1:
            print(f"{path.name}: no_evidence mixed with other lines: {sg[:40]}")
            errors += 1
        evs = [x["evidence"] for x in rows]
        if len(evs) != len(set(evs)):
            print(f"{path.name}: duplicate evidence for {sg[:40]}")
            errors += 1
    links = sum(1 for rows in subgoals.values() for x in rows if x["label"] == "accept")
    noev = sum(1 for rows in subgoals.values() if rows[0]["label"] == "no_evidence")
    contra = sum(1 for rows in subgoals.values() for x in rows if x["contradicts"])
    titles = sum(1 for rows in subgoals.values() if rows[0]["title"])
    trows = sum(1 for rows in subgoals.values() if rows[0]["table_row"])
    print(f"{path.name}: sub-goals {len(subgoals)} (titles {titles}, table rows {trows}), "
          f"evidenced {len(subgoals) - noev}, links {links} (contradicting {contra}), "
          f"no_evidence {noev}, errors {errors}")
    return errors


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted((ROOT / "annotations").glob("*.jsonl")) + sorted((ROOT / "annotations" / "agreement").glob("*.jsonl"))
    return 1 if sum(check(p) for p in paths) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
