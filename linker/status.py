"""Statuses of sub-goals and goals from their accepted evidence (and from self-evaluation tables).

Sub-goal, in order:

``met``          a reported number about the target's quantity satisfies it (units and
                 scale normalised: 1.3万 = 13000; 百分点 against a % level through the
                 baseline); when the deadline lies after the evidence year the figure is
                 an interim one and the note says so ("interim: … already reaches the
                 2025 target") — never a silent ``met``;
``unmet``        such a number contradicts it (普惠率 88% against ≥ 90%), or a problem
                 sentence (存在的问题) is the only accepted evidence; when the deadline
                 lies after the evidence year the note says "not yet due";
``evidenced``    qualitative evidence accepted;
``weak``         nothing accepted, but a doubtful candidate;
``unevidenced``  nothing convincing.

A sub-goal that is a row of a self-evaluation table (项目支出绩效自评表) is judged from
the table itself: its 完成值 against its 指标值 (see :mod:`linker.selfeval`), with
flags for an empty 完成值 or 偏差原因. A deadline written at the head of a goal
("到2025年，…") is given to its sub-goals' targets that state none. The evidence year
is that of each figure's own document (a plan judged against several later reports).

A target stated inside an evidence sentence ("未能完成“新增2万个学位”任务，新增学位
1.2万个") is never its own evidence: the sentence's restatement of it is skipped and
the figure beside it decides. A figure about the target's noun that cannot be set
against it (85.7分 against ≥90%, 99%以上 against >99%) is named as such in the note.

Notes are in English (the JSON report keeps them); :func:`note_zh` gives every note
this module, :mod:`linker.selfeval` and :mod:`linker.feedback` write in Chinese, for
the reports people read.

Problem statements among a sub-goal's candidates (negative evidence that scored at
least "weak") are kept in :attr:`Verdict.problems`, accepted or not, so they are shown.

Goals roll up: all met → ``met``; all with accepted evidence → ``unmet`` if any is
unmet, else ``evidenced``; none with accepted evidence → ``unevidenced`` (``weak`` when
some are weak); a mix of sub-goals with and without evidence → ``partial``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from linker.model import Candidate, EvidenceUnit, Goal, Quantity, Status, SubGoal

if TYPE_CHECKING:
    from linker.match import Scorer
    from linker.model import Document

#: the year the evidence speaks of: one for all of it, or one per evidence document (doc_index → year)
Years = int | Mapping[int, "int | None"] | None


@dataclass
class Verdict:
    status: Status
    note: str = ""
    actual: Quantity | None = None  # the number that decided met / unmet
    evidence_id: str | None = None
    source: str = "evidence"  # evidence | table | none
    flags: list[str] = field(default_factory=list)  # what an evaluator should check (empty 完成值 …)
    problems: list[str] = field(default_factory=list)  # ids of problem sentences (存在的问题) among the candidates
    due: int | None = None  # the target's deadline when it lies after the evidence year


# generic heads of measured nouns: two nouns sharing only these do not measure the same thing
_TAILS = sorted(
    [
        "覆盖率",
        "达标率",
        "合格率",
        "优良率",
        "完成率",
        "执行率",
        "准确率",
        "及时率",
        "普及率",
        "满意度",
        "满意率",
        "比例",
        "比重",
        "占比",
        "人数",
        "人次",
        "数量",
        "个数",
        "规模",
        "面积",
        "金额",
        "总额",
        "增长率",
        "增速",
        "水平",
        "率",
        "数",
        "量",
        "额",
    ],
    key=len,
    reverse=True,
)


def _split_noun(noun: str) -> tuple[str, str]:
    n = re.sub(r"[（(][^）)]*[）)]$|[\s“”\"]", "", noun)
    for t in _TAILS:
        if n.endswith(t):
            return n[: -len(t)], t
    return n, ""


# the verbs of an addition, which a noun may carry in any place (新增小学学位, 小学新增学位, 小学学位增加);
# a noun without one counts a stock, not what was added to it
_VERBLESS = re.compile(r"新增|增加|新建")


def noun_match(a: str | None, b: str | None, context: str | None = None) -> int:
    """How surely two measured nouns name the same thing: 2 sure, 1 likely, 0 no.

    2: one holds the other and the shorter says more than a generic head
    (入园率 in 学前三年入园率; not 覆盖率 in 集团化办学覆盖率), unless only the longer
    names an addition (新增小学学位 against the stock 小学学位 → 0); also 2: the same
    noun with its verb of addition in another place (新增小学学位, 小学新增学位);
    1: their specific parts share a stretch of two characters or more that covers most
    (60%) of the shorter one (普惠率 and 普惠性幼儿园覆盖率), never through generic heads
    alone (集团化办学覆盖率 vs 普惠性幼儿园覆盖率 → 0, 义务教育就近入学比例 vs
    义务教育专任教师…比例 → 0).

    ``context`` is the text of the sub-goal whose target noun is ``a``; with it, also 1:
    a target noun that is only a generic head (覆盖率, 达标率, 满意度) and ``b`` ending with
    it, the rest of ``b`` named in the sub-goal ("推进智慧校园建设，覆盖率达到90%" and
    智慧校园覆盖率); or ``b`` written around the sub-goal's figure ("新增2万个中小学学位"
    and 新增学位).
    """
    if not a or not b:
        return 0
    a = re.sub(r"\s+", "", a)
    b = re.sub(r"\s+", "", b)
    bare_a, bare_b = _VERBLESS.sub("", a), _VERBLESS.sub("", b)
    if a == b or (bare_a != a and bare_b != b and len(bare_a) >= 2 and bare_a == bare_b):
        return 2  # 小学新增学位, 新增小学学位 and 小学学位增加 are one count (but 城镇就业人数 is no 新增 one)
    ha, _ = _split_noun(a)
    hb, _ = _split_noun(b)
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    hs = ha if short == a else hb
    if short in long_ and len(short) >= 2 and hs:
        # 新增小学学位 holds 小学学位, but what was added is not the stock (:func:`_figures` reads
        # "小学学位新增2400个", the verb before the figure, as an addition)
        stock = not _VERBLESS.search(short) and not (short == a and context and _VERBLESS.search(context))
        return 0 if _VERBLESS.search(long_) and stock else 2  # (a target "新增2万个学位" is an addition itself)
    if context and _in_context(a, b, ha, re.sub(r"\s+", "", context)):
        return 1
    if _diverge(ha, hb):
        return 0
    if len(ha) >= 2 and len(hb) >= 2 and _common(ha, hb) >= max(2.0, 0.6 * min(len(ha), len(hb))):
        return 1
    return 0


def _in_context(a: str, b: str, ha: str, context: str) -> bool:
    """:func:`noun_match` through the sub-goal's words (see there)."""
    if not ha and len(a) >= 2 and b.endswith(a) and len(b) > len(a):
        rest = b[: -len(a)]
        if _common(rest, context) >= max(2.0, 0.6 * len(rest)):
            return True
    for k in range(2, len(b) - 1):  # 新增|学位 around "新增2万个中小学学位"
        if _common(b[k:], a) < 2:
            continue  # the part after the figure must be the target's own noun, not another figure's (幼儿园 for 学位)
        head, tail = re.escape(b[:k]), re.escape(b[k:])
        if re.search(head + r"[“”\"]?\d[\d.,]*(?:[%％万亿千百]|余|多)*[^\d，。；,;]{0,10}?" + tail, context):
            return True
    return False


def _diverge(a: str, b: str) -> bool:
    """Same stem, different things: 一般公共预算|收入 against 一般公共预算|支出, 进口 against 出口."""
    k = 0
    while k < min(len(a), len(b)) and a[k] == b[k]:
        k += 1
    return k >= 2 and len(a) - k >= 2 and len(b) - k >= 2


def _common(a: str, b: str) -> int:
    """Length of the longest common stretch of two strings."""
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            if a[i:j] in b:
                best = j - i
            else:
                break
    return best


def describe(q: Quantity) -> str:
    """A figure as an evaluator reads it: "普惠率 ≥90%"."""
    comp = {">=": "≥", "<=": "≤", "~": "≈", "=": "", ">": ">", "<": "<"}.get(q.comparator, q.comparator)
    value = f"{q.value:g}"
    unit = q.unit or ""
    if q.approx and q.comparator == ">":  # 2万余个: 余 says "more than" itself
        from linker.quantities import unit_with_more

        comp, unit = "", unit_with_more(unit)
    return f"{q.quantity or ''} {comp}{value}{unit}".strip()


def due_context(status: Status, note: str, deadline: int | None, evidence_year: int | None) -> tuple[Status, str]:
    """Say when a figure is measured before its target is due (met: interim; unmet: not yet due)."""
    if deadline is None or evidence_year is None or evidence_year >= deadline:
        return status, note
    if status == Status.MET:
        return status, f"interim: {note} in {evidence_year}, ahead of the {deadline} deadline"
    if status == Status.UNMET:
        return status, f"not yet due: {note} in {evidence_year}; the target is due by {deadline}"
    return status, note


# a noun that names a change itself: 居民消费价格涨幅 3%, 经济增速 6%, 收入增长 5% (a rate of change, not a level)
_CHANGE_NOUN = re.compile(r"(?:涨幅|增幅|增速|增长率|增长|上涨|提速)$")
_FALL_NOUN = re.compile(r"(?:降幅|下降率|下降|降低|减幅)$")


def _as_change(q: Quantity) -> Quantity:
    """A 百分点 figure is a change: read it as an increase unless it says otherwise; so is a
    figure whose noun names a change (涨幅, 增速, 增长; 降幅 a decrease)."""
    from linker.quantities import normalise_unit

    if q.change is not None:
        return q
    if normalise_unit(q.unit)[0] == "百分点":
        return replace(q, change="increase")
    noun = re.sub(r"[（(][^）)]*[）)]$|\s", "", q.quantity or "")
    if _CHANGE_NOUN.search(noun):
        return replace(q, change="increase")
    if _FALL_NOUN.search(noun):
        return replace(q, change="decrease")
    return q


def is_change(q: Quantity) -> bool:
    """Does the figure state a change (增长 5%, 3个百分点, 居民消费价格涨幅 3%) rather than a level?"""
    return _as_change(q).change is not None


def comparable(actual: Quantity, target: Quantity) -> bool | None:
    """:func:`linker.quantities.compare`, plus 百分点 against a % level through a baseline.

    A target "提高5个百分点" from a baseline of 85% is the level 90%; an actual "从85%提高到
    90%" against a 百分点 target is the change of 5 百分点. Without a baseline the two
    cannot be compared (``None``). A noun that names a change (居民消费价格涨幅 3%) makes its
    figure a change, comparable with a reported rise (居民消费价格上涨2.1%).
    """
    from linker import quantities

    a, t = _as_change(actual), _as_change(target)
    ok = quantities.compare(a, t)
    if ok is not None:
        return ok
    added = _as_addition(a, t)
    if added is not None:
        return quantities.compare(*added)
    via = _through_baseline(a, t)
    return quantities.compare(via[0], via[1]) if via is not None else None


def _as_addition(a: Quantity, t: Quantity) -> tuple[Quantity, Quantity] | None:
    """"学位增加2.8万个" answers "新增学位2万个": a count's rise is the number added, which a noun with
    新增 / 增加 / 新建 names (never a rate: 增加5% is no number of anything)."""
    from linker.quantities import normalise_unit

    if {normalise_unit(a.unit)[0], normalise_unit(t.unit)[0]} & {"%", "百分点", None}:
        return None
    if a.change == "increase" and t.change is None and _VERBLESS.search(t.quantity or ""):
        return replace(a, change=None), t
    if t.change == "increase" and a.change is None and _VERBLESS.search(a.quantity or ""):
        return a, replace(t, change=None)
    return None


def _through_baseline(a: Quantity, t: Quantity) -> tuple[Quantity, Quantity, str] | None:
    """A 百分点 change and a % level made comparable by a baseline: (actual, target, how), or None."""
    from linker.quantities import normalise_unit

    au, tu = normalise_unit(a.unit)[0], normalise_unit(t.unit)[0]
    if {au, tu} != {"%", "百分点"}:
        return None
    if tu == "百分点" and t.base_value is not None and a.change is None:
        sign = -1 if t.change == "decrease" else 1
        level = replace(t, value=t.base_value + sign * t.value, unit="%", change=None)
        return a, level, f"target level {t.base_value:g}% {'-' if sign < 0 else '+'} {t.value:g}百分点 = {level.value:g}%"
    if (au == "百分点" and a.change is not None and t.base_value is not None
            and t.change is None and a.base_year is not None and a.base_year == t.base_year):
        # 比2020年提高2个百分点 against an indicator table's 2020 column (87) and its ≥90% target: 89%
        sign = -1 if a.change == "decrease" else 1
        level = replace(a, value=t.base_value + sign * a.value, unit="%", change=None)
        return level, t, f"{t.base_value:g}% {'-' if sign < 0 else '+'} {a.value:g}百分点 = {level.value:g}%"
    if au == "%" and a.base_value is not None and tu == "百分点":
        delta = a.value - a.base_value
        ch = replace(a, value=abs(delta), unit="百分点", change="increase" if delta >= 0 else "decrease")
        return ch, t, f"{a.base_value:g}% → {a.value:g}%: {'+' if delta >= 0 else '-'}{abs(delta):g}百分点"
    return None


def compared_as(actual: Quantity, target: Quantity) -> str:
    """How a figure was set against its target when a baseline had to bridge them ("87% + 1.5百分点 = 88.5%"), else ""."""
    from linker import quantities

    a, t = _as_change(actual), _as_change(target)
    if quantities.compare(a, t) is not None:
        return ""
    via = _through_baseline(a, t)
    return via[2] if via is not None else ""


def _year(years: Years, unit: EvidenceUnit | None) -> int | None:
    """The year of a unit's document (``years`` one year for all, or one per document)."""
    if isinstance(years, Mapping):
        return years.get(unit.doc_index) if unit is not None else None
    return years


def judge_subgoal(
    sg: SubGoal,
    cands: Sequence[Candidate],
    units: dict[str, EvidenceUnit],
    scorer: Scorer,
    *,
    evidence_year: Years = None,
    row: object | None = None,
    goal_year: int | None = None,
) -> Verdict:
    """The status of one sub-goal. ``row`` is its self-evaluation table row, if it has one.

    ``evidence_year``: the year of the evidence, one for all or one per evidence document
    (doc_index → year); ``goal_year``: the year of the goal document, for the figures it
    reports itself (a table's 完成值), by default the single evidence year.
    """
    own_year = goal_year if goal_year is not None else _year(evidence_year, None)
    problems = [c.evidence_id for c in cands if units[c.evidence_id].negative and (c.accepted or c.score >= scorer.weak)]
    flags: list[str] = []
    if row is not None:
        from linker.selfeval import judge_row

        rv = judge_row(row, evidence_year=own_year)  # type: ignore[arg-type]
        flags = rv.flags
        if rv.status != Status.UNEVIDENCED or not any(c.accepted for c in cands):
            return Verdict(rv.status, rv.note, rv.actual, None, "table", flags, problems, _due(sg, own_year))
    elif sg.actual is not None and sg.target is not None:
        ok = comparable(sg.actual, sg.target)
        if ok is not None:
            st = Status.MET if ok else Status.UNMET
            verb = "satisfies" if ok else "falls short of"
            st, note = due_context(
                st, f"reported {describe(sg.actual)} {verb} {describe(sg.target)}", sg.target.deadline, own_year
            )
            return Verdict(st, note, sg.actual, None, "table", flags, problems, _due(sg, own_year))
    v = _from_evidence(sg, cands, units, scorer, evidence_year)
    if sg.more_targets and sg.target is not None:
        v = _respectively(sg, v, cands, units, scorer, evidence_year)
    v.flags = flags + v.flags
    v.problems = problems
    return v


_ALSO = "; also "  # joins the notes of the targets of one 分别 list


def _respectively(sg: SubGoal, first: Verdict, cands: Sequence[Candidate], units: dict[str, EvidenceUnit],
                  scorer: Scorer, evidence_year: Years) -> Verdict:
    """A sub-goal with a 分别 list is met when every figure of it is, unmet when any is not.

    Each target is judged on the same evidence as the first; the verdict names the one
    missed, or every one met. Some met and the rest without a figure is only evidenced.
    Otherwise the first target's verdict stands.
    """
    verdicts = [first] + [_from_evidence(replace(sg, target=t, more_targets=[]), cands, units, scorer, evidence_year)
                          for t in sg.more_targets]
    missed = next((v for v in verdicts if v.status == Status.UNMET), None)
    if missed is not None:
        return missed
    if all(v.status == Status.MET for v in verdicts):
        return replace(first, note=_ALSO.join(v.note for v in verdicts))
    if first.status == Status.MET:  # a figure for some of the list only: the rest is not shown to be met
        return replace(first, status=Status.EVIDENCED, note=_ALSO.join(v.note for v in verdicts))
    return first


def _due(sg: SubGoal, evidence_year: int | None) -> int | None:
    d = sg.target.deadline if sg.target is not None else None
    return d if d is not None and evidence_year is not None and evidence_year < d else None


def _restates(sg: SubGoal, u: EvidenceUnit, q: Quantity) -> bool:
    """Is ``q`` the sub-goal's own target, restated by the sentence the sub-goal stands in?

    A target stated inside evidence ("未能完成“新增2万个中小学学位”任务，…") is a span of
    that very sentence: same document (the sentence holds the sub-goal's words at the
    sub-goal's offsets), and the figure lies on the target's span.
    """
    t = sg.target
    lo, hi = max(sg.start, u.start), min(sg.end, u.end)
    if t is None or lo >= hi or u.text[lo - u.start : hi - u.start] != sg.text[lo - sg.start : hi - sg.start]:
        return False
    return q.start < t.end and t.start < q.end


# (noun match, candidate score, figure, unit id, met?); met? None: the figure cannot be set against the target
_Figure = tuple[int, float, Quantity, str, "bool | None"]


# "2021年新增学位2.5万个": the year a figure is stated for; not a base (比2020年, 从2020年的85%) nor a deadline (2025年前)
_STATED_YEAR = re.compile(r"(?<![比较从由与自同到至])(20\d\d)\s*年(?:度)?(?![底末]?(?:前|以前|之前)|的|内)")


def _stated_year(u: EvidenceUnit, q: Quantity) -> int | None:
    """The year the sentence gives this figure, when it names one before it (the nearest)."""
    before = u.text[: max(0, q.start - u.start)]
    found = [int(m.group(1)) for m in _STATED_YEAR.finditer(before)]
    return found[-1] if found else None


NEAR = ("近", "接近", "将近")  # 近2万个, 接近90%: a figure just short of what it names


def _written_near(u: EvidenceUnit, q: Quantity) -> bool:
    return u.text[max(0, q.start - u.start) :].startswith(NEAR) and q.comparator == "~"


def nearly(q: Quantity, target: Quantity) -> bool | None:
    """近 v lies just under v (within a tenth of it): 近2万 does not reach ≥2万, 近2.5万 does."""
    if target.comparator not in (">=", ">") or q.change is not None:
        return comparable(q, target)
    if comparable(replace(q, comparator="<"), target) is False:
        return False
    if comparable(replace(q, comparator="=", value=q.value * 0.9, approx=False), target) is True:
        return True
    return None


def _figures(sg: SubGoal, cands: Sequence[Candidate], units: dict[str, EvidenceUnit], years: Years = None) -> list[_Figure]:
    """Every reported figure about the target's quantity, best noun match and candidate first.

    Where the sentences give the quantity for several years (2021年新增学位2.5万个。2022年
    新增学位1.5万个。), the earlier years are history: only the latest, or the target's
    own year, decides. (The report's own year is not the measure: a 2020 自评报告 may
    report on 2019 throughout.)
    """
    if sg.target is None or not sg.target.quantity:
        return []
    found: list[tuple[_Figure, int | None]] = []
    for c in cands:
        u = units[c.evidence_id]
        report = _year(years, u)
        for q in u.quantities:
            if q.mention is not None or _restates(sg, u, q):  # a from-figure or a quoted target reports nothing
                continue
            stated = _stated_year(u, q)
            if stated is not None and report is not None and stated > report:
                continue  # "到2025年…将达到95%" in a 2022 report: a plan, not a result
            strength = noun_match(sg.target.quantity, q.quantity, sg.text)
            if not strength and _VERBLESS.search(sg.target.quantity) and (q.change == "increase" or _added(u, q)):
                # "小学学位增加2400个", "小学学位新增2400个": the addition that 小学新增学位 counts
                strength = noun_match(_VERBLESS.sub("", sg.target.quantity), q.quantity, sg.text)
            if strength:
                ok = nearly(q, sg.target) if _written_near(u, q) else comparable(q, sg.target)
                found.append(((strength, c.score, q, u.id, ok), _stated_year(u, q)))
    latest = max((y for _, y in found if y is not None), default=None)
    kept = [f for f, y in found if y is None or y == latest or y == sg.target.deadline]
    kept.sort(key=lambda f: (-f[0], -f[1]))
    return kept


def _added(u: EvidenceUnit, q: Quantity) -> bool:
    """The figure follows a verb of addition ("小学学位新增2400个")."""
    before = u.text[max(0, q.start - u.start - 4) : max(0, q.start - u.start)]
    return bool(re.search(r"(?:新增|增加|新建)了?\s*$", before))


def _decisive(
    sg: SubGoal, cands: Sequence[Candidate], units: dict[str, EvidenceUnit], years: Years = None
) -> tuple[Quantity, str, bool, float] | None:
    """The reported figure about the target's quantity that decides met / unmet, best noun match first."""
    for _, score, q, uid, ok in _figures(sg, cands, units, years):
        if ok is not None:
            return q, uid, ok, score
    return None


def _incomparable(sg: SubGoal, cands: Sequence[Candidate], units: dict[str, EvidenceUnit], years: Years = None) -> _Figure | None:
    """The figure about the target's quantity that comes closest to answering it when none can:
    one in the target's unit (99%以上 against >99%) before one in another (85.7分 against ≥90%)."""
    from linker.quantities import normalise_unit

    assert sg.target is not None
    unit = normalise_unit(sg.target.unit)[0]
    found = _figures(sg, cands, units, years)
    return min(found, key=lambda f: normalise_unit(f[2].unit)[0] != unit, default=None)


def _from_evidence(
    sg: SubGoal, cands: Sequence[Candidate], units: dict[str, EvidenceUnit], scorer: Scorer, evidence_year: Years
) -> Verdict:
    accepted = [c for c in cands if c.accepted]
    hit = _decisive(sg, accepted, units, evidence_year)
    via = ""
    if hit is None:
        # a doubtful candidate that reports the very quantity the target measures is decisive too:
        # a number that contradicts the target must be shown, not hidden behind a weaker link
        doubtful = [c for c in cands if not c.accepted and c.score >= scorer.weak and not units[c.evidence_id].negative]
        hit = _decisive(sg, doubtful, units, evidence_year)
        via = f" (a candidate sentence, score {hit[3]:.2f}, reports it)" if hit is not None else ""
    if hit is not None and sg.target is not None:
        q, uid, ok, _ = hit
        year = _year(evidence_year, units[uid])
        st = Status.MET if ok else Status.UNMET
        verb = "satisfies" if ok else "contradicts"
        how = compared_as(q, sg.target)
        figure = f"{describe(q)} ({how})" if how else describe(q)
        st, note = due_context(st, f"{figure} {verb} {describe(sg.target)}", sg.target.deadline, year)
        return Verdict(st, note + via, q, uid, due=_due(sg, year))
    if not accepted:
        if cands and cands[0].score >= scorer.weak:
            return Verdict(Status.WEAK, "only a doubtful match", source="none")
        return Verdict(Status.UNEVIDENCED, "no convincing evidence", source="none")
    if all(units[c.evidence_id].negative for c in accepted):
        return Verdict(Status.UNMET, "only problem statements (存在的问题) speak to it", None, accepted[0].evidence_id)
    note = "qualitative evidence"
    if sg.target is not None:
        other = _incomparable(sg, accepted, units, evidence_year)
        if other is not None:  # a figure about it was found, in another unit or of another kind
            note = f"qualitative evidence; figure not comparable: {describe(other[2])} against {describe(sg.target)}"
        else:
            note = f"qualitative evidence; no reported figure for {describe(sg.target)}"
    first = units[accepted[0].evidence_id]
    return Verdict(Status.EVIDENCED, note, evidence_id=first.id, due=_due(sg, _year(evidence_year, first)))


def roll_up(statuses: Sequence[Status]) -> Status:
    """A goal's status from its sub-goals' (see the module docstring)."""
    s = set(statuses)
    if not s:
        return Status.UNEVIDENCED
    has = {Status.MET, Status.UNMET, Status.EVIDENCED}
    if s == {Status.MET}:
        return Status.MET
    if s <= has:
        return Status.UNMET if Status.UNMET in s else Status.EVIDENCED
    if not s & has:
        return Status.UNEVIDENCED if s == {Status.UNEVIDENCED} else Status.WEAK
    return Status.PARTIAL


def judge(
    goals: Sequence[Goal],
    candidates: dict[str, list[Candidate]],
    units: dict[str, EvidenceUnit],
    scorer: Scorer,
    *,
    evidence_year: Years = None,
    goal_doc: Document | None = None,
) -> tuple[dict[str, Verdict], dict[str, Status]]:
    """Verdicts of every sub-goal and the roll-up of every goal.

    ``evidence_year``: one year for all the evidence, or one per evidence document
    (doc_index → year: a plan judged against a 2021 and a 2022 report). ``goal_doc``: the
    document the goals come from; its self-evaluation tables then decide the rows they
    hold, with the goal document's own year.
    """
    rows = {}
    goal_year = None
    if goal_doc is not None:
        from linker.selfeval import rows_by_span

        rows = rows_by_span(goal_doc)
        if isinstance(evidence_year, Mapping):
            from linker.goals import report_year

            goal_year = report_year(goal_doc)
    sub: dict[str, Verdict] = {}
    top: dict[str, Status] = {}
    for g in goals:
        for sg in g.subgoals:
            hit = rows.get((sg.start, sg.end))
            sub[sg.id] = judge_subgoal(
                sg,
                candidates.get(sg.id, []),
                units,
                scorer,
                evidence_year=evidence_year,
                row=hit[1] if hit else None,
                goal_year=goal_year,
            )
        top[g.id] = roll_up([sub[sg.id].status for sg in g.subgoals])
    return sub, top


# --------------------------------------------------------------------------
# notes in Chinese
# --------------------------------------------------------------------------
#: notes said in so many words (this module, :mod:`linker.selfeval`)
NOTE_ZH = {
    "qualitative evidence": "定性佐证",
    "only a doubtful match": "仅有存疑的匹配",
    "no convincing evidence": "未找到可信佐证",
    "only problem statements (存在的问题) speak to it": "只有问题陈述（存在的问题）涉及此项",
    "no 完成值 in the table": "自评表未填完成值",
}
# the notes built around figures, in the order they are tried (fullmatch); the wrappers first
_WRAPPED = [
    (re.compile(r"(?P<n>.+) \(a candidate sentence, score (?P<s>[\d.]+), reports it\)"), "{n}（据一条未采纳的候选句，得分 {s}）"),
    (
        re.compile(r"interim: (?P<n>.+) in (?P<y>\d{4}), ahead of the (?P<d>\d{4}) deadline"),
        "阶段性结果（{y}年）：{n}，目标期限为{d}年",
    ),
    (
        re.compile(r"not yet due: (?P<n>.+) in (?P<y>\d{4}); the target is due by (?P<d>\d{4})"),
        "尚未到期（{y}年）：{n}；目标期限为{d}年",
    ),
]
_FIGURE_NOTES = [
    (re.compile(r"qualitative evidence; no reported figure for (?P<t>.+)"), "定性佐证；未见关于 {t} 的报告数字"),
    (
        re.compile(r"qualitative evidence; figure not comparable: (?P<a>.+) against (?P<t>.+)"),
        "定性佐证；报告的数字 {a} 无法与目标 {t} 直接比较",
    ),
    (re.compile(r"table: 完成值 (?P<a>.+) satisfies 指标值 (?P<t>.+)"), "自评表：完成值 {a}，达到指标值 {t}"),
    (re.compile(r"table: 完成值 (?P<a>.+) falls short of 指标值 (?P<t>.+)"), "自评表：完成值 {a}，未达到指标值 {t}"),
    (
        re.compile(r"table: 完成值 (?P<a>.+) cannot be compared with 指标值 (?P<t>.+)"),
        "自评表：完成值 {a} 无法与指标值 {t} 直接比较",
    ),
    (re.compile(r"table: (?P<a>.+) as planned \((?P<t>.+)\)"), "自评表：完成值“{a}”与指标值“{t}”一致"),
    (re.compile(r"table: (?P<a>.+) against the planned (?P<t>.+)"), "自评表：完成值“{a}”未完全达到指标值“{t}”"),
    (re.compile(r"table: (?P<a>.+) \(planned (?P<t>.+)\)"), "自评表：完成值“{a}”（指标值“{t}”）"),
    (re.compile(r"table: 完成值 (?P<a>.+)"), "自评表：完成值 {a}"),
    (re.compile(r"reported (?P<a>.+) satisfies (?P<t>.+)"), "报告的实际值 {a}，达到目标 {t}"),
    (re.compile(r"reported (?P<a>.+) falls short of (?P<t>.+)"), "报告的实际值 {a}，未达到目标 {t}"),
    (re.compile(r"(?P<a>.+) satisfies (?P<t>.+)"), "{a}，达到目标 {t}"),
    (re.compile(r"(?P<a>.+) contradicts (?P<t>.+)"), "{a}，未达到目标 {t}"),
    # judgments of people (linker.feedback)
    (re.compile(r"no evidence exists \((?P<w>.+)\)"), "{w} 判定没有佐证"),
    (re.compile(r"set by (?P<w>[^:]+): (?P<n>.+)"), "由 {w} 设定：{n}"),
    (re.compile(r"set by (?P<w>.+)"), "由 {w} 设定"),
]


def note_zh(note: str | None) -> str:
    """A verdict's note in Chinese, for the reports people read (the JSON keeps the English).

    Every note this module, :mod:`linker.selfeval` (table rows) and :mod:`linker.feedback`
    (annotators' decisions) write is covered; the figures in it stay as written.
    """
    if not note:
        return ""
    note = note.strip()
    if note in NOTE_ZH:
        return NOTE_ZH[note]
    if _ALSO in note:  # every target of a 分别 list met: one note each
        return "；".join(note_zh(part) for part in note.split(_ALSO))
    for pattern, zh in _WRAPPED:
        m = pattern.fullmatch(note)
        if m:
            parts = m.groupdict()
            return zh.format(**{**parts, "n": note_zh(parts["n"])})
    for pattern, zh in _FIGURE_NOTES:
        m = pattern.fullmatch(note)
        if m:
            return zh.format(**{k: _bridge_zh(v) for k, v in m.groupdict().items()})
    return note


def _bridge_zh(figure: str) -> str:
    """「普惠率 提高2百分点 (87% + 2百分点 = 89%)」 → 「…（87% + 2百分点 = 89%）」: :func:`compared_as` in Chinese."""
    m = re.fullmatch(r"(.+) \((.+)\)", figure)
    if m is None:
        return figure
    return f"{m.group(1)}（{m.group(2).replace('target level ', '目标水平 ')}）"
