"""The HTML goal-coverage report: rendered in headless Chromium, printed, escaped; and its Markdown twin."""

from __future__ import annotations

import copy
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from linker.report import to_json
from linker.report.html import highlight_html, render

from .conftest import SEED

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars"]
STATUS_ZH = {"met": "已达成", "unmet": "未达成", "evidenced": "有佐证", "weak": "佐证不足", "unevidenced": "无佐证"}


def chromium(tmp: Path, *args: str) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)")
    profile = tmp / "profile"
    profile.mkdir(exist_ok=True)
    out = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=180, check=False)
    assert out.returncode == 0, out.stderr[-2000:]


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def report_000(analysis_000) -> dict:
    return to_json(analysis_000)


@pytest.fixture(scope="module")
def page_000(report_000, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("html") / "000.html"
    path.write_text(render(report_000), encoding="utf-8")
    return path


def first_quote(report: dict) -> tuple[dict, dict]:
    for g in report["goals"]:
        for sg in g["subgoals"]:
            if sg["evidence"]:
                return sg, sg["evidence"][0]
    pytest.fail("seed 000 should have at least one sub-goal with accepted evidence")


def test_page_is_self_contained_and_offline(page_000):
    html = page_000.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in html
    assert "<script" not in html.lower()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html), "nothing may be fetched"
    assert "@import" not in html and "url(" not in html
    assert "@media print" in html and "<svg" in html


@pytest.mark.slow
def test_chromium_shows_statuses_a_quote_and_the_scores(report_000, page_000, tmp_path):
    shot = tmp_path / "report_000.png"
    chromium(tmp_path, "--window-size=1200,1600", f"--screenshot={shot}", page_000.as_uri())
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (1200, 1600) and len(png) > 50_000, "a blank page compresses to almost nothing"

    # what a reader sees: the DOM Chromium rendered, without tags
    dom = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'p2'}", "--dump-dom", page_000.as_uri()],
                         capture_output=True, text=True, timeout=180, check=False).stdout
    visible = flat(re.sub(r"<style.*?</style>|<[^>]+>", "", dom, flags=re.DOTALL))
    counts = report_000["summary"]["status"]
    for status, n in counts.items():
        assert f"{n}{STATUS_ZH[status]}" in visible, f"summary card {STATUS_ZH[status]} {n}"
    sg, quote = first_quote(report_000)
    assert flat(quote["text"]) in flat(SEED["000"].read_text(encoding="utf-8")), "quotes are the report's own words"
    assert flat(quote["text"])[:30] in visible
    assert flat(sg["text"])[:20] in visible
    # the self-reported scores of seed 000's 评分表 (产出 28.41, 效果 28.11) beside the suggested ones
    scores = report_000.get("scores")
    assert scores and scores.get("blocks"), "seed 000 has a 评分表: report['scores'] should be filled"
    by_block = {b["block"]: b for b in scores["blocks"]}
    assert {"产出", "效果"} <= set(by_block)
    assert "28.41" in visible and "28.11" in visible
    for b in scores["blocks"]:
        if b.get("suggested") is not None:
            assert f"{b['suggested']:.2f}" in visible


@pytest.mark.slow
def test_it_prints_without_folded_candidates(report_000, page_000, tmp_path):
    from pypdf import PdfReader

    pdf = tmp_path / "report_000.pdf"
    chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page_000.as_uri())
    reader = PdfReader(pdf)
    assert len(reader.pages) >= 3
    assert reader.pages[0].mediabox.width == pytest.approx(595, abs=2), "A4 from the print stylesheet"
    text = flat("".join(p.extract_text() or "" for p in reader.pages))
    assert "目标佐证报告" in text and "子目标与佐证" in text
    _, quote = first_quote(report_000)
    assert flat(quote["text"])[:20] in text
    accepted = {flat(e["text"]) for g in report_000["goals"] for sg in g["subgoals"] for e in sg["evidence"]}
    rejected = [flat(c["text"]) for g in report_000["goals"] for sg in g["subgoals"] for c in sg["candidates"]
                if flat(c["text"]) not in accepted and len(flat(c["text"])) > 25]
    assert rejected
    assert not any(c[:25] in text for c in rejected[:20]), "folded candidates stay off paper"


def test_document_text_is_escaped_everywhere(report_000):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    r = copy.deepcopy(report_000)
    g = r["goals"][0]
    g["text"] = evil + g["text"]
    sg = next(s for gg in r["goals"] for s in gg["subgoals"] if s["evidence"])
    sg["text"] = evil + sg["text"]
    sg["evidence"][0]["text"] = "入园率 <b>90%</b> " + evil + sg["evidence"][0]["text"]
    sg["evidence"][0]["section"] = evil
    r["goal_document"]["path"] = evil
    html = render(r)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;" in html
    assert '<mark class="num">90%</mark>' in html


def test_highlight_escapes_before_wrapping():
    out = str(highlight_html('普惠率达到 88%，<i>"入园率"</i>', ["普惠率", "入园率", "i"]))
    assert out.startswith('<mark class="term">普惠率</mark>达到 <mark class="num">88%</mark>')
    assert "<i>" not in out and "&lt;" in out and "&#34;" in out
    assert '<mark class="term">入园率</mark>' in out
    # a key term broken by a PDF line break is still found
    assert str(highlight_html("入\n\n园率达到 90%", ["入园率"])).startswith('<mark class="term">入\n\n园率</mark>')


def test_markdown_carries_the_same_content(report_000):
    from linker.report.markdown import render as render_md

    md = render_md(report_000)
    for status, n in report_000["summary"]["status"].items():
        assert f"| {STATUS_ZH[status]} ({status}) | {n} |" in md
    sg, quote = first_quote(report_000)
    assert f"#### {sg['id']} 【{STATUS_ZH[sg['status']]}】" in md
    plain = flat(re.sub(r"\*\*|\\", "", md))
    assert flat(quote["text"])[:30] in plain
    assert "## 目标—佐证关系" in md
    edge_row = next(ln for ln in md.splitlines() if ln.startswith("| ") and f" | {sg['id']} | " in ln)
    assert STATUS_ZH[sg["status"]] in edge_row and quote["id"] in edge_row


def test_problem_statements_and_table_flags_are_shown(analysis_000, tmp_path):
    """存在的问题 is negative evidence: the evaluator sees it; a self-evaluation table's gaps are flagged."""
    from linker.pipeline import Options, analyze
    from linker.report import to_json
    from linker.report import html as html_report
    from linker.report import markdown

    from .conftest import corpus

    report = to_json(analysis_000)
    assert any("部分项目绩效目标未全部完成" in e["text"] for e in report["problems"])
    page = html_report.render(report)
    assert "报告自述的问题" in page and "部分项目绩效目标未全部完成" in page
    assert "部分项目绩效目标未全部完成" in markdown.render(report)
    zpb = to_json(analyze(corpus("zpb_cq_yuzhong_2021.txt"), options=Options(model="lexical", use_store=False)))
    assert any("模板提示语" in f for f in zpb["flags"])
    page = html_report.render(zpb)
    assert "自评表需要注意的地方" in page and "模板提示语" in page


# ---- "其中 N 个子目标有采纳的佐证" counts the sub-goals with accepted evidence ----------------
def _with_links(report: dict) -> int:
    return sum(1 for g in report["goals"] for sg in g["subgoals"] if sg["evidence"])


@pytest.fixture(scope="module")
def report_003_001(analysis_003_001) -> dict:
    return to_json(analysis_003_001)


@pytest.fixture(scope="module")
def report_zpb() -> dict:
    from linker.pipeline import Options, analyze

    from .conftest import corpus

    return to_json(analyze(corpus("zpb_cq_yuzhong_2021.txt"), options=Options(model="lexical", use_store=False)))


@pytest.mark.slow
def test_chromium_counts_the_sub_goals_with_accepted_evidence(report_003_001, report_zpb, tmp_path):
    from linker.report.markdown import render as render_md

    linked = _with_links(report_003_001)
    statuses = report_003_001["summary"]["status"]
    assert linked != statuses["met"] + statuses["evidenced"], "003 against 001 has unmet sub-goals with accepted links"
    zpb_linked = _with_links(report_zpb)
    by_table = sum(1 for g in report_zpb["goals"] for sg in g["subgoals"] if not sg["evidence"] and sg["source"] == "table")
    assert by_table > 0
    for name, report, n, table in (("003x001", report_003_001, linked, 0), ("zpb", report_zpb, zpb_linked, by_table)):
        page = tmp_path / f"{name}.html"
        page.write_text(render(report), encoding="utf-8")
        dom = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / ('p-' + name)}", "--dump-dom", page.as_uri()],
                             capture_output=True, text=True, timeout=180, check=False).stdout
        visible = flat(re.sub(r"<style.*?</style>|<[^>]+>", "", dom, flags=re.DOTALL))
        share = f"{n * 100 / report['summary']['subgoals']:.0f}%"
        extra = f"，另有 {table} 个由报告自评表的完成值判定" if table else ""
        assert flat(f"其中 {n} 个子目标（{share}）有采纳的佐证{extra}。") in visible, name
        assert f"其中 {n} 个子目标（{share}）有采纳的佐证{extra}。" in render_md(report), name


# ---- Markdown bold that CommonMark reads as bold ------------------------------------------------
def test_markdown_bold_is_bold_to_a_commonmark_parser(report_000):
    from markdown_it import MarkdownIt

    from linker.report.markdown import highlight_md
    from linker.report.markdown import render as render_md

    md = MarkdownIt("commonmark")
    assert "<strong>1,500余个</strong>" in md.renderInline(highlight_md("新增学位1,500余个", []))  # one figure, one bold
    for text, terms in (("覆盖率达到 96%以上", ["覆盖率"]), ("“双减”政策落地", ["“双减”"]), ("占比（%）为 90%，", ["占比"])):
        out = md.renderInline(highlight_md(text, terms))
        assert "**" not in out and out.count("<strong>") >= 1, out
        assert flat(re.sub(r"<[^>]+>", "", out)) == flat(text), "no character is lost or added"
    source = render_md(report_000)
    page = md.render(source)
    assert "**" not in re.sub(r"<[^>]+>", "", page), "every ** is read as emphasis"
    assert page.count("<strong>") == source.count("**") // 2
