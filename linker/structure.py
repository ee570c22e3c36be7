"""Sections and their roles.

Headings follow GB/T 9704 official-document style: ``一、`` → ``（一）`` →
``1.`` / ``1、`` → ``（1）``, then run-in markers inside paragraphs (``一是``,
``——`` bullets, ``①``, bold lead-ins). Each heading opens a :class:`Section`
that runs until the next heading of the same or an outer rank. A numbered line
that goes on after its first sentence ("（一）标题。正文…") is a run-in heading:
its title is that first sentence.

Roles come from titles (see DOMAIN.md), are inherited by sub-sections, and can
be overridden by the user. Text that repeats an earlier section verbatim (the
对照表 appendix of a 部门整体绩效评价报告) is marked as a duplicate of it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

from linker.errors import LinkerError
from linker.model import Block, Document, Role, Section

# (rank, pattern). A smaller rank is an outer heading.
_MARKERS: list[tuple[int, re.Pattern[str]]] = [
    (0, re.compile(r"^(?:附件|附表)\s*[0-9一二三四五六七八九十]*(?=[\s:：、]|$)")),
    (1, re.compile(r"^[一二三四五六七八九十]{1,3}、(?![一二三四五六七八九十]{1,2}(?:年级|、|至|到))")),  # not "一、二年级学生…"
    (2, re.compile(r"^[（(][一二三四五六七八九十]{1,3}[)）]")),
    (3, re.compile(r"^\d{1,2}[.．、](?!\d)")),
    (4, re.compile(r"^[（(]\d{1,2}[)）]")),
    (5, re.compile(r"^[一二三四五六七八九十]{1,2}是(?=[^，。]{2})")),
    (6, re.compile(r"^——")),
    (7, re.compile(r"^[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮]")),
]
RUN_IN_RANK = 5  # ranks from here on are paragraph-level: they never carry a role of their own
BOLD_RANK = 6

# Role keywords, checked in this order: the first role whose words a title holds wins.
ROLE_WORDS: list[tuple[Role, tuple[str, ...]]] = [
    (Role.BACKGROUND, ("部门概况", "单位概况", "机构设置", "基本情况", "项目概况", "评价工作开展", "评价工作情况", "自评工作开展", "评价工作组织")),
    # what is still to be done: "存在的问题及改进措施" and "下一步工作计划完成情况" are plans
    (Role.PLANS, ("有关建议", "意见建议", "改进建议", "整改措施", "措施建议", "改进措施", "下一步", "工作建议", "的建议", "工作打算",
                  "工作思路", "保障措施", "总体要求", "政策取向", "规划实施", "实施保障")),
    (Role.NEGATIVE, ("存在的问题", "存在问题", "问题及原因", "问题和原因", "主要问题", "偏差原因", "不足")),
    (Role.SCORES, ("评价得分", "自评得分", "综合得分", "得分情况", "评分表", "评价结论", "自评结果", "评分")),
    # "重点任务完成情况" reports results, though 重点任务 alone names a plan
    (Role.EVIDENCE, ("完成情况", "实现情况", "落实情况")),
    (Role.PLANS, ("工作计划", "工作要点", "重点任务", "工作安排", "主要任务", "工作任务", "重点工作")),
    (Role.BUDGET, ("预算执行", "预算管理", "结转结余", "预决算", "资金使用", "财务管理", "资产管理")),
    (Role.EVIDENCE, ("实现情况", "完成情况", "工作成效", "主要成绩", "亮点工作", "工作回顾", "发展成就", "主要成效", "取得的成效", "工作进展", "满意度", "成效及经验", "主要做法", "履职情况", "工作开展情况",
                      "产出情况", "效益情况", "效果情况", "指标分析", "指标完成")),
    (Role.GOALS, ("绩效目标", "总体目标", "具体绩效指标", "年度目标", "主要目标", "预期目标", "目标任务", "发展目标", "绩效指标")),
    (Role.BACKGROUND, ("部门概况", "基本情况", "机构设置", "职责", "发展基础", "形势", "指导思想", "单位概况", "项目概况")),
]

# a run-in title ends at its first full stop, or at a gap of white space between two
# Chinese characters (PDF text: "(二)标题 正文…"), never at the spaces around Latin digits
_RUN_IN_COLON = re.compile(r"[^：:，。；]{2,16}[：:](?=\s*\S)")  # a short title closed by a colon, text after it
_RUN_IN_END = re.compile(r"[。！？]|(?<=[\u4e00-\u9fff”）)])\s+(?=[\u4e00-\u9fff“（(])")


@dataclass
class Overrides:
    """Roles a user sets by hand: each string matches a section title (or its numbering + title)."""

    goals: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.goals or self.evidence or self.exclude)


def heading_rank(line: str) -> tuple[int, str] | None:
    """The rank and marker of a heading line, or None for body text."""
    for rank, pat in _MARKERS:
        m = pat.match(line)
        if m:
            return rank, m.group(0)
    return None


def named_by_colon(title: str) -> bool:
    """"学前教育毛入园率：" names what the text after it measures; "产出情况：" only labels a section."""
    return title.rstrip().endswith(("：", ":")) and role_of_title(title) is None


def role_of_title(title: str) -> Role | None:
    for role, words in ROLE_WORDS:
        if any(w in title for w in words):
            return role
    return None


def _title_end(text: str, start: int, end: int, marker_len: int, lead_end: int | None) -> int:
    """Where the title of a heading line ends (the whole line for a plain heading)."""
    if lead_end is not None and start < lead_end <= end:
        return lead_end
    body = text[start + marker_len : end]
    m = _RUN_IN_END.search(body)
    colon = _RUN_IN_COLON.match(body)
    if colon is not None and (m is None or colon.end() <= m.start()):
        return start + marker_len + colon.end()  # "（一）产出情况：全年新增学位2100个…"
    if m is None:
        return end
    stop = start + marker_len + m.start()
    if text[stop] in "。！？":
        stop += 1
    return min(stop, end)


def build_sections(doc: Document) -> list[Section]:
    """The heading tree of a document, as a flat list in document order."""
    text = doc.text
    root = Section(id="s0", title=_doc_title(doc), level=0, start=0, end=len(text), body_start=0, numbering="")
    sections = [root]
    stack: list[tuple[int, Section]] = [(-1, root)]
    seen_appendix = False
    seen_level1 = False
    for block in doc.blocks:
        if block.kind == "table_row":
            continue
        line = text[block.start : block.end]
        found = heading_rank(line)
        lead = block.lead_end
        if found is None and lead is not None:
            found = (BOLD_RANK, "")
        if found is None and block.level is not None and block.level >= 1 and block is not doc.blocks[0]:
            found = (min(block.level, 4), "")  # a Word heading style or a Markdown "##" without a written number
        if found is None:
            continue
        rank, marker = found
        if rank == 0:
            if not seen_level1:
                continue  # "附件1" above the report's own first heading is its label, not an appendix
            seen_appendix = True
        # a numbered heading of an outer rank than the appendix must not escape it
        title_end = _title_end(text, block.start, block.end, len(marker), lead)
        title = text[block.start + len(marker) : title_end].strip(" 。：:")
        if not title and rank != 0:
            continue
        while stack and stack[-1][0] >= rank and not (seen_appendix and stack[-1][0] == 0 and rank > 0):
            closed = stack.pop()[1]
            closed.end = block.start
        parent = stack[-1][1]
        sec = Section(
            id=f"s{len(sections)}",
            title=title or marker.strip(),
            level=rank,
            start=block.start,
            end=parent.end,
            body_start=title_end,
            numbering=marker,
            parent=parent.id,
        )
        parent.children.append(sec.id)
        sections.append(sec)
        seen_level1 = seen_level1 or rank == 1
        stack.append((rank, sec))
    # close what remains open at the end of the parent
    by_id = {s.id: s for s in sections}
    for _, sec in stack[1:]:
        parent = by_id[sec.parent or "s0"]
        sec.end = min(sec.end, parent.end)
    for sec in sections[1:]:
        parent = by_id[sec.parent or "s0"]
        sec.end = min(sec.end, parent.end) if sec.end > sec.start else parent.end
    return sections


def _doc_title(doc: Document) -> str:
    for block in doc.blocks[:4]:
        line = doc.text[block.start : block.end].strip()
        if line and heading_rank(line) is None and len(line) <= 60:
            return line
    return doc.path


# which roles a sub-section may take from its own title, given its parent's role
_ALLOWED_UNDER: dict[Role, set[Role]] = {
    Role.EVIDENCE: {Role.EVIDENCE, Role.NEGATIVE, Role.PLANS},
    Role.GOALS: {Role.GOALS, Role.BACKGROUND},
    Role.BUDGET: {Role.BUDGET, Role.SCORES, Role.NEGATIVE, Role.PLANS},
    Role.SCORES: {Role.BUDGET, Role.SCORES, Role.NEGATIVE, Role.PLANS},
    Role.NEGATIVE: set(),
    Role.PLANS: set(),
    Role.APPENDIX: set(),
}


def assign_roles(doc: Document, overrides: Overrides | None = None) -> None:
    """Give every section a role: from its title, else its parent's; overrides win."""
    by_id = {s.id: s for s in doc.sections}
    in_appendix = False
    for sec in doc.sections:
        if sec.level == 0 and sec.id != "s0":
            in_appendix = True
        parent = by_id.get(sec.parent) if sec.parent else None
        own = role_of_title(sec.title) if sec.level < RUN_IN_RANK and sec.id != "s0" else None
        if sec.id == "s0":
            sec.role, sec.role_source = Role.OTHER, "default"
        elif in_appendix:
            sec.role, sec.role_source = Role.APPENDIX, "position"
        elif own is not None and (parent is None or own in _ALLOWED_UNDER.get(parent.role, set(Role))):
            sec.role, sec.role_source = own, "title"
        elif parent is not None and parent.id != "s0":
            sec.role, sec.role_source = parent.role, "inherited"
        else:
            sec.role, sec.role_source = Role.OTHER, "default"
    _mark_duplicates(doc)
    if overrides:
        apply_overrides(doc, overrides)


def _match_section(doc: Document, needle: str) -> list[Section]:
    key = re.sub(r"\s+", "", needle)
    hits = [s for s in doc.sections if s.id != "s0" and key in re.sub(r"\s+", "", s.numbering + s.title)]
    if not hits:
        titles = "; ".join(s.numbering + s.title for s in doc.sections if 0 < s.level < RUN_IN_RANK)
        raise LinkerError(f"no section title contains '{needle}' in {doc.path}; its sections are: {titles}")
    return hits


def _set_subtree(doc: Document, sec: Section, role: Role, source: str) -> None:
    for s in doc.sections:
        if s.start >= sec.start and s.end <= sec.end and s.id != "s0":
            s.role, s.role_source = role, source


def apply_overrides(doc: Document, overrides: Overrides) -> None:
    if overrides.goals:
        for s in doc.sections:
            if s.role == Role.GOALS:
                s.role, s.role_source = Role.OTHER, "override"
        for needle in overrides.goals:
            for sec in _match_section(doc, needle):
                _set_subtree(doc, sec, Role.GOALS, "override")
    for needle in overrides.evidence:
        for sec in _match_section(doc, needle):
            _set_subtree(doc, sec, Role.EVIDENCE, "override")
    for needle in overrides.exclude:
        for sec in _match_section(doc, needle):
            _set_subtree(doc, sec, Role.OTHER, "override")


_SENT = re.compile(r"[^。！？；\n\t]{12,}")


def _pieces(text: str) -> Iterable[str]:
    for m in _SENT.finditer(text):
        yield m.group(0).strip()


def _mark_duplicates(doc: Document) -> None:
    """Mark appendix sections whose sentences mostly repeat earlier text verbatim."""
    appendix = [s for s in doc.sections if s.role == Role.APPENDIX and s.level == 0]
    if not appendix:
        return
    first = min(s.start for s in appendix)
    body = doc.text[:first]
    top = [s for s in doc.sections if 1 <= s.level <= 2 and s.end <= first]
    by_id = {s.id: s for s in doc.sections}
    starts = [b.start for b in doc.blocks]
    for sec in appendix:
        # look at each table or paragraph run of the appendix separately
        for part in _appendix_parts(doc, sec, starts):
            pieces = list(_pieces(doc.text[part[0] : part[1]]))
            if not pieces:
                continue
            where: dict[str, int] = {}
            found = 0
            for p in pieces:
                k = body.find(p)
                if k >= 0:
                    found += 1
                    owners = [t for t in top if t.start <= k < t.end]
                    owner = max(owners, key=lambda t: t.level) if owners else None
                    if owner is not None:
                        where[owner.id] = where.get(owner.id, 0) + 1
            if found / len(pieces) >= 0.5 and where:
                target = max(where, key=lambda x: where[x])
                dup = Section(
                    id=f"s{len(doc.sections)}",
                    title=f"重复：{by_id[target].title}",
                    level=sec.level + 1,
                    start=part[0],
                    end=part[1],
                    body_start=part[0],
                    parent=sec.id,
                    role=Role.APPENDIX,
                    role_source="duplicate",
                    duplicate_of=target,
                )
                sec.children.append(dup.id)
                doc.sections.append(dup)
    doc.sections.sort(key=lambda s: (s.start, s.level))


def _appendix_parts(doc: Document, sec: Section, starts: list[int]) -> list[tuple[int, int]]:
    """Runs of blocks in an appendix: each table and each stretch of paragraphs.
    ``starts`` are the blocks' start offsets, to find the appendix's blocks by bisection."""
    parts: list[tuple[int, int]] = []
    cur: list[Block] = []
    key = None
    for b in doc.blocks[bisect.bisect_left(starts, sec.start) : bisect.bisect_left(starts, sec.end)]:
        k = ("t", b.table) if b.kind == "table_row" else ("p", None)
        if cur and k != key:
            parts.append((cur[0].start, cur[-1].end))
            cur = []
        cur.append(b)
        key = k
    if cur:
        parts.append((cur[0].start, cur[-1].end))
    return parts


def structure(doc: Document, overrides: Overrides | None = None) -> Document:
    """The section tree of a normalised document, with roles (``overrides`` win)."""
    from linker.normalize import paused_gc

    doc.derived.clear()  # whatever was derived from an earlier reading of the sections
    with paused_gc():
        doc.sections = build_sections(doc)
        assign_roles(doc, overrides)
    if len(doc.sections) == 1:
        doc.warnings.append(
            f"{doc.path}: no headings (一、/（一）/1./附件…) were found: the report reads as one section; "
            "name the goal section with --goals-section once headings are added, or split the report"
        )
    return doc


def sections_with_role(doc: Document, role: Role) -> list[Section]:
    """The outermost sections that have ``role`` (their sub-sections are inside them)."""
    out: list[Section] = []
    for s in doc.sections:
        if s.role == role and s.duplicate_of is None and not any(o.start <= s.start and s.end <= o.end for o in out):
            out.append(s)
    return out
