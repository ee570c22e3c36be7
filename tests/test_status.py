"""Statuses: every comparator, units and scales, deadlines, problem statements, roll-up; seeds 003 + 001."""

from __future__ import annotations

import pytest

from linker import quantities
from linker.match import DEFAULT_SCORER
from linker.model import Candidate, EvidenceUnit, Goal, Quantity, Status, SubGoal
from linker.status import comparable, due_context, judge, noun_match, roll_up


def unit(uid: str, text: str, *, negative: bool = False, year: int | None = None) -> EvidenceUnit:
    return EvidenceUnit(
        id=uid,
        doc_index=0,
        section_id="s1",
        start=0,
        end=len(text),
        text=text,
        paragraph=1,
        negative=negative,
        quantities=quantities.find_quantities(text, year=year),
    )


def goal_with(text: str, *, year: int | None = None, goal_text: str | None = None) -> Goal:
    sg = SubGoal(id="g1.1", goal_id="g1", start=0, end=len(text), text=text, target=quantities.parse_target(text, year=year))
    return Goal(id="g1", section_id="s1", start=0, end=len(text), text=goal_text or text, kind="paragraph", subgoals=[sg])


def run(goal: Goal, units: list[EvidenceUnit], *, accepted: bool = True, score: float = 0.9, evidence_year: int | None = None):
    cands = {"g1.1": [Candidate(score, "g1.1", u.id, accepted=accepted) for u in units]}
    verdicts, tops = judge([goal], cands, {u.id: u for u in units}, DEFAULT_SCORER, evidence_year=evidence_year)
    return verdicts["g1.1"], tops["g1"]


# ---- comparators -----------------------------------------------------------
@pytest.mark.parametrize(
    ("goal", "evidence", "status"),
    [
        ("普惠率保持在90%以上", "普惠率达到92%", Status.MET),  # ≥
        ("普惠率保持在90%以上", "普惠率达到90%", Status.MET),
        ("普惠率保持在90%以上", "普惠率达到88%", Status.UNMET),
        ("达标率超过70%", "达标率为70%", Status.UNMET),  # >
        ("达标率超过70%", "达标率为71.5%", Status.MET),
        ("失业率控制在5.5%以内", "失业率为5.2%", Status.MET),  # ≤
        ("失业率控制在5.5%以内", "失业率为5.8%", Status.UNMET),
        ("辍学率低于1%", "辍学率为1%", Status.UNMET),  # <
        ("辍学率低于1%", "辍学率为0.6%", Status.MET),
        ("帮扶率=100%", "帮扶率为100%", Status.MET),  # =
        ("帮扶率=100%", "帮扶率为99%", Status.UNMET),
        ("培训教师约2000人", "培训教师2100人", Status.MET),  # ~ (±10 %, and beyond in the good direction)
        ("能耗约100千瓦时", "能耗130千瓦时", Status.UNMET),
    ],
)
def test_every_comparator(goal: str, evidence: str, status: Status):
    v, _ = run(goal_with(goal), [unit("u1", evidence)])
    assert v.status == status, v.note
    assert v.actual is not None and v.evidence_id == "u1"


def test_the_comparators_are_read_as_written():
    seen = {
        quantities.parse_target(t).comparator
        for t in (
            "普惠率保持在90%以上",
            "达标率超过70%",
            "失业率控制在5.5%以内",
            "辍学率低于1%",
            "帮扶率=100%",
            "培训教师约2000人",
        )
    }
    assert seen == {">=", ">", "<=", "<", "=", "~"}


# ---- units and scale -------------------------------------------------------
@pytest.mark.parametrize(
    ("goal", "evidence", "status"),
    [
        ("新增学位1.3万个", "新增学位13000个", Status.MET),  # 万 = 10 000
        ("新增学位1.3万个", "新增学位12999个", Status.UNMET),
        ("教育投入不低于1125亿元", "教育投入1200亿元", Status.MET),  # 亿
        ("教育投入不低于1125亿元", "教育投入11250000万元", Status.MET),  # 亿 against 万
        ("教育投入不低于1125亿元", "教育投入1100000万元", Status.UNMET),
        ("培训教师3万人次", "培训教师3万余人次", Status.MET),  # 余: a little more than
        ("培训人数不少于2000人", "培训人数2000余人", Status.MET),
    ],
)
def test_units_and_scales_are_normalised(goal: str, evidence: str, status: Status):
    v, _ = run(goal_with(goal), [unit("u1", evidence)])
    assert v.status == status, v.note


def test_percentage_points_against_a_percent_level():
    target = Quantity(
        0, 0, 5.0, unit="百分点", quantity="入园率", comparator=">=", base_value=85.0, change="increase", is_target=True
    )
    assert comparable(Quantity(0, 0, 91.0, unit="%", quantity="入园率"), target) is True
    assert comparable(Quantity(0, 0, 88.0, unit="%", quantity="入园率"), target) is False
    # without a baseline a level cannot answer a change
    bare = Quantity(0, 0, 5.0, unit="百分点", quantity="入园率", comparator=">=", change="increase", is_target=True)
    assert comparable(Quantity(0, 0, 91.0, unit="%", quantity="入园率"), bare) is None
    # 百分点 against 百分点: a change against a change
    assert comparable(Quantity(0, 0, 3.2, unit="百分点", quantity="入园率"), bare) is False
    assert comparable(Quantity(0, 0, 6.0, unit="个百分点", quantity="入园率"), bare) is True
    # an actual level with its baseline answers a 百分点 target
    assert comparable(Quantity(0, 0, 91.0, unit="%", quantity="入园率", base_value=85.0), bare) is True
    # and the notes say how the two were bridged
    from linker.status import compared_as

    assert compared_as(Quantity(0, 0, 88.0, unit="%", quantity="入园率"), target) == "target level 85% + 5百分点 = 90%"
    assert compared_as(Quantity(0, 0, 91.0, unit="%", quantity="入园率", base_value=85.0), bare) == "85% → 91%: +6百分点"
    assert compared_as(Quantity(0, 0, 6.0, unit="个百分点", quantity="入园率"), bare) == ""  # nothing to bridge
    assert compared_as(Quantity(0, 0, 91.0, unit="%", quantity="入园率"), bare) == ""  # nothing can
    from linker.status import note_zh

    assert note_zh("入园率 88% (target level 85% + 5百分点 = 90%) contradicts 入园率 ≥5百分点") == (
        "入园率 88%（目标水平 85% + 5百分点 = 90%），未达到目标 入园率 ≥5百分点")


def test_a_counts_rise_is_the_number_added():
    """"学位增加2.8万个" answers "新增学位2万个" (and the other way round); a rise in % never does."""
    from linker.quantities import find_quantities, parse_target

    added = parse_target("全年新增学位2万个。")
    assert comparable(find_quantities("学位增加2.8万个。")[0], added) is True
    assert comparable(find_quantities("学位增加1.5万个。")[0], added) is False
    assert comparable(find_quantities("学位数量增加5%。")[0], added) is None
    rise = parse_target("全年学位增加2万个。")
    assert rise.change == "increase"
    assert comparable(find_quantities("新增学位1.8万个。")[0], rise) is False
    v, _ = run(goal_with("全年新增中小学学位2万个"), [unit("u1", "全市中小学学位增加2.8万个。")])
    assert v.status == Status.MET, v.note
    # a noun without the verb counts a stock: 1200万 employed are not 26万 new jobs
    assert noun_match("城镇新增就业人数", "城镇就业人数") < 2 and noun_match("小学新增学位", "新增小学学位") == 2
    v, _ = run(goal_with("城镇新增就业人数达到26万人"), [unit("u1", "全市城镇就业人数达到1200万人。")])
    assert v.status not in (Status.MET, Status.UNMET), v.note
    # 小学学位 is held in 新增小学学位, but 15万 places in all say nothing of the 2000 to be added;
    # the verb before the figure makes it an addition again
    v, _ = run(goal_with("全年新增小学学位2000个"), [unit("u1", "全市小学学位达到15万个。")])
    assert v.status not in (Status.MET, Status.UNMET), v.note
    v, _ = run(goal_with("全年新增小学学位2000个"), [unit("u1", "全市小学学位新增1800个。")])
    assert v.status == Status.UNMET, v.note


def test_a_figure_about_something_else_decides_nothing():
    v, _ = run(goal_with("普惠性幼儿园覆盖率达到90%"), [unit("u1", "全市集团化办学覆盖率达到52%，学区覆盖率达到90%")])
    assert v.status == Status.EVIDENCED and v.actual is None
    assert noun_match("普惠率", "普惠性幼儿园覆盖率") > 0
    assert noun_match("集团化办学覆盖率", "普惠性幼儿园覆盖率") == 0


# ---- deadlines -------------------------------------------------------------
def test_a_later_deadline_not_reached_is_unmet_not_yet_due():
    v, _ = run(goal_with("到2025年，普惠率达到90%", year=2021), [unit("u1", "普惠率达到88%")], evidence_year=2022)
    assert v.status == Status.UNMET and v.note.startswith("not yet due") and "2025" in v.note and v.due == 2025


def test_a_later_deadline_already_reached_is_met_as_an_interim_figure():
    v, _ = run(goal_with("到2025年，普惠率达到90%", year=2021), [unit("u1", "普惠率达到91%")], evidence_year=2022)
    assert v.status == Status.MET and v.note.startswith("interim") and "2025" in v.note


def test_a_deadline_that_has_passed_is_judged_plainly():
    v, _ = run(goal_with("到2021年，普惠率达到90%", year=2020), [unit("u1", "普惠率达到88%")], evidence_year=2022)
    assert v.status == Status.UNMET and "not yet due" not in v.note and v.due is None
    assert due_context(Status.MET, "x", 2025, None) == (Status.MET, "x")


def test_the_deadline_at_the_head_of_a_goal_reaches_its_sub_goals(tmp_path):
    # deadlines are inherited at extraction: the goal's lead, its goal sections' lead, the plan's period
    from linker.goals import extract_goals
    from linker.pipeline import load

    plan = tmp_path / "plan.txt"
    plan.write_text(
        "某区教育发展规划(2021—2025年)\n一、主要目标\n到2025年，学前教育更加普及普惠。\n"
        "——学前教育更加普及。普惠率达到90%。\n——义务教育更加均衡。就近入学率保持在99%以上。\n二、主要任务\n（一）加强党建。\n",
        encoding="utf-8",
    )
    goals = extract_goals(load(plan))
    targets = [sg.target for g in goals for sg in g.subgoals if sg.target is not None]
    assert len(targets) == 2 and all(t.deadline == 2025 for t in targets)
    # the lead sentence itself states no number: it is a qualitative sub-goal of its own
    assert goals[0].subgoals[0].target is None


# ---- problem statements and doubtful numbers -------------------------------
def test_problem_statements_make_unmet_and_are_kept():
    v, top = run(goal_with("加强预算绩效管理"), [unit("n1", "部分项目绩效目标未全部完成", negative=True)])
    assert v.status == Status.UNMET and "存在的问题" in v.note and v.problems == ["n1"]
    assert top == Status.UNMET


def test_a_doubtful_problem_statement_is_still_shown():
    v, _ = run(
        goal_with("加强预算绩效管理"), [unit("n1", "部分项目绩效目标未全部完成", negative=True)], accepted=False, score=0.4
    )
    assert v.status == Status.WEAK and v.problems == ["n1"]


def test_a_doubtful_candidate_reporting_the_targets_quantity_decides():
    v, _ = run(goal_with("普惠率达到90%"), [unit("u1", "普惠率达到88%")], accepted=False, score=0.4)
    assert v.status == Status.UNMET and "candidate" in v.note
    v, _ = run(goal_with("普惠率达到90%"), [unit("u1", "普惠率达到88%")], accepted=False, score=0.1)
    assert v.status == Status.UNEVIDENCED


# ---- roll-up ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("statuses", "goal"),
    [
        ([], Status.UNEVIDENCED),
        ([Status.MET, Status.MET], Status.MET),
        ([Status.MET, Status.EVIDENCED], Status.EVIDENCED),
        ([Status.MET, Status.UNMET], Status.UNMET),
        ([Status.MET, Status.UNEVIDENCED], Status.PARTIAL),
        ([Status.EVIDENCED, Status.WEAK], Status.PARTIAL),
        ([Status.WEAK, Status.UNEVIDENCED], Status.WEAK),
        ([Status.UNEVIDENCED, Status.UNEVIDENCED], Status.UNEVIDENCED),
    ],
)
def test_roll_up(statuses: list[Status], goal: Status):
    assert roll_up(statuses) == goal


# ---- the example reports ---------------------------------------------------
def _verdict(a, text: str):
    sg = next(sg for _, sg in a.subgoals() if sg.text.startswith(text))
    return sg, a.verdicts[sg.id]


def test_plan_003_against_results_001(analysis_003_001):
    a = analysis_003_001
    _, v = _verdict(a, "普惠性幼儿园覆盖率达到90%")
    assert v.status == Status.UNMET and v.actual is not None and v.actual.value == 88
    assert "not yet due" in v.note and v.due == 2025, "a 2025 target measured in 2022 is not yet due"
    _, v = _verdict(a, "全市适龄儿童入园率保持在90%以上")
    assert v.status == Status.MET and v.note.startswith("interim"), "never silently met before the deadline"


def test_seed_000_problem_statements_are_evidence_units(analysis_000):
    negative = [u for u in analysis_000.units if u.negative]
    assert any("部分项目绩效目标未全部完成" in u.text for u in negative)
    for _, sg in analysis_000.subgoals():
        v = analysis_000.verdicts[sg.id]
        assert all(analysis_000.unit_by_id[p].negative for p in v.problems)


def test_same_stem_different_things_are_not_the_same_quantity():
    from linker.status import noun_match

    # Beijing 2024: the revenue target must not be judged by the expenditure figure
    assert noun_match("一般公共预算收入", "一般公共预算支出规模") == 0
    assert noun_match("普惠率", "普惠性幼儿园覆盖率") >= 1


# ---- a target stated inside its evidence is not its own evidence --------------
INLINE = """2022年度工作总结
一、工作完成情况
（一）学位建设
全年未能完成“新增2万个中小学学位”市政府实事任务，新建、改扩建学校8所，新增学位1.2万个。
（二）学前教育
学前教育普惠率达 70.5%，未完成 76%的年度目标。
"""


def _lexical(path, *evidence):  # type: ignore[no-untyped-def]
    from linker.pipeline import Options, analyze

    return analyze(path, list(evidence), options=Options(model="lexical", use_store=False))


def test_a_target_restated_in_its_sentence_is_judged_on_the_figure_beside_it(tmp_path):
    path = tmp_path / "inline.txt"
    path.write_text(INLINE, encoding="utf-8")
    a = _lexical(path)
    _, v = _verdict(a, next(sg.text for _, sg in a.subgoals() if "2万个" in sg.text))
    assert v.status == Status.UNMET, v.note
    assert v.actual is not None and (v.actual.value, v.actual.unit) == (1.2, "万个"), "judged on 1.2万, not the restated 2万"
    assert "satisfies" not in v.note


def test_seed_001_places_are_judged_on_the_places_built():
    from .conftest import SEED

    a = _lexical(SEED["001"])
    _, v = _verdict(a, next(sg.text for _, sg in a.subgoals() if "新增2万个中小学学位" in sg.text))
    assert v.status == Status.MET and v.actual is not None and (v.actual.value, v.actual.unit) == (3.6, "万个"), v.note


# ---- the year of each evidence document ------------------------------------
def test_each_figure_is_dated_by_its_own_document(tmp_path):
    plan = tmp_path / "plan.txt"
    plan.write_text("某区学前教育发展规划(2021—2025年)\n一、主要目标\n1.普惠性幼儿园覆盖率达到90%。\n", encoding="utf-8")
    early = tmp_path / "2022.txt"
    early.write_text("2022年工作总结\n一、工作完成情况\n学前教育普及普惠水平持续提高，新建幼儿园3所。\n", encoding="utf-8")
    final = tmp_path / "2025.txt"
    final.write_text("2025年工作总结\n一、工作完成情况\n全区普惠性幼儿园覆盖率达到88%。\n", encoding="utf-8")
    v = next(iter(_lexical(plan, early, final).verdicts.values()))
    assert v.status == Status.UNMET and v.due is None and not v.note.startswith("not yet due"), v.note
    assert "2025" not in v.note, "a 2025 figure against a 2025 target is judged plainly"
    # the same figure in a 2022 report is an interim one
    final.write_text("2022年工作总结\n一、工作完成情况\n全区普惠性幼儿园覆盖率达到88%。\n", encoding="utf-8")
    v = next(iter(_lexical(plan, early, final).verdicts.values()))
    assert v.status == Status.UNMET and v.note.startswith("not yet due") and v.due == 2025


def test_years_per_document_in_judge():
    g = goal_with("到2025年，普惠率达到90%", year=2021)
    u = unit("u1", "普惠率达到88%")
    u.doc_index = 1
    cands = {"g1.1": [Candidate(0.9, "g1.1", "u1", accepted=True)]}
    verdicts, _ = judge([g], cands, {"u1": u}, DEFAULT_SCORER, evidence_year={0: 2022, 1: 2025})
    assert verdicts["g1.1"].status == Status.UNMET and verdicts["g1.1"].due is None
    verdicts, _ = judge([g], cands, {"u1": u}, DEFAULT_SCORER, evidence_year={0: 2025, 1: 2022})
    assert verdicts["g1.1"].note.startswith("not yet due") and verdicts["g1.1"].due == 2025


# ---- changes, and figures that cannot be compared --------------------------
def test_a_rise_answers_a_target_whose_noun_is_a_change():
    v, _ = run(goal_with("居民消费价格涨幅3%左右"), [unit("u1", "居民消费价格上涨2.1%。")])
    assert v.status == Status.MET and v.actual is not None and v.actual.value == 2.1, v.note
    v, _ = run(goal_with("居民消费价格涨幅3%左右"), [unit("u1", "居民消费价格上涨3.8%。")])
    assert v.status == Status.UNMET, v.note
    v, _ = run(goal_with("国内生产总值增速6%以上"), [unit("u1", "国内生产总值增长6.6%")])
    assert v.status == Status.MET, v.note


def test_gwr_2018_price_target_against_2019_results():
    from .conftest import corpus

    a = _lexical(corpus("gwr_cn_2018.txt"), corpus("gwr_cn_2019.txt"))
    _, v = _verdict(a, "居民消费价格涨幅3%左右")
    assert v.status == Status.MET and v.actual is not None and v.actual.value == 2.1, v.note
    assert "no reported figure" not in v.note


def test_a_figure_about_the_target_that_cannot_answer_it_is_named():
    v, _ = run(goal_with("家长满意度不低于90%"), [unit("u1", "家长满意度调查综合得分为85.7分。")])
    assert v.status == Status.EVIDENCED and v.actual is None
    assert "figure not comparable" in v.note and "85.7分" in v.note and "no reported figure" not in v.note
    v, _ = run(goal_with("家长满意度不低于90%"), [unit("u1", "开展家长满意度调查。")])
    assert v.note.startswith("qualitative evidence; no reported figure")


def test_plan_003_table_row_against_99_percent_or_more(analysis_003_001):
    sg, v = _verdict(analysis_003_001, "义务教育就近入学率（%）")
    assert sg.target is not None and sg.target.comparator == ">"
    # 001 reports 就近入学比例 "99%以上": it cannot tell whether ＞99 is reached, and says so
    assert v.status == Status.EVIDENCED, v.note
    assert "figure not comparable" in v.note and "99%" in v.note, v.note
    assert "no reported figure" not in v.note


# ---- a generic head named by the sub-goal's words --------------------------
def test_a_generic_head_matches_the_noun_its_sub_goal_names():
    goal = goal_with("推进智慧校园建设，覆盖率达到90%以上。")
    assert goal.subgoals[0].target.quantity == "覆盖率"
    v, _ = run(goal, [unit("u1", "推进智慧校园建设，全市智慧校园覆盖率达到 92%。")])
    assert v.status == Status.MET and v.actual is not None and v.actual.value == 92, v.note
    v, _ = run(goal_with("推进智慧校园建设，覆盖率达到90%以上。"), [unit("u1", "建成示范校45所，示范校覆盖率达到80%。")])
    assert v.status == Status.EVIDENCED and v.actual is None, "another thing's 覆盖率 says nothing"
    assert noun_match("覆盖率", "智慧校园覆盖率", "推进智慧校园建设，覆盖率达到90%以上") == 1
    assert noun_match("覆盖率", "智慧校园覆盖率") == 0
    assert noun_match("满意度", "家长满意度", "开展家长评价，满意度不低于90%") == 1
    assert noun_match("达标率", "绿色学校达标率", "平安校园达标率达到100%") == 0


def test_a_noun_written_around_the_sub_goals_figure():
    assert noun_match("中小学学位", "新增学位", "完成“新增2万个中小学学位”市政府实事任务") == 1
    assert noun_match("中小学学位", "新增教师", "完成“新增2万个中小学学位”任务，新增教师500名") == 0


def test_reviewers_report_with_a_generic_head(tmp_path):
    path = tmp_path / "st2.txt"
    path.write_text(
        "2024年度部门整体绩效评价报告\n一、部门概况\n（一）部门整体绩效目标设立情况\n1.推进智慧校园建设，覆盖率达到90%以上。\n"
        "2.建成示范校50所。\n二、整体绩效目标实现情况\n（一）全年工作完成情况\n推进智慧校园建设，全市智慧校园覆盖率达到 92%。\n"
        "建成示范校45所，示范校覆盖率达到90%。\n",
        encoding="utf-8",
    )
    _, v = _verdict(_lexical(path), "推进智慧校园建设")
    assert v.status == Status.MET and v.actual is not None and v.actual.value == 92, v.note


def test_a_noun_around_another_figure_of_the_sub_goal_does_not_count():
    """"全年新增2万个学位、新增30个幼儿园": 新增幼儿园 is written around 30个, not around the 学位 target."""
    assert noun_match("学位", "新增幼儿园", "全年新增2万个学位、新增30个幼儿园。") == 0
    assert noun_match("学位", "新增学位", "全年新增2万个学位、新增30个幼儿园。") >= 1
