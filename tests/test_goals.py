"""Goals, sub-goals, targets and evidence quantities on the real reports."""

from __future__ import annotations

import pytest

from linker.evidence import extract_evidence
from linker.goals import extract_goals
from linker.pipeline import load

from .conftest import SEED, corpus


@pytest.fixture(scope="module")
def goals_000():
    return extract_goals(load(SEED["000"]))


def test_000_goals_are_the_overall_goal_and_eleven_indicators(goals_000):
    assert [g.kind for g in goals_000] == ["overall"] + ["indicator"] * 11
    assert goals_000[0].title == "总体目标"
    assert goals_000[5].title == "推进高校内涵、特色、差异化发展"


def test_000_subgoal_counts_per_indicator(goals_000):
    # counted by reading 一、(二): the sentences after each item's title sentence
    assert [len(g.subgoals) for g in goals_000[1:]] == [14, 2, 14, 7, 15, 14, 8, 6, 4, 12, 20]
    assert len(goals_000[0].subgoals) == 9  # 11 clauses, less the two that say what guides the work
    # the 总体目标 paragraph is split into its clauses
    overall = [sg.text for sg in goals_000[0].subgoals]
    assert "坚持教育优先发展，" in overall
    assert overall[-1] == "保障中小学学位、扩大优质教育资源、提升教育教学质量、解决群众关心的热点难点问题。"


def test_guiding_clauses_are_the_goals_context_not_its_subgoals(goals_000, tmp_path):
    """「以习近平新时代中国特色社会主义思想为指导，」 says what guides the work, not what it is to achieve."""
    overall = goals_000[0]
    texts = [sg.text for sg in overall.subgoals]
    assert "以习近平新时代中国特色社会主义思想为指导" in overall.text and "深入贯彻落实全国和全市教育大会精神" in overall.text
    assert not [t for t in texts if t.startswith(("以习近平新时代", "深入贯彻落实全国"))]
    assert texts[0] == "坚持教育优先发展，"  # a principle of the work itself stays
    assert "以优化教育结构、补齐教育短板、促进教育公平、提升教育质量为目标，" in texts  # 为目标 is a goal
    from linker.goals import _GUIDING

    for clause in ("在市委市政府的坚强领导下，", "认真贯彻落实市委市政府决策部署，", "坚持以人民为中心的发展思想为引领，",
                   "以习近平新时代中国特色社会主义思想为指导。", "深入贯彻落实全国教育大会精神。",
                   "深入学习贯彻党的二十大精神，", "认真贯彻落实全国两会精神，", "学习宣传贯彻党的二十大精神，"):
        assert _GUIDING.match(clause), clause
    for clause in ("以建设教育强国为目标，", "贯彻落实“双减”政策，减轻学生负担。", "坚持五育并举，",
                   "认真贯彻落实“双减”工作要求，", "全面贯彻落实中央八项规定精神，", "严格贯彻落实过紧日子要求，"):
        assert not _GUIDING.match(clause), clause
    from linker.pipeline import Options, analyze

    def subgoals(goal_text: str) -> list[str]:
        path = tmp_path / "r.txt"
        path.write_text("2022年度部门整体绩效评价报告\n一、部门整体绩效目标设立情况\n" + goal_text + "\n"
                        "二、整体绩效目标实现情况\n全年完成培训。\n", encoding="utf-8")
        return [sg.text for _, sg in analyze(path, options=Options(model="lexical", use_store=False)).subgoals()]

    assert subgoals("在市委市政府的坚强领导下，深入贯彻落实全国教育大会精神。加强校园足球建设，新建校园足球场3块。") == [
        "加强校园足球建设，", "新建校园足球场3块。"]
    # a goal paragraph of nothing but guidance is still read, rather than lost
    assert subgoals("在市委市政府的坚强领导下，以习近平新时代中国特色社会主义思想为指导。") == [
        "在市委市政府的坚强领导下，", "以习近平新时代中国特色社会主义思想为指导。"]


def test_subgoal_spans_are_the_report_text(goals_000):
    doc = load(SEED["000"])
    for g in goals_000:
        for sg in g.subgoals:
            assert doc.text[sg.start : sg.end] == sg.text
            assert doc.quote(sg.start, sg.end).replace("\n", "") == sg.text.replace("\n", "")


def test_004_single_goal_paragraph_is_split_into_clauses():
    goals = extract_goals(load(SEED["004"]))
    assert len(goals) == 1 and goals[0].kind == "paragraph"
    texts = [sg.text for sg in goals[0].subgoals]
    assert texts[0] == "部门整体预算优先保障朝阳区教育系统教职工工资待遇，"
    assert "维持学校正常运转，" in texts and len(texts) == 10


def test_003_bullets_tables_and_numeric_targets():
    goals = extract_goals(load(SEED["003"]))
    kinds = [g.kind for g in goals]
    assert kinds.count("bullet") == 10 and kinds.count("table") == 1
    pre = next(g for g in goals if g.title == "学前教育更加普及普惠安全优质")
    targets = [(sg.target.quantity, sg.target.comparator, sg.target.value, sg.target.unit) for sg in pre.subgoals if sg.target]
    assert ("全市适龄儿童入园率", ">=", 90, "%") in targets or any(t[0] and "入园率" in t[0] and t[1:] == (">=", 90, "%") for t in targets)
    assert any(t[0] and "普惠性幼儿园覆盖率" in t[0] and t[1:] == (">=", 90, "%") for t in targets)
    table = next(g for g in goals if g.kind == "table")
    rows = {sg.text: sg.target for sg in table.subgoals}
    assert len(rows) == 12
    assert (rows["学前教育入园率（%）"].comparator, rows["学前教育入园率（%）"].value) == (">", 90)
    assert (rows["普惠性幼儿园覆盖率（%）"].comparator, rows["普惠性幼儿园覆盖率（%）"].value) == (">=", 90)
    assert rows["新增劳动力平均受教育年限（年）"].value == 15.8
    assert all(t.deadline == 2025 for t in rows.values() if t is not None)
    # the opening paragraph's "到2025年" dates its clause instead of standing alone
    opening = next(g for g in goals if g.kind == "paragraph")
    assert opening.subgoals[0].text.startswith("到2025年，全面构建首都高质量教育体系")


def test_001_evidence_reports_its_figures_with_their_nouns():
    units = extract_evidence(load(SEED["001"]), whole_document=True)
    unit = next(u for u in units if "普惠率达到 88%" in u.text)
    found = {(q.quantity, q.value, q.unit) for q in unit.quantities}
    assert any(n and n.endswith("入园率") and v == 90 and un == "%" for n, v, un in found)
    assert any(n and n.endswith("普惠率") and v == 88 and un == "%" for n, v, un in found)
    # sentences come from spaCy with jieba and never cross a sentence end
    assert all(not u.text.rstrip("。；").count("。") for u in units)


def test_government_work_report_expected_targets():
    doc = load(corpus("gwr_cn_2023.txt"))
    goals = [g for g in extract_goals(doc) if g.kind == "targets"]
    assert goals, "the 主要预期目标 sentence is a goal"
    subs = goals[0].subgoals
    by_noun = {sg.target.quantity: sg.target for sg in subs if sg.target is not None and sg.target.quantity}
    gdp = next(t for n, t in by_noun.items() if "国内生产总值" in n)
    assert (gdp.comparator, gdp.value, gdp.unit) == ("~", 5, "%")
    unemployment = next(t for n, t in by_noun.items() if "城镇调查失业率" in n)
    assert (unemployment.comparator, unemployment.value) == ("~", 5.5)
    grain = next(t for n, t in by_noun.items() if "粮食产量" in n)
    assert grain.comparator == ">=" and grain.value == 1.3 and grain.plain_value == 1.3e12
    assert len(subs) >= 8


def test_002_targets_stated_inside_evidence_become_goals():
    from linker.pipeline import Options, analyze

    a = analyze(SEED["002"], options=Options(model="lexical"))
    subs = [sg for _, sg in a.subgoals()]
    texts = [sg.text for sg in subs]
    assert "超额完成 76%的年度目标" in texts
    sg = subs[texts.index("超额完成 76%的年度目标")]
    assert (sg.target.comparator, sg.target.value, sg.target.unit) == (">=", 76, "%")
    v = a.verdicts[sg.id]
    assert v.status.value == "met" and v.actual is not None and v.actual.value == 80.73
    # the sentence itself is the accepted evidence, and no plan of 三、下一步改进措施 is evidence
    top = a.candidates[sg.id][0]
    assert top.accepted and top.source == "inline" and "80.73%" in a.unit_by_id[top.evidence_id].text
    plans = next(s for s in a.goal_doc.sections if s.title == "下一步改进措施")
    assert all(not (plans.start <= u.start < plans.end) for u in a.units)


def test_the_year_a_report_speaks_of():
    """A plan's period gives the year it was written (003: 2021—2025 → 2021, not the
    target year); a report whose head names no year (004 opens with 附件1 and the
    department's duties) takes the year its text names most often as 20XX年度."""
    from linker.goals import report_year
    from linker.pipeline import load

    assert report_year(load(SEED["003"])) == 2021
    assert report_year(load(SEED["004"])) == 2024
    assert report_year(load(SEED["000"])) == 2021 and report_year(load(SEED["001"])) == 2022


def test_an_indicator_table_is_named_by_its_caption():
    (table,) = [g for g in extract_goals(load(SEED["003"])) if g.kind == "table"]
    assert table.title == "专栏：教育事业发展与人力资源开发主要指标" and len(table.subgoals) == 12
