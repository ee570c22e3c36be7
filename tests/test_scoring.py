"""产出/效果: categories of real sub-goals, the report's own scores, suggested scores and overrides."""

from __future__ import annotations

import pytest

from linker.errors import LinkerError
from linker.model import Goal, Quantity, Status, SubGoal
from linker.pipeline import load
from linker.scoring import CATEGORIES, apply_overrides, classify, earned, parse_override, self_reported, suggest

from .conftest import SEED


def test_seed_000_self_reported_scores_are_read_from_its_scoring_table():
    own = self_reported(load(SEED["000"]))
    assert own is not None
    assert (own["产出"].score, own["产出"].max) == (28.41, 30.0)
    assert (own["效果"].score, own["效果"].max) == (28.11, 30.0)


def test_a_report_without_a_scoring_table_has_no_self_reported_scores():
    assert self_reported(load(SEED["001"])) is None


def _sg(text: str) -> SubGoal:
    return SubGoal(id="g1.1", goal_id="g1", start=0, end=len(text), text=text)


@pytest.mark.parametrize(
    ("text", "block", "category"),
    [  # lines of the example reports and the shared self-evaluation table, as an evaluator files them
        ("新增中小学学位2.8万个", "产出", "数量"),
        ("组织调查北京教育工作满意度。", "效果", "满意度"),
        ("公共就业服务满意度", "效果", "满意度"),
        ("就业见习补贴发放及时率", "产出", "时效"),
        ("社会保险补贴发放准确率", "产出", "质量"),
        ("以强化成本控制、优化支出结构、提高使用效益为主线，", "产出", "成本"),
        ("持续开展节能减排建设，深入推进校园垃圾分类。", "效果", "生态效益"),
        ("城镇新增就业人数", "效果", "社会效益"),
        ("提升高校科技创新能力。", "效果", "经济效益"),
        # macro outcomes of a government work report (and a plan's attainment indicator) are outcomes
        ("国内生产总值增长6.5%左右；", "效果", "经济效益"),
        ("居民消费价格涨幅3%左右；", "效果", "经济效益"),
        ("一般公共预算收入增长5%左右", "效果", "经济效益"),
        ("城镇调查失业率5.5%以内，", "效果", "社会效益"),
        ("单位国内生产总值能耗下降3%以上，", "效果", "生态效益"),
        ("新增劳动力平均受教育年限（年）", "效果", "社会效益"),  # 003: 新增 counts nothing here
        # 003: a family's spending is no cost of the department, its relief an outcome
        ("学生过重作业负担、校外培训负担、家庭教育支出和家长相应精力负担明显减轻。", "效果", "社会效益"),
        ("公共财政教育支出占公共财政支出比例（%）", "产出", "成本"),
        ("城镇新增就业1100万人以上，", "效果", "社会效益"),
    ],
)
@pytest.mark.parametrize("model", ["lexical", "e5"])
def test_real_sub_goals_get_the_category_an_evaluator_gives(text: str, block: str, category: str, model: str):
    from linker.encoders import EmbeddingCache, load_encoder

    encoder = load_encoder(model)
    cache = EmbeddingCache() if encoder is not None else None
    sg = _sg(text)
    classify(
        [Goal(id="g1", section_id="s1", start=0, end=len(text), text=text, kind="paragraph", subgoals=[sg])],
        encoder=encoder,
        cache=cache,
    )
    assert (sg.block, sg.category) == (block, category)
    assert 0.0 < sg.category_confidence < 1.0


def test_every_sub_goal_of_000_has_a_block_and_a_category(analysis_000):
    for g, sg in analysis_000.subgoals():
        assert sg.block in ("产出", "效果")
        assert sg.category in CATEGORIES[sg.block]
        assert 0.0 < sg.category_confidence <= 1.0
    blocks = {sg.block for _, sg in analysis_000.subgoals()}
    assert blocks == {"产出", "效果"}


def test_suggested_scores_of_000_beside_the_self_reported_ones(analysis_000):
    s = suggest(analysis_000)
    by = {b["block"]: b for b in s["blocks"]}
    assert set(by) == {"产出", "效果"}
    n = sum(b["subgoals"] for b in s["blocks"])
    assert n == sum(len(g.subgoals) for g in analysis_000.goals)
    for name, own in (("产出", 28.41), ("效果", 28.11)):
        b = by[name]
        assert b["self_reported"] == own and b["max"] == 30.0
        supported = [
            sg
            for _, sg in analysis_000.subgoals()
            if sg.block == name and analysis_000.verdicts[sg.id].status in (Status.MET, Status.EVIDENCED)
        ]
        # 000 states no figures for its goals: 计划完成率 × weight
        assert b["suggested"] == pytest.approx(len(supported) / b["subgoals"] * 30.0, abs=0.01)
        assert b["share_supported"] == pytest.approx(len(supported) / b["subgoals"], abs=1e-3)
        assert len(b["differences"]) == b["subgoals"] - len(supported)
        assert all(analysis_000.verdicts[i].status not in (Status.MET, Status.EVIDENCED) for i in b["differences"])
    assert "计划完成率" in s["rules"] and "报告评分表所述规则" in s["rules"]


def q(value: float, unit: str = "%", comparator: str = "=", polarity: str = "positive") -> Quantity:
    return Quantity(0, 0, value, unit=unit, quantity="x", comparator=comparator, polarity=polarity)


@pytest.mark.parametrize(
    ("target", "actual", "points"),
    [
        (q(90, comparator=">="), q(88), 88 / 90 * 10),  # positive: actual / target × weight
        (q(90, comparator=">="), q(95), 10.0),  # capped at the weight
        (q(5.5, comparator="<=", polarity="negative"), q(6.0), 5.5 / 6.0 * 10),  # negative: target / actual
        (q(1, "个", ">="), q(3, "个"), 9.0),  # (3 − 1) / 1 = 200% → −10%
        (q(1, "个", ">="), q(4, "个"), 8.0),  # 300% → −20%
        (q(1, "个", ">="), q(6, "个"), 7.0),  # 500% → −30%
        (q(1.3, "万个", ">="), q(13000, "个"), 10.0),  # scale normalised
    ],
)
def test_the_report_rules_for_indicators(target: Quantity, actual: Quantity, points: float):
    got, rule = earned(10.0, Status.MET, target, actual)
    assert got == pytest.approx(points)
    assert ("反向" in rule) == (target.polarity == "negative")


def test_overrides_from_the_command_line_shape():
    assert parse_override("g3.2=效果/社会效益") == ("g3.2", ("效果", "社会效益"))
    with pytest.raises(LinkerError, match="产出 or 效果"):
        parse_override("g3.2=成果/社会效益")
    with pytest.raises(LinkerError, match="categories"):
        parse_override("g3.2=产出/满意度")
    sg = _sg("加强辅导员、班主任队伍建设")
    g = Goal(id="g3", section_id="s1", start=0, end=1, text="", kind="paragraph", subgoals=[sg])
    sg.id = "g3.2"
    classify([g])
    assert apply_overrides([g], {"g3.2": ("效果", "可持续影响"), "g9.9": "产出"}) == ["g9.9"]
    assert (sg.block, sg.category, sg.category_confidence) == ("效果", "可持续影响", 1.0)
    classify([g])  # a decision stays
    assert (sg.block, sg.category) == ("效果", "可持续影响")


@pytest.mark.parametrize(
    "text",
    [  # seed 000: a supervision and a research activity are planned work, not social outcomes
        "开展政府履行教育职责、教育法律法规执行情况、义务教育均衡发展等综合督政。",
        "鼓励高校开展疫情防控科研攻关。",
    ],
)
def test_a_topic_word_is_not_an_outcome(text: str):
    from linker.scoring import keyword_scores

    assert "社会效益" not in keyword_scores(text)
    sg = _sg(text)
    classify([Goal(id="g1", section_id="s1", start=0, end=len(text), text=text, kind="paragraph", subgoals=[sg])])
    assert (sg.block, sg.category) == ("产出", "数量")


def test_seed_000_and_003_misfires(analysis_000, analysis_003_001):
    by_text = {sg.text: sg for _, sg in analysis_000.subgoals()}
    for text in ("开展政府履行教育职责、教育法律法规执行情况、义务教育均衡发展等综合督政。", "鼓励高校开展疫情防控科研攻关。"):
        assert by_text[text].category != "社会效益", text
    plan = {sg.text: sg for _, sg in analysis_003_001.subgoals()}
    burden = next(sg for t, sg in plan.items() if "家庭教育支出" in t)
    assert (burden.block, burden.category) == ("效果", "社会效益")
    years = next(sg for t, sg in plan.items() if t.startswith("新增劳动力平均受教育年限"))
    assert years.category != "数量"


def test_a_table_whose_rule_gives_full_marks_at_the_target_has_no_over_target_penalty():
    from linker.pipeline import Options, analyze

    from .conftest import corpus

    a = analyze(corpus("zpb_cq_yuzhong_2021.txt"), options=Options(model="lexical", use_store=False))
    s = suggest(a)
    by = {b["block"]: b for b in s["blocks"]}
    # 新增区级创业孵化基地数量 3 against ≥1: its 评价标准 says 达到目标得满分, so no 10% cut
    assert by["产出"]["max"] == 40.0 and by["产出"]["suggested"] == pytest.approx(40.0)
    assert by["产出"]["differences"] == []
    assert "达到目标得满分" in s["rules"] and "未载明" not in s["rules"] and "扣减" not in s["rules"]


def test_stated_rules():
    from linker.scoring import DEFAULT_RULES, Rules, stated_rules

    own = stated_rules(load(SEED["000"]))
    assert own.source == "report" and own.over_penalty and own.ratio
    assert stated_rules(load(SEED["004"])) == DEFAULT_RULES
    full = Rules("table", ratio=True, over_penalty=False)
    assert earned(15.0, Status.MET, q(1, "个", ">="), q(3, "个"), full) == (15.0, "达到目标得满分")
    assert earned(10.0, Status.UNMET, q(90, comparator=">="), q(88), full)[0] == pytest.approx(88 / 90 * 10)
    assert earned(10.0, Status.UNMET, q(90, comparator=">="), q(88), Rules("table", ratio=False, over_penalty=False))[0] == 0.0
    assert earned(15.0, Status.MET, q(1, "个", ">="), q(3, "个"))[0] == pytest.approx(13.5), "the default keeps 000's rule"
