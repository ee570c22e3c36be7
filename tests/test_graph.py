"""The goal–evidence graph: GraphML and node-link JSON read back with networkx, and the CLI --graph."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from linker.errors import LinkerError
from linker.graph import build_graph, read_graph, write_graph
from linker.pipeline import Options, analyze

from .conftest import SEED, corpus


@pytest.mark.parametrize("suffix", [".graphml", ".json"])
def test_written_and_read_back(analysis_000, tmp_path: Path, suffix: str):
    g = build_graph(analysis_000)
    path = tmp_path / f"g{suffix}"
    write_graph(g, path)
    back = nx.read_graphml(path) if suffix == ".graphml" else read_graph(path)
    assert back.number_of_nodes() == g.number_of_nodes() and back.number_of_edges() == g.number_of_edges()
    kinds = {d["kind"] for _, d in back.nodes(data=True)}
    assert {"document", "goal", "subgoal", "evidence"} <= kinds
    for _, sg, d in back.edges(data=True):
        if d["kind"] in ("evidence", "candidate", "negative_evidence"):
            assert d["method"] in ("model", "lexical", "annotation") and 0.0 <= float(d["score"]) <= 1.0
            assert d["status"] in ("met", "unmet", "evidenced", "weak", "unevidenced")
    # document → goal → sub-goal → evidence, as in the analysis
    a = analysis_000
    sg = next(sg for _, sg in a.subgoals() if any(c.accepted for c in a.candidates.get(sg.id, [])))
    path_nodes = nx.shortest_path(back, f"doc:{a.goal_doc.sha256[:12]}", f"subgoal:{sg.id}")
    assert [back.nodes[n]["kind"] for n in path_nodes] == ["document", "goal", "subgoal"]
    accepted = [e for e in back.out_edges(f"subgoal:{sg.id}", data=True) if e[2]["kind"] == "evidence"]
    assert len(accepted) == sum(1 for c in a.candidates[sg.id] if c.accepted)
    assert back.nodes[f"subgoal:{sg.id}"]["block"] in ("产出", "效果")
    # problem statements hang off the document
    problems = [v for _, v, d in back.out_edges(f"doc:{a.goal_doc.sha256[:12]}", data=True) if d["kind"] == "problem"]
    assert any("部分项目绩效目标未全部完成" in back.nodes[p]["label"] for p in problems)


def test_targets_actuals_and_comparisons_of_a_self_evaluation_table():
    a = analyze(corpus("zpb_cq_yuzhong_2021.txt"), options=Options(model="lexical", use_store=False))
    g = build_graph(a, candidates=False)
    sid = next(f"subgoal:{sg.id}" for _, sg in a.subgoals() if sg.text == "预算执行率")
    tid, aid = sid.replace("subgoal:", "target:"), sid.replace("subgoal:", "actual:")
    assert g.nodes[tid]["value"] == 90.0 and g.nodes[tid]["comparator"] == ">="
    assert g.nodes[aid]["value"] == 88.0
    assert g.edges[tid, aid]["kind"] == "compared" and g.edges[tid, aid]["status"] == "unmet"
    assert g.edges[sid, aid]["method"] == "table"


def test_graph_of_plan_against_results_links_the_contradicting_number(analysis_003_001):
    g = build_graph(analysis_003_001)
    sg = next(sg for _, sg in analysis_003_001.subgoals() if sg.text.startswith("普惠性幼儿园覆盖率达到90%"))
    compared = [(v, d) for _, v, d in g.out_edges(f"target:{sg.id}", data=True) if d["kind"] == "compared"]
    assert compared and compared[0][1]["status"] == "unmet" and g.nodes[compared[0][0]]["value"] == 88.0


def test_unknown_suffix_is_refused(analysis_000, tmp_path: Path):
    with pytest.raises(LinkerError, match="graphml"):
        write_graph(build_graph(analysis_000), tmp_path / "g.png")


def test_cli_graph_option(tmp_path: Path):
    out = tmp_path / "g.graphml"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "linker",
            "analyze",
            str(SEED["004"]),
            "-m",
            "lexical",
            "-q",
            "--graph",
            str(out),
            "-o",
            str(tmp_path / "r.json"),
            "--block-override",
            "g1.1=效果/社会效益",
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    g = nx.read_graphml(out)
    assert g.nodes["subgoal:g1.1"]["block"] == "效果" and g.nodes["subgoal:g1.1"]["category"] == "社会效益"
    assert g.graph["goal_document"].endswith("004_80b70c2aac03ec7c.txt")
    bad = subprocess.run(
        [sys.executable, "-m", "linker", "analyze", str(SEED["004"]), "-m", "lexical", "-q", "--block-override", "g1.1=成果"],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and "产出 or 效果" in bad.stderr


def test_graphml_holds_text_with_control_characters(tmp_path: Path):
    """A form feed of extracted text is no XML character: GraphML drops it, the JSON graph keeps it."""
    path = tmp_path / "ff.txt"
    path.write_text(
        "2024年度部门整体绩效评价报告\n一、部门概况\n（一）部门整体绩效目标设立情况\n1.预算执行率不低于95%。\n2.推进智慧校园建设。\n"
        "二、整体绩效目标实现情况\n（一）全年工作完成情况\n预算执行率为96.5%。智慧校园建设\f工作有序开展。\n",
        encoding="utf-8",
    )
    g = build_graph(analyze(path, options=Options(model="lexical", use_store=False)))
    assert any("\f" in str(d.get("label", "")) for _, d in g.nodes(data=True))
    write_graph(g, tmp_path / "g.graphml")
    back = nx.read_graphml(tmp_path / "g.graphml")
    assert back.number_of_nodes() == g.number_of_nodes() and back.number_of_edges() == g.number_of_edges()
    assert any("智慧校园建设工作有序开展" in str(d.get("label", "")) for _, d in back.nodes(data=True))
    write_graph(g, tmp_path / "g.json")
    assert any("\f" in str(d.get("label", "")) for _, d in read_graph(tmp_path / "g.json").nodes(data=True))
