"""Numbers in report sentences: values, units, comparators and the nouns they measure.

Public API (all options keyword-only, no state, nothing heavy at import time;
``cn2an`` is imported only when a Chinese numeral has to be read):

* :func:`find_quantities` – every number of a text (evidence or goal) with unit,
  scale, approximate flag, comparator, change direction and measured noun.
* :func:`parse_targets` / :func:`parse_target` – the target(s) a goal sentence
  promises (``is_target=True``), one per clause.
* :func:`parse_indicator_cell` – a cell of an indicator table (name, value).
* :func:`normalise_unit` – ``"万人"`` → ``("人", 10000.0)``.
* :func:`compare` – does an actual figure satisfy a target?
* :func:`range_bounds` – both bounds of a range expression such as ``6.5%－7%``.

Conventions (see also the docstrings):

* ``value`` is the number as written, ``unit`` the unit as written including its
  magnitude character (``1.3万个`` → value 1.3, unit ``万个``, scale 10000);
  ``个百分点`` is stored as ``百分点``.
* Comparators: 以上/不低于/不少于/至少/≥ → ``>=``; 超过/高于/＞ → ``>``;
  以内/以下/不超过/不高于/控制在/≤ → ``<=``; 低于/少于/不足/＜ → ``<``;
  左右/约/近/上下 → ``~``; 余/多 (``2000余个``, ``4000多人``) → ``>`` with
  ``approx=True`` ("a little more than"; :func:`compare` bounds it by the place
  of the last written digit, so 2000余 lies in (2000, 3000)).  A bare number or
  达到/为 gives ``=`` in :func:`find_quantities`; in a target a bare value means
  ``>=`` (``<=`` for negative-polarity indicators and for 降至/控制在).
* Ranges ``6.5%－7%`` / ``6%-6.5%``: one quantity whose span covers the whole
  range, ``value`` = lower bound, comparator ``>=``; the upper bound is not
  stored on :class:`Quantity` (it has no field for it) – recover it with
  :func:`range_bounds` on the span's text.
* Polarity ``negative`` when the measured noun's head is a cost or a rate to keep
  low (失业率, 能耗, 排放, 涨幅, 价格, 成本, 支出, 费用, 差异率, 结转结余率,
  赤字率, 事故, 发生率 …) or when the statement is a decrease (下降/降低/减少);
  otherwise ``positive`` when a noun was found.  "X支出占Y比例" has head 比例 and
  is positive.
* Years (2025年, 2020-2021学年, 〔2017〕), dates (3月, 15日, “4·18”), document
  numbers (49 号), list markers (1. / 1、/ （3）), ordinals (第3), names (十四五,
  双一流, 一是, 一批, 5G, “3+2”, “新京十条”, 一区十六园) are not quantities.  A bare
  4-digit integer between 1900 and 2100 without a unit is read as a year.
* Qualifiers are not quantities either: durations (连续5年, 近5年来, 十年来) and ages
  that say who is counted (3岁以下婴幼儿, 2-3 岁托班); such an age stays in the noun
  (3岁以下婴幼儿托位数).  A per-capita figure keeps its base in the noun
  (每千人口3岁以下婴幼儿托位数) and :func:`compare` sets it only against the same base.
* Ratios 12:1 / 1:200 (also ：and ∶) are one quantity: value the first term, unit
  ``":"`` + the second; :func:`normalise_unit` reads ``":200"`` as ``(":1", 0.005)``.
* ``mention`` says when a figure is not one the sentence reports: ``"base"`` for the
  from-figure of 从/由 X 提高到 Y (Y carries it as ``base_value``), ``"restated"`` for a
  target the evidence quotes (完成“新增2万个学位”任务, 超额完成 76%的年度目标).
  Targets (:func:`parse_targets`) never carry it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from linker.model import Quantity

__all__ = [
    "APPROX_TOLERANCE",
    "compare",
    "find_quantities",
    "normalise_unit",
    "parse_indicator_cell",
    "parse_target",
    "parse_targets",
    "range_bounds",
]

#: relative tolerance of a ``~`` (左右 / 约) target in :func:`compare`
APPROX_TOLERANCE = 0.10

# --------------------------------------------------------------------------
# character normalisation (1:1, so positions are preserved)
# --------------------------------------------------------------------------
_FW = {chr(0xFF10 + i): str(i) for i in range(10)}
_FW.update({chr(0xFF21 + i): chr(0x41 + i) for i in range(26)})
_FW.update({chr(0xFF41 + i): chr(0x61 + i) for i in range(26)})
_FW.update(
    {
        "％": "%",
        "．": ".",
        "＞": ">",
        "＜": "<",
        "＝": "=",
        "＋": "+",
        "－": "-",
        "～": "~",
        "\u3000": " ",
        "\u00a0": " ",
        "\u2212": "-",  # minus sign
        "\uff64": "、",
    }
)
_FW_TABLE = str.maketrans(_FW)


def _norm(text: str) -> str:
    out = text.translate(_FW_TABLE)
    assert len(out) == len(text)
    return out


# --------------------------------------------------------------------------
# units
# --------------------------------------------------------------------------
# magnitude prefixes, longest first
_MAGNITUDES: list[tuple[str, float]] = [
    ("万亿", 1e12),
    ("千亿", 1e11),
    ("百亿", 1e10),
    ("千万", 1e7),
    ("百万", 1e6),
    ("亿", 1e8),
    ("万", 1e4),
    ("千", 1e3),
]
_MAG = dict(_MAGNITUDES)

# unit as written -> (canonical unit, factor)
_CONVERT: dict[str, tuple[str, float]] = {
    "%": ("%", 1.0),
    "％": ("%", 1.0),
    "‰": ("%", 0.1),
    "百分点": ("百分点", 1.0),
    "个百分点": ("百分点", 1.0),
    "名": ("人", 1.0),
    "人": ("人", 1.0),
    "位": ("人", 1.0),
    "公斤": ("千克", 1.0),
    "千克": ("千克", 1.0),
    "吨": ("千克", 1000.0),
    "斤": ("千克", 0.5),
    "克": ("千克", 0.001),
    "公里": ("米", 1000.0),
    "千米": ("米", 1000.0),
    "米": ("米", 1.0),
    "厘米": ("米", 0.01),
    "平方公里": ("平方米", 1e6),
    "平方千米": ("平方米", 1e6),
    "公顷": ("平方米", 1e4),
    "亩": ("平方米", 10000.0 / 15.0),
    "平方米": ("平方米", 1.0),
    "个月": ("月", 1.0),
    "月": ("月", 1.0),
    "天": ("天", 1.0),
    "日": ("天", 1.0),
    "周": ("天", 7.0),
    "千瓦时": ("千瓦时", 1.0),
    "度": ("千瓦时", 1.0),
}

# units that take a noun after them ("3万余名师生", "近50所高校")
_MEASURE_WORDS = {
    "个",
    "名",
    "所",
    "项",
    "场",
    "家",
    "门",
    "种",
    "支",
    "份",
    "对",
    "条",
    "套",
    "间",
    "台",
    "件",
    "本",
    "册",
    "篇",
    "部",
    "座",
    "处",
    "户",
    "只",
    "辆",
    "架",
    "艘",
    "张",
    "块",
    "株",
    "棵",
    "头",
    "例",
    "起",
    "宗",
    "笔",
    "批",
    "类",
    "轮",
    "期",
    "节",
    "班",
    "床",
    "组",
    "队",
    "首",
    "幅",
    "位",
}
# units recognised after a number, longest first when matched: conversions, measure words, and these
_UNITS = sorted(
    set(_CONVERT)
    | _MEASURE_WORDS
    | {"微克/立方米", "元/人", "元/生", "立方米", "人次", "兆瓦", "分钟", "千瓦", "学分", "学时", "小时", "微克", "户次", "所次", "门次", "场次", "班次", "课次", "周岁", "欧元", "毫克", "毫米", "美元", "课时", "倍", "元", "分", "园", "址", "届", "岁", "年", "校", "次", "级"},
    key=len,
    reverse=True,
)

# after a number these make it a date, a document number or a version, not a quantity
_NOT_UNITS = ("年度", "学年", "周年", "届", "级", "月", "日", "号", "时", "版", "点")
# units accepted after a Chinese numeral (not 分 "十分", not 点/届/级)
_CN_BAD_UNITS = {"分", "届", "级", "期", "批", "点", "月", "日", "度", "类", "节"}
# units after a single-digit Chinese numeral ("一倍以上")
_CN_SINGLE_OK = {"倍", "百分点", "个百分点"}


def _split_magnitude(unit: str) -> tuple[float, str]:
    if unit in _CONVERT or unit in ("千瓦", "千瓦时"):
        return 1.0, unit
    for mag, scale in _MAGNITUDES:
        if unit.startswith(mag):
            return scale, unit[len(mag) :]
    return 1.0, unit


def normalise_unit(unit: str | None) -> tuple[str | None, float]:
    """``(base_unit, factor)`` with ``value_in_base = value * factor``.

    The factor combines the magnitude written in the unit (万, 亿, 万亿 …) and a
    conversion to a canonical unit: 万人 → (人, 1e4), 亿元 → (元, 1e8),
    万亿斤 → (千克, 5e11), 个百分点 → (百分点, 1), 名 → (人, 1), 吨 → (千克, 1000),
    ‰ → (%, 0.1).  A bare magnitude ("万") gives ``(None, 1e4)``; ``None`` or
    ``""`` gives ``(None, 1.0)``.  Unknown units are returned as they are.
    """
    if not unit:
        return None, 1.0
    u = _norm(unit).strip().replace(" ", "")
    if u.startswith("个") and u != "个" and u[1:] in ("百分点", "月"):
        u = u[1:] if u[1:] == "百分点" else u
    scale, rest = _split_magnitude(u)
    if not rest:
        return None, scale
    ratio = re.fullmatch(r"[:：∶](\d+(?:\.\d+)?)", rest)
    if ratio and float(ratio.group(1)) > 0:
        return ":1", scale / float(ratio.group(1))  # 1:200 is 0.005:1
    base, factor = _CONVERT.get(rest, (rest, 1.0))
    return base, scale * factor


# --------------------------------------------------------------------------
# comparator and verb vocabularies
# --------------------------------------------------------------------------
_PREFIX_CMP: list[tuple[str, str]] = sorted(
    [
        ("不低于", ">="),
        ("不少于", ">="),
        ("不小于", ">="),
        ("至少", ">="),
        ("最少", ">="),
        ("大于等于", ">="),
        ("大于或等于", ">="),
        ("不得低于", ">="),
        ("不得少于", ">="),
        ("不应低于", ">="),
        ("≥", ">="),
        (">=", ">="),
        ("⩾", ">="),
        ("超过", ">"),
        ("高于", ">"),
        ("多于", ">"),
        ("大于", ">"),
        ("逾", ">"),
        ("超", ">"),
        (">", ">"),
        ("不超过", "<="),
        ("不高于", "<="),
        ("不多于", "<="),
        ("不大于", "<="),
        ("最多", "<="),
        ("至多", "<="),
        ("小于等于", "<="),
        ("小于或等于", "<="),
        ("不得超过", "<="),
        ("不得高于", "<="),
        ("控制在", "<="),
        ("≤", "<="),
        ("<=", "<="),
        ("⩽", "<="),
        ("低于", "<"),
        ("少于", "<"),
        ("小于", "<"),
        ("不足", "<"),
        ("<", "<"),
        ("=", "="),
    ],
    key=lambda p: len(p[0]),
    reverse=True,
)
_SUFFIX_CMP: list[tuple[str, str]] = [
    ("及以上", ">="),
    ("以上", ">="),
    ("以下", "<="),
    ("以内", "<="),
    ("之内", "<="),
    ("左右", "~"),
    ("上下", "~"),
]
# approximate prefixes, included in the span ("近50所", "约1.3万个")
_APPROX_PREFIX = ("大约", "接近", "将近", "约", "近")

_INCREASE = ("增长", "增加", "提高", "提升", "上升", "上涨", "扩大", "增", "升", "多", "高", "快")
_DECREASE = ("下降", "降低", "减少", "压减", "缩减", "缩小", "下调", "回落", "减", "降", "少", "低", "慢")
# level verbs: "提高到 90%", "降至 5%": the number is a level, not a change
_LEVEL_UP = re.compile(r"(提高|提升|增加|增长|上升|扩大|达)(到|至)$")
_LEVEL_DOWN = re.compile(r"(降低|下降|降|减少|压减|缩减|缩小|减)(到|至)$")
# the perfective 了 after a verb ("减少了20%", "提高到了92%") changes nothing of what the figure is
_PERFECTIVE = re.compile(r"(?<=[\u4e00-\u9fff])了\s*$")

# stripped from the end of the text before a number when looking for its noun
_TRAIL = re.compile(
    r"(?:达到了?|达|保持在|保持|稳定在|维持在|控制在|提高到|提高至|提升到|提升至|增加到|增加至|增长到|增长至|"
    r"上升到|上升至|扩大到|扩大至|降低到|降低至|下降到|下降至|降到|降至|减少到|减少至|压减到|压减至|缩减到|缩减至|"
    r"增长了?|增加了?|提高了?|提升了?|上升了?|上涨了?|下降了?|降低了?|减少了?|扩大|缩小|"
    r"分别为|分别是|分别|为|是|在|到|至|有|共计|共有|共|合计|总计|计|平均|均|都|已经|已|全部|"
    r"完成|建成|实现|开工建设|建设|新增|开工|竣工|创建|新建|改造|实施|开展|提供|覆盖|惠及|累计|对照|组织|举办|"
    r"拟按|按照|按|拟|预计|预期|力争|争取|确保|"
    r"\d{4}\s*年(?:底|末|年底|内)?(?:前|以前)?|年底前|年内|期间|"
    r"连续\s*\S{1,3}\s*年|连续|从|由|同比|环比|(?:均|都|也)?(?<![占师生同环])(?:比|较)(?!例|重|率|值)[^，,；;。]*|了|的|\s+)$"
)
_LEAD = re.compile(
    r"^(?:力争|争取|确保|\d{4}\s*年\s*\d{1,2}\s*月(?:底|末)?前|\d{4}\s*年(?:度|底|末|年底|内)?(?:前|以前)?|年底前|年内|[一二三两四五]年内|“?十[一二三四五六七八九]五”?(?:期间|时期|末)?)(?=\S)|"
    r"^(?:\d{4}\s*年度?|\d{4}\s*-\s*\d{4}\s*学?年|(?:近|最近|过去)?[\d一二两三四五六七八九十]+\s*多?\s*年(?:来|以来|间)|今年|去年|上年|全年|当年|本年度|年内|目前|截至目前|截至\S{0,8}?年底|其中|"
    r"[一二三四五六七八九十]+是|全市|全国|全区|全县|全省|本市|我市|我区|我县|我省|各区|各地|各类|各级|各项|"
    r"持续|继续|进一步|不断|大力|积极|努力|全面|切实|稳步|累计完成|"
    r"提供|举办|组织|组建|完成|实现|开展|支持|推进|获得|新建|改扩建|扩增|培养|联合培养|发放|投入|招聘|解答|选派|"
    r"认定|抽检|涉及|达成|安排|建成|启动|出台|印发|评选|表彰|吸引|惠及|带动|帮扶|资助|培训|接待|受理|办理|"
    r"办结|处理|查处|取缔|整治|检查|引进|拨付|下达|统筹|通过|建设|打造|遴选|设立|布局|占|从|由|对|向|为|使|让|\s+)"
    r"(?!率|比|比例|比重)"  # 完成率, 占比: the verb is the noun
)
# verbs inside a noun phrase after which the noun starts ("市属高校新增面向河北的高职招生计划")
_MID_VERB = re.compile(
    r"(?:提供|举办|组织|组建|完成|实现|开展|支持|推进|获得|扩增|培养|发放|投入|招聘|选派|认定|抽检|涉及|达成|安排|"
    r"建成|启动|出台|印发|评选|吸引|惠及|带动|资助|接待|受理|办理|办结|查处|取缔|引进|拨付|下达|遴选|通过)"
    r"(?!率|比例|比重|人数|数量|规模|面积|金额|资金|经费|时间|次数)"
)
# stop words for a noun that follows a measure word ("68 所高校攻关 …")
_FOLLOW_STOP = re.compile(
    r"参与|参加|深度|全心|攻关|组建|完成|获得|获批|入选|进入|实现|开展|接受|报名|参展|参会|受益|投入|进行|提供|"
    r"发放|得到|纳入|落实|享受|签约|通过|流转|承担|开设|发出|成立|建立|参赛|覆盖|达到|扩增|新建|改扩建|解决|补足|"
    r"共|已|均|等|和|与|及|或|的|为|在|对|向|从|被|将|获|以|是|有|于|到|至"
)
# "每千人口", "每万名居民", "每百户": a figure per so many people, a rate rather than a count;
# the noun keeps it (每千人口婴幼儿托位数) and :func:`compare` sets it only against the same base
_PER_CAPITA = re.compile(r"每\s*(十万|百万|万|千|百)\s*名?(常住人口|人口|居民|人|户)")
_PER_CAPITA_HAVE = re.compile(r"(每\s*(?:十万|百万|万|千|百)\s*名?(?:常住人口|人口|居民|人|户))\s*(?:拥有|配备|有)")
_NEG_HEADS = (
    "失业率",
    "能耗",
    "排放量",
    "排放",
    "排放强度",
    "涨幅",
    "价格",
    "物价",
    "成本",
    "支出",
    "费用",
    "经费支出",
    "三公经费",
    "差异率",
    "结转结余率",
    "结余率",
    "结转率",
    "赤字率",
    "赤字",
    "事故",
    "事故率",
    "发生率",
    "死亡率",
    "投诉率",
    "辍学率",
    "流失率",
    "近视率",
    "超标率",
    "负债率",
    "债务",
    "欠薪",
    "不合格率",
    "差错率",
    "误差",
    "浓度",
    "贫困人口",
    "发病率",
    "犯罪率",
    "违纪",
    "拖欠",
    "损失",
    "亏损",
)

_CLAUSE_CHARS = "，,；;。！？!?：:\n\r\t"

# --------------------------------------------------------------------------
# number recognition
# --------------------------------------------------------------------------
# a comma is a thousands separator only between digits (1,500): "发展,56所高校" reads 56所
_ARABIC = re.compile(r"(?<![\d.])(?<!\d,)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d])")
_CN_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")
_CN_PCT = re.compile(r"百分之([零〇一二两三四五六七八九十百点]+)")
# shares said in words: 三成 (30%), 三分之一 (33.3%), 翻一番 (an increase of 100%)
_CN_TENTHS = re.compile(r"(?<![一二三四五六七八九十])([一二三四五六七八九]|十)成(?!不变|为|立|功|果|绩|员|本|熟|长|就)")
_CN_FRACTION = re.compile(r"([一二两三四五六七八九十]+)分之([一二三四五六七八九十]+)")
_CN_DOUBLE = re.compile(r"翻(一|两|二|三)番")
_LIST_MARKER_BEFORE = set(' \t\n\r。；;：:，,、“”"(（[【')


def _starts_item(s: str, a: int) -> bool:
    """Is position ``a`` the start of a list item (text start or after a separator)?"""
    return a == 0 or s[a - 1] in _LIST_MARKER_BEFORE


# the last year of a five-year plan: 十四五 → 2025 (the 1st plan ran 1953–1957)
PLAN_END = {c: 1955 + 5 * n for n, c in enumerate("一二三四五六七八九", 11)}
_DEADLINE = re.compile(
    r"(?:到|至|截至|截止到?|在)\s*(\d{4})\s*年|(\d{4})\s*年(?:底|末|年底|年末|内|\s*\d{1,2}\s*月(?:底|末)?)?\s*(?:前|以前|之前|时)|"
    r"(\d{4})\s*年(?:内|年内)|"
    r"(?:到|至)?\s*[“\"]?十([一二三四五六七八九])五[”\"]?\s*(?:末|期末|时期末)"
)


@dataclass
class _Found:
    q: Quantity
    pre: str = ""  # text of the clause before the number (normalised)
    level_down: bool = False  # 降至 / 控制在: a target level to stay under
    explicit: bool = False  # the comparator was written
    baseline: bool = False  # the "from" figure of 从 X 提高到 Y
    clause: int = 0
    upper: float | None = None  # upper bound of a range (not carried by Quantity)


def _cn2an(s: str) -> float | None:
    try:
        import cn2an  # lazily: ~0.1 s to import
    except ImportError:  # pragma: no cover - cn2an is a dependency
        return None
    try:
        return float(cn2an.cn2an(s, "normal"))
    except Exception:  # noqa: BLE001 - cn2an raises ValueError and its own errors on names
        return None


def _match_unit(s: str, pos: int) -> str | None:
    for u in _UNITS:
        if s.startswith(u, pos):
            return u
    return None


def _skip_sp(s: str, pos: int) -> int:
    while pos < len(s) and s[pos] in " \t":
        pos += 1
    return pos


def _read_tail(s: str, pos: int) -> tuple[int, str, str, bool, str | None]:
    """After a number: approx marker, magnitude, unit, suffix comparator.

    Returns (end, magnitude, unit, approx_more, suffix_cmp).
    """
    approx_more = False
    mag = ""
    unit = ""
    p = _skip_sp(s, pos)
    if p < len(s) and s[p] in "余多" and not s.startswith("多元", p) and not s.startswith("多样", p):
        approx_more = True
        p = _skip_sp(s, p + 1)
    if _match_unit(s, p) not in ("千米", "千克", "千瓦", "千瓦时"):
        for m, _ in _MAGNITUDES:
            if s.startswith(m, p):
                mag = m
                p = _skip_sp(s, p + len(m))
                break
    if not approx_more and p < len(s) and s[p] in "余多" and mag:
        approx_more = True
        p = _skip_sp(s, p + 1)
    u = _match_unit(s, p)
    if u is not None and not any(s.startswith(w, p) for w in _NOT_UNITS):
        unit = u
        p += len(u)
    end = p if (unit or mag or approx_more) else pos
    # suffix comparator
    q = _skip_sp(s, end)
    suffix = None
    for word, cmp in _SUFFIX_CMP:
        if s.startswith(word, q):
            suffix = cmp
            end = q + len(word)
            break
    return end, mag, unit, approx_more, suffix


def _is_year_like(num: str) -> bool:
    return num.isdigit() and len(num) == 4 and 1900 <= int(num) <= 2100


# "连续5年", "近5年来", "十年来", "5年以来": how long something has held, not the figure measured
_DURATION_LEAD = re.compile(r"(?:^|[^\u4e00-\u9fff])(?:在|这|此)?(?:最近|近|过去|前)$|连续$")
_DURATION_TAIL = re.compile(r"\s*(?:以来|来|间|之间)")
_AGE_UNITS = ("岁", "周岁")
_AGE_LINK = re.compile(r"\s*[和及与或、至到]\s*[\d零〇一二两三四五六七八九十]")
# an age written into a noun ("3岁以下婴幼儿托位数", "2-3 岁托班", "年满6周岁的儿童"): part of the noun, no figure
_AGE_IN_NOUN = re.compile(
    r"(?:年满|满)?\d+(?:\.\d+)?(?:\s*[-—–~至到]\s*\d+(?:\.\d+)?)?\s*周?岁(?:及以上|以上|以下|以内)?的?"
    r"|(?:年满|满)?[零〇一二两三四五六七八九十]+(?:\s*[-—–~至到]\s*[零〇一二两三四五六七八九十]+)?\s*周?岁(?:及以上|以上|以下|以内)?的?"
)


def _is_duration(s: str, a: int, end: int) -> bool:
    """Is the 年 figure at ``s[a:end]`` a duration qualifier ("连续5年保持在99%以上")?

    The figure such a sentence measures is the other one (99%); the years only say for
    how long.  近 before the number is a duration at the head of a clause ("近5年，…")
    and an approximation after a noun ("受教育年限近16年").
    """
    pre = s[_clause_start(s, a) : a].replace(" ", "").replace("\t", "")
    return bool(_DURATION_LEAD.search(pre) or _DURATION_TAIL.match(s, end))


def _is_age_qualifier(s: str, end: int) -> bool:
    """Is the 岁 figure ending at ``end`` an age that says who is counted, not a figure?

    "3岁以下婴幼儿托位数", "2-3 岁托班", "年满6周岁的儿童", "3岁以下和60岁以上人口": a noun
    (or another age) follows.  An age the sentence states ends its clause or is followed
    by a verb ("平均年龄为39岁，", "平均年龄45岁以下").
    """
    p = _skip_sp(s, end)
    if s.startswith("的", p):
        p += 1
    if _AGE_LINK.match(s, p):
        return True
    return p < len(s) and "\u4e00" <= s[p] <= "\u9fff" and s[p] not in "是为在达占比较和及与或左上下"


def _clause_start(s: str, pos: int, chars: str = _CLAUSE_CHARS) -> int:
    i = pos
    while i > 0 and s[i - 1] not in chars:
        i -= 1
    return i


def _number_tokens(s: str) -> list[dict]:
    """Raw numeric tokens of normalised text, before classification."""
    toks: list[dict] = []
    taken = [False] * (len(s) + 1)
    for m in _CN_PCT.finditer(s):
        v = _cn2an(m.group(1))
        if v is not None:
            toks.append({"start": m.start(), "nend": m.end(), "value": v, "text": m.group(1), "kind": "cnpct"})
            for i in range(m.start(), m.end()):
                taken[i] = True
    for pattern, value in ((_CN_TENTHS, lambda m: 10 * (_cn2an(m.group(1)) or 0)),
                           (_CN_FRACTION, lambda m: round(100 * (_cn2an(m.group(2)) or 0) / (_cn2an(m.group(1)) or 1), 1)),
                           (_CN_DOUBLE, lambda m: 100 * (2 ** int(_cn2an(m.group(1).replace("两", "二")) or 1) - 1))):
        for m in pattern.finditer(s):
            v = value(m) if not any(taken[m.start() : m.end()]) else 0
            if not v:
                continue
            kind = "cndouble" if pattern is _CN_DOUBLE else "cnpct"
            toks.append({"start": m.start(), "nend": m.end(), "value": float(v), "text": m.group(0), "kind": kind})
            for i in range(m.start(), m.end()):
                taken[i] = True
    for m in _ARABIC.finditer(s):
        if taken[m.start()]:
            continue
        toks.append(
            {
                "start": m.start(),
                "nend": m.end(),
                "value": float(m.group(1).replace(",", "")),
                "text": m.group(1),
                "kind": "arabic",
            }
        )
        for i in range(m.start(), m.end()):
            taken[i] = True
    for m in _CN_RUN.finditer(s):
        if taken[m.start()]:
            continue
        toks.append({"start": m.start(), "nend": m.end(), "text": m.group(0), "kind": "cn"})
    toks.sort(key=lambda t: t["start"])
    return toks


def _scan(text: str, year: int | None) -> list[_Found]:
    s = _norm(text)
    found: list[_Found] = []
    consumed_until = -1
    for tok in _number_tokens(s):
        a, nend = tok["start"], tok["nend"]
        if a < consumed_until:
            continue
        before = s[max(0, a - 1) : a]
        after = s[nend : nend + 1]
        kind = tok["kind"]
        if kind in ("cnpct", "cndouble"):
            end = nend
            q = _skip_sp(s, end)
            suffix = next(((c, w) for w, c in _SUFFIX_CMP if s.startswith(w, q)), None)
            if suffix:
                end = q + len(suffix[1])
            f = _make(s, a, end, tok["value"], "%", "", False, suffix[0] if suffix else None, year)
            if kind == "cndouble":
                f.q.change = "increase"
            found.append(f)
            consumed_until = end
            continue
        if kind == "cn":
            f = _chinese(s, tok, year)
            if f is not None:
                found.append(f)
                consumed_until = f.q.end
            continue
        num = tok["text"]
        # --- exclusions on the context -----------------------------------
        if before and (before.isascii() and before.isalpha() or before in "+第"):
            continue
        if re.search(r"(?:附件|附表|附图|图|表)\s*$", s[max(0, a - 3) : a]):
            continue  # 附件1, 表2
        if after and (after.isascii() and after.isalpha() or after == "+"):
            continue
        if re.match(r"·\d", s[nend : nend + 2]) or re.search(r"\d·$", s[max(0, a - 2) : a]):
            continue  # “23·7”, “4·18”: a date that names an event
        if before in "〔[【(（" and re.match(r"[〕\]】)）]", s[nend : nend + 1] or " ") and _is_year_like(num):
            continue
        if (
            re.match(r"[.、]", after)
            and "." not in num
            and not re.match(r"\d", s[nend + 1 : nend + 2] or "x")
            and _starts_item(s, a)
        ):
            continue  # "1." / "1、" list marker
        if before in "(（" and re.match(r"[)）]", after or " ") and len(num) <= 2:
            continue  # "（3）"
        if re.match(r"[)）]", after or " ") and len(num) <= 2 and _starts_item(s, a) and before not in "(（":
            continue  # "3）" at the start of an item
        chain = _RATIO_CHAIN.match(s, nend)
        if chain:
            consumed_until = chain.end()
            continue  # 1:2:3
        ratio = _RATIO.match(s, nend)
        if ratio:
            consumed_until = ratio.end()
            if not _is_time(s, a, num, ratio.group(1)):
                found.append(_ratio(s, a, tok["value"], ratio, year))
            continue
        end, mag, unit, more, suffix = _read_tail(s, nend)
        p = _skip_sp(s, nend)
        if not unit and not mag and not more:
            if any(s.startswith(w, p) for w in _NOT_UNITS):
                continue  # date, document number, version
            if _is_year_like(num):
                continue  # a year
            if "." not in num and len(num) >= 5 and not suffix and s[p : p + 1] not in "%‰":
                continue  # a code, telephone number …
        if unit == "年" and _is_year_like(num) and not mag:
            continue  # 2025年
        # range "6.5%-7%" / "2021—2025年"
        upper = None
        r = re.match(r"[ \t]*[-—–~至][ \t]*(\d+(?:\.\d+)?)", s[end:] if not suffix else "")
        if r:
            num2 = r.group(1)
            e2, mag2, unit2, _more2, _suffix2 = _read_tail(s, end + r.end())
            if _is_year_like(num) and _is_year_like(num2):
                consumed_until = e2
                continue  # 2021-2025
            if (not unit or unit == unit2) and (mag == mag2 or not mag) and float(num2) > tok["value"] and (unit2 or unit):
                upper = float(num2)
                unit, mag = unit2 or unit, mag2 or mag
                end = e2
                suffix = suffix or ">="
        if unit == "年" and not mag and _is_duration(s, a, end):
            consumed_until = end
            continue  # 连续5年
        if unit in _AGE_UNITS and _is_age_qualifier(s, end):
            consumed_until = end
            continue  # 3岁以下婴幼儿
        f = _make(s, a, end, tok["value"], unit, mag, more, suffix, year)
        f.upper = upper
        if upper is not None:
            f.explicit = True
        found.append(f)
        consumed_until = end
    _post(s, found, year)
    return found


# "生师比12:1", "师生比1:200": one figure, value the first term, unit ":" + the second
_RATIO = re.compile(r"[ \t]*[:：∶][ \t]*(\d+(?:\.\d+)?)(?![\d.%‰])(?![ \t]*[:：∶][ \t]*\d)")
# "1:2:3" and longer chains: no figure
_RATIO_CHAIN = re.compile(r"[ \t]*[:：∶][ \t]*\d+(?:\.\d+)?(?:[ \t]*[:：∶][ \t]*\d+(?:\.\d+)?)+")


def _is_time(s: str, a: int, first: str, second: str) -> bool:
    """"9:30" is a clock time, not a ratio, unless the clause speaks of a ratio (…比)."""
    if "比" in s[_clause_start(s, a, "，,；;。！？!?\n\r\t") : a]:
        return False
    return first.isdigit() and int(first) <= 24 and len(second) == 2 and second.isdigit()


def _ratio(s: str, a: int, value: float, m: re.Match[str], year: int | None) -> _Found:
    """A ratio a:b as one quantity: value a, unit ":b" (:func:`normalise_unit` reads it as a/b against 1)."""
    end = m.end()
    q = _skip_sp(s, end)
    suffix = next(((c, w) for w, c in _SUFFIX_CMP if s.startswith(w, q)), None)
    if suffix:
        end = q + len(suffix[1])
    return _make(s, a, end, value, ":" + m.group(1), "", False, suffix[0] if suffix else None, year)


# "一区十六园": a numbered part (not a measure word: "一所十二个班" is a figure) just before the numeral
_NAME_PAIR_BEFORE = re.compile(
    r"[一两二三四五六七八九十](?![" + "".join(sorted(_MEASURE_WORDS)) + r"是的和与及或到至在为年月日号次倍成批])[\u4e00-\u9fff]$"
)


def _in_quoted_name(s: str, a: int, end: int) -> bool:
    """Does a Chinese numeral with its classifier close a short quote (“新京十条”, “一区十六园”)?

    Such a quote is the name of a policy or a place; a figure in quotes is followed by
    what it counts (“新建十所幼儿园”) and stays a figure.
    """
    if s[end : end + 1] not in '”"':
        return False
    window = s[max(0, a - 10) : a]
    opening = max(window.rfind("“"), window.rfind('"'))
    return opening >= 0 and not re.search(r'[”\d，,；;。]', window[opening + 1 :])


def _chinese(s: str, tok: dict, year: int | None) -> _Found | None:
    a, nend, run = tok["start"], tok["nend"], tok["text"]
    vague = s[max(0, a - 1) : a] in ("数", "几") and run[0] in "十百千万"  # 数十所, 几百名: more than ten, a hundred
    if run in ("百", "千", "万") and (s[nend : nend + 1] in ("余", "多") or vague):
        run = "一" + run  # 千余名, 百余所: more than a thousand, a hundred
    elif run[0] in "百千万亿":
        return None
    if s[max(0, a - 1) : a] in ("第", "周", "初", "星") or s[max(0, a - 2) : a] == "星期":
        return None
    if s[max(0, a - 1) : a] and s[a - 1] in '“"' and s[nend : nend + 1] in '”"':
        return None  # a quoted name such as “十二五”
    if _NAME_PAIR_BEFORE.search(s, 0, a) and s[nend : nend + 1] not in _MEASURE_WORDS:
        return None  # 一区十六园, 三城十园: a name made of numbered parts (一共三十所学校 counts schools)
    has_place = any(c in "十百千万亿" for c in run)
    if len(run) > 1 and not has_place:
        return None  # 二〇二五, 一二三
    mag = ""
    body = run
    for m, _ in _MAGNITUDES:
        if run.endswith(m) and len(run) > len(m):
            head = run[: -len(m)]
            if len(m) > 1 and any(c in "十百千" for c in head):
                continue  # 三千五百万 is 三千五百 × 万, not 三千五 × 百万
            if not any(c in "万亿" for c in head) and _cn2an(head) is not None:
                mag, body = m, head
            break
    value = _cn2an(body)
    if value is None:
        return None
    end, mag2, unit, more, suffix = _read_tail(s, nend)
    if mag2 and not mag:
        mag = mag2
    if unit in _CN_BAD_UNITS:
        unit = ""
        end = nend if not more else end
    if not has_place and value < 10 and not mag and unit not in _CN_SINGLE_OK:
        return None
    if not unit and not mag:
        return None  # 二十大, 十大
    if unit == "年" and (value >= 1900 or len(body) > 3):
        return None
    if _in_quoted_name(s, a, end):
        return None  # “新京十条”
    if unit == "年" and _is_duration(s, a, end):
        return None  # 连续十年, 十年来
    if unit in _AGE_UNITS and _is_age_qualifier(s, end):
        return None  # 十八岁以下学生
    more = more or vague
    return _make(s, a, end, value, unit, mag, more, suffix, year)


def _in_word(pre: str, w: str) -> bool:
    """约 of 节约/签约, 近 of 就近/附近: part of a word, not an approximation."""
    if len(w) > 1 or len(pre) < 2:
        return False
    return pre[-2] in ("节制集签预公契简条合违履邀" if w == "约" else "最附就临亲贴靠邻")


def _make(
    s: str, a: int, end: int, value: float, unit: str, mag: str, more: bool, suffix: str | None, year: int | None
) -> _Found:
    cl = _clause_start(s, a)
    pre_full = s[cl:a]
    # approximate prefix: part of the span
    start = a
    pre = pre_full.rstrip(" \t")
    approx = more
    cmp = None
    explicit = False
    for w in _APPROX_PREFIX:
        if pre.endswith(w) and not _in_word(pre, w):
            start = cl + len(pre) - len(w)
            pre = pre[: -len(w)].rstrip(" \t")
            approx = True
            cmp = "~"
            break
    for w, c in _PREFIX_CMP:
        if pre.endswith(w):
            cmp, explicit = c, True
            pre = pre[: -len(w)].rstrip(" \t")
            break
    level_down = False
    change = None
    verb = _PERFECTIVE.sub("", pre)  # "减少了20%" is "减少20%"
    if _LEVEL_DOWN.search(verb):
        level_down = True
    elif _LEVEL_UP.search(verb):
        pass
    else:
        # change verbs: "增长5%", "下降3%以上", "比上年高2个百分点"
        for verbs, direction in ((_INCREASE, "increase"), (_DECREASE, "decrease")):
            for v in sorted(verbs, key=len, reverse=True):
                if verb.endswith(v):
                    if len(v) == 1 and not re.search(r"(比|较)", verb):
                        continue  # a single 高/低/多 only after 比…
                    if verb.endswith(("涨幅", "增幅", "降幅")):
                        continue
                    change = direction
                    break
            if change:
                break
    if cmp == "<=" and pre_full.rstrip().endswith("控制在"):
        level_down = True
    if suffix:
        if suffix == "~":
            approx = True
        if not (cmp == "~" and suffix == "~"):
            cmp, explicit = suffix, True
    if cmp is None:
        cmp = ">" if more else "="
    unit_written = (mag + unit) if (mag or unit) else None
    if unit == "个百分点":
        unit_written = mag + "百分点"
    base_year = None
    m = re.search(r"(?:比|较)\s*(?:(上年|去年|上一年)|(\d{4})\s*年)|同比", pre)
    if m and change:
        if m.group(2):
            base_year = int(m.group(2))
        elif year is not None:
            base_year = year - 1
    q = Quantity(
        start=start,
        end=end,
        value=value,
        unit=unit_written,
        comparator=cmp,
        scale=_MAG.get(mag, 1.0),
        approx=approx,
        change=change,
        base_year=base_year,
    )
    return _Found(q=q, pre=pre, level_down=level_down, explicit=explicit)


def _post(s: str, found: list[_Found], year: int | None) -> None:
    """Nouns, baselines, polarity and clause indices."""
    clause_no = 0
    last = 0
    for i, f in enumerate(found):
        q = f.q
        cl = _clause_start(s, q.start)
        clause_no += sum(1 for c in s[last : q.start] if c in _CLAUSE_CHARS)
        last = q.start
        f.clause = clause_no
        # only the text after the previous quantity of the same clause
        lo = cl
        for g in found[:i]:
            if g.q.end > lo and g.q.end <= q.start:
                lo = g.q.end
        noun = _following_noun(s, q)
        if not noun:
            noun = _preceding_noun(s[lo : q.start] if lo > cl else f.pre)
        if not noun and cl > 0 and s[cl - 1] in "：:":
            noun = _preceding_noun(s[_clause_start(s, cl - 1) : cl - 1])  # "学前教育毛入园率：达到90%以上"
        if not noun and q.unit and q.unit not in ("%", "百分点"):
            noun = _following_noun(s, q, any_unit=True)
        share = re.search(r"成|分之", s[q.start : q.end]) and "百分之" not in s[q.start : q.end]
        if not noun and (share or (q.unit == "%" and s[cl : q.start].rstrip().endswith("覆盖"))):
            # "九成以上学校开设课后服务", "三分之一的学校", "覆盖80%以上的大城市": a share of what follows
            m = re.match(r"(?:以上|以下|左右)?的?([\u4e00-\u9fff]{2,8}?)(?=开设|完成|实现|达到|参加|参与|建成|通过|[，。；、]|$)", s[q.end :])
            if m:
                noun = m.group(1)
        elif q.unit == "%" and not share:
            noun = _share_of(s, q, noun, s[cl : q.start]) or noun
        if not noun:
            # "比例连续4年达到99%以上": the noun of the previous figure of the clause;
            # "支出1125.36亿元,比上年增长10.25%": of the previous clause, for a change
            for g in reversed(found[:i]):
                if "|" in s[g.q.end : q.start]:
                    break  # another cell of a table row
                if g.q.quantity and (q.change or _clause_start(s, g.q.start) == cl):
                    noun = g.q.quantity
                    break
        q.quantity = noun or None
        # 从 X 提高到 Y / 由 X 降至 Y
        if i > 0:
            g = found[i - 1]
            between = s[g.q.end : q.start]
            if re.search(r"(从|由)[^，,；;。]{0,20}$", s[_clause_start(s, g.q.start) : g.q.start] + "") and re.fullmatch(
                r"\s*(?:的)?\s*(?:提高|提升|增加|增长|上升|扩大|降低|下降|降|减少|压减|缩减|缩小)(?:到|至)\s*(?:\d{4}\s*年(?:底|末)?\s*(?:的)?)?\s*", between
            ):
                g.baseline = True
                g.q.mention = "base"  # the level risen from, not a figure reached
                q.base_value = g.q.value
                m = re.search(r"(?:从|由)\s*(\d{4})\s*年", s[_clause_start(s, g.q.start) : g.q.start])
                if m:
                    q.base_year = int(m.group(1))
                if not q.quantity and g.q.quantity:
                    q.quantity = g.q.quantity
                _listed_bases(s, found, i - 1)
        q.polarity = _polarity(q)
    _respectively(s, found)
    _restated(s, found)


# the noun after a share ("30%的学校创建达标"): up to the verb that says what those did
_SHARE_NOUN = re.compile(
    r"(?:以上|以下|左右)?的([\u4e00-\u9fff]{2,8}?)"
    r"(?=开设|开展|完成|实现|达到|达标|参加|参与|建成|建立|创建|通过|接受|获得|配备|分配|纳入|落实|享受|使用|进行|覆盖|"
    r"已|均|都|被|由|为|是|就|可|将|会|要|才|也|还|于|把|得|的|[，。；、,;！？（(]|$)"
)
# what a share is not of: the target or the requirement it is measured against ("76%的年度目标")
_SHARE_GENERIC = re.compile(r"(?:目标|任务|要求|水平|标准|比例|比重|份额|部分|权重|进度|增长|增幅|覆盖|提升|实事项目)$")
# a noun before the share that only gives it away: "106所优质高中拿出50.5%的招生计划"
_SHARE_GIVER = re.compile(r"(?:拿出|拿出了|安排|投入|提供|分配|划出|预留|留出|用于|有)$")


def _share_of(s: str, q: Quantity, noun: str, pre: str) -> str:
    """The noun of a share written before what it counts: "全市30%的学校创建达标" → 学校.

    A noun before the figure stays ("居民消费价格涨幅稳定在2%左右的较低水平"), unless it only
    gives the share away ("优质高中拿出50.5%的招生计划"); what follows must not be the
    yardstick (76%的年度目标, 50%的要求).  An agent that covers a share ("交通副校长已覆盖
    80%的学校") keeps its name in the noun (交通副校长覆盖学校), so the share is not taken
    for a share of schools of every kind.
    """
    m = _SHARE_NOUN.match(s, q.end)
    if m is None or _SHARE_GENERIC.search(m.group(1)):
        return ""
    counted = m.group(1)
    if re.search(r"覆盖\s*$", pre):
        return f"{noun}覆盖{counted}" if noun else counted
    if noun and not _SHARE_GIVER.search(noun):
        return ""
    return counted


# a target or task the sentence reports on, quoted or named before 的…目标/任务:
# "完成“新增2万个中小学学位”市政府实事任务", "超额完成 76%的年度目标", "超过国家规定占比 50%的要求"
_TASK = r"(?:年度目标|目标任务|目标值|目标|要求|实事项目|实事任务|任务|指标)"
_QUOTED_TASK = re.compile(r"[“\"]([^“”\"，。；,;]{1,30})[”\"][\u4e00-\u9fff]{0,8}?" + _TASK)
_DONE_TASK = re.compile(
    r"(?:超额完成|提前完成|完成|超过|高于|达到|实现|低于|未达到)了?\s*(?:年度)?\s*([^，。；,;“”\"]{1,30}?)\s*的[\u4e00-\u9fff]{0,6}?" + _TASK
)


def _restated(s: str, found: list[_Found]) -> None:
    """Mark the figures of a target the sentence restates (``mention="restated"``).

    "超额完成年度“新增2万个中小学学位”市政府实事任务，新增学位3.6万个": 2万 is the task
    reported on, 3.6万 what was achieved; later stages must not take the first for the second.
    """
    spans = [m.span(1) for rx in (_QUOTED_TASK, _DONE_TASK) for m in rx.finditer(s)]
    for f in found:
        if f.q.mention is None and any(a <= f.q.start and f.q.end <= b for a, b in spans):
            f.q.mention = "restated"


def _listed_bases(s: str, found: list[_Found], k: int) -> None:
    """"分别从50%、75%提高至100%": the figures listed just before the base ``found[k]`` are bases too."""
    while k > 0:
        h = found[k - 1]
        if h.q.mention is not None or not re.fullmatch(r"\s*[、和与及]\s*", s[h.q.end : found[k].q.start]):
            return
        h.baseline, h.q.mention = True, "base"
        k -= 1


_RESPECTIVELY = re.compile(
    r"([\u4e00-\u9fff“”、]{2,40}?)分别(?:再|又|各)?"
    r"(?:(?:比|较)\s*(?:上年同期|去年同期|上一年|上年|去年|同期|\d{4}\s*年)?)?"
    r"((?:为|是|达到|达|提高|提升|增长|增加|上升|下降|降低|减少|压减|缩减|不低于|不少于|不超过|不高于|保持在|保持|控制在|稳定在|新增|新建|完成)?了?(?:到|至)?)"
    # what the figures count, when it follows the verb ("小学、初中分别新增学位2000个、3000个")
    r"([\u4e00-\u9fff]{1,8}?)?(?:不低于|不少于|不超过|不高于|达到|约)?\s*$"
)
# "博士和硕士招生计划", "城镇和农村居民人均可支配收入": the kinds a list contrasts before a head they share
_PARALLEL = {
    "男", "女", "城镇", "农村", "城市", "城区", "郊区", "公办", "民办", "学前", "小学", "初中", "高中", "中小学", "幼儿园",
    "义务教育", "中职", "高职", "本科", "专科", "研究生", "博士", "硕士", "学生", "教师", "家长", "中央", "地方", "市级", "区级",
}
# a listed noun that already ends with what it measures is a full noun ("入园率和普惠率")
_FULL_NOUN_END = re.compile(r"(?:率|比|比例|比重|占比|数|量|额|值|度|费|耗|排放|收入|支出|规模|面积|人次|计划|学位)$")


def _shared_head(items: list[str]) -> list[str]:
    """Give the last item's head to the earlier ones when they name only a kind of it.

    "博士和硕士招生计划" → 博士招生计划, 硕士招生计划: the last item starts with a word
    like the earlier items' last word (same length and a character in the same place,
    博士/硕士, 本科/专科, or both well-known contrasts such as 小学/初中, 城镇/农村) and
    the rest (招生计划) is the head.  Items that already end with what they measure
    ("入园率和普惠率", "能耗和二氧化碳排放") are kept as they are.
    """
    last = items[-1]
    if len(items) < 2 or any(_FULL_NOUN_END.search(it) for it in items[:-1]):
        return items
    for k in (1, 2, 3, 4):
        peer, head = last[:k], last[k:]
        if len(head) < 2:
            break
        if all(len(it) >= k and _alike(it[-k:], peer) for it in items[:-1]):
            return [it + head for it in items[:-1]] + [last]
    return items


def _alike(a: str, b: str) -> bool:
    if a == b:
        return False
    if a in _PARALLEL and b in _PARALLEL:
        return True
    return len(a) == len(b) >= 2 and any(x == y for x, y in zip(a, b))


def _respectively(s: str, found: list[_Found]) -> None:
    """"入园率和普惠率分别为95%和90%": the listed nouns go to the figures in turn.

    A verb after 分别 (分别比去年增加16.5%和10.5%) is every figure's: the later ones,
    which have only a 和 or 、 before them, take its change and base year.
    """
    by_clause: dict[int, list[_Found]] = {}
    for f in found:
        by_clause.setdefault(f.clause, []).append(f)
    for fs in by_clause.values():
        if len(fs) < 2:
            continue
        cl = _clause_start(s, fs[0].q.start)
        m = _RESPECTIVELY.search(s[cl : fs[0].q.start])
        if m is None:
            continue
        nouns = [n for n in re.split(r"以及|和|、|及|与", m.group(1)) if n]
        verb, counted = m.group(2), m.group(3)
        # the items are kinds of what is counted after the verb: 小学 + 新增学位 → 小学新增学位 (the verb
        # stays: new places are not the stock of places); only after a verb of the list, since an unknown
        # one would be taken for the noun (分别扩大…, 分别占…)
        nouns = [n + verb + counted for n in nouns] if counted and verb else _shared_head(nouns)
        first = fs[0].q  # "能耗和二氧化碳排放分别降低13.5%、18%": every figure is a fall
        for k, f in enumerate(fs):
            if len(nouns) == len(fs):
                f.q.quantity = _preceding_noun(nouns[k]) or nouns[k]
            joined = k > 0 and re.fullmatch(r"\s*(?:和|、|及|与|以及)?\s*", s[fs[k - 1].q.end : f.q.start])
            if first.change and f.q.change is None and (f.q.unit in ("%", "百分点") or joined):
                f.q.change = first.change  # "城乡低保人均补助标准分别提高5%和8%": the 8% too
                f.q.base_year = f.q.base_year or first.base_year
            f.q.polarity = _polarity(f.q)


def _following_noun(s: str, q: Quantity, *, any_unit: bool = False) -> str:
    unit = q.unit or ""
    _, u = _split_magnitude(unit)
    if u not in _MEASURE_WORDS and not any_unit:
        return ""
    rest = s[q.end : q.end + 24]
    m = re.match(r"[\u4e00-\u9fff“”\"]+", rest)
    if not m:
        return ""
    run = m.group(0)
    close = run.find("”", 1)
    if close > 0:
        run = run[:close]  # “新增2万个中小学学位”市政府实事任务: the quote ends the noun
    stop = _FOLLOW_STOP.search(run)
    if stop:
        run = run[: stop.start()]
    run = run.replace("“", "").replace("”", "").replace('"', "")
    return run[:12] if len(run) >= 1 else ""


def _preceding_noun(pre: str) -> str:
    # "3岁以下婴幼儿托位数": the age says who is counted and stays in the noun, kept apart
    # from the cuts at digits below (each age stands in as one private-use character)
    ages: list[str] = []

    def keep(m: re.Match[str]) -> str:
        ages.append(re.sub(r"\s+|的$", "", m.group(0)))
        return chr(0xE000 + len(ages) - 1)

    p = _after_open_bracket(_AGE_IN_NOUN.sub(keep, pre))
    p = _PER_CAPITA_HAVE.sub(r"\1", p)  # "每千人口拥有…托位数" → 每千人口…托位数
    for _ in range(8):
        new = _TRAIL.sub("", p)
        if new == p:
            break
        p = new
    # text in the clause before a 的: the modifier; keep what follows
    if "的" in p:
        tail = p.rsplit("的", 1)[1]
        if len(tail) >= 2:
            p = tail
    for _ in range(8):
        new = _LEAD.sub("", p, count=1)
        if new == p:
            break
        p = new
    ms = list(_MID_VERB.finditer(p))
    if ms:
        tail = p[ms[-1].end() :]
        if len(tail) >= 2:
            p = tail
    p = re.sub(r"[“”\"《》‘’]", "", p).strip(" \t、")
    if re.search(r"\d", p):
        p = re.split(r"\d+(?:\.\d+)?[A-Za-z]*\s*(?:[年月日号届期批.、．）)]|\s)?", p)[-1]
    p = _clean_noun(p[-24:] if len(p) > 24 else p)
    for k, age in enumerate(ages):
        p = p.replace(chr(0xE000 + k), age)
    return p


_NOUN_EDGE = " \t、，,。；;：:！？!?[]【】〔〕《》<>“”\"'‘’…·-—|"
# words left over between two figures that name nothing ("16.5%和10.5%")
_NOT_NOUNS = {"和", "与", "及", "以及", "或", "并", "且", "分别", "其中", "同比", "环比", "同", "环", "比", "较", "约", "近", "含", "不含"}


def _after_open_bracket(p: str) -> str:
    """The text after a bracket that is not closed again: a figure inside brackets measures what they say."""
    for opening, closing in (("（", "）"), ("(", ")")):
        k = p.rfind(opening)
        if k >= 0 and closing not in p[k:]:
            p = p[k + 1 :]
    return p


def _clean_noun(p: str) -> str:
    """Punctuation is never a noun: "（同比提升2%）" leaves "（" or "（同", which is nothing.

    Brackets and quotes at either end go, and so does the text before a bracket that
    is not closed again; what is left must hold a word.
    """
    p = _after_open_bracket(p.strip(_NOUN_EDGE)).strip(_NOUN_EDGE)
    p = re.sub(r"^[）)]+|[（(]+$", "", p).strip(_NOUN_EDGE)  # a bracket at an edge that pairs with none
    if re.search(r"[）)]$", p) and not re.search(r"[（(]", p):
        p = p[:-1].strip(_NOUN_EDGE)
    if not re.search(r"[\u4e00-\u9fffA-Za-z0-9]", p) or p in _NOT_NOUNS or p in _UNITS:
        return ""  # a table's unit cell ("| 个 |") names no quantity either
    return p


def _polarity(q: Quantity) -> str | None:
    name = (q.quantity or "").strip()
    head = re.sub(r"[（(][^）)]*[）)]$", "", name)
    if any(head.endswith(h) for h in _NEG_HEADS):
        return "negative"
    if q.change == "decrease":
        return "negative"
    if name or q.change:
        return "positive"
    return None


# --------------------------------------------------------------------------
# deadlines
# --------------------------------------------------------------------------
def _deadlines(s: str, year: int | None) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    taken: list[tuple[int, int]] = []  # spans already read: "2025年底前" holds a 年底前 that is not this year's

    def add(m: re.Match[str], value: int) -> None:
        if not any(a < m.end() and m.start() < b for a, b in taken):
            taken.append(m.span())
            out.append((m.start(), value))

    for m in _DEADLINE.finditer(s):
        if m.group(1) or m.group(2) or m.group(3):
            add(m, int(m.group(1) or m.group(2) or m.group(3)))
        elif m.group(4):
            add(m, PLAN_END[m.group(4)])
    if year is not None:
        for m in re.finditer(r"([一二三两四五]|\d)\s*年内", s):
            n = _cn2an(m.group(1)) if not m.group(1).isdigit() else float(m.group(1))
            if n is not None and not (m.group(1).isdigit() and m.start() > 0 and s[m.start() - 1].isdigit()):
                add(m, year + int(n))
        for m in re.finditer(r"明年", s):
            add(m, year + 1)
        for m in re.finditer(r"今年|本年度|年内|年底前|全年|当年", s):
            add(m, year)
    out.sort()
    return out


def _deadline_for(deadlines: list[tuple[int, int]], pos: int) -> int | None:
    before = [y for p, y in deadlines if p < pos]
    if before:
        return before[-1]
    return deadlines[0][1] if deadlines else None


# --------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------
def find_quantities(text: str, *, offset: int = 0, year: int | None = None) -> list[Quantity]:
    """Every number of ``text`` with its unit, comparator and measured noun.

    Spans are positions in ``text`` plus ``offset`` and cover the number
    expression: an approximate prefix (近, 约), the number, 余/多, the magnitude,
    the unit and a suffix comparator ("96%以上", "3万余名", "近50所").  Comparators
    are as written (a bare figure or 达到 X gives ``=``).  ``year`` (the report
    year) resolves 比上年 into ``base_year``.  A baseline (从 X 提高到 Y) and a
    target the sentence restates are returned too, marked in ``mention``: they are
    not figures the sentence reports as reached.
    """
    out = []
    for f in _scan(text, year):
        q = f.q
        q.start += offset
        q.end += offset
        out.append(q)
    return out


def _as_target(f: _Found, deadline: int | None) -> Quantity:
    q = f.q
    q.is_target = True
    q.mention = None  # in a goal sentence the task it names is the target ("完成“新增2万个学位”任务")
    q.deadline = deadline
    if q.comparator == "=" and not f.explicit:
        if q.change:
            q.comparator = ">="  # 增长5% / 下降3%: at least that much
        elif f.level_down or q.polarity == "negative":
            q.comparator = "<="
        else:
            q.comparator = ">="
    return q


def parse_targets(text: str, *, offset: int = 0, year: int | None = None) -> list[Quantity]:
    """The targets a goal sentence promises, one per clause (``is_target=True``).

    A bare value, 达到 X, 提高到 X or 增长 X becomes ``>=`` (for a change, "at
    least that much"); for a negative-polarity quantity (失业率, 能耗, 支出 …) or
    after 降至/控制在 it becomes ``<=``.  Written comparators are kept.  The
    baseline of 从 X 提高到 Y is recorded in ``base_value`` of Y and is not a
    target.  Deadlines: 到2025年 / 2025年前 / 到“十四五”末 (→ 2025) / 今年 (→ year)
    / 明年 (→ year+1), the nearest one before the target.
    """
    s = _norm(text)
    found = _scan(text, year)
    deadlines = _deadlines(s, year)
    out: list[Quantity] = []
    seen: set[int] = set()
    for k, f in enumerate(found):
        if f.baseline or f.clause in seen:
            continue
        if f.q.unit == "岁" and any(g.clause == f.clause and not g.baseline for g in found[k + 1 :]):
            continue  # "3岁以下婴幼儿托位数达到4.5个": an age that qualifies the target's noun
        seen.add(f.clause)
        q = _as_target(f, _deadline_for(deadlines, f.q.start))
        q.start += offset
        q.end += offset
        out.append(q)
    return out


def parse_target(text: str, *, offset: int = 0, year: int | None = None) -> Quantity | None:
    """The first target of :func:`parse_targets`, or ``None``."""
    targets = parse_targets(text, offset=offset, year=year)
    return targets[0] if targets else None


_CELL_EMPTY = re.compile(r"^[\s\-—–－/／_]*$|^(?:无|暂无|不适用|N/?A)$", re.IGNORECASE)
_UNIT_PAREN = re.compile(r"[（(]\s*([^（）()]{1,8}?)\s*[）)]\s*$")
_CMP_WORDS = {
    "≥": ">=",
    ">=": ">=",
    "⩾": ">=",
    "＞=": ">=",
    "大于等于": ">=",
    "不低于": ">=",
    "不少于": ">=",
    "以上": ">=",
    ">": ">",
    "＞": ">",
    "大于": ">",
    "超过": ">",
    "高于": ">",
    "≤": "<=",
    "<=": "<=",
    "⩽": "<=",
    "＜=": "<=",
    "小于等于": "<=",
    "不超过": "<=",
    "不高于": "<=",
    "以内": "<=",
    "以下": "<=",
    "<": "<",
    "＜": "<",
    "小于": "<",
    "低于": "<",
    "=": "=",
    "＝": "=",
    "等于": "=",
    "~": "~",
    "≈": "~",
    "约": "~",
    "左右": "~",
}


def _looks_like_unit(u: str) -> bool:
    base, factor = normalise_unit(u)
    if base is None:
        return factor != 1.0
    _, rest = _split_magnitude(_norm(u).strip())
    return rest in _UNITS or rest in _CONVERT


def parse_indicator_cell(
    name: str,
    value: str,
    *,
    year: int | None = None,
    comparator: str | None = None,
    unit: str | None = None,
    base: str | None = None,
    base_year: int | None = None,
) -> Quantity | None:
    """A cell of an indicator table as a target.

    ``name`` is the indicator ("学前教育入园率（%）"; a unit in final brackets is
    taken as the unit and removed from the quantity name), ``value`` the target
    cell ("＞90", "90", "≥95%", "95%以上", "—").  Self-evaluation tables give
    comparator and unit in their own cells: pass them as ``comparator=`` and
    ``unit=`` (they win over what the value says).  A bare value means ``>=``
    except for negative indicators (支出, 成本, 失业率, 差异率, 结转结余率 …),
    where it means ``<=``.  ``year`` becomes the deadline, ``base`` (the
    baseline cell) ``base_value``.  Spans are positions in ``value``.
    Returns ``None`` for an empty, dash or non-numeric cell.
    """
    if value is None or _CELL_EMPTY.match(value.strip()):
        return None
    qname = name.strip()
    name_unit = None
    m = _UNIT_PAREN.search(_norm(qname))
    if m and _looks_like_unit(m.group(1)):
        name_unit = _norm(m.group(1)).strip()
        qname = qname[: m.start()].strip()
    qname = re.sub(r"^\s*(?:\d{1,2}[.、]|[（(]\d{1,2}[）)])\s*", "", qname)
    v = _norm(value).strip()
    cmp_explicit = None
    if comparator is not None and comparator.strip():
        c = _norm(comparator).strip()
        cmp_explicit = _CMP_WORDS.get(c)
        if cmp_explicit is None:
            return None  # 定性 and other qualitative comparators
    # the value alone: [comparator] number [余多] [magnitude] [unit] [suffix]
    lead = None
    for w in sorted(_CMP_WORDS, key=len, reverse=True):
        if v.startswith(w) and w not in ("以上", "以内", "以下", "左右"):
            lead = _CMP_WORDS[w]
            v_rest = v[len(w) :]
            break
    else:
        v_rest = v
    pad = len(v) - len(v_rest)
    mnum = re.match(r"\s*(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)", v_rest)
    if not mnum:
        found = find_quantities(value, year=year)
        if not found:
            return None
        q = found[0]
        num_value, mag, u, more, suffix, end = q.value, "", q.unit or "", q.approx, None, q.end
        start = q.start
        if q.comparator != "=":
            lead = lead or q.comparator
        if q.unit:
            sc, rest = _split_magnitude(q.unit)
            mag = next((m_ for m_, s_ in _MAGNITUDES if s_ == sc), "") if sc != 1 else ""
            u = rest
    else:
        num_value = float(mnum.group(1).replace(",", ""))
        start = pad + mnum.start(1)
        end, mag, u, more, suffix = _read_tail(v, pad + mnum.end())
        if v[end:].strip() and not re.fullmatch(r"[（(]?含[）)]?", v[end:].strip()):
            return None  # text after the number: not a plain value cell
    # unit: explicit argument > value cell > name
    full_unit = (mag + u) if (mag or u) else None
    if unit is not None and unit.strip():
        unit_n = _norm(unit).strip()
        has_mag = _split_magnitude(unit_n)[0] != 1.0
        full_unit = mag + unit_n if mag and not has_mag else unit_n
    elif (full_unit is None or (mag and not u)) and name_unit:
        full_unit = (mag + name_unit) if mag else name_unit
    if full_unit == "个百分点":
        full_unit = "百分点"
    sc, _rest = _split_magnitude(full_unit or "")
    q = Quantity(
        start=start,
        end=end,
        value=num_value,
        unit=full_unit,
        quantity=qname or None,
        scale=sc,
        approx=bool(more) or suffix == "~" or lead == "~",
        deadline=year,
        is_target=True,
    )
    if base is not None and not _CELL_EMPTY.match(base.strip()):
        mb = re.search(r"\d+(?:\.\d+)?", _norm(base))
        if mb:
            q.base_value = float(mb.group(0))
            q.base_year = base_year
    q.polarity = _polarity(q)
    if cmp_explicit:
        q.comparator = cmp_explicit
    elif lead or suffix:
        q.comparator = lead or suffix  # type: ignore[assignment]
    elif more:
        q.comparator = ">"
    else:
        q.comparator = "<=" if q.polarity == "negative" else ">="
    return q


# --------------------------------------------------------------------------
# ranges
# --------------------------------------------------------------------------
_RANGE = re.compile(r"(\d+(?:\.\d+)?)\s*(%|‰)?\s*[-—–~至到]\s*(\d+(?:\.\d+)?)\s*(%|‰)?")


def range_bounds(expr: str) -> tuple[float, float] | None:
    """``(lower, upper)`` of a range such as "6.5%－7%" or "6%-6.5%"; else ``None``.

    :func:`find_quantities` reports a range as one quantity (value = lower
    bound, comparator ``>=``) whose span covers the whole range; apply this to
    the span's text to get the upper bound.
    """
    m = _RANGE.search(_norm(expr))
    if not m:
        return None
    lo, hi = float(m.group(1)), float(m.group(3))
    if hi <= lo:
        return None
    return lo, hi


# --------------------------------------------------------------------------
# comparison
# --------------------------------------------------------------------------
def _plain(q: Quantity) -> tuple[str | None, float, float]:
    """(base unit, factor, plain value) of a quantity."""
    base, factor = normalise_unit(q.unit)
    mag, _ = _split_magnitude(_norm(q.unit or "").strip())
    # the magnitude is in the unit (万个) or only in q.scale (unit 个, scale 1e4)
    if mag == 1.0 and q.scale not in (0, 1.0):
        factor *= q.scale
    return base, factor, q.value * factor


def _per_capita(q: Quantity) -> str | None:
    """The base of a per-capita figure written in its noun: 每千人口… → "千人", 每百户… → "百户"."""
    m = _PER_CAPITA.search(q.quantity or "")
    if m is None:
        return None
    return m.group(1) + ("户" if m.group(2) == "户" else "人")


def _place(value: float) -> float:
    """Place value of the last non-zero digit: 2000 → 1000, 250 → 10, 1.7 → 0.1."""
    try:
        d = Decimal(repr(value)).normalize()
    except InvalidOperation:  # pragma: no cover
        return 1.0
    if d == 0:
        return 1.0
    exp = d.as_tuple().exponent
    return float(Decimal(1).scaleb(int(exp)))


Interval = tuple[float, bool, float, bool]  # lo, lo closed, hi, hi closed


def _actual_interval(q: Quantity, factor: float) -> Interval:
    v = q.value * factor
    c = q.comparator
    if c == ">" and q.approx:  # 余 / 多: (v, v + place)
        return v, False, (q.value + _place(q.value)) * factor, False
    if c == ">=":
        return v, True, math.inf, False
    if c == ">":
        return v, False, math.inf, False
    if c == "<=":
        return -math.inf, False, v, True
    if c == "<":
        return -math.inf, False, v, False
    return v, True, v, True  # "=" and "~": the stated figure


def _target_interval(q: Quantity, factor: float) -> Interval:
    t = q.value * factor
    c = q.comparator
    if c == ">=":
        return t, True, math.inf, False
    if c == ">":
        return t, False, math.inf, False
    if c == "<=":
        return -math.inf, False, t, True
    if c == "<":
        return -math.inf, False, t, False
    if c == "~":
        tol = abs(t) * APPROX_TOLERANCE
        lo, hi = t - tol, t + tol
        if q.polarity == "positive":
            hi = math.inf
        elif q.polarity == "negative":
            lo = -math.inf
        return lo, True, hi, True
    eps = abs(t) * 1e-9
    return t - eps, True, t + eps, True


def _inside(x: Interval, y: Interval) -> bool:
    xl, xlc, xh, xhc = x
    yl, ylc, yh, yhc = y
    low_ok = xl > yl or (xl == yl and (ylc or not xlc))
    high_ok = xh < yh or (xh == yh and (yhc or not xhc))
    return low_ok and high_ok


def _disjoint(x: Interval, y: Interval) -> bool:
    xl, xlc, xh, xhc = x
    yl, ylc, yh, yhc = y
    if xh < yl or yh < xl:
        return True
    if xh == yl and not (xhc and ylc):
        return True
    return bool(yh == xl and not (yhc and xlc))


def unit_with_more(unit: str | None) -> str:
    """The unit of a 余/多 figure as a report writes it: 2万余个, 1500余人次 (余 after the magnitude)."""
    unit = unit or ""
    magnitude = unit[:1] if unit[:1] in ("万", "亿", "千", "百") else ""
    return f"{magnitude}余{unit[len(magnitude):]}"


def compare(actual: Quantity, target: Quantity) -> bool | None:
    """Does ``actual`` satisfy ``target``?

    ``True`` if every value the actual statement allows meets the target,
    ``False`` if none does, ``None`` if undecidable or not comparable (units
    that do not convert, e.g. % vs 个; 百分点 only with 百分点; a change
    (增长 5%) against a level (90%)).  Values are compared after unit and scale
    normalisation (1.3万个 = 13000个, 万人 vs 人, 亿元 vs 万元).

    * A ``~`` target (左右 / 约) is met within ±10 % of its value
      (:data:`APPROX_TOLERANCE`, relative), and also beyond it in the good
      direction: above for positive polarity, below for negative polarity.
    * An actual ``~`` / 近 figure counts as its stated value; 余/多 (``>``
      with ``approx``) lies between the figure and the next step of its last
      written digit (2000余 → (2000, 3000)).
    * Changes: both must be changes; the same direction compares magnitudes,
      opposite directions give ``False``.
    * A figure per so many people (noun 每千人口…, 每万人口…) only compares with one per
      the same number: "每千人口婴幼儿托位数达到4.5个" against a city's 2960个 is ``None``.
    * Deadlines and the measured noun are not checked here otherwise.
    """
    ua, fa, _ = _plain(actual)
    ut, ft, _ = _plain(target)
    if ua != ut:
        return None
    if _per_capita(actual) != _per_capita(target):
        return None
    if bool(actual.change) != bool(target.change):
        return None
    if actual.change and target.change and actual.change != target.change:
        if actual.value == 0 or target.value == 0:
            return None
        return False
    a = _actual_interval(actual, fa)
    t = _target_interval(target, ft)
    if _inside(a, t):
        return True
    if _disjoint(a, t):
        return False
    return None
