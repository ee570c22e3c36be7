"""Text anchors: quotes from the reports mapped back to spans, sub-goals and evidence units."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

from linker import anchors
from linker.pipeline import load
from tests.conftest import SEED


@pytest.fixture(scope="module")
def doc000():
    return load(SEED["000"])


@pytest.fixture(scope="module")
def doc001():
    return load(SEED["001"])


def test_exact_quote(doc000) -> None:
    q = "新增中小学学位2.8万个，提前超额完成新增2万个学位的市政府实事项目。"
    a, b = anchors.locate(doc000, q)
    assert doc000.text[a:b] == q


def test_quote_with_pdf_line_breaks_maps_through_raw(doc001) -> None:
    q = "大力推进幼有所育，入\n\n园率达到 90%，普惠率达到 88%。"
    assert q not in doc001.text and q in doc001.raw
    a, b = anchors.locate(doc001, q)
    assert doc001.quote(a, b) == q
    assert "入园率达到" in doc001.text[a:b].replace(" ", "")


def test_folded_quote_without_spaces_or_with_full_width_digits(doc001) -> None:
    q = "入园率达到９０%，普惠率达到８８%"  # as someone would type it
    a, b = anchors.locate(doc001, q)
    assert "入" in doc001.text[a:b] and doc001.text[a:b].rstrip().endswith("88%")


def test_repeated_goal_prefers_the_goal_section_then_the_hint(doc000) -> None:
    q = "加快中小学学位建设。"
    spans = anchors.occurrences(doc000, q)
    assert len(spans) == 2  # goals and the appendix repeat each other
    goal = anchors.locate(doc000, q, prefer=anchors.goal_ranges(doc000))
    assert any(s <= goal[0] and goal[1] <= e for s, e in anchors.goal_ranges(doc000))
    assert anchors.locate(doc000, q, hint=spans[1]) == spans[1]
    assert anchors.locate(doc000, q, hint=(spans[1][0] + 3, spans[1][0] + 5)) == spans[1]


@pytest.mark.parametrize("quote", ["", "   ", "这句话不在报告里。"])
def test_absent_quote_is_none(doc000, quote: str) -> None:
    assert anchors.locate(doc000, quote) is None


@settings(max_examples=60, deadline=None)
@given(hst.data())
def test_any_slice_of_the_text_is_found_where_it_reads_the_same(doc000, data) -> None:
    a = data.draw(hst.integers(0, len(doc000.text) - 1))
    b = data.draw(hst.integers(a + 1, min(len(doc000.text), a + 60)))
    q = doc000.text[a:b]
    if not q.strip():
        return
    s, e = anchors.locate(doc000, q, hint=(a, b))
    assert doc000.text[s:e] == q and (s, e) == (a, b)


def test_map_subgoal_and_unit_on_a_real_analysis(analysis_000) -> None:
    a = analysis_000
    gd = a.goal_doc
    sg = anchors.map_subgoal(a, gd, "从“建、扩、收、调、拓”五个维度发力")
    assert sg is not None and "五个维度发力" in sg.text
    # a quote covering part of a sub-goal maps to it
    assert anchors.map_subgoal(a.goals, gd, sg.text[2:8], (sg.start + 2, sg.start + 8)) is sg
    u = anchors.map_unit(a, "新增中小学学位2.8万个，提前超额完成新增2万个学位的市政府实事项目。")
    assert u is not None and "2.8万个" in u.text
    assert anchors.map_unit(a, "这句话不在报告里。") is None
    assert anchors.map_subgoal(a, gd, "三、整体绩效目标实现情况") is None  # a heading, no sub-goal there


def test_map_unit_in_a_second_document(analysis_003_001) -> None:
    a = analysis_003_001
    u = anchors.map_unit(a, "大力推进幼有所育，入\n\n园率达到 90%，普惠率达到 88%。", doc_index=0)
    assert u is not None and u.doc_index == 0 and "普惠率" in u.text
