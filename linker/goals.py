"""Goals and sub-goals: the promises of a report, one tickable unit each.

Goal forms handled (see DOMAIN.md):

* the 总体目标 paragraph → one goal, split into clauses;
* numbered 具体绩效指标 items ("1.构建…。全面推动…。") → one goal per item, its
  first sentence the title, each further sentence a sub-goal;
* a single goal paragraph (a district report) → clauses;
* a plan's "——" bullets → one goal per bullet, sentences as sub-goals, a
  sentence carrying several numeric targets split at each of them;
* indicator tables (指标 / 2020年 / 2025年; 绩效目标表 rows) → one sub-goal a row;
* the 主要预期目标 sentence of a 政府工作报告 → one sub-goal per target clause.
"""

from __future__ import annotations

import re

from linker import segment
from linker.model import Block, Document, Goal, Role, Section, SubGoal
from linker.structure import RUN_IN_RANK, sections_with_role

_OVERALL = re.compile(r"^(?:总体目标|总目标|年度总体目标|整体目标)[:：]")
_LABEL_ONLY = re.compile(r"^(?:具体绩效指标|绩效指标|具体目标|主要指标)[:：]?$")
_EXPECTED = re.compile(r"(?:主要)?预期目标(?:是|为)[:：]?")
_YEAR = re.compile(r"(20\d\d)\s*年")


def report_year(doc: Document) -> int | None:
    """The year a report speaks of: the first year named in its first lines."""
    m = _YEAR.search(doc.text[:400])
    return int(m.group(1)) if m else None


def extract_goals(doc: Document) -> list[Goal]:
    year = report_year(doc)
    goals: list[Goal] = []
    for sec in sections_with_role(doc, Role.GOALS):
        goals.extend(_goals_in_section(doc, sec))
    # 主要预期目标 paragraphs of government work reports, wherever they stand
    taken = [(g.start, g.end) for g in goals]
    for block in doc.blocks:
        if block.kind != "paragraph":
            continue
        m = _EXPECTED.search(doc.text, block.start, block.end)
        if m is None or any(a <= m.start() < b for a, b in taken):
            continue
        sec = doc.innermost_section(block.start)
        if sec is not None and sec.role in (Role.EVIDENCE, Role.APPENDIX, Role.NEGATIVE):
            continue
        goals.append(_expected_targets(doc, block, m.end(), sec))
    goals = [g for g in goals if g.subgoals]
    goals.sort(key=lambda g: g.start)
    for i, g in enumerate(goals, 1):
        g.id = f"g{i}"
        for j, sg in enumerate(g.subgoals, 1):
            sg.id = f"g{i}.{j}"
            sg.goal_id = g.id
            _attach_quantities(doc, sg, year)
    return goals


def _attach_quantities(doc: Document, sg: SubGoal, year: int | None) -> None:
    from linker import quantities

    sg.quantities = quantities.find_quantities(sg.text, offset=sg.start, year=year)
    if sg.target is None:
        sg.target = quantities.parse_target(sg.text, offset=sg.start, year=year)


def _goals_in_section(doc: Document, sec: Section) -> list[Goal]:
    """Goals of one goal section: numbered items, bullets, paragraphs and tables."""
    items = [s for s in doc.sections if s.parent == sec.id and s.level < RUN_IN_RANK + 2 and s.duplicate_of is None]
    goals: list[Goal] = []
    covered: list[tuple[int, int]] = []
    for item in items:
        kind = "bullet" if item.numbering.startswith("—") else "indicator"
        goals.append(_item_goal(doc, item, kind))
        covered.append((item.start, item.end))
    # paragraphs and tables directly in the section, outside its items
    table_rows: dict[int, list[Block]] = {}
    for block in doc.blocks:
        if not (sec.body_start <= block.start < sec.end) or any(a <= block.start < b for a, b in covered):
            continue
        if block.kind == "table_row":
            table_rows.setdefault(block.table or 0, []).append(block)
            continue
        line = doc.text[block.start : block.end]
        if block.start < sec.body_start or _LABEL_ONLY.match(line.strip()):
            continue
        m = _OVERALL.match(line)
        if m:
            g = _clause_goal(doc, block.start + m.end(), block.end, sec, kind="overall", title="总体目标")
        else:
            g = _sentence_goal(doc, block.start, block.end, sec) if _is_numeric_paragraph(line) else _clause_goal(
                doc, block.start, block.end, sec, kind="paragraph", title=sec.title
            )
        g.start = block.start
        goals.append(g)
    for rows in table_rows.values():
        g = _table_goal(doc, rows, sec)
        if g is not None:
            goals.append(g)
    # the run-in body of a goal section's own heading ("（二）目标。正文…")
    if sec.body_start < sec.end:
        first = next((b for b in doc.blocks if b.start <= sec.body_start < b.end), None)
        if first is not None and sec.body_start < first.end and doc.text[sec.body_start : first.end].strip():
            goals.append(_clause_goal(doc, sec.body_start, first.end, sec, kind="paragraph", title=sec.title))
    return goals


def _is_numeric_paragraph(line: str) -> bool:
    return len(re.findall(r"\d", line)) >= 2 and ("达到" in line or "以上" in line or "%" in line)


def _item_goal(doc: Document, item: Section, kind: str) -> Goal:
    """A numbered indicator or a bullet: title sentence, then one sub-goal a sentence."""
    spans = segment.sentences(doc.text, item.body_start, item.end)
    spans = [s for s in spans if doc.text[s[0] : s[1]].strip("。；， ")]
    if not spans:  # an item that is all title
        spans = [(item.start + len(item.numbering), item.body_start)]
    goal = Goal(id="", section_id=item.id, start=item.start, end=item.end, text=doc.text[item.start : item.end], kind=kind, title=item.title)
    for a, b in spans:
        for ca, cb in _target_clauses(doc.text, a, b):
            goal.subgoals.append(SubGoal(id="", goal_id="", start=ca, end=cb, text=doc.text[ca:cb]))
    return goal


def _target_clauses(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Split a sentence carrying several numeric targets into one clause per target."""
    sentence = text[a:b]
    if len(re.findall(r"\d+(?:\.\d+)?\s*(?:%|％|年|万|个|所|人)", sentence)) < 2:
        return [(a, b)]
    parts = segment.clauses(text, a, b)
    out: list[tuple[int, int]] = []
    pending: tuple[int, int] | None = None
    for ca, cb in parts:
        span = (pending[0], cb) if pending else (ca, cb)
        if re.search(r"\d", text[ca:cb]):
            out.append(span)
            pending = None
        else:
            pending = span
    if pending:
        if out:
            out[-1] = (out[-1][0], pending[1])
        else:
            out.append(pending)
    return out


def _clause_goal(doc: Document, a: int, b: int, sec: Section, *, kind: str, title: str) -> Goal:
    goal = Goal(id="", section_id=sec.id, start=a, end=b, text=doc.text[a:b], kind=kind, title=title)
    for ca, cb in segment.clauses(doc.text, a, b):
        t = doc.text[ca:cb]
        if len(t.strip("，；。 ")) >= 4:
            goal.subgoals.append(SubGoal(id="", goal_id="", start=ca, end=cb, text=t))
    return goal


def _sentence_goal(doc: Document, a: int, b: int, sec: Section) -> Goal:
    goal = Goal(id="", section_id=sec.id, start=a, end=b, text=doc.text[a:b], kind="paragraph", title=sec.title)
    for sa, sb in segment.sentences(doc.text, a, b):
        for ca, cb in _target_clauses(doc.text, sa, sb):
            goal.subgoals.append(SubGoal(id="", goal_id="", start=ca, end=cb, text=doc.text[ca:cb]))
    return goal


def _expected_targets(doc: Document, block: Block, start: int, sec: Section | None) -> Goal:
    """The 主要预期目标 sentence of a 政府工作报告: one sub-goal per target clause."""
    end = doc.text.find("。", start, block.end)
    end = block.end if end < 0 else end + 1
    goal = Goal(
        id="", section_id=sec.id if sec else "s0", start=start, end=end, text=doc.text[start:end], kind="targets", title="主要预期目标"
    )
    for ca, cb in segment.clauses(doc.text, start, end):
        t = doc.text[ca:cb]
        if re.search(r"\d|[一二三四五六七八九十百千万]", t) and len(t.strip("，；。 ")) >= 4:
            goal.subgoals.append(SubGoal(id="", goal_id="", start=ca, end=cb, text=t))
    return goal


_HEADER_TARGET = re.compile(r"(20\d\d)\s*年?|目标值|指标值|年度指标值|预期|目标")


def _table_goal(doc: Document, rows: list[Block], sec: Section) -> Goal | None:
    """An indicator table: the header names the target column (the latest year, or 指标值)."""
    from linker import quantities

    header_i = None
    for i, row in enumerate(rows):
        cells = [doc.text[a:b] for a, b in row.cells or []]
        if any("指标" in c for c in cells) and any(_HEADER_TARGET.search(c) for c in cells):
            header_i = i
            break
    if header_i is None:
        return None
    header = [doc.text[a:b] for a, b in rows[header_i].cells or []]
    name_col = next(i for i, c in enumerate(header) if "指标" in c and not _HEADER_TARGET.search(c.replace("指标", "", 1)))
    years = [(int(m.group(1)), i) for i, c in enumerate(header) if (m := re.match(r"(20\d\d)", c.strip()))]
    target_col = max(years)[1] if years else next(i for i, c in enumerate(header) if "指标值" in c or "目标" in c)
    deadline = max(years)[0] if years else None
    title_row = rows[0] if header_i > 0 else None
    title = doc.text[title_row.start : title_row.end].strip() if title_row else sec.title
    goal = Goal(id="", section_id=sec.id, start=rows[0].start, end=rows[-1].end, text=title, kind="table", title=title)
    for row in rows[header_i + 1 :]:
        cells = row.cells or []
        if len(cells) <= max(name_col, target_col):
            continue
        na, nb = cells[name_col]
        name = doc.text[na:nb].strip()
        value = doc.text[cells[target_col][0] : cells[target_col][1]].strip()
        if not name:
            continue
        sg = SubGoal(id="", goal_id="", start=na, end=nb, text=name)
        sg.target = quantities.parse_indicator_cell(name, value)
        if sg.target is not None:
            sg.target.deadline = deadline
            sg.target.start, sg.target.end = cells[target_col]
        goal.subgoals.append(sg)
    return goal
