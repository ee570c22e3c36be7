"""Deadlines a target inherits: only from a lead that heads its goal or its goal section, never from a
sibling goal's own "到2026年" that happens to stand within the section's first lines."""

from __future__ import annotations

from pathlib import Path

from linker.goals import extract_goals
from linker.model import Status
from linker.pipeline import Options, analyze, load

# ten numbered goals, one of which (9.) names its own year: the reviewer's report
GOALS = """2024年度部门整体绩效评价报告
一、部门概况
（一）部门整体绩效目标设立情况
1.推进智慧校园建设，覆盖率达到90%以上。
2.年末结转结余率控制在1%以内。
3.新增中小学学位不少于1.5万个。
4.家长满意度不低于90%。
5.培训教师3000人次以上。
6.公办园在园幼儿占比达到50%。
7.到2026年，普惠性幼儿园覆盖率达到92%。
8.建成示范校50所。
二、整体绩效目标实现情况
（一）全年工作完成情况
全年新增中小学学位1.2万个。
全年培训教师2800余人次。
公办园在园幼儿占比达到48%。
普惠性幼儿园覆盖率达到90%。
建成示范校45所。
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _targets(path: Path) -> dict[str, int | None]:
    return {sg.text: sg.target.deadline for g in extract_goals(load(path)) for sg in g.subgoals if sg.target is not None}


def test_a_goals_own_year_is_not_every_goals_deadline(tmp_path: Path):
    deadlines = _targets(_write(tmp_path, "report.txt", GOALS))
    assert len(deadlines) == 8
    assert deadlines.pop("7.到2026年，普惠性幼儿园覆盖率达到92%。".removeprefix("7.")) == 2026
    assert set(deadlines.values()) == {None}, deadlines


def test_shortfalls_of_this_year_are_unmet_not_not_yet_due(tmp_path: Path):
    a = analyze(_write(tmp_path, "report.txt", GOALS), options=Options(model="lexical", use_store=False))
    by_text = {sg.text: a.verdicts[sg.id] for _, sg in a.subgoals()}
    for text in ("新增中小学学位不少于1.5万个。", "培训教师3000人次以上。", "公办园在园幼儿占比达到50%。", "建成示范校50所。"):
        v = by_text[text]
        assert v.status == Status.UNMET and not v.note.startswith("not yet due") and v.due is None, (text, v.note)
    v = by_text["到2026年，普惠性幼儿园覆盖率达到92%。"]
    assert v.status == Status.UNMET and v.note.startswith("not yet due") and v.due == 2026


def test_a_lead_before_the_items_still_reaches_them(tmp_path: Path):
    text = GOALS.replace("（一）部门整体绩效目标设立情况\n", "（一）部门整体绩效目标设立情况\n到2025年，教育服务能力明显提升。\n")
    deadlines = _targets(_write(tmp_path, "lead.txt", text))
    assert deadlines.pop("到2026年，普惠性幼儿园覆盖率达到92%。") == 2026
    assert set(deadlines.values()) == {2025}, deadlines


def test_a_later_sentence_of_a_goal_does_not_lend_its_year_to_the_earlier_ones(tmp_path: Path):
    text = """某区教育工作计划
一、年度绩效目标
1.学前教育更加普及。普惠率达到90%。到2026年，就近入学率达到99%。
2.新增学位2000个。
"""
    deadlines = _targets(_write(tmp_path, "plan.txt", text))
    assert deadlines == {"普惠率达到90%。": None, "到2026年，就近入学率达到99%。": 2026, "新增学位2000个。": None}, deadlines


def test_a_bare_year_that_opens_a_goal_is_its_deadline(tmp_path):
    """「2025年，学前教育普惠率达到90%」 in a 2022 report: 88% is not yet due, not a plain miss."""
    text = ("2022年度部门整体绩效评价报告\n一、部门整体绩效目标设立情况\n2025年，学前教育普惠率达到90%。\n"
            "2022年，新增学位2000个。\n二、整体绩效目标实现情况\n学前教育普惠率达到88%。\n全年新增学位1500个。\n")
    a = analyze(_write(tmp_path, "r.txt", text), options=Options(model="lexical", use_store=False))
    got = {sg.text: (sg.target.deadline, a.verdicts[sg.id]) for _, sg in a.subgoals()}
    deadline, v = got["2025年，学前教育普惠率达到90%。"]
    assert deadline == 2025 and v.status == Status.UNMET and v.note.startswith("not yet due") and v.due == 2025
    deadline, v = got["2022年，新增学位2000个。"]
    assert deadline == 2022 and v.status == Status.UNMET and v.due is None  # due this year: a plain miss


def test_a_rise_in_percentage_points_reaches_a_level_from_the_tables_baseline(tmp_path):
    """003's indicator table starts from its 2020 column: 普惠性幼儿园覆盖率 87 → ≥90 by 2025.
    "比2020年提高2个百分点" is 89%, short of it (and not yet due); 体质健康 62.4 + 10 = 72.4 > 70 is ahead."""
    from .conftest import SEED

    ev = _write(tmp_path, "summary.txt", "2022年度工作总结\n一、年度工作完成情况\n全市普惠性幼儿园覆盖率比2020年提高2个百分点。\n"
                "中小学生体质健康测试达标优良率比2020年提高10个百分点。\n智慧校园覆盖率比上年提高5个百分点。\n")
    a = analyze(SEED["003"], [ev], Options(model="lexical", use_store=False))
    table = {sg.text: sg for g in a.goals if g.kind == "table" for sg in g.subgoals}
    pu = table["普惠性幼儿园覆盖率（%）"]
    assert (pu.target.base_value, pu.target.base_year, pu.target.value) == (87.0, 2020, 90.0)
    v = a.verdicts[pu.id]
    assert v.status == Status.UNMET and v.due == 2025 and v.actual.unit == "百分点"
    # the note shows the level compared, not only the rise
    assert "(87% + 2百分点 = 89%) contradicts" in v.note and "≥90%" in v.note
    from linker.status import note_zh

    assert "（87% + 2百分点 = 89%），未达到目标" in note_zh(v.note) and note_zh(v.note).startswith("尚未到期")
    v = a.verdicts[table["中小学生体质健康测试达标优良率（%）"].id]
    assert v.status == Status.MET and v.note.startswith("interim")
    assert "(62.4% + 10百分点 = 72.4%) satisfies" in v.note
    # no 2020 column for 智慧校园覆盖率, and 比上年 is another base: no level can be read off
    smart = table["智慧校园覆盖率（%）"]
    assert smart.target.base_value is None and a.verdicts[smart.id].status not in (Status.MET, Status.UNMET)


def test_a_figure_stated_for_an_earlier_year_is_not_this_years_result(tmp_path):
    """A 2022 report recalls 2021's 2.5万 beside 2022's 1.5万: the 2022 target of 2万 is missed.
    The target's own year stays usable, and a figure whose year is the only one given
    (002, titled 2020, reports 2019 throughout) still decides."""
    text = ("2022年度部门整体绩效评价报告\n一、部门整体绩效目标设立情况\n全年新增中小学学位2万个。\n2021年底前培训教师3000人次。\n"
            "二、整体绩效目标实现情况\n2021年新增中小学学位2.5万个。2022年新增中小学学位1.5万个。\n2021年培训教师3200人次。\n")
    a = analyze(_write(tmp_path, "r.txt", text), options=Options(model="lexical", use_store=False))
    got = {sg.text: a.verdicts[sg.id] for _, sg in a.subgoals()}
    v = got["全年新增中小学学位2万个。"]
    assert v.status == Status.UNMET and v.actual.value == 1.5
    v = got["2021年底前培训教师3000人次。"]
    assert v.status == Status.MET and v.actual.value == 3200  # the target's own year
    text = text.replace("2021年培训教师3200人次。", "2021年培训教师3200人次，2022年培训教师2500人次。")
    a = analyze(_write(tmp_path, "r2.txt", text), options=Options(model="lexical", use_store=False))
    got = {sg.text: a.verdicts[sg.id] for _, sg in a.subgoals()}
    assert got["2021年底前培训教师3000人次。"].actual.value == 3200
    single = ("2020年度自评报告\n一、绩效目标\n普惠率达到76%。\n二、工作成效\n2019年,全市学前教育普惠率达80.73%。\n")
    a = analyze(_write(tmp_path, "r3.txt", single), options=Options(model="lexical", use_store=False))
    ((_, sg),) = list(a.subgoals())
    assert a.verdicts[sg.id].status == Status.MET


def test_the_year_a_sentence_states_for_a_figure():
    from linker.model import EvidenceUnit
    from linker.quantities import find_quantities
    from linker.status import _stated_year

    def years(text: str) -> list[int | None]:
        u = EvidenceUnit(id="e", doc_index=0, section_id="s", paragraph=0, start=0, end=len(text), text=text)
        return [_stated_year(u, q) for q in find_quantities(text, year=2022)]

    assert years("2021年新增学位2.5万个，2022年新增1.5万个。") == [2021, 2022]
    assert years("普惠率比2020年提高2个百分点。") == [None]
    assert years("普惠率从2020年的85%提高到92%。")[-1] is None
