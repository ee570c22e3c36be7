"""产出 / 效果: blocks and categories of sub-goals, the report's own scores, and suggested ones.

The 财政部 performance framework (DOMAIN.md) scores indicators in two blocks:

* 产出: 数量, 质量, 时效, 成本;
* 效果: 经济效益, 社会效益, 生态效益, 可持续影响, 满意度.

:func:`classify` gives every sub-goal a block, a category and a confidence: keyword
rules first (满意 → 满意度, 及时率 → 时效, 准确率/达标率 → 质量, 就业/公平/惠及 →
社会效益, 机制/体系 → 可持续影响 …); when no keyword fires, or two categories tie,
the sub-goal's embedding is compared with short descriptions of each category
(embedded once with the same encoder and cached through :func:`linker.encoders.embed`).
Without an encoder (``--model lexical``) an activity with no keyword is read as a
planned work item, 产出/数量, with a low confidence. What a self-evaluation table
states itself (一级/二级指标 columns, confidence 1.0) is kept; a table row the table
marks as 管理类指标 keeps the block ``管理`` (neither 产出 nor 效果). A goal's block is
the majority of its sub-goals' (:func:`goal_block`). Evaluators override either with
:func:`apply_overrides` (``--block-override g3.2=效果/社会效益`` or the annotation store).

:func:`self_reported` reads the report's own 产出/效果 scores from its 评分表;
:func:`suggest` computes, per block, the share of sub-goals evidenced / met and a
score with the rules the report states (seed 000 附件1):

* 计划完成率 = 实际完成工作数 / 计划工作数; the score is that rate × the block's weight,
  i.e. every sub-goal is one planned item of equal weight (a table row: its own 权重);
* a sub-goal with a target and a reported figure scores actual / target × weight
  (positive indicator) or target / actual × weight (negative indicator), at most the weight;
* where the target was set too low, (actual − target) / target ≥ 200% / 300% / 500%
  costs 10% / 20% / 30% of the weight;
* other sub-goals score their full weight when met or evidenced, nothing otherwise.

A report that states other rules is scored by them (:func:`stated_rules`): a
self-evaluation table whose 评价标准 says "达到目标得满分，未达到按完成比例得分" gives a row
that reaches its target its full weight, however far beyond (no over-target penalty), and
one below it its completion ratio. A report that states none is scored by the rules above,
and the rules text says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from linker.errors import LinkerError
from linker.model import Document, Goal, Quantity, Status, SubGoal

if TYPE_CHECKING:
    from linker.encoders import EmbeddingCache, Encoder
    from linker.pipeline import Analysis

OUTPUT, OUTCOME, MANAGEMENT = "产出", "效果", "管理"
BLOCKS = (OUTPUT, OUTCOME)
CATEGORIES: dict[str, tuple[str, ...]] = {
    OUTPUT: ("数量", "质量", "时效", "成本"),
    OUTCOME: ("经济效益", "社会效益", "生态效益", "可持续影响", "满意度"),
    MANAGEMENT: ("管理",),
}
_BLOCK_OF = {c: b for b, cs in CATEGORIES.items() for c in cs}

# (category, weight, keywords): a hit adds the weight; 满意 outweighs everything. A keyword is a
# word, or a pattern where a bare word would misfire: 支出 is a cost only as the budget's
# (财政教育支出, 支出结构; not 家庭教育支出), 新增 a count only before a figure or a countable
# thing (新增学位2万个; not 新增劳动力平均受教育年限).
_COST_SPENDING = re.compile(
    r"(?:财政|预算|公共|项目|基本|经费|行政|部门|资金|三公)\S{0,4}?支出|支出(?:结构|规模|进度|标准|预算|控制|成本)"
    r"|(?:压减|控制|节约|压缩|节省)\S{0,4}?支出"
)
_NEW_COUNT = re.compile(r"新增[^，。；,;]{0,10}?\d|新增(?:学位|学校|校舍|园所|幼儿园|班级|床位|岗位|项目|校区|面积|设施)")
_KEYWORDS: list[tuple[str, float, tuple[str | re.Pattern[str], ...]]] = [
    ("满意度", 4.0, ("满意",)),
    ("时效", 2.0, ("及时率", "及时", "按时", "按期", "如期", "时效", "时限", "进度", "完成时间")),
    ("质量", 2.0, ("质量", "达标率", "合格率", "准确率", "优良率", "达标", "合格", "准确", "优质", "标准化", "规范化")),
    ("成本", 2.0, ("成本", "节约", "公用经费", "经费", re.compile(r"预算(?!收入)"), "资金", "费用", _COST_SPENDING)),
    ("经济效益", 2.0, ("经济", "产业", "产值", "增收", "收入", "成果转化", "科技成果", "创新能力", "营商")),
    # macro outcomes of a government work report: growth, prices, revenue, trade
    (
        "经济效益",
        2.0,
        ("国内生产总值", "GDP", "居民消费价格", "消费价格", "物价", "财政收入", "预算收入", "进出口", "外贸", "投资增长"),
    ),
    ("社会效益", 2.0, ("就业", "失业", "惠及", "受益", "负担", "减负")),  # outcomes for people outweigh the 新增 of a count
    (
        "社会效益",
        1.5,
        (
            "公平",
            "权益",
            "帮扶",
            "资助",
            "困难",
            "民生",
            "群众",
            "普惠",
            "入学率",
            "入园率",
            "覆盖率",
            "保障",
            "安全",
            "健康",
            "教育机会",
            "受教育年限",
            "受教育程度",
        ),
    ),
    (
        "生态效益",
        2.5,
        ("生态", "环境效益", "绿色", "节能", "减排", "能耗", "污染", "排放", "垃圾分类", "绿化", "环保", "低碳"),
    ),
    ("可持续影响", 1.5, ("长效", "机制", "体系", "制度", "可持续", "常态化", "一体化")),
    ("数量", 1.5, (_NEW_COUNT, "新建", "改扩建", "数量", "个数", "学位", "人次", "场次", "建成", "培训", "培养规模", "扩大")),
]
#: short descriptions of each category, embedded once to break ties (DOMAIN.md's framework)
PROTOTYPES: dict[str, str] = {
    "数量": "完成的工作任务数量：新增、新建、开展、培训的个数、人数、项目数和学位数",
    "质量": "工作完成的质量：达标率、合格率、准确率，教育教学质量和水平的提升",
    "时效": "按时完成工作任务：及时率、工作进度和完成时限",
    "成本": "成本控制和经费节约：资金支出、预算执行与单位成本",
    "经济效益": "对经济发展带来的直接或间接影响：产业发展、科技成果转化、收入增长",
    "社会效益": "对社会发展带来的直接或间接影响：促进教育公平、保障民生、惠及群众、就业和受教育机会",
    "生态效益": "对生态环境带来的影响：绿色校园、节能减排、环境保护",
    "可持续影响": "长效机制建设和制度体系完善，工作效率提升和可持续发展能力",
    "满意度": "服务对象对工作效果的满意程度，满意度调查结果",
}
_ORDER = list(PROTOTYPES)
_TEMPERATURE = 0.01  # e5 cosines lie close together: a sharp softmax


def keyword_scores(text: str) -> dict[str, float]:
    """Category → summed weight of the keywords found in ``text``."""
    out: dict[str, float] = {}
    for cat, w, words in _KEYWORDS:
        hits = sum(1 for k in words if (k in text if isinstance(k, str) else k.search(text)))
        if hits:
            out[cat] = out.get(cat, 0.0) + w * (1 + 0.25 * (hits - 1))
    return out


def _prototype_probs(texts: list[str], encoder: Encoder, cache: EmbeddingCache | None) -> list[dict[str, float]]:
    import numpy as np

    from linker.encoders import embed

    if not texts:
        return []
    protos = embed(encoder, [PROTOTYPES[c] for c in _ORDER], query=True, cache=cache)
    vecs = embed(encoder, texts, query=True, cache=cache)
    sims = vecs @ protos.T
    if len(texts) >= 8:
        # every sentence of a report resembles some descriptions more than others (社会效益 for
        # anything about education): compare each category with its own mean over the report
        sims = sims - sims.mean(axis=0, keepdims=True)
    out = []
    for row in sims:
        z = (row - row.max()) / _TEMPERATURE
        p = np.exp(z)
        p = p / p.sum()
        out.append({c: float(p[i]) for i, c in enumerate(_ORDER)})
    return out


def _decide(text: str, proto: dict[str, float] | None, allowed: tuple[str, ...] | None) -> tuple[str, float]:
    """The category of one text and a confidence in (0, 1)."""
    kw = keyword_scores(text)
    cats = list(allowed) if allowed else _ORDER
    kw = {c: v for c, v in kw.items() if c in cats}
    if proto is not None:
        ps = {c: proto[c] for c in cats}
        total = sum(ps.values()) or 1.0
        ps = {c: v / total for c, v in ps.items()}
    else:
        ps = None
    if kw:
        total = sum(kw.values())
        share = {c: v / total for c, v in kw.items()}
        if ps is not None:
            mixed = {c: 0.85 * share.get(c, 0.0) + 0.15 * ps[c] for c in cats}
        else:
            mixed = {c: share.get(c, 0.0) for c in cats}
        best = max(mixed, key=lambda c: (mixed[c], kw.get(c, 0.0)))
        ranked = sorted(mixed.values(), reverse=True)
        margin = ranked[0] - (ranked[1] if len(ranked) > 1 else 0.0)
        return best, round(min(0.95, 0.55 + 0.4 * margin), 3)
    if ps is not None:
        # no keyword: most goal sentences are planned work items (计划完成率), so 数量 starts ahead
        if "数量" in ps:
            ps = {c: 0.6 * v + (0.4 if c == "数量" else 0.0) for c, v in ps.items()}
        best = max(ps, key=lambda c: ps[c])
        return best, round(min(0.7, 0.25 + 0.45 * ps[best]), 3)
    # no keyword, no model: an activity is a planned work item
    default = "数量" if "数量" in cats else cats[0]
    return default, 0.3


def classify(goals: list[Goal], *, encoder: Encoder | None = None, cache: EmbeddingCache | None = None) -> None:
    """Set ``block``, ``category`` and ``category_confidence`` of every sub-goal (in place).

    A block and category the report states itself (confidence 1.0) are kept; a block
    stated without a category gets the best category of that block.
    """
    todo = [sg for g in goals for sg in g.subgoals if not (sg.category and sg.category_confidence >= 1.0)]
    protos = _prototype_probs([sg.text for sg in todo], encoder, cache) if encoder is not None else [None] * len(todo)
    for sg, proto in zip(todo, protos, strict=True):
        # a block the report states without a category (产出类指标): choose among its categories
        allowed = CATEGORIES.get(sg.block) if sg.block and sg.category is None else None
        cat, conf = _decide(sg.text, proto, allowed)
        sg.block = sg.block if allowed else _BLOCK_OF[cat]
        sg.category = cat
        sg.category_confidence = conf


def goal_block(goal: Goal) -> tuple[str | None, str | None, float]:
    """A goal's block (the majority of its sub-goals'), its commonest category there, and a confidence."""
    blocks = [sg.block for sg in goal.subgoals if sg.block]
    if not blocks:
        return None, None, 0.0
    counts = {b: blocks.count(b) for b in dict.fromkeys(blocks)}
    block = max(counts, key=lambda b: (counts[b], b == OUTPUT))
    cats = [sg.category for sg in goal.subgoals if sg.block == block and sg.category]
    cat = max(dict.fromkeys(cats), key=cats.count) if cats else None
    inside = [sg.category_confidence for sg in goal.subgoals if sg.block == block]
    conf = (sum(inside) / len(inside)) * (counts[block] / len(goal.subgoals))
    return block, cat, round(conf, 3)


# --------------------------------------------------------------------------
# overrides
# --------------------------------------------------------------------------
def parse_override(spec: str) -> tuple[str, tuple[str, str | None]]:
    """``"g3.2=效果/社会效益"`` → ``("g3.2", ("效果", "社会效益"))``; ``"g3=产出"`` leaves the category open."""
    key, sep, value = spec.partition("=")
    key, value = key.strip(), value.strip()
    if not sep or not key or not value:
        raise LinkerError(f"--block-override '{spec}': write it as SUBGOAL=BLOCK/CATEGORY, e.g. g3.2=效果/社会效益")
    block, _, cat = value.partition("/")
    return key, _check(spec, block.strip(), cat.strip() or None)


def _check(spec: str, block: str, cat: str | None) -> tuple[str, str | None]:
    if block == "效益":
        block = OUTCOME
    if block not in CATEGORIES:
        raise LinkerError(f"block override '{spec}': the block must be 产出 or 效果 (or 管理), not '{block}'")
    if cat is not None:
        cat = {"环境效益": "生态效益", "服务对象满意度": "满意度", "进度": "时效", "可持续性影响": "可持续影响"}.get(cat, cat)
        if cat not in CATEGORIES[block]:
            raise LinkerError(f"block override '{spec}': {block} has the categories {'、'.join(CATEGORIES[block])}, not '{cat}'")
    return block, cat


def apply_overrides(goals: list[Goal], overrides: dict[str, Any]) -> list[str]:
    """Set blocks and categories an evaluator decided (confidence 1.0). Returns the ids not found.

    ``overrides`` maps a sub-goal id (``g3.2``) or a goal id (``g3``: all its sub-goals)
    to ``(block, category)``, ``"block/category"`` or ``"block"``.
    """
    by_sg = {sg.id: sg for g in goals for sg in g.subgoals}
    by_goal = {g.id: g for g in goals}
    missing = []
    for key, value in overrides.items():
        if isinstance(value, str):
            b, _, c = value.partition("/")
            block, cat = _check(f"{key}={value}", b.strip(), c.strip() or None)
        else:
            block, cat = _check(f"{key}={value}", value[0], value[1] if len(value) > 1 else None)
        targets = [by_sg[key]] if key in by_sg else list(by_goal[key].subgoals) if key in by_goal else []
        if not targets:
            missing.append(key)
        for sg in targets:
            if cat is None and sg.category not in CATEGORIES[block]:
                cat_ = _decide(sg.text, None, CATEGORIES[block])[0]
            else:
                cat_ = cat or sg.category
            sg.block, sg.category, sg.category_confidence = block, cat_, 1.0
    return missing


# --------------------------------------------------------------------------
# the report's own scores
# --------------------------------------------------------------------------
@dataclass
class SelfScore:
    block: str
    score: float
    max: float | None
    text: str  # the cell as written, e.g. 产出（30）


_BLOCK_CELL = re.compile(r"^(产出|效果|效益)(?:指标)?\s*[（(]\s*(\d+(?:\.\d+)?)\s*分?\s*[)）]$")


def _num(text: str) -> float | None:
    t = text.strip()
    return float(t) if re.fullmatch(r"\d+(?:\.\d+)?", t) else None


def self_reported(doc: Document) -> dict[str, SelfScore] | None:
    """The 产出 / 效果 scores and weights of the report's 评分表 (e.g. 产出（30）… 28.41), or None."""
    from linker.selfeval import cells

    found: dict[str, SelfScore] = {}
    score_col: int | None = None
    weight_col: int | None = None
    for b in doc.blocks:
        if b.kind != "table_row":
            continue
        spans = cells(doc, b)
        ts = [re.sub(r"\s+", "", doc.text[x:y]) for x, y in spans]
        if "得分" in ts:
            score_col = ts.index("得分")
            weight_col = ts.index("分值") if "分值" in ts else None
            continue
        for k, t in enumerate(ts):
            m = _BLOCK_CELL.match(t)
            if m is None:
                continue
            block = OUTPUT if m.group(1) == "产出" else OUTCOME
            weight = float(m.group(2))
            score = _num(ts[score_col]) if score_col is not None and score_col < len(ts) else None
            if score is None:  # no header: the last number after the label that fits in the weight
                nums = [v for v in (_num(x) for x in ts[k + 1 :]) if v is not None and v <= weight]
                score = nums[-1] if nums else None
            if weight_col is not None and weight_col < len(ts) and _num(ts[weight_col]) is not None:
                weight = _num(ts[weight_col]) or weight
            if score is not None and block not in found:
                found[block] = SelfScore(block, score, weight, doc.text[spans[k][0] : spans[k][1]])
            break
    return found or None


# --------------------------------------------------------------------------
# suggested scores
# --------------------------------------------------------------------------
_PENALTIES = ((5.0, 0.30), (3.0, 0.20), (2.0, 0.10))  # (actual − target) / target ≥ x → share of the weight lost


def _plain(q: Quantity) -> float:
    from linker.quantities import normalise_unit

    _, factor = normalise_unit(q.unit)
    if factor == 1.0 and q.scale not in (0.0, 1.0):
        factor = q.scale
    return q.value * factor


@dataclass(frozen=True)
class Rules:
    """How a report scores an indicator against its target."""

    source: str  # report | table | default
    ratio: bool = True  # below the target: actual / target × weight (反向: target / actual)
    over_penalty: bool = True  # the 200% / 300% / 500% over-target cuts
    quote: str = ""  # the rule as the report states it


DEFAULT_RULES = Rules("default")
# "达到目标得满分，未达到按完成比例得分或不得分" (a 绩效自评表's 评价标准 column)
_FULL_MARKS = re.compile(r"(?:达到|完成|实现)(?:年度)?(?:绩效)?(?:目标值?|指标值)(?:的|即|要求)?(?:得|计|给)满分[^。\t|\n]{0,30}")
_PROPORTIONAL = re.compile(r"按(?:完成)?比例|按完成(?:率|程度)|实际值?/(?:年度)?(?:指标|目标)值")


def stated_rules(doc: Document) -> Rules:
    """The scoring rules a report states: 000's 评分表 (正向/反向指标 formulas and the over-target
    cuts), a self-evaluation table's 评价标准 ("达到目标得满分…"), or none (the default rules)."""
    t = doc.text
    if "正向指标" in t and "反向指标" in t:
        m = re.search(r"[^。\n]*正向指标[^。\n]*", t)
        return Rules("report", True, bool(re.search(r"设定偏低|设置偏低|指标值偏低|200%", t)), m.group(0).strip() if m else "")
    m = _FULL_MARKS.search(t)
    if m:
        return Rules("table", bool(_PROPORTIONAL.search(m.group(0))), False, m.group(0).strip())
    return DEFAULT_RULES


def _row_rules(doc: Document, sg: SubGoal, rules: Rules) -> Rules:
    """The rules the sub-goal's own table row states in its 评价标准 cell, else the report's."""
    for b in doc.blocks:
        if b.kind == "table_row" and b.start <= sg.start < b.end:
            m = _FULL_MARKS.search(doc.text, b.start, b.end)
            if m:
                return Rules("table", bool(_PROPORTIONAL.search(m.group(0))), False, m.group(0).strip())
            break
    return rules


def _target_of(sg: SubGoal, actual: Quantity | None) -> Quantity | None:
    """The target of a 分别 list the deciding figure answers (普惠率 45% against 普惠率 ≥90%, not 入园率 ≥95%)."""
    if actual is None or not sg.more_targets or not actual.quantity:
        return sg.target
    from linker.status import noun_match

    targets = [t for t in (sg.target, *sg.more_targets) if t is not None and t.quantity]
    return max(targets, key=lambda t: noun_match(t.quantity, actual.quantity, sg.text), default=sg.target)


def earned(
    weight: float, status: Status, target: Quantity | None, actual: Quantity | None, rules: Rules = DEFAULT_RULES
) -> tuple[float, str]:
    """Points one sub-goal earns of its weight, and the rule that gave them."""
    from linker.status import comparable, is_change

    ok = comparable(actual, target) if target is not None and actual is not None and not is_change(target) else None
    if target is not None and actual is not None and ok is not None:
        t, a = _plain(target), _plain(actual)
        negative = target.polarity == "negative" or target.comparator in ("<=", "<")
        if t > 0 and a > 0:
            if ok and not rules.over_penalty:
                return weight, "达到目标得满分"
            if not ok and not rules.ratio:
                return 0.0, "未达到目标不得分"
            ratio = min(1.0, t / a if negative else a / t)
            pts = ratio * weight
            rule = "反向指标 目标/实际" if negative else "正向指标 实际/目标"
            if not negative and rules.over_penalty:
                over = (a - t) / t
                cut = next((share for limit, share in _PENALTIES if over >= limit - 1e-9), 0.0)
                if cut:
                    pts -= cut * weight
                    rule += f"，超目标{over:.0%}扣{cut:.0%}"
            return max(0.0, pts), rule
    if status in (Status.MET, Status.EVIDENCED):
        return weight, "完成"
    return 0.0, "未见完成证据" if status in (Status.WEAK, Status.UNEVIDENCED) else "未完成"


def _rules_text(rules: Rules) -> str:
    """The rules text of :func:`suggest`: what was applied, and where it comes from."""
    common = (
        "计划完成率 = 实际完成工作数 / 计划工作数，每个子目标视为一项等权计划工作（自评表的行按其指标权重）；"
        "达成或有佐证的子目标计满分；"
    )
    ratio = "正向指标得分 = 实际值/目标值 × 权重，反向指标得分 = 目标值/实际值 × 权重，不超过权重"
    tail = (
        "“有佐证”计入有采纳佐证或有实际值（达成、未达成或定性）的子目标；佐证比例 = （达成 + 定性佐证）/ 子目标数；"
        "差异子目标按失分从多到少列出。"
    )
    if rules.source == "table":
        below = f"未达到的按完成比例得分（{ratio}）" if rules.ratio else "未达到的不得分"
        return (
            f"建议得分依据报告自评表所述评价标准（“{rules.quote}”）计算：{common}"
            f"有目标值且有实际值的指标，达到目标即得满分（超出目标不扣分），{below}。{tail}"
        )
    source = "报告评分表所述规则" if rules.source == "report" else "财政部绩效评价通行规则（报告未载明评分规则）"
    over = (
        "（实际值 − 目标值）/目标值 ≥ 200% / 300% / 500% 时分别扣减权重的 10% / 20% / 30%。"
        if rules.over_penalty
        else "超出目标不扣分。"
    )
    return f"建议得分依据{source}计算：{common}有目标值且有实际值的子目标，{ratio}；{over}{tail}"


def suggest(a: Analysis) -> dict[str, Any]:
    """Per block: counts, share supported, suggested and self-reported scores, and the sub-goals that differ."""
    from linker.selfeval import rows_by_span

    own = self_reported(a.goal_doc) or {}
    rows = rows_by_span(a.goal_doc)
    rules = stated_rules(a.goal_doc)
    out = []
    for block in BLOCKS:
        sgs: list[SubGoal] = [sg for _, sg in a.subgoals() if sg.block == block]
        statuses = [a.verdicts[sg.id].status for sg in sgs]
        n = len(sgs)
        met = statuses.count(Status.MET)
        unmet = statuses.count(Status.UNMET)
        qual = statuses.count(Status.EVIDENCED)
        table_w = {sg.id: rows[(sg.start, sg.end)][1].weight for sg in sgs if (sg.start, sg.end) in rows}
        table_w = {k: v for k, v in table_w.items() if v is not None}
        mine = own.get(block)
        if mine is not None and mine.max is not None:
            top: float | None = mine.max
        elif table_w:
            top = float(sum(table_w.values()))
        else:
            top = None
        losses: list[tuple[float, str]] = []
        total = 0.0
        if top is not None and n:
            scale = top / sum(table_w.values()) if table_w and mine is not None and sum(table_w.values()) else 1.0
            for sg, st in zip(sgs, statuses, strict=True):
                if table_w:
                    w = table_w.get(sg.id, 0.0) * scale
                else:
                    w = top / n
                v = a.verdicts[sg.id]
                pts, _ = earned(w, st, _target_of(sg, v.actual), v.actual or sg.actual, _row_rules(a.goal_doc, sg, rules))
                total += pts
                if w - pts > 1e-9:
                    losses.append((w - pts, sg.id))
        else:
            losses = [(1.0, sg.id) for sg, st in zip(sgs, statuses, strict=True) if st not in (Status.MET, Status.EVIDENCED)]
        losses.sort(key=lambda x: -x[0])
        out.append(
            {
                "block": block,
                "subgoals": n,
                "evidenced": met + unmet + qual,
                "met": met,
                "unmet": unmet,
                "share_supported": round((met + qual) / n, 4) if n else 0.0,
                "suggested": round(total, 2) if top is not None and n else None,
                "self_reported": mine.score if mine is not None else None,
                "max": top,
                "differences": [sid for _, sid in losses],
            }
        )
    return {"blocks": out, "rules": _rules_text(rules)}
