"""Matching on the real example reports."""

from __future__ import annotations

from collections import Counter

from linker.match import DEFAULT_SCORER, load_scorer
from linker.pipeline import Options, analyze
from linker.report import to_json

from .conftest import SEED


def test_candidates_are_sorted_and_accepted_links_pass_the_threshold(analysis_000):
    scorer = load_scorer(Options().reranker, "e5")
    assert scorer.source != DEFAULT_SCORER.source, "the shipped re-ranker in models/reranker is used by default"
    for cands in analysis_000.candidates.values():
        scores = [c.score for c in cands]
        assert scores == sorted(scores, reverse=True)
        accepted = [c for c in cands if c.accepted]
        assert len(accepted) <= scorer.max_links
        assert all(c.score >= scorer.accept for c in accepted)


def test_generic_sentences_are_not_evidence_for_everything(analysis_000):
    units = analysis_000.unit_by_id
    per_unit = Counter(c.evidence_id for cands in analysis_000.candidates.values() for c in cands if c.accepted)
    n_subgoals = sum(len(g.subgoals) for g in analysis_000.goals)
    # no sentence backs more than a tenth of all sub-goals
    worst, count = per_unit.most_common(1)[0]
    assert count <= n_subgoals // 10, units[worst].text
    generic = [u for u in analysis_000.units if u.text.startswith("全市教育系统坚持以习近平新时代中国特色社会主义思想为指导")]
    assert generic and per_unit[generic[0].id] <= 2


def test_the_report_records_the_encoder(analysis_000):
    report = to_json(analysis_000)
    assert report["model"] == "e5:multilingual-e5-small-q4"


def test_quantity_nouns_link_a_numeric_target_to_its_figure(analysis_003_001):
    a = analysis_003_001
    sg = next(sg for _, sg in a.subgoals() if sg.text.startswith("普惠性幼儿园覆盖率达到90%"))
    best = a.unit_by_id[a.candidates[sg.id][0].evidence_id]
    assert "普惠率达到 88%" in best.text


def test_a_shared_generic_head_is_no_quantity_match(analysis_003_001):
    """覆盖率 alone does not make 集团化办学覆盖率 a measure of 普惠性幼儿园覆盖率 (the one noun rule of status.py)."""
    a = analysis_003_001
    sg = next(sg for _, sg in a.subgoals() if sg.text.startswith("普惠性幼儿园覆盖率达到90%"))
    feats = {a.unit_by_id[c.evidence_id].text: c.features for c in a.candidates[sg.id]}
    same = next(f for t, f in feats.items() if "普惠率达到 88%" in t)
    other = next(f for t, f in feats.items() if "集团化办学覆盖率达到 52%" in t)
    assert same["qty_match"] == 1.0 and other["qty_match"] == 0.0
    assert other["qty_other"] == 1.0


def test_plan_against_results_takes_evidence_only_from_the_results(analysis_003_001):
    a = analysis_003_001
    assert [d.path for d in a.evidence_docs] == [str(SEED["001"])]
    assert all(u.doc_index == 0 for u in a.units)
    assert a.goal_doc.path == str(SEED["003"])


def test_lexical_model_runs_without_a_neural_encoder():
    a = analyze(SEED["004"], options=Options(model="lexical"))
    assert a.model == "lexical"
    assert any(a.candidates[sg.id] for _, sg in a.subgoals())


def test_lexical_scores_equal_scikit_learns_tfidf():
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from linker.evidence import extract_evidence
    from linker.goals import extract_goals
    from linker.match import _analyzer, lexical_matrix
    from linker.pipeline import load

    doc = load(SEED["004"])
    queries = [sg.text for g in extract_goals(doc) for sg in g.subgoals]
    passages = [u.text for u in extract_evidence(doc)]
    vec = TfidfVectorizer(analyzer=_analyzer, sublinear_tf=True, norm="l2").fit(passages + queries)
    expected = (vec.transform(queries) @ vec.transform(passages).T).toarray()
    assert np.allclose(lexical_matrix(queries, passages), expected, atol=1e-6)
    assert expected.max() > 0.2  # the comparison is not between two zero matrices
