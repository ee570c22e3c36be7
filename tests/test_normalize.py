"""Normalisation: conversion artefacts removed, offsets kept back to the report's own words.

Each artefact is tested on the real lines of the example reports where it occurs. The
property test at the end states what the offsets guarantee for any text:

* ``doc.offsets`` has one entry per character of ``doc.text`` plus ``len(doc.raw)``, and it
  strictly increases: the normalised text is a subsequence of the raw text, in order,
  apart from the characters normalisation inserts;
* a character of ``doc.text`` is either the raw character at its offset, or one of three
  inserted separators, each standing on a raw character it replaces:
  ``"\\n"`` between two blocks (on the raw line break, or the white space of an inline
  sub-heading split), ``"\\t"`` between two table cells (on the raw tab, or the ``|`` of a
  `` | `` separator), ``" "`` between two lines of one cell or of one docx/PDF block joined
  with a space (on the raw line break);
* so ``doc.quote(a, b)`` is the raw text from the first to the last character of the span.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linker.io import Reading, line_joiner, read
from linker.normalize import normalize

from .conftest import SEED

# inserted separator → the raw characters it may stand on ("\n": any white space)
INSERTED = {"\t": "\t|", " ": "\n\t"}


def check_offsets(doc) -> None:
    text, raw, off = doc.text, doc.raw, doc.offsets
    assert len(off) == len(text) + 1 and off[-1] == len(raw)
    for i, ch in enumerate(text):
        assert 0 <= off[i] < len(raw)
        assert i == 0 or off[i - 1] < off[i], f"offsets go back at {i}: {text[max(0, i - 10) : i + 5]!r}"
        rc = raw[off[i]]
        if ch != rc:
            ok = rc.isspace() if ch == "\n" else rc in INSERTED.get(ch, "")
            assert ok, (i, ch, rc, text[max(0, i - 10) : i + 5])


def block_text(doc, pattern: str) -> str:
    hits = [doc.text[b.start : b.end] for b in doc.blocks if re.search(pattern, doc.text[b.start : b.end])]
    assert hits, pattern
    return hits[0]


def span_of(doc, needle: str) -> tuple[int, int]:
    k = doc.text.index(needle)
    return k, k + len(needle)


# --------------------------------------------------------------------------- artefacts, on real lines


def test_word_broken_by_blank_lines_is_joined_and_quoted_as_written():
    # 001 line 13: "**办好人民满意教育谱写新篇章。**大力推进幼有所育，入\n\n园率达到 90%，…"
    doc = normalize(read(SEED["001"]))
    a, b = span_of(doc, "入园率达到 90%")
    assert doc.quote(a, b) == "入\n\n园率达到 90%"
    assert "入\n" not in doc.text
    # 002 (text from a PDF): "…围绕庆祝中华人\n\n 民共和国成立 70 周年…" (the next line indented)
    doc = normalize(read(SEED["002"]))
    a, b = span_of(doc, "庆祝中华人民共和国成立 70 周年")
    assert doc.quote(a, b) == "庆祝中华人\n\n 民共和国成立 70 周年"
    # and "…加强控辍保学工作,我市\n\n…" goes on in the same paragraph
    para = block_text(doc, "加强控辍保学工作,我市")
    assert not para.endswith("我市")


def test_bookmark_artefacts_are_removed():
    # 003 line 78 is a table cell: "\t[bookmark: _Hlk41148758][bookmark: _Hlk41149052]7"
    doc = normalize(read(SEED["003"]))
    assert "[bookmark" not in doc.text and "[bookmark: _Hlk41148758]" in doc.raw
    row = next(b for b in doc.blocks if b.kind == "table_row" and doc.text[b.start : b.end].startswith("7\t"))
    assert doc.text[row.start : row.end].split("\t")[:2] == ["7", "新增劳动力平均受教育年限（年）"]
    first = row.cells[0]
    assert doc.quote(*first) == "7" and doc.raw[doc.offsets[first[0]] - 1] == "]"
    # 004 line 31: "[bookmark: _GoBack]为进一步加强区教委及所属单位绩管理，…"
    doc = normalize(read(SEED["004"]))
    para = block_text(doc, "^为进一步加强区教委及所属单位绩管理")
    assert para.startswith("为进一步加强区教委") and "[bookmark" not in doc.text


def test_markdown_markers_are_removed_and_bold_lead_ins_kept():
    doc = normalize(read(SEED["001"]))
    assert doc.format == "md" and "**" not in doc.text and "#" not in doc.text
    lines = [doc.text[b.start : b.end] for b in doc.blocks]
    assert lines[0] == "市教委 2022 年度工作总结"  # "# 市教委 2022 年度工作总结"
    assert "一、特色亮点工作" in lines  # "## 一、特色亮点工作"
    # "**服务保障重大活动作出新贡献。**把迎接党的二十大…": the bold title is the lead-in
    block = next(b for b in doc.blocks if doc.text[b.start : b.end].startswith("服务保障重大活动作出新贡献。"))
    assert doc.text[block.start : block.lead_end] == "服务保障重大活动作出新贡献。"
    assert doc.text[block.lead_end :].startswith("把迎接党的二十大")
    assert doc.quote(block.start, block.lead_end + 3) == "服务保障重大活动作出新贡献。**把迎接"


def test_trailing_junk_line_is_dropped():
    doc = normalize(read(SEED["002"]))
    assert doc.raw.rstrip().endswith("推荐访问:北京市 履行 自评")
    assert "推荐访问" not in doc.text
    last = doc.text[doc.blocks[-1].start : doc.blocks[-1].end]
    assert last.startswith("下一步,我市将以习近平新时代中国特色社会主义思想为指导")


def test_leading_full_width_spaces_are_removed():
    # 003 line 5: "　　一、发展基础和形势要求"
    doc = normalize(read(SEED["003"]))
    assert "　　一、发展基础和形势要求\n" in doc.raw
    block = next(b for b in doc.blocks if doc.text[b.start : b.end] == "一、发展基础和形势要求")
    assert doc.raw[doc.offsets[block.start] - 2 : doc.offsets[block.start]] == "　　"
    assert not any(doc.text[b.start : b.end].startswith(("　", " ")) for b in doc.blocks)


def test_page_number_lines_between_real_lines_are_dropped(tmp_path):
    # three lines of 002 as a PDF extraction lays them out, with the page furniture between
    lines = SEED["002"].read_text(encoding="utf-8").split("\n")
    body = [ln for ln in lines if ln.strip()][3:6]
    raw = f"{body[0]}\n- 2 -\n{body[1]}\n第 3 页 共 9 页\n{body[2]}\n4/9\n"
    path = tmp_path / "pages.txt"
    path.write_text(raw, encoding="utf-8")
    doc = normalize(read(path))
    assert "- 2 -" not in doc.text and "第 3 页" not in doc.text and "4/9" not in doc.text
    assert "".join(doc.text.split()) == "".join("".join(body).split())
    check_offsets(doc)


def test_table_cells_split_over_lines_are_joined_like_word_does():
    # 000: the 评分表 header cell "\t一级\n\n指标" is one cell "一级指标"
    doc = normalize(read(SEED["000"]))
    header = block_text(doc, "^一级指标\t二级指标\t预算数（万元）")
    assert header.split("\t")[:3] == ["一级指标", "二级指标", "预算数（万元）"]
    # the scoring rule's two paragraphs "①…" "②…" stay in their cell, not a heading of their own
    row = block_text(doc, "^当年预算执行情况（20）\t资金总体")
    assert "（20分）。②该指标若为正向指标" in row
    assert line_joiner("一级", "指标") == "" and line_joiner("12000", "students") == " "


@pytest.mark.parametrize("name", ["000", "001", "002", "003", "004"])
def test_offsets_of_every_example(name):
    doc = normalize(read(SEED[name]))
    check_offsets(doc)
    for b in doc.blocks:
        q = doc.quote(b.start, b.end)
        assert q == doc.raw[doc.offsets[b.start] : doc.offsets[b.end - 1] + 1]


# --------------------------------------------------------------------------- any text

_PIECES = st.sampled_from(
    list("教育入园率达到普惠学位目标一二三是（）()、。，；：1234567890.%A") +
    ["\n", "\n\n", "\t", "\u3000", " ", "**", "#", "## ", "[bookmark: x]", "\u200b", " | ", "一、", "（一）", "1.", "——", "推荐访问", "- 3 -"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=st.lists(_PIECES, min_size=1, max_size=120), fmt=st.sampled_from(["txt", "md"]))
def test_offsets_round_trip_for_any_text(pieces, fmt):
    raw = "".join(pieces)
    doc = normalize(Reading(path="any.txt", raw=raw, format=fmt, sha256="0"))
    check_offsets(doc)
    for b in doc.blocks:
        assert 0 <= b.start < b.end <= len(doc.text)
        span = doc.text[b.start : b.end]
        quote = doc.quote(b.start, b.end)
        assert quote in raw
        # the block's own characters, in order, are the quote's (the quote also holds what was dropped)
        kept = iter(quote)
        assert all(ch in kept for ch in span if ch not in "\t ")
        for x, y in b.cells or []:
            assert b.start <= x <= y <= b.end and "\t" not in doc.text[x:y]
        assert "**" not in span or fmt == "txt"
        assert "[bookmark:" not in span
