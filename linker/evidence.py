"""Evidence units: the sentences of achievement (and problem) sections.

Only sections whose role makes them evidence are read: 绩效目标实现情况 /
工作完成情况 and the like, budget facts, and 存在的问题 as *negative* evidence.
Future plans (措施建议, 下一步), goals, background (部门职责), self-scores and
appendix duplicates never are. A document that is only evidence (a work summary
paired with a plan) counts as evidence everywhere its sections do not say
otherwise.
"""

from __future__ import annotations

import re

from linker import segment
from linker.errors import NoEvidenceSection
from linker.goals import report_year
from linker.model import Block, Document, EvidenceUnit, Role, Section
from linker.structure import RUN_IN_RANK, named_by_colon

EVIDENCE_ROLES = {Role.EVIDENCE, Role.BUDGET}
NEVER = {Role.PLANS, Role.GOALS, Role.APPENDIX, Role.SCORES, Role.BACKGROUND}


def evidence_sections(doc: Document, *, whole_document: bool) -> list[Section]:
    """Sections to read evidence from (the outermost ones)."""
    chosen: list[Section] = []
    roles = set(EVIDENCE_ROLES) | {Role.NEGATIVE}
    has_evidence = any(s.role == Role.EVIDENCE for s in doc.sections)
    if whole_document or not has_evidence:
        roles |= {Role.OTHER}
    for s in doc.sections:
        if s.role in roles and s.duplicate_of is None and not any(c.start <= s.start and s.end <= c.end for c in chosen):
            chosen.append(s)
    return chosen


def extract_evidence(doc: Document, doc_index: int = 0, *, whole_document: bool = False) -> list[EvidenceUnit]:
    year = report_year(doc)
    units: list[EvidenceUnit] = []
    sections = evidence_sections(doc, whole_document=whole_document)
    if not sections:
        raise NoEvidenceSection(
            f"{doc.path}: no section reads as evidence (工作完成情况, 绩效目标实现情况, 工作成效…); "
            "name one with --evidence-section"
        )
    guessed = [s for s in sections if s.role == Role.OTHER] if not whole_document else []
    if guessed and not any(s.role == Role.EVIDENCE for s in doc.sections):
        names = [("the text before the first heading" if s.id == "s0" else (s.numbering + s.title)[:20]) for s in guessed[:4]]
        note = (f"{doc.path}: no section reads as evidence, so sections without a role were read as evidence "
                f"({'; '.join(names)}{'…' if len(guessed) > 4 else ''}); "
                "a plan is judged against a later report with --goals PLAN --evidence REPORT, "
                "or name the results with --evidence-section")
        if note not in doc.warnings:
            doc.warnings.append(note)
    blocks = sorted(doc.blocks, key=lambda b: b.start)
    para = 0
    for block in blocks:
        sec = doc.innermost_section(block.start)
        if sec is None:
            continue
        role = sec.role
        if role in NEVER or sec.duplicate_of is not None:
            continue
        if not any(c.start <= block.start < c.end for c in sections):
            continue
        # a heading's title is not evidence ("一是加强党的建设。…"), unless it reports a figure:
        # "1.全年新增学位2100个。", "一是全年新增学位2100个，…", "——培训教师3200人次。"
        start = block.start
        if sec.start == block.start and sec.level < RUN_IN_RANK + 3:
            start = block.start + len(sec.numbering) if _title_is_claim(doc, sec, block) else sec.body_start
        para += 1
        if block.kind == "table_row":
            spans = [(start, block.end)]
        else:
            spans = segment.split_at(segment.sentences(doc.text, start, block.end), _title_cuts(doc, block.start, block.end))
        heading = _heading(doc, sec)
        for a, b in spans:
            text = doc.text[a:b]
            if len(re.sub(r"\W", "", text)) < 4:
                continue
            units.append(
                EvidenceUnit(
                    id=f"e{doc_index}.{len(units) + 1}",
                    doc_index=doc_index,
                    section_id=sec.id,
                    start=a,
                    end=b,
                    text=text,
                    paragraph=para,
                    negative=role == Role.NEGATIVE,
                    heading=heading,
                )
            )
    from linker import quantities

    for u in units:
        u.quantities = quantities.find_quantities(u.text, offset=u.start, year=year)
    return units


_FIGURE = re.compile(r"(?<![\d.])(?!20\d\d\s*年)\d+(?:\.\d+)?\s*(?:%|％|[\u4e00-\u9fff])")


def _title_is_claim(doc: Document, sec: Section, block: Block) -> bool:
    if not sec.numbering:  # a bold lead-in or a Word heading style
        return False
    title = doc.text[block.start + len(sec.numbering) : min(sec.body_start, block.end)]
    # "1.学前教育毛入园率：92%。": a name closed by a colon is the subject of what follows
    if _FIGURE.search(title) is not None or named_by_colon(title):
        return True
    # "一是建立全过程预算绩效管理链条，对新出台的重大政策开展事前绩效评估，…。": a run-in
    # marker's first sentence with clauses in it says what was done; it is no title
    return sec.level >= RUN_IN_RANK and re.search(r"[，,；;]", title) is not None


def _title_cuts(doc: Document, a: int, b: int) -> list[int]:
    """Where a run-in title ends inside a line, unless it names the subject ("入园率：92%。" is one claim)."""
    return [s.body_start for s in doc.sections if a < s.body_start < b and not named_by_colon(doc.text[s.start + len(s.numbering) : s.body_start])]


def _heading(doc: Document, sec: Section) -> str:
    """Titles from the evidence section down to this one: the topic of the sentence."""
    chain = [sec] + doc.ancestors(sec)
    titles = [s.title for s in reversed(chain) if s.id != "s0" and s.level >= 1]
    return " / ".join(titles[-3:])
