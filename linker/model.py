"""The one document model every stage reads and writes.

A :class:`Document` owns two texts: ``raw`` (the file as decoded, what the
report really says) and ``text`` (the normalised reading every stage works on:
artefacts such as ``[bookmark: …]`` or PDF line breaks inside words removed).
``offsets[i]`` is the position in ``raw`` of ``text[i]``, so every span on the
normalised text can be quoted in the report's own words (:meth:`Document.quote`).

Sections, goals, sub-goals, evidence units and quantities are spans on
``Document.text``; their ``text`` is computed from the document, never stored
apart from it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Role(str, enum.Enum):
    """What a section of a report is for (see DOMAIN.md)."""

    GOALS = "goals"
    EVIDENCE = "evidence"
    NEGATIVE = "negative"  # 存在的问题: evidence that something was not done
    PLANS = "plans"  # 措施建议, 下一步: never evidence
    BUDGET = "budget"  # 预算执行情况
    SCORES = "scores"  # 评价得分情况, 评分表
    APPENDIX = "appendix"
    BACKGROUND = "background"  # 部门概况, 职责, 发展基础 …
    OTHER = "other"


class Status(str, enum.Enum):
    MET = "met"
    UNMET = "unmet"
    EVIDENCED = "evidenced"
    WEAK = "weak"
    UNEVIDENCED = "unevidenced"
    PARTIAL = "partial"  # goals only


@dataclass
class Block:
    """A paragraph, heading line or table row of the normalised text."""

    start: int
    end: int
    kind: str = "paragraph"  # paragraph | table_row
    page: int | None = None
    cells: list[tuple[int, int]] | None = None  # cell spans, for table rows
    table: int | None = None  # index of the table the row belongs to
    lead_end: int | None = None  # end of a bold or styled lead-in ("**标题。**正文")
    level: int | None = None  # heading level the format states (Word "Heading 2" → 2; 0 = document title)


@dataclass
class Section:
    """A node of the heading tree. ``start``/``end`` cover heading and body."""

    id: str
    title: str
    level: int
    start: int
    end: int
    body_start: int
    numbering: str = ""  # the heading's marker as written, e.g. "三、" or "（一）"
    parent: str | None = None
    children: list[str] = field(default_factory=list)
    role: Role = Role.OTHER
    role_source: str = "default"  # title | inherited | position | override | duplicate
    duplicate_of: str | None = None


@dataclass
class Quantity:
    """A number a report states or promises, with what it measures.

    ``value`` is in the unit as written (1.3 with unit 万个); ``scale`` turns it
    into plain units (1.3万 → scale 10000). ``comparator`` is one of
    ``>= > <= < = ~``.
    """

    start: int
    end: int
    value: float
    unit: str | None = None
    quantity: str | None = None  # the noun measured, e.g. 入园率
    comparator: str = "="
    scale: float = 1.0
    approx: bool = False  # 余 / 多 / 近 / 左右 / 约
    deadline: int | None = None
    base_value: float | None = None
    base_year: int | None = None
    polarity: str | None = None  # positive | negative: a rate to raise or a cost to cut
    is_target: bool = False
    change: str | None = None  # increase | decrease for 增长 / 下降 statements
    # how the sentence mentions the figure: None = stated (reported or promised); "base" = the
    # from-figure of 从/由 X 提高到 Y (Y carries it as base_value); "restated" = a target or task
    # the sentence quotes ("完成“新增2万个学位”任务"): neither is an achieved figure
    mention: str | None = None

    @property
    def plain_value(self) -> float:
        return self.value * self.scale

    def to_json(self) -> dict[str, Any]:
        return {
            "quantity": self.quantity,
            "comparator": self.comparator,
            "value": self.value,
            "unit": self.unit,
            "deadline": self.deadline,
            "scale": self.scale,
            "approx": self.approx,
            "base_value": self.base_value,
            "base_year": self.base_year,
            "polarity": self.polarity,
            "change": self.change,
            "mention": self.mention,
        }


@dataclass
class SubGoal:
    id: str
    goal_id: str
    start: int
    end: int
    text: str
    target: Quantity | None = None
    quantities: list[Quantity] = field(default_factory=list)
    block: str | None = None  # 产出 | 效果
    category: str | None = None
    category_confidence: float = 0.0
    actual: Quantity | None = None  # what a self-evaluation table reports as achieved (完成值)
    # the targets after the first of a 分别 list ("用水量、能耗分别下降5%、3%": 能耗 ≥3% down)
    more_targets: list[Quantity] = field(default_factory=list)


@dataclass
class Goal:
    id: str
    section_id: str
    start: int
    end: int
    text: str
    kind: str  # overall | indicator | paragraph | bullet | table_row
    title: str = ""
    subgoals: list[SubGoal] = field(default_factory=list)


@dataclass
class EvidenceUnit:
    """A sentence of an evidence (or negative-evidence) section."""

    id: str
    doc_index: int
    section_id: str
    start: int
    end: int
    text: str
    paragraph: int
    negative: bool = False
    heading: str = ""  # title of the closest enclosing heading, for topic matching
    quantities: list[Quantity] = field(default_factory=list)


@dataclass(order=True)
class Candidate:
    """One proposed link; every retriever, fusion step and re-ranker speaks this."""

    score: float
    subgoal_id: str = field(compare=False)
    evidence_id: str = field(compare=False)
    source: str = field(default="fusion", compare=False)
    features: dict[str, float] = field(default_factory=dict, compare=False)
    accepted: bool = field(default=False, compare=False)


@dataclass
class Document:
    path: str
    raw: str
    text: str
    offsets: list[int]
    sha256: str
    format: str
    encoding: str | None = None
    blocks: list[Block] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # values later stages derive from the finished document (e.g. its self-evaluation
    # tables), computed once; the structure stage clears it whenever it runs
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.offsets) != len(self.text) + 1:
            raise ValueError("offsets must map every character of text, plus its end")

    # --- spans -------------------------------------------------------------
    def check(self, start: int, end: int) -> None:
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span [{start}, {end}) outside a text of {len(self.text)} characters")

    def slice(self, start: int, end: int) -> str:
        self.check(start, end)
        return self.text[start:end]

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        self.check(start, end)
        if start == end:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1

    def quote(self, start: int, end: int) -> str:
        """The report's own words behind a span of the normalised text."""
        a, b = self.raw_span(start, end)
        return self.raw[a:b]

    def page_of(self, pos: int) -> int | None:
        # blocks are in text order: bisect, so that inspecting a large report stays linear
        import bisect

        i = bisect.bisect_right(self.blocks, pos, key=lambda b: b.start) - 1
        if i >= 0 and self.blocks[i].start <= pos < self.blocks[i].end:
            return self.blocks[i].page
        return None

    # --- sections ----------------------------------------------------------
    def section(self, section_id: str) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)

    def innermost_section(self, pos: int) -> Section | None:
        best = None
        for s in self.sections:
            if s.start <= pos < s.end and (best is None or s.level >= best.level):
                best = s
        return best

    def ancestors(self, section: Section) -> list[Section]:
        out = []
        cur = section
        while cur.parent is not None:
            cur = self.section(cur.parent)
            out.append(cur)
        return out
