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
from collections import Counter

from linker import segment
from linker.model import Block, Document, Goal, Quantity, Role, Section, SubGoal
from linker.structure import RUN_IN_RANK, named_by_colon, sections_with_role

_OVERALL = re.compile(r"^(?:总体目标|总目标|年度总体目标|整体目标)[:：]")
_LABEL_ONLY = re.compile(r"^(?:具体绩效指标|绩效指标|具体目标|主要指标)[:：]?$")
_EXPECTED = re.compile(r"(?:主要)?预期目标(?:是|为)[:：]?")
_YEAR = re.compile(r"(20\d\d)\s*年")
_LEAD_IN = re.compile(r"[^，。；\d]{0,20}(?:如下|见下表|见表\S{0,4}|如表\S{0,4}所示|目标表|指标表)[。：:]?$")


_WRITTEN = re.compile(r"(20\d\d)\s*年?\s*[—–\-－~～至到]\s*20\d\d\s*年")  # 规划(2021—2025年): written in its first year


def report_year(doc: Document) -> int | None:
    """The year a report speaks of.

    The first year named in its first lines (a plan's period gives its first year);
    when its head names none (004 opens with 附件1 and the department's duties), the
    year its text names most often as 20XX年度, else as 20XX年.
    """
    head = doc.text[:400]
    found = [m for m in (_WRITTEN.search(head), _YEAR.search(head)) if m is not None]
    if found:
        return int(min(found, key=lambda m: m.start()).group(1))
    for pattern in (r"(20\d\d)\s*年度", r"(20\d\d)\s*年"):
        years = Counter(re.findall(pattern, doc.text))
        if years:
            return int(max(years.items(), key=lambda kv: (kv[1], kv[0]))[0])
    return None


def extract_goals(doc: Document) -> list[Goal]:
    year = report_year(doc)
    goals: list[Goal] = []
    for sec in sections_with_role(doc, Role.GOALS):
        goals.extend(_goals_in_section(doc, sec))
    goals.extend(_selfeval_tables_elsewhere(doc, goals))
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
        expected = _expected_targets(doc, block, m.end(), sec)
        # the list names several targets; "经济增长预期目标为5%左右，考虑了…" explains one of them
        if sum(1 for sg in expected.subgoals if re.search(r"\d", sg.text)) >= 2:
            goals.append(expected)
    for g in goals:  # "主要指标如下。", "（二）绩效目标表": lead-ins to a table, not goals
        g.subgoals = [sg for sg in g.subgoals if not _LEAD_IN.match(sg.text.strip())]
    goals = [g for g in goals if g.subgoals]
    goals.sort(key=lambda g: g.start)
    for i, g in enumerate(goals, 1):
        g.id = f"g{i}"
        inherited = _inherited_deadline(doc, g)
        for j, sg in enumerate(g.subgoals, 1):
            sg.id = f"g{i}.{j}"
            sg.goal_id = g.id
            _attach_quantities(doc, sg, year)
            if sg.target is not None and sg.target.deadline is None:
                # "到2020年，…，研发经费投入强度达到2.5%，…": the sentence's own deadline first
                head = doc.text[max(g.start, sg.start - 200) : sg.start]
                head = re.split(r"[。！？；\n]", head)[-1]
                sg.target.deadline = _lead(head) or inherited
    return goals


# "到2025年，…", "2025年前", "十四五末" at the head of a goal or of its section; a plan's period "(2021—2025年)"
# and a bare year that opens a goal's sentence: "2025年，学前教育普惠率达到90%"
_LEAD_DEADLINE = re.compile(r"(?:到|至|截至)\s*(20\d\d)\s*年|(20\d\d)\s*年(?:底|末)?(?:前|以前)|十([一二三四五六七八九])五[”\"]?\s*(?:末|期末|时期|期间)"
                            r"|^\s*(20\d\d)\s*年\s*[，,]")
_PERIOD = re.compile(r"20\d\d\s*[—－\-–~～至到]\s*(20\d\d)\s*年")


def _lead(text: str) -> int | None:
    m = _LEAD_DEADLINE.search(text)
    if m is None:
        return None
    from linker.quantities import PLAN_END

    year = m.group(1) or m.group(2) or m.group(4)
    return int(year) if year else PLAN_END[m.group(3)]


def _inherited_deadline(doc: Document, goal: Goal) -> int | None:
    """The deadline a sub-goal that names none inherits: its goal's lead, its goal sections', the plan's period."""
    found = _lead(_first_sentence(goal.text))
    if found is not None:
        return found
    sec = doc.section(goal.section_id) if goal.section_id != "s0" else None
    while sec is not None and sec.role == Role.GOALS:
        if sec.level < RUN_IN_RANK and (found := _lead(sec.title)) is not None:  # 二、“十三五”时期主要目标任务
            return found
        # the section's own lead, before its first item: "到2026年" inside item 9 is item 9's
        first_child = min((c.start for c in doc.sections if c.parent == sec.id), default=sec.end)
        found = _lead(_first_sentence(doc.text[sec.body_start : min(first_child, sec.end)]))
        if found is not None:
            return found
        sec = doc.section(sec.parent) if sec.parent and sec.parent != "s0" else None
    m = _PERIOD.search(doc.sections[0].title if doc.sections else doc.text[:200])
    return int(m.group(1)) if m else None


def _first_sentence(text: str) -> str:
    text = text.lstrip()
    m = re.search(r"[。！？；\n]", text[:200])
    return text[: m.start()] if m else text[:200]


def _attach_quantities(doc: Document, sg: SubGoal, year: int | None) -> None:
    from linker import quantities

    sg.quantities = quantities.find_quantities(sg.text, offset=sg.start, year=year)
    if sg.target is None:
        sg.target = quantities.parse_target(sg.text, offset=sg.start, year=year)
    sg.more_targets = _respective_targets(sg)


def _respective_targets(sg: SubGoal) -> list[Quantity]:
    """The other targets of a 分别 list, each its own noun's, on the first one's terms.

    "单位用水量、能耗分别下降5%、3%" promises 能耗 down by 3% as well as 用水量 by 5%: the
    comparator, change and deadline written once hold for every figure of the list.
    """
    t = sg.target
    if t is None or "分别" not in sg.text:
        return []
    from dataclasses import replace

    from linker.quantities import normalise_unit

    listed = [q for q in sg.quantities if q.start > t.start and q.mention is None and q.quantity and q.quantity != t.quantity
              and normalise_unit(q.unit)[0] == normalise_unit(t.unit)[0]]
    return [replace(q, comparator=t.comparator, change=t.change or q.change, deadline=t.deadline, is_target=True,
                    polarity=q.polarity or t.polarity) for q in listed]


def _goals_in_section(doc: Document, sec: Section) -> list[Goal]:
    """Goals of one goal section: numbered items, bullets, paragraphs and tables."""
    items = [s for s in doc.sections if s.parent == sec.id and s.level < RUN_IN_RANK + 2 and s.duplicate_of is None]
    goals: list[Goal] = []
    covered: list[tuple[int, int]] = []
    recursed: list[tuple[int, int]] = []
    for item in items:
        covered.append((item.start, item.end))
        if item.role != Role.GOALS:
            continue  # e.g. (一)指导思想 under 二、指导思想和主要目标
        if any(s.parent == item.id and s.level < RUN_IN_RANK + 2 for s in doc.sections):
            goals.extend(_goals_in_section(doc, item))  # (二)主要目标 with its —— bullets
            recursed.append((item.start, item.end))
            continue
        kind = "bullet" if item.numbering.startswith("—") else "indicator"
        goals.append(_item_goal(doc, item, kind))
    # paragraphs and tables directly in the section, outside its items
    table_rows: dict[int, list[Block]] = {}
    for block in doc.blocks:
        if not (sec.body_start <= block.start < sec.end) or any(a <= block.start < b for a, b in recursed):
            continue
        if block.kind == "table_row":  # a table is a goal of its own, even inside a bullet's span
            table_rows.setdefault(block.table or 0, []).append(block)
            continue
        if any(a <= block.start < b for a, b in covered):
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
        if isinstance(g, list):
            goals.extend(g)
        elif g is not None:
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
    blocks = [b for b in doc.blocks if b.kind != "table_row" and b.end > item.body_start and b.start < item.end]
    if item.numbering.startswith("—") and blocks:
        blocks = blocks[:1]  # a "——" bullet is one paragraph: the prose after the last one is not part of it
    # "1.学前教育毛入园率：达到90%以上。": a title closed by a colon names what its text promises
    named = named_by_colon(doc.text[item.start + len(item.numbering) : item.body_start])
    body = item.start + len(item.numbering) if named else item.body_start
    spans = [span for b in blocks for span in segment.sentences(doc.text, max(b.start, body), min(b.end, item.end))]
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
    parts = [piece for ca, cb in segment.clauses(text, a, b) for piece in _verb_pieces(text, ca, cb)]
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


_FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|[万亿千百]?[\u4e00-\u9fff])")
_NEXT_VERB = re.compile(r"、(?=(?:覆盖|达到|提高到?|提升到?|降低到?|下降|增长|新增|建成|完成|实现|培训|累计|惠及|减少|控制在))")


def _verb_pieces(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """"高铁营业里程达到3万公里、覆盖80%以上的大城市": two targets with their own verbs in one clause,
    cut at the 、 before the second verb (never a 分别 list, whose figures share one verb)."""
    clause = text[a:b]
    if "分别" in clause or len(_FIGURE.findall(clause)) < 2:
        return [(a, b)]
    cuts = [a + m.start() for m in _NEXT_VERB.finditer(clause)]
    pieces, start = [], a
    for c in cuts:
        if _FIGURE.search(text, start, c) and _FIGURE.search(text, c, b):
            pieces.append((start, c + 1))  # the 、 stays with the first piece, as a comma does
            start = c + 1
    pieces.append((start, b))
    return pieces


# a clause that says what guides the work, not what it is to achieve: context, not a sub-goal
# ("以习近平新时代中国特色社会主义思想为指导，", "深入贯彻落实全国和全市教育大会精神，", "在市委市政府的领导下，")
# (only meetings, speeches and decisions: 贯彻落实"双减"工作要求 or 中央八项规定精神 are commitments the
# report can evidence, and stay)
_GUIDING = re.compile(
    r"^(?:坚持)?以[^，。；]{2,60}为(?:指导|统领|引领|遵循)[，,；。]?$"
    r"|^(?:深入|认真|全面|坚决)*(?:学习)?(?:宣传)?贯彻(?:落实)?[^，。；]{2,60}"
    r"(?:(?:会议|大会|全会|讲话|指示|批示|论述|[一二三四五六七八九十]+大|两会)精神|决策部署)[，,；。]?$"
    r"|^在[^，。；]{2,40}(?:领导|指导)下[，,；。]?$"
)


def _clause_goal(doc: Document, a: int, b: int, sec: Section, *, kind: str, title: str) -> Goal:
    goal = Goal(id="", section_id=sec.id, start=a, end=b, text=doc.text[a:b], kind=kind, title=title)
    clauses = [(ca, cb) for ca, cb in segment.clauses(doc.text, a, b) if len(doc.text[ca:cb].strip("，；。 ")) >= 4]
    guided = [(ca, cb) for ca, cb in clauses if not _GUIDING.match(doc.text[ca:cb].strip())]
    for ca, cb in guided or clauses:  # a paragraph of nothing but guidance keeps its clauses
        goal.subgoals.append(SubGoal(id="", goal_id="", start=ca, end=cb, text=doc.text[ca:cb]))
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
        if len(t.strip("，；。 ")) >= 4:  # qualitative targets (居民收入增长与经济增长基本同步) count too
            goal.subgoals.append(SubGoal(id="", goal_id="", start=ca, end=cb, text=t))
    return goal


_HEADER_TARGET = re.compile(r"(20\d\d)\s*年?|目标值|指标值|年度指标值|预期|目标")


def _selfeval_tables_elsewhere(doc: Document, goals: list[Goal]) -> list[Goal]:
    """A 绩效自评表 / 绩效目标表 titled as such, outside the goal sections (a bare self-evaluation form)."""
    from linker import selfeval

    out: list[Goal] = []
    for t in selfeval.find_tables(doc):
        sec = doc.innermost_section(t.start) or doc.sections[0]
        if any(g.start <= t.start < g.end or t.start <= g.start < t.end for g in goals) or not selfeval.titled(t, doc):
            continue
        if sec.role in (Role.SCORES, Role.EVIDENCE, Role.PLANS, Role.NEGATIVE) or sec.duplicate_of is not None:
            continue  # an appendix's own 自评表 counts: a report may keep its indicators only there
        out.extend(selfeval.table_goals(doc, t, sec))
    return out


_BASELINE = re.compile(r"基数|基期|基准|现状|现值|上年|实际|完成")


def _indicator_columns(header: list[str]) -> tuple[int, int, int | None] | None:
    """(name column, target column, deadline) of an indicator table's header, or None.

    The name is the deepest indicator level (三级指标 over 二级 over 一级, 指标名称 over
    指标类别); the target is a column that says it holds target values (目标值, 指标值,
    预期值, 2025年目标), else the latest year that is not a baseline (2020年基数).
    """
    def year(c: str) -> int | None:
        m = re.search(r"(20\d\d)", c)
        return int(m.group(1)) if m else None

    def valued(c: str) -> bool:
        return year(c) is not None or "值" in c or c.strip() in ("目标", "预期目标", "年度目标", "预期")

    def depth(c: str) -> int:
        if "三级" in c:
            return 4
        if "二级" in c:
            return 3
        if re.search(r"一级|类别|类型|属性|维度", c):
            return 0
        return 2 if "名称" in c else 1

    names = [i for i, c in enumerate(header) if not valued(c) and re.search(r"指标|名称|项目|内容", c)]
    if not names:
        return None
    name_col = max(names, key=lambda i: (depth(header[i]), -i))
    rest = [i for i in range(len(header)) if i != name_col and not _BASELINE.search(header[i])]
    explicit = [i for i in rest if re.search(r"目标|指标值|预期值|计划值|标准值", header[i])]
    dated = [(y, i) for i in rest if (y := year(header[i])) is not None]
    if explicit:
        target_col = max(explicit, key=lambda i: (year(header[i]) or 0, -i))
        deadline = year(header[target_col]) or (max(dated)[0] if dated and max(dated)[1] == target_col else None)
    elif dated:
        deadline, target_col = max(dated)
    else:
        return None
    return name_col, target_col, deadline


_CAPTION = re.compile(r"(?:专栏|附表|表\s*\d+|[\u4e00-\u9fff]{0,20}(?:主要指标|指标体系|绩效指标表|目标表))")


def _caption(doc: Document, first_row: Block) -> str | None:
    """The caption a table carries in the paragraph just above it (专栏：…主要指标)."""
    before = [b for b in doc.blocks if b.end <= first_row.start and b.kind != "table_row"]
    if not before:
        return None
    text = doc.text[before[-1].start : before[-1].end].strip()
    gap = doc.text[before[-1].end : first_row.start]
    return text if len(text) <= 60 and _CAPTION.match(text) and not gap.strip() else None


def _baseline_column(header: list[str], target_col: int, deadline: int | None) -> tuple[int | None, int | None]:
    """The column an indicator table starts from (2020年 beside 2025年, 2020年基数), and its year.

    A rise stated in 百分点 (比2020年提高2个百分点) is judged against the level it reaches
    from there.
    """
    years = {i: int(m.group(1)) for i, c in enumerate(header) if i != target_col and (m := re.search(r"(20\d\d)", c))}
    earlier = [(y, i) for i, y in years.items() if deadline is None or y < deadline]
    if earlier:
        y, i = max(earlier)
        return i, y
    named = [i for i, c in enumerate(header) if i != target_col and _BASELINE.search(c) and not re.search(r"实际|完成", c)]
    return (named[0], None) if named else (None, None)


def _table_goal(doc: Document, rows: list[Block], sec: Section) -> Goal | list[Goal] | None:
    """An indicator table: the header names the target column (the latest year, or 指标值).

    A self-evaluation table (指标值 and 完成值 columns) gives its goals through
    :mod:`linker.selfeval`, one per 一级指标 group, each row judged on its own result.
    """
    from linker import quantities, selfeval

    if selfeval.is_selfeval(doc, rows):
        tables = [t for t in selfeval.find_tables(doc) if t.start <= rows[0].start < t.end or rows[0].start <= t.start < rows[-1].end]
        return [g for t in tables for g in selfeval.table_goals(doc, t, sec)]

    header_i = None
    for i, row in enumerate(rows):
        cells = [doc.text[a:b] for a, b in row.cells or []]
        if any("指标" in c for c in cells) and any(_HEADER_TARGET.search(c) for c in cells):
            header_i = i
            break
    if header_i is None:
        return None
    header = [doc.text[a:b] for a, b in rows[header_i].cells or []]
    columns = _indicator_columns(header)
    if columns is None:
        return None
    name_col, target_col, deadline = columns
    base_col, base_year = _baseline_column(header, target_col, deadline)
    title_row = rows[0] if header_i > 0 else None
    title = doc.text[title_row.start : title_row.end].strip() if title_row else (_caption(doc, rows[0]) or sec.title)
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
        base = doc.text[cells[base_col][0] : cells[base_col][1]].strip() if base_col is not None and base_col < len(cells) else None
        sg.target = quantities.parse_indicator_cell(name, value, base=base or None, base_year=base_year if base else None)
        if sg.target is not None:
            sg.target.deadline = deadline
            sg.target.start, sg.target.end = cells[target_col]
        goal.subgoals.append(sg)
    return goal


# "超额完成 76%的年度目标", "超过国家规定占比 50%的要求", "完成新增2万个学位的市政府实事项目"
_INLINE = re.compile(
    r"(?:未能|没有|尚未|未)?(?:超额完成|提前完成|完成|超过|高于|达到|实现)(?:了)?\s*(?:年度)?\s*[“\"]?(?P<body>[^，。；,;“”\"]{0,30}?\d[^，。；,;“”\"]{0,20}?)(?:[”\"][\u4e00-\u9fff]{0,6}?)?\s*(?:的)?"
    r"(?P<kind>年度目标|目标任务|目标|要求|实事项目|实事任务|任务)"
)


def inline_goals(units: list, doc: Document) -> tuple[list[Goal], dict[str, str]]:  # type: ignore[type-arg]
    """Targets a report states inside its evidence ("超额完成 76%的年度目标").

    Used for reports that set out no goal section (a 自评报告). Each becomes a
    goal with one sub-goal, the clause naming the target; the sentence itself is
    its evidence. Returns the goals and a map sub-goal id → evidence unit id.
    """
    from linker import quantities

    year = report_year(doc)
    goals: list[Goal] = []
    own: dict[str, str] = {}
    for u in units:
        if u.negative:
            continue
        for m in _INLINE.finditer(u.text):
            a, b = u.start + m.start(), u.start + m.end()
            target = quantities.parse_target(m.group("body"), offset=u.start + m.start("body"), year=year)
            if target is None:
                continue
            target.comparator = ">="
            # what it measures: the nearest figure before it in the sentence with a comparable unit
            before = [q for q in u.quantities if q.end <= a and quantities.normalise_unit(q.unit)[0] == quantities.normalise_unit(target.unit)[0]]
            # ("占比达62.96%，超过国家规定占比50%的要求": the requirement's 国家规定占比 is the
            # same 占比 as the figure's, which names what is measured)
            if not target.quantity and before:
                target.quantity = before[-1].quantity
            elif before and before[-1].quantity and target.quantity and before[-1].quantity.endswith(target.quantity[-2:]):
                target.quantity = before[-1].quantity
            sec = doc.innermost_section(u.start)
            g = Goal(id="", section_id=sec.id if sec else "s0", start=a, end=b, text=doc.text[a:b], kind="inline",
                     title=f"{m.group('kind')}：{doc.text[a:b]}")
            sg = SubGoal(id="", goal_id="", start=a, end=b, text=doc.text[a:b], target=target)
            g.subgoals.append(sg)
            goals.append(g)
            own[str(id(sg))] = u.id
    for i, g in enumerate(goals, 1):
        g.id = f"g{i}"
        for sg in g.subgoals:
            uid = own.pop(str(id(sg)))
            sg.id = f"g{i}.1"
            sg.goal_id = g.id
            sg.quantities = [q for q in next(x for x in units if x.id == uid).quantities if sg.start <= q.start < sg.end]
            own[sg.id] = uid
    return goals, own
