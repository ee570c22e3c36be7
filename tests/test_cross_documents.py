"""A plan against later results, through the command line: examples 003 against 001, and against 001 and 002."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, SEED


def analyze_cli(tmp: Path, *evidence: str) -> dict:
    out = tmp / f"003-vs-{'-'.join(evidence)}.json"
    args = [sys.executable, "-m", "linker", "analyze", "--goals", str(SEED["003"])]
    for e in evidence:
        args += ["--evidence", str(SEED[e])]
    run = subprocess.run([*args, "-o", str(out), "--quiet"], capture_output=True, text=True, timeout=900, cwd=ROOT, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(out.read_text(encoding="utf-8"))


def links(report: dict, *, rejected: bool = True):
    for g in report["goals"]:
        for sg in g["subgoals"]:
            yield from sg["evidence"]
            if rejected:
                yield from sg["candidates"]


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def plan_vs_001(tmp_path_factory) -> dict:
    return analyze_cli(tmp_path_factory.mktemp("cross"), "001")


@pytest.fixture(scope="module")
def plan_vs_001_002(tmp_path_factory) -> dict:
    return analyze_cli(tmp_path_factory.mktemp("cross"), "001", "002")


def goals_only_from_003(report: dict) -> None:
    plan = flat(SEED["003"].read_text(encoding="utf-8"))
    assert report["goal_document"]["path"].endswith(SEED["003"].name)
    assert report["goals"]
    for g in report["goals"]:
        for sg in g["subgoals"]:
            assert flat(sg["text"]) in plan, f"{sg['id']} is not a sentence of the plan"


@pytest.mark.slow
def test_003_against_001(plan_vs_001, validate):
    validate(plan_vs_001)
    goals_only_from_003(plan_vs_001)
    assert [d["path"] for d in plan_vs_001["evidence_documents"]] == [plan_vs_001["evidence_document"]["path"]]
    assert plan_vs_001["evidence_document"]["path"].endswith(SEED["001"].name)
    results = flat(SEED["001"].read_text(encoding="utf-8"))
    accepted = list(links(plan_vs_001, rejected=False))
    assert accepted, "2022's results back some of the plan's goals"
    for link in links(plan_vs_001):
        assert link["id"].startswith("e0.") and link["document"].endswith(SEED["001"].name)
        assert flat(link["text"]) in results


@pytest.mark.slow
def test_003_against_001_and_002(plan_vs_001_002, validate):
    validate(plan_vs_001_002)
    goals_only_from_003(plan_vs_001_002)
    docs = [d["path"] for d in plan_vs_001_002["evidence_documents"]]
    assert [Path(p).name for p in docs] == [SEED["001"].name, SEED["002"].name]
    accepted = list(links(plan_vs_001_002, rejected=False))
    assert {link["id"].split(".")[0] for link in accepted} == {"e0", "e1"}, "accepted evidence from both documents"
    for link in accepted:
        expected = SEED["001"] if link["id"].startswith("e0.") else SEED["002"]
        assert link["document"].endswith(expected.name)


@pytest.mark.slow
def test_next_steps_of_002_are_never_evidence(plan_vs_001_002):
    raw = SEED["002"].read_text(encoding="utf-8")
    plans_start = raw.index("三、下一步改进措施")
    before, after = flat(raw[:plans_start]), flat(raw[plans_start:])
    from_002 = [link for link in links(plan_vs_001_002) if link["document"].endswith(SEED["002"].name)]
    assert from_002
    for link in from_002:
        text = flat(link["text"])
        assert text in before or text not in after, f"{link['id']} quotes 三、下一步改进措施: {link['text'][:40]}"
    # by position: no link from 002 points into the section 三、下一步改进措施 of the document as linker reads it
    from linker.pipeline import load

    doc = load(SEED["002"])
    section = next(sec for sec in doc.sections if "下一步改进措施" in sec.title)
    for link in from_002:
        start, end = link["span"]
        assert not (section.start <= start < section.end), f"{link['id']} lies in {section.title}"
        assert flat(doc.quote(start, end)) == flat(link["text"])
    # a sentence that exists only in the plans section is never offered, accepted or not
    plan_sentence = flat("为各区提供中小学学位建设的“政策工具包”,努力形成保障学位需求的政策合力。")
    assert plan_sentence in after and plan_sentence not in before
    assert not any(plan_sentence[:20] in flat(link["text"]) for link in links(plan_vs_001_002))
