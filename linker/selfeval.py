"""Self-evaluation tables (项目支出绩效自评表, 绩效目标表): every row a sub-goal with its own result.

A 绩效自评表 states, for each indicator, the target (指标性质 · 指标值 · 计量单位)
and what was achieved (全年完成值 / 实际完成值), often with 一级 / 二级指标
columns (产出类指标 · 数量指标) that give the 产出/效果 block and category, a
weight (指标权重 / 分值), a score (得分) and a 偏差原因. Such a row is judged
from the table itself, with no need for evidence sentences: 预算执行率 ≥90%
against 88% is ``unmet`` whatever the text says.

:func:`find_tables` reads every such table of a document; :func:`table_goals`
turns one into goals (one per 一级指标 group, plus the 全年绩效目标 row when the
table has one); :func:`row_verdicts` gives the status, the actual figure and the
flags of every sub-goal that came from a row. Everything is recomputed from the
document (cheap and stateless): a sub-goal is tied to its row by the span of
the row's name cell.

Flags (things an evaluator should look at): an empty 完成值; an empty or
missing 偏差原因 for a row that missed its target; the template prompt left in
说明 ("请在此处逐一针对完成度较差绩效指标简要说明原因…").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from linker.model import Block, Document, Goal, Quantity, Section, Status, SubGoal

# header words → column role, most specific first
_COLUMNS: list[tuple[str, tuple[str, ...]]] = [
    ("actual", ("全年完成值", "实际完成值", "实际完成", "完成值", "实际值", "全年实际值")),
    ("reason", ("偏差原因", "原因分析", "偏差")),
    ("target", ("年度指标值", "指标值", "目标值", "全年指标值")),
    ("level1", ("一级指标", "指标类型", "指标类别")),
    ("level2", ("二级指标",)),
    ("name", ("三级指标", "指标名称", "绩效指标")),
    ("comparator", ("指标性质", "比较符", "符号")),
    ("unit", ("计量单位", "单位")),
    ("weight", ("指标权重", "分值", "权重")),
    ("score", ("得分",)),
]
_TITLE = re.compile(r"自评表|绩效目标表|目标申报表|目标完成情况表|绩效自评")
_TEMPLATE = re.compile(r"请在此处|请填写|请逐一|此处填写")
_OVERALL_HEAD = re.compile(r"^(?:全年|年度|当年)?(?:总体)?绩效目标$|^年度目标$|^全年目标$")
_OVERALL_DONE = re.compile(r"实际完成情况|完成情况|实际完成")
_EMPTY = re.compile(r"^[\s\-—–－/／_无]*$")
_HEDGE = re.compile(r"^(?:较|比较|基本|部分|未|不|欠|尚未|有待)")

# 一级 / 二级指标 cell → (block, category); category None: decide from the indicator's name
_LEVELS: list[tuple[re.Pattern[str], str, str | None]] = [
    (re.compile(r"数量"), "产出", "数量"),
    (re.compile(r"质量"), "产出", "质量"),
    (re.compile(r"时效|进度"), "产出", "时效"),
    (re.compile(r"成本"), "产出", "成本"),
    (re.compile(r"经济效益"), "效果", "经济效益"),
    (re.compile(r"社会效益"), "效果", "社会效益"),
    (re.compile(r"生态效益|环境效益"), "效果", "生态效益"),
    (re.compile(r"可持续"), "效果", "可持续影响"),
    (re.compile(r"满意度"), "效果", "满意度"),
    (re.compile(r"产出"), "产出", None),
    (re.compile(r"效益|效果"), "效果", None),
    (re.compile(r"管理"), "管理", "管理"),
]
#: block of a row the table marks as a management indicator (预算执行率, 制度健全性): neither 产出 nor 效果
MANAGEMENT = "管理"


@dataclass
class IndicatorRow:
    """One indicator row of a self-evaluation table (spans on ``Document.text``)."""

    name: str
    name_span: tuple[int, int]
    level1: str = ""
    level2: str = ""
    comparator: str = ""
    target_text: str = ""
    unit: str = ""
    weight: float | None = None
    actual_text: str = ""
    actual_span: tuple[int, int] | None = None
    reason: str | None = None  # None: the table has no 偏差原因 column
    score: float | None = None
    target: Quantity | None = None
    actual: Quantity | None = None
    block: str | None = None
    category: str | None = None
    overall: bool = False  # a clause of the 全年绩效目标 row


@dataclass
class SelfEvalTable:
    table: int
    title: str
    start: int
    end: int
    header: dict[str, int]
    rows: list[IndicatorRow] = field(default_factory=list)
    overall: tuple[int, int] | None = None  # span of the 全年绩效目标 text
    overall_actual: str = ""
    flags: list[str] = field(default_factory=list)  # table-level: the template prompt left in 说明


def cells(doc: Document, block: Block) -> list[tuple[int, int]]:
    """The cell spans of a table row, with a leading empty cell restored.

    A spreadsheet row rendered as " | A | B" loses its leading space in the
    normaliser and comes out as one cell "| A": split it back into "" and "A".
    """
    out: list[tuple[int, int]] = []
    for i, (a, b) in enumerate(block.cells or []):
        t = doc.text[a:b]
        if i == 0 and t.startswith("|"):
            k = a + 1
            while k < b and doc.text[k] in " \t\u3000":
                k += 1
            out.append((a, a))
            out.append((k, b))
        else:
            out.append((a, b))
    return out


def _texts(doc: Document, spans: list[tuple[int, int]]) -> list[str]:
    return [doc.text[a:b].strip() for a, b in spans]


def _header(texts: list[str]) -> dict[str, int] | None:
    cols: dict[str, int] = {}
    for i, t in enumerate(texts):
        key = re.sub(r"\s+", "", t)
        if not key or len(key) > 12:
            continue
        for role, words in _COLUMNS:
            if role not in cols and any(w in key for w in words):
                cols[role] = i
                break
    if "name" in cols and "target" in cols and "actual" in cols:
        return cols
    return None


def _number(text: str) -> float | None:
    m = re.search(r"\d+(?:\.\d+)?", text.translate(str.maketrans("０１２３４５６７８９．", "0123456789.")))
    return float(m.group(0)) if m else None


def level_block(level1: str, level2: str, name: str = "") -> tuple[str | None, str | None]:
    """Block and category from a row's 二级 then 一级指标 cell (category None: undecided)."""
    for cell in (level2, level1):
        key = re.sub(r"\s+", "", cell)
        if not key:
            continue
        for pat, block, cat in _LEVELS:
            if pat.search(key):
                return block, cat
    return None, None


def _table_title(doc: Document, rows: list[Block]) -> str:
    """The line just before a table (its title), or the document's first line."""
    before = [b for b in doc.blocks if b.end <= rows[0].start and b.kind != "table_row"]
    if before:
        line = doc.text[before[-1].start : before[-1].end].strip()
        if line and len(line) <= 60:
            return line
    first = doc.blocks[0] if doc.blocks else None
    return doc.text[first.start : first.end].strip() if first is not None else ""


def is_selfeval(doc: Document, rows: list[Block]) -> bool:
    """Does this run of table rows hold a self-evaluation header (指标名称 · 指标值 · 完成值)?"""
    return any(_header(_texts(doc, cells(doc, r))) for r in rows)


def _overall(doc: Document, rows: list[Block], upto: int) -> tuple[tuple[int, int] | None, str]:
    """The 全年绩效目标 text and its 实际完成情况, from the rows before the header."""
    for i, row in enumerate(rows[:upto]):
        cs = cells(doc, row)
        ts = _texts(doc, cs)
        heads = [k for k, t in enumerate(ts) if _OVERALL_HEAD.match(re.sub(r"\s+", "", t))]
        if not heads:
            continue
        col = heads[-1]
        done = next((k for k, t in enumerate(ts) if k > col and _OVERALL_DONE.search(t)), None)
        # the text sits in the same column of the next row, or in the next cell of this one
        places = []
        if i + 1 < upto:
            ncs = cells(doc, rows[i + 1])
            places.append((ncs, _texts(doc, ncs), col))
        places.append((cs, ts, col + 1))
        for src_cells, src_texts, c in places:
            text = src_texts[c] if c < len(src_texts) else ""
            if len(text) >= 4 and not _OVERALL_DONE.search(text) and not _OVERALL_HEAD.match(text):
                actual = src_texts[done] if done is not None and done < len(src_texts) else ""
                return src_cells[c], actual
    return None, ""


def find_tables(doc: Document) -> list[SelfEvalTable]:
    """Every self-evaluation table of a document, its rows parsed (once per document: goals,
    statuses, scores and the report all ask)."""
    if "selfeval_tables" not in doc.derived:
        doc.derived["selfeval_tables"] = _find_tables(doc)
    return doc.derived["selfeval_tables"]


def _find_tables(doc: Document) -> list[SelfEvalTable]:
    from linker import quantities

    by_table: dict[int, list[Block]] = {}
    for b in doc.blocks:
        if b.kind == "table_row":
            by_table.setdefault(b.table or 0, []).append(b)
    year = _year(doc)
    tables: list[SelfEvalTable] = []
    for tid, rows in sorted(by_table.items()):
        header_i, cols = None, None
        for i, r in enumerate(rows):
            cols = _header(_texts(doc, cells(doc, r)))
            if cols:
                header_i = i
                break
        if header_i is None or cols is None:
            continue
        t = SelfEvalTable(table=tid, title=_table_title(doc, rows), start=rows[0].start, end=rows[-1].end, header=cols)
        t.overall, t.overall_actual = _overall(doc, rows, header_i)
        carry = {"level1": "", "level2": ""}
        for r in rows[header_i + 1 :]:
            cs = cells(doc, r)
            ts = _texts(doc, cs)
            first = next((x for x in ts if x), "")
            if _header(ts) or re.match(r"^(?:合计|总计|总分|说明|备注)", first) or _TEMPLATE.search(" ".join(ts)):
                break  # the table's foot: totals, 说明 and 备注 are no indicators

            def cell(role: str, ts: list[str] = ts, cols: dict[str, int] = cols) -> str:
                k = cols.get(role)
                return ts[k] if k is not None and k < len(ts) else ""

            name = cell("name")
            if not name or name in ("合计", "总分", "小计"):
                continue
            for lv in ("level1", "level2"):
                if cell(lv):
                    carry[lv] = cell(lv)
                    if lv == "level1":
                        carry["level2"] = cell("level2")
            unit = "" if _EMPTY.match(cell("unit")) else cell("unit")
            row = IndicatorRow(
                name=name,
                name_span=cs[cols["name"]],
                level1=carry["level1"],
                level2=carry["level2"],
                comparator=cell("comparator"),
                target_text=cell("target"),
                unit=unit,
                weight=_number(cell("weight")) if "weight" in cols else None,
                actual_text=cell("actual"),
                actual_span=cs[cols["actual"]] if cols["actual"] < len(cs) else None,
                reason=cell("reason") if "reason" in cols else None,
                score=_number(cell("score")) if "score" in cols and cell("score") else None,
            )
            cmp = row.comparator if row.comparator and not _EMPTY.match(row.comparator) else None
            if cmp is None and row.comparator and _EMPTY.match(row.comparator):
                cmp = "定性"  # 指标性质 "无": a qualitative indicator
            row.target = quantities.parse_indicator_cell(name, row.target_text, comparator=cmp, unit=unit or None, year=year)
            if row.target is not None and row.target_text:
                a, _ = cs[cols["target"]]
                row.target.start, row.target.end = a + row.target.start, a + row.target.end
            row.actual = actual_quantity(name, row.actual_text, unit=unit or None)
            if row.actual is not None and row.actual_span is not None:
                a, _ = row.actual_span
                row.actual.start, row.actual.end = a + row.actual.start, a + row.actual.end
            row.block, row.category = level_block(row.level1, row.level2, name)
            t.rows.append(row)
        t.rows.extend(_overall_rows(doc, t, year))
        # the 说明 row (often a table of its own right after) with its template prompt still in it
        after = [b for b in doc.blocks if b.start >= rows[0].start]
        for b in after[: len(rows) + 8]:
            text = doc.text[b.start : b.end]
            if _TEMPLATE.search(text) and ("说明" in text or b.kind == "table_row"):
                t.flags.append(
                    f"说明栏仍是模板提示语“{text.split(chr(9))[-1].strip()[:40]}…”：未对未达标的指标说明原因"
                )
                break
        tables.append(t)
    return tables


def titled(t: SelfEvalTable, doc: Document) -> bool:
    """Is the table called a self-evaluation or target table (its title line, or the document's)?"""
    first = doc.text[doc.blocks[0].start : doc.blocks[0].end] if doc.blocks else ""
    return bool(_TITLE.search(t.title) or (_TITLE.search(first) and len(first) <= 60))


def _overall_rows(doc: Document, t: SelfEvalTable, year: int | None) -> list[IndicatorRow]:
    """The 全年绩效目标 text as clauses, each with its actual from 全年目标实际完成情况."""
    from linker import quantities, segment

    if t.overall is None:
        return []
    out = []
    actuals = quantities.find_quantities(t.overall_actual, year=year)
    a, b = t.overall
    for ca, cb in segment.clauses(doc.text, a, b):
        while cb > ca and doc.text[cb - 1] in "，,；;。、 ":
            cb -= 1
        if cb - ca < 4:
            continue
        target = quantities.parse_target(doc.text[ca:cb], offset=ca, year=year)
        actual = None
        if target is not None and target.quantity:
            from linker.status import noun_match

            scored = [(noun_match(target.quantity, q.quantity), -k, q) for k, q in enumerate(actuals)]
            best = max(scored, key=lambda x: (x[0], x[1]), default=None)
            actual = best[2] if best is not None and best[0] > 0 else None
        row = IndicatorRow(
            name=doc.text[ca:cb],
            name_span=(ca, cb),
            target_text=doc.text[ca:cb],
            actual_text=t.overall_actual,
            target=target,
            actual=actual,
            overall=True,
        )
        out.append(row)
    return out


def _year(doc: Document) -> int | None:
    from linker.goals import report_year

    return report_year(doc)


def actual_quantity(name: str, text: str, *, unit: str | None = None) -> Quantity | None:
    """The 完成值 cell as a stated figure (comparator ``=``), or None when it holds no number."""
    from linker import quantities

    if not text or _EMPTY.match(text):
        return None
    q = quantities.parse_indicator_cell(name, text, comparator="=", unit=unit)
    if q is None:
        found = quantities.find_quantities(text)
        q = found[0] if len(found) == 1 else None
        if q is not None and not q.quantity:
            q.quantity = name
    if q is not None:
        q.is_target = False
    return q


def table_goals(doc: Document, t: SelfEvalTable, sec: Section) -> list[Goal]:
    """Goals of one self-evaluation table: 全年绩效目标, then one goal per 一级指标 group."""
    goals: list[Goal] = []
    overall = [r for r in t.rows if r.overall]
    rows = [r for r in t.rows if not r.overall]
    if overall and t.overall is not None:
        a, b = t.overall
        g = Goal(id="", section_id=sec.id, start=a, end=b, text=doc.text[a:b], kind="overall", title="全年绩效目标")
        for r in overall:
            g.subgoals.append(_subgoal(doc, r))
        goals.append(g)
    # one goal per 一级指标; a 二级 word in the 一级 column (数量指标 above 产出类指标: merged
    # cells flattened) joins the group of its block
    groups: list[tuple[str, list[IndicatorRow]]] = []
    for r in rows:
        key = r.level1 or t.title
        if groups and (
            groups[-1][0] == key
            or (
                r.block is not None
                and r.block == groups[-1][1][-1].block
                and (_second_level(key) or _second_level(groups[-1][0]))
            )
        ):
            if _second_level(groups[-1][0]) and not _second_level(key):
                groups[-1] = (key, groups[-1][1])
            groups[-1][1].append(r)
        else:
            groups.append((key, [r]))
    for key, rs in groups:
        a, b = rs[0].name_span[0], rs[-1].name_span[1]
        g = Goal(id="", section_id=sec.id, start=a, end=b, text=doc.text[a:b], kind="table", title=key)
        g.subgoals = [_subgoal(doc, r) for r in rs]
        goals.append(g)
    return goals


def _second_level(cell: str) -> bool:
    """A 二级指标 word (数量指标, 社会效益指标) rather than a 一级 one (产出类指标, 效益指标)."""
    key = re.sub(r"\s+", "", cell)
    return bool(re.search(r"数量|质量|时效|进度|成本|经济效益|社会效益|生态效益|环境效益|可持续", key)) and "类" not in key


def _subgoal(doc: Document, r: IndicatorRow) -> SubGoal:
    a, b = r.name_span
    sg = SubGoal(id="", goal_id="", start=a, end=b, text=doc.text[a:b], target=r.target, actual=r.actual)
    if r.block is not None:
        sg.block = r.block
        sg.category = r.category
        sg.category_confidence = 1.0 if r.category else 0.0
    return sg


def rows_by_span(doc: Document) -> dict[tuple[int, int], tuple[SelfEvalTable, IndicatorRow]]:
    return {r.name_span: (t, r) for t in find_tables(doc) for r in t.rows}


@dataclass
class RowVerdict:
    status: Status
    note: str
    actual: Quantity | None
    flags: list[str]


def judge_row(r: IndicatorRow, *, evidence_year: int | None = None) -> RowVerdict:
    """Status of a table row from its own 指标值 and 完成值, with what to flag."""
    from linker import quantities
    from linker.status import NEAR, describe, due_context, nearly

    flags: list[str] = []
    actual_empty = not r.actual_text or bool(_EMPTY.match(r.actual_text))
    if actual_empty:
        flags.append("实际完成值为空")
    status, note = Status.UNEVIDENCED, "no 完成值 in the table"
    if r.target is not None and r.actual is not None:
        near = re.sub(r"\s+", "", r.actual_text or "").startswith(NEAR) and r.actual.comparator in ("~", "=")
        ok = nearly(r.actual, r.target) if near else quantities.compare(r.actual, r.target)  # 近10所 is under 10所
        if ok is None:
            status, note = Status.EVIDENCED, f"table: 完成值 {r.actual_text} cannot be compared with 指标值 {describe(r.target)}"
        else:
            status = Status.MET if ok else Status.UNMET
            verb = "satisfies" if ok else "falls short of"
            written = re.sub(r"\s+", "", r.actual_text or "")  # 近10所 as the table has it
            shown = f"{r.actual.quantity or ''} {written}".strip() if near else describe(r.actual)
            note = f"table: 完成值 {shown} {verb} 指标值 {describe(r.target)}"
            status, note = due_context(status, note, r.target.deadline, evidence_year)
    elif not actual_empty and r.target is None and r.target_text and not _EMPTY.match(r.target_text):
        want, got = re.sub(r"\s+", "", r.target_text), re.sub(r"\s+", "", r.actual_text)
        if want == got:
            status, note = Status.MET, f"table: {got} as planned ({want})"
        elif _HEDGE.match(got) or got.startswith(("较", "基本")):
            status, note = Status.UNMET, f"table: {got} against the planned {want}"
        else:
            status, note = Status.EVIDENCED, f"table: {got} (planned {want})"
    elif not actual_empty:
        status, note = Status.EVIDENCED, f"table: 完成值 {r.actual_text}"
    if status in (Status.UNMET, Status.UNEVIDENCED) and not r.overall:
        if r.reason is None:
            flags.append("表中没有偏差原因栏：未说明未达标的原因")
        elif not r.reason or _EMPTY.match(r.reason):
            flags.append("偏差原因为空：未说明未达标的原因")
    return RowVerdict(status, note, r.actual, flags)
