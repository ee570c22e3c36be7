"""The domain thesaurus (linker/concepts.txt) and what matching makes of it."""

from __future__ import annotations

from collections import Counter

import pytest

from linker import concepts
from linker.errors import LinkerError
from linker.match import pair_features, signals
from linker.model import EvidenceUnit, Goal, SubGoal

GENERIC = {"提升", "提高", "加强", "推进", "完善", "深化", "全面", "进一步", "建设", "工作", "发展", "机制", "体系", "水平",
           "质量", "教育", "学校", "学生", "管理", "服务", "政府", "财政", "资金"}


def test_the_shipped_thesaurus_is_well_formed():
    th = concepts.default()
    assert len(th.concepts) >= 400
    uses = Counter(t for c in th.concepts for t in c.terms)
    assert not [t for t in uses if len(t) < 2 or not t.strip() or any(ch in t for ch in "，。、；：:（）() ")]
    assert max(uses.values()) <= 3, uses.most_common(3)
    assert not GENERIC & set(uses), "a lone generic word would make every sentence report the concept"
    names = [c.name for c in th.concepts]
    assert len(names) == len(set(names))


def test_goals_name_concepts_by_name_or_term_and_sentences_report_them_by_term():
    th = concepts.parse("两翼: 城市副中心 雄安 北三县\n# a comment\n维持学校正常运转: 基本支出 人员经费 公用经费\n")
    assert [c.name for c in th.concepts] == ["两翼", "维持学校正常运转"]
    goal = th.find("支持“两翼”教育改革发展，维持学校正常运转。")
    assert {th.concepts[k].name for k in goal} == {"两翼", "维持学校正常运转"}
    got = th.reported("雄安新区3所学校顺利推进，基本支出999176.59万元，人员经费、公用经费保障到位。")
    assert {th.concepts[k].name: words for k, words in got.items()} == {"两翼": {"雄安"}, "维持学校正常运转": {"基本支出", "人员经费", "公用经费"}}
    assert th.reported("支持两翼发展，维持学校正常运转。") == {}  # a name is the goal's word, not a report of results


def test_a_malformed_line_is_named():
    with pytest.raises(LinkerError, match=r"mine.txt:2: a concept line reads 'name: term term …'"):
        concepts.parse("两翼: 雄安\n只有名字没有词\n", source="mine.txt")
    with pytest.raises(LinkerError, match=r"mine.txt:1:"):
        concepts.parse("两翼:\n", source="mine.txt")


def _pair_features(goal: str, sentences: list[str]) -> list[dict[str, float]]:
    sg = SubGoal(id="g1.1", goal_id="g1", start=0, end=len(goal), text=goal)
    g = Goal(id="g1", section_id="s1", start=0, end=len(goal), text=goal, kind="paragraph", subgoals=[sg])
    units, pos = [], 0
    for k, s in enumerate(sentences):
        units.append(EvidenceUnit(id=f"e0.{k}", doc_index=0, section_id="s2", start=pos, end=pos + len(s), text=s, paragraph=k))
        pos += len(s) + 1
    sig, _ = signals([g], units, encoder=None)
    chosen = sig.retrieve(len(units))
    feats = pair_features([sg], units, sig, chosen)[0]
    return [next(f for f in feats if int(f["_j"]) == j) for j in range(len(units))]


def test_a_sentence_reporting_the_goals_concept_in_other_words_is_told_apart():
    """「支持"两翼"」 shares no word with 「雄安新区…」, but the thesaurus knows they are one concept."""
    two_wings, budget, other = _pair_features("支持“两翼”教育改革发展。", [
        "雄安新区3所“交钥匙”建设项目顺利推进。", "基本支出999176.59万元。", "开展校园足球联赛。"])
    assert two_wings["concept"] == 1.0 and two_wings["concept_new"] == 1.0 and two_wings["concept_idf"] > 0
    assert budget["concept"] == budget["concept_new"] == budget["concept_idf"] == 0.0
    assert other["concept"] == other["concept_new"] == 0.0
    assert two_wings["lex"] == 0.0  # nothing lexical to go on
    (same_words,) = _pair_features("推进雄安新区教育合作。", ["雄安新区3所学校建设项目顺利推进。"])
    assert same_words["concept"] == 1.0 and same_words["concept_new"] == 0.0  # the goal's own word: nothing new


def test_a_two_character_term_is_found_only_as_a_word_of_the_text():
    """外培 (外地培养) is not in 校外培训, 名师 not in 3万余名师生, 用能 not in 应用能力; whole words still are."""
    th = concepts.default()

    def names(text: str) -> set[str]:
        return {th.concepts[k].name for k in th.find(text)}

    assert not any("外培" in words for words in th.find("强化校外培训机构治理。").values())
    assert not any("名师" in words for words in th.reported("组织3万余名师生参与服务保障活动。").values())
    assert not any("用能" in words for words in th.reported("提升教师信息技术应用能力。").values())
    assert any("名师" in words for words in th.reported("评选市级名师100名。").values())
    # inside one longer word it is still found: 通州 in 通州区, 德育 in 德育工作
    assert any("通州" in words for words in th.reported("通州区新建学校3所。").values())
    assert any("德育" in words for words in th.reported("扎实开展德育工作。").values())
    assert "两翼" in names("支持“两翼”教育改革发展。")
    (wrong,) = _pair_features("加强名师工作室建设。", ["组织3万余名师生参与服务保障活动。"])
    assert wrong["concept"] == wrong["concept_idf"] == wrong["concept_new"] == 0.0


def test_a_users_concept_file_extends_the_thesaurus(tmp_path):
    """--concepts FILE adds concepts (and terms to a shipped one); a bad file is one line and exit 1."""
    from linker.pipeline import Options, analyze
    from tests.test_cli_errors import run

    mine = tmp_path / "mine.txt"
    mine.write_text("# 本部门的说法\n银发工程: 老年大学 老年学校\n两翼: 宝坻合作区\n", encoding="utf-8")
    th = concepts.load([mine])
    assert len(th.concepts) == len(concepts.default().concepts) + 1
    wings = next(c for c in th.concepts if c.name == "两翼")
    assert "宝坻合作区" in wings.terms and "雄安" in wings.terms
    report = tmp_path / "r.txt"
    report.write_text("2022年度部门整体绩效评价报告\n一、部门整体绩效目标设立情况\n支持银发工程建设。\n"
                      "二、整体绩效目标实现情况\n新建老年大学3所。\n开展校园足球联赛。\n", encoding="utf-8")

    def features(**kw):
        a = analyze(report, options=Options(model="lexical", use_store=False, **kw))
        ((_, sg),) = list(a.subgoals())
        return {a.unit_by_id[c.evidence_id].text: c.features for c in a.candidates[sg.id]}

    plain, extended = features(), features(concepts=(mine,))
    assert plain["新建老年大学3所。"]["concept_new"] == 0.0
    assert extended["新建老年大学3所。"]["concept_new"] == 1.0 and extended["新建老年大学3所。"]["concept"] == 1.0
    assert extended["开展校园足球联赛。"]["concept"] == 0.0
    # what the command line says of a bad file, before any analysis
    bad = tmp_path / "bad.txt"
    bad.write_text("银发工程 老年大学\n", encoding="utf-8")
    short = tmp_path / "short.txt"
    short.write_text("托育: 托 托育园\n", encoding="utf-8")
    for path, message in ((bad, f"{bad}:1: a concept line reads 'name: term term …'"),
                          (short, f"{short}:1: a term needs two characters or more (托)"),
                          (tmp_path / "none.txt", "no such file"), (tmp_path, "a folder, not a concept file")):
        res = run("analyze", str(report), "-m", "lexical", "--no-store", "--concepts", str(path))
        assert res.returncode == 1 and message in res.stderr and "Traceback" not in res.stderr
    # terms listed as Chinese lists them
    listed = tmp_path / "listed.txt"
    listed.write_text("银发工程: 老年大学、老年学校，养老驿站\n", encoding="utf-8")
    assert concepts.load([listed]).concepts[-1].terms == ("老年大学", "老年学校", "养老驿站")
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("银发工程: 老年大学\n".encode("gb18030"))
    with pytest.raises(LinkerError, match="not UTF-8"):
        concepts.load([gbk])


def test_batch_runs_a_report_again_when_its_concept_file_changes(tmp_path):
    from linker.batch import settings_of
    from linker.pipeline import Options

    mine = tmp_path / "mine.txt"
    mine.write_text("银发工程: 老年大学\n", encoding="utf-8")
    before = settings_of(Options(concepts=(mine,)), ["html"])
    mine.write_text("银发工程: 老年大学 老年学校\n", encoding="utf-8")
    assert settings_of(Options(concepts=(mine,)), ["html"]) != before
    assert settings_of(Options(), ["html"]) != before
