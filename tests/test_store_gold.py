"""Gold for train / eval: annotation files read as the store reads them, and the store's judgments merged in by what they name."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from linker import anchors
from linker import store as st
from linker.errors import LinkerError, StoreError
from linker.evaluate import gold_from_store, load_gold, map_gold, merge_gold
from linker.pipeline import Options, analyze
from linker.store import Store
from tests.conftest import SEED

ROOT = Path(__file__).resolve().parents[1]
GOLD = sorted((ROOT / "annotations").glob("*.jsonl"))
G000 = ROOT / "annotations" / "000_3d28e81d7327b640.jsonl"
G004 = ROOT / "annotations" / "004_80b70c2aac03ec7c.jsonl"


def first_line(path: Path = G004) -> dict:
    return json.loads(path.read_text(encoding="utf-8").splitlines()[0])


def write(path: Path, *lines: object) -> Path:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n" for x in lines),
                    encoding="utf-8")
    return path


# --- reading the files ----------------------------------------------------------------

def test_bad_annotation_lines_are_refused_with_their_line_numbers(tmp_path: Path) -> None:
    good = first_line()
    bad = write(tmp_path / "bad.jsonl", good, "[1]", dict(good, subgoal=5), dict(good, label="maybe"),
                dict(good, evidence=None), "{not json", "[" * 100_000)
    with pytest.raises(StoreError) as err:
        load_gold([bad])
    assert isinstance(err.value, LinkerError)
    msg = str(err.value)
    assert f"{bad}:2: a line must be a JSON object" in msg
    assert f"{bad}:3: 'subgoal' is missing or not a string" in msg
    assert f"{bad}:4: unknown label 'maybe'" in msg
    assert f"{bad}:5: 'accept' needs the evidence sentence's words (evidence)" in msg
    assert f"{bad}:6: invalid JSON" in msg and f"{bad}:7: invalid JSON" in msg
    assert f"{bad}:1:" not in msg
    # `annotations import` says the same of the same lines
    with Store(tmp_path / "a.sqlite") as s, pytest.raises(StoreError) as imported:
        st.import_jsonl(s, [bad], root=ROOT)
    assert str(imported.value).splitlines()[1:] == msg.splitlines()[1:]


def test_a_line_without_evidence_document_judges_its_own_document(tmp_path: Path) -> None:
    line = first_line()
    del line["evidence_document"]
    src = write(tmp_path / "short.jsonl", line)
    (gs,) = load_gold([src])
    assert gs.goal_document == gs.evidence_document == line["goal_document"]
    assert [(r.subgoal, r.evidence, r.label, r.line) for r in gs.records] == [(line["subgoal"], line["evidence"], "accept", 1)]
    with Store(tmp_path / "a.sqlite") as s:  # as import reads it
        assert st.import_jsonl(s, [src], root=ROOT).new == 1
        (j,) = s.iter_judgments()
    assert j.evidence_path == line["goal_document"]


def test_the_shipped_annotations_still_load() -> None:
    sets = load_gold(GOLD)
    assert len(sets) == 4 and sum(len(g.records) for g in sets) == sum(len(p.read_text(encoding="utf-8").splitlines()) for p in GOLD)
    assert len(load_gold(sorted((ROOT / "annotations" / "agreement").glob("*.jsonl")))) == 2  # the second annotator's
    # merging the files alone changes nothing: only the same quotes are the same judgment inside one source
    merged = {(g.goal_document, g.evidence_document): g.records for g in merge_gold(sets)}
    for g in sets:
        assert merged[(g.goal_document, g.evidence_document)] == list({(r.subgoal, r.evidence): r for r in g.records}.values())


@pytest.mark.parametrize("command", ["eval", "train"])
def test_eval_and_train_refuse_bad_lines_in_one_message(tmp_path: Path, command: str) -> None:
    folder = tmp_path / "annotations"
    folder.mkdir()
    bad = write(folder / "bad.jsonl", first_line(), "[1]", dict(first_line(), subgoal=5))
    extra = ["--out", str(tmp_path / "model")] if command == "train" else []
    p = subprocess.run([sys.executable, "-m", "linker", command, "--annotations", str(folder), "--no-store", "--model", "lexical",
                        *extra], capture_output=True, text=True, check=False, timeout=300)
    assert p.returncode == 1
    assert "Traceback" not in p.stderr and "TypeError" not in p.stderr and "AttributeError" not in p.stderr
    assert f"{bad}:2: a line must be a JSON object" in p.stderr
    assert f"{bad}:3: 'subgoal' is missing or not a string" in p.stderr
    assert not (tmp_path / "model").exists()


# --- the store's judgments over the files' --------------------------------------------

def _review(a, store: Store, sg, unit, label: str) -> None:  # type: ignore[no-untyped-def]
    """A judgment made as the review app makes it (it quotes the whole sub-goal the pipeline found)."""
    from linker.review.server import ReviewApp

    app = ReviewApp(a, store, "审核员")
    index = next(i for i, (_, s) in enumerate(app.items) if s.id == sg.id)
    app.judge({"subgoal": index, "unit": unit.id if unit is not None else None, "label": label})


@pytest.mark.parametrize(("case", "gold_file", "quote"), [
    ("000", G000, "以强化成本控制、优化支出结构、提高使用效益为主线"),  # the review adds the comma
    ("004", G004, "优先保障朝阳区教育系统教职工工资待遇"),  # the review quotes "部门整体预算优先保障…，"
])
def test_a_review_reject_cancels_the_gold_accept_of_the_same_link(tmp_path: Path, case: str, gold_file: Path, quote: str) -> None:
    a = analyze(SEED[case], options=Options(model="lexical", use_store=False))
    (gold,) = load_gold([gold_file])
    rec = next(r for r in gold.records if r.subgoal == quote and r.label == "accept")
    sg = anchors.map_subgoal(a.goals, a.goal_doc, rec.subgoal)
    unit = anchors.map_unit(a, rec.evidence)
    assert sg is not None and unit is not None
    assert a.goal_doc.quote(sg.start, sg.end) != rec.subgoal  # not the same words
    assert (sg.id, unit.id) in map_gold(a, gold).links
    with Store(tmp_path / "s.sqlite") as store:
        _review(copy.deepcopy(a), store, sg, unit, "reject")
        judged = list(store.iter_judgments(latest_only=True))
    merged = merge_gold([gold], gold_from_store(judged, ROOT))
    assert len(merged) == 1
    kept = merged[0]
    assert (sg.id, unit.id) not in map_gold(a, kept).links
    assert not any(r.subgoal == rec.subgoal and r.evidence == rec.evidence for r in kept.records)
    # only that link: every other gold link stays
    assert map_gold(a, kept).links == map_gold(a, gold).links - {(sg.id, unit.id)}


def test_a_review_accept_of_a_gold_link_counts_once(tmp_path: Path) -> None:
    a = analyze(SEED["004"], options=Options(model="lexical", use_store=False))
    (gold,) = load_gold([G004])
    rec = next(r for r in gold.records if r.label == "accept")
    sg = anchors.map_subgoal(a.goals, a.goal_doc, rec.subgoal)
    unit = anchors.map_unit(a, rec.evidence)
    with Store(tmp_path / "s.sqlite") as store:
        _review(copy.deepcopy(a), store, sg, unit, "accept")
        judged = list(store.iter_judgments(latest_only=True))
    (merged,) = merge_gold([gold], gold_from_store(judged, ROOT))
    assert len(merged.records) == len(gold.records)
    assert map_gold(a, merged).links == map_gold(a, gold).links


def test_a_review_no_evidence_mark_cancels_the_gold_accepts_of_that_subgoal(tmp_path: Path) -> None:
    """"x" in the review (no evidence exists) outweighs the file's accepts of that sub-goal, as it does in the
    analysis; an accept made in the review after it makes the mark void, so that every accept counts again,
    as feedback.apply has it; every other sub-goal's gold stays, whatever order the store lists them in."""
    a = analyze(SEED["000"], options=Options(model="lexical", use_store=False))
    (gold,) = load_gold([G000])
    before = map_gold(a, gold)
    # a sub-goal with two gold links or more, so that an accept made after the mark cannot stand in for all
    per = {}
    for s, u in before.links:
        per.setdefault(s, set()).add((s, u))
    sid, theirs = next((s, links) for s, links in sorted(per.items()) if len(links) >= 2)
    sg = next(sg for _, sg in a.subgoals() if sg.id == sid)
    with Store(tmp_path / "s.sqlite") as store:
        _review(copy.deepcopy(a), store, sg, None, "no_evidence")
        judged = list(store.iter_judgments(latest_only=True))
    (merged,) = merge_gold([gold], gold_from_store(judged, ROOT))
    after = map_gold(a, merged)
    assert sg.id in after.judged and sg.id not in after.evidenced()
    assert after.links == before.links - theirs
    assert after.judged == before.judged
    # then the annotator accepts one sentence after all: the mark is void, and the analysis agrees
    unit = a.unit_by_id[sorted(theirs)[0][1]]
    with Store(tmp_path / "s.sqlite") as store:
        _review(copy.deepcopy(a), store, sg, unit, "accept")
        judged = list(store.iter_judgments(latest_only=True))
    assert sorted(j.label for j in judged) == ["accept", "no_evidence"]
    for order in (judged, judged[::-1]):
        (merged,) = merge_gold([gold], gold_from_store(order, ROOT))
        assert map_gold(a, merged).links == before.links
    # a mark made after that accept stands again, and cancels it with the files' accepts
    with Store(tmp_path / "s.sqlite") as store:
        _review(copy.deepcopy(a), store, sg, None, "no_evidence")
        judged = list(store.iter_judgments(latest_only=True))
    for order in (judged, judged[::-1]):
        (merged,) = merge_gold([gold], gold_from_store(order, ROOT))
        assert map_gold(a, merged).links == before.links - theirs
