"""From a :class:`~linker.io.Reading` to a :class:`~linker.model.Document`.

The normalised text has one logical line per paragraph or table row (cells
joined by a tab), no blank lines, and none of the artefacts of conversion:
``[bookmark: …]`` marks, Markdown ``**``/``#`` markers, leading full-width
spaces, zero-width characters, page-number lines, PDF line breaks inside
sentences ("入\\n\\n园率" reads 入园率), subscripts split onto their own line
("PM\\n2.5\\n" reads PM2.5) and trailing junk such as "推荐访问…".

Every character keeps the position it came from in ``raw`` (``Document.offsets``),
so quotes shown to users are the report's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from linker.io import RawBlock, Reading
from linker.model import Block, Document

_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_LEADING = " \t\u3000\u00a0"
_MD_HEADING = re.compile(r"#{1,6}\s*")
_PAGE_NUMBER = re.compile(r"^(?:[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4})$")
_JUNK_TAIL = re.compile(r"^(推荐访问|相关阅读|扫一扫|分享到|打印本页|关闭窗口|【打印】|责任编辑)")
_TERMINAL = tuple("。！？；：!?;:…”’」』)）】》")
# markers that open a heading or a bullet: such a line is never glued to the one before
_OPENER = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d{1,2}[.、．](?!\d)|[（(]\d{1,2}[)）]"
    r"|[①②③④⑤⑥⑦⑧⑨⑩]|——|—|[一二三四五六七八九十]是|附件|附表|专栏|第[一二三四五六七八九十]+[章节部分])"
)
# "一、标题 (一)小标题…" on one line (PDF extraction): split before the sub-heading
_INLINE_SUBHEADING = re.compile(r"^[一二三四五六七八九十]+、[^\s。]{2,30}(\s+)(?=[（(][一二三四五六七八九十]+[)）])")
_TABLE_PIPE = " | "


@dataclass
class _Line:
    chars: list[str] = field(default_factory=list)
    pos: list[int] = field(default_factory=list)
    kind: str = "paragraph"
    page: int | None = None
    table: int | None = None
    cells: list[tuple[int, int]] | None = None  # spans within this line
    tab_start: bool = False  # a cell line of a tab-separated table in plain text
    level: int | None = None
    lead_end: int | None = None  # characters of a bold lead-in (Markdown "**…**" at the start)

    @property
    def text(self) -> str:
        return "".join(self.chars)

    def extend(self, other: _Line) -> None:
        self.chars.extend(other.chars)
        self.pos.extend(other.pos)


def _clean(raw: str, start: int, end: int, fmt: str) -> _Line:
    """Clean one raw line, keeping the raw position of every kept character."""
    line = raw[start:end]
    drop = [False] * len(line)
    for m in _BOOKMARK.finditer(line):
        for i in range(m.start(), m.end()):
            drop[i] = True
    for i, ch in enumerate(line):
        if ch in _ZERO_WIDTH:
            drop[i] = True
    bold_close = None
    if fmt == "md":
        marks = [i for i in range(len(line) - 1) if line[i] == "*" and line[i + 1] == "*" and (i == 0 or line[i - 1] != "*")]
        for i in marks:
            drop[i] = drop[i + 1] = True
        if len(marks) >= 2 and not line[: marks[0]].strip(_LEADING + "#"):
            bold_close = marks[1]
    out = _Line()
    for i, ch in enumerate(line):
        if not drop[i]:
            out.chars.append(ch)
            out.pos.append(start + i)
    # leading and trailing white space
    text = out.text
    out.tab_start = text.startswith("\t")
    lead = len(text) - len(text.lstrip(_LEADING))
    trail = len(text) - len(text.rstrip(_LEADING + "\u2002\u2003"))
    out.chars = out.chars[lead : len(out.chars) - trail]
    out.pos = out.pos[lead : len(out.pos) - trail]
    if fmt == "md":
        m = _MD_HEADING.match(out.text)
        if m:
            out.chars, out.pos = out.chars[m.end() :], out.pos[m.end() :]
    if bold_close is not None:
        n = sum(1 for p in out.pos if p < start + bold_close)
        if 0 < n < len(out.chars):
            out.lead_end = n
    return out


def _raw_lines(reading: Reading) -> list[tuple[int, int, RawBlock | None]]:
    raw = reading.raw
    if reading.blocks is not None:
        out = []
        for b in reading.blocks:
            # a block may still contain newlines (a cell with line breaks): keep it one line
            out.append((b.start, b.end, b))
        return out
    out = []
    pos = 0
    for piece in raw.split("\n"):
        out.append((pos, pos + len(piece), None))
        pos += len(piece) + 1
    return out


def _is_tab_table_start(lines: list[_Line], i: int) -> bool:
    """Two or more consecutive tab-prefixed cell lines open a plain-text table."""
    if not lines[i].tab_start:
        return False
    n = 0
    for j in range(i, min(i + 6, len(lines))):
        if lines[j].tab_start:
            n += 1
        elif lines[j].text:
            break
    return n >= 2


def _rows_from_tab_cells(lines: list[_Line], i: int, table: int) -> tuple[list[_Line], int]:
    """Gather a text table whose cells are tab-prefixed lines and rows end at blank lines."""
    rows: list[_Line] = []
    cells: list[_Line] = []

    def close_row() -> None:
        if not cells:
            return
        row = _Line(kind="table_row", table=table, cells=[])
        for k, cell in enumerate(cells):
            if k:
                row.chars.append("\t")
                row.pos.append(cell.pos[0] - 1 if cell.pos else (row.pos[-1] if row.pos else 0))
            a = len(row.chars)
            row.extend(cell)
            assert row.cells is not None
            row.cells.append((a, len(row.chars)))
        rows.append(row)
        cells.clear()

    j = i
    blank = False
    while j < len(lines):
        ln = lines[j]
        if not ln.text and not ln.tab_start:
            blank = True
            j += 1
            continue
        if ln.tab_start:
            if blank:
                close_row()
            cells.append(_Line(chars=list(ln.chars), pos=list(ln.pos)))
        else:
            # continuation of the current cell, or the end of the table
            short = len(ln.text) <= 12 and not ln.text.endswith("。") and not _OPENER.match(ln.text)
            if not cells or not short:
                break
            cells[-1].extend(ln)
        blank = False
        j += 1
    close_row()
    # drop rows with no text at all
    rows = [r for r in rows if r.text.strip("\t ")]
    return rows, j


def _pipe_row(ln: _Line, table: int) -> _Line:
    text = ln.text
    row = _Line(kind="table_row", table=table, cells=[], page=ln.page)
    k = 0
    for part in text.split(_TABLE_PIPE):
        a = k
        b = k + len(part)
        # strip the cell
        while a < b and text[a] in _LEADING:
            a += 1
        while b > a and text[b - 1] in _LEADING:
            b -= 1
        if row.chars:
            row.chars.append("\t")
            row.pos.append(ln.pos[a] if a < len(ln.pos) else ln.pos[-1])
        start = len(row.chars)
        row.chars.extend(ln.chars[a:b])
        row.pos.extend(ln.pos[a:b])
        assert row.cells is not None
        row.cells.append((start, len(row.chars)))
        k += len(part) + len(_TABLE_PIPE)
    return row


def _joinable(prev: _Line, nxt: _Line, fmt: str) -> bool:
    """Is the line break between prev and nxt a wrap inside a sentence?"""
    a, b = prev.text, nxt.text
    if not a or not b or prev.kind != "paragraph" or nxt.kind != "paragraph":
        return False
    if a.endswith(_TERMINAL) or _OPENER.match(b):
        return False
    if b[0] in "。，、；：！？）”’%％":  # a line cannot start a sentence with these
        return True
    if _OPENER.match(a) and len(a) < 40:
        return False  # a heading line
    if re.search(r"(报告|总结|规划|纲要|方案|意见|通知|情况|工作)$", a) and len(a) < 40:
        return False  # a title
    # subscripts split onto their own line by web extraction: "PM\n2.5\n"
    if re.fullmatch(r"[0-9.]{1,4}", b) and re.search(r"[A-Za-z]$", a):
        return True
    if re.fullmatch(r"[0-9.]{1,4}", a) and re.search(r"[A-Za-z]$", a):
        return True
    if fmt == "pdf":
        return len(a) >= 15
    # plain text from a PDF: broken lines are long, end in the middle of a phrase
    body = len(a) >= 25 or re.search(r"[，。；]", a) is not None  # a heading or title has no inner punctuation
    return body and "\u4e00" <= a[-1] <= "\u9fff"


def normalize(reading: Reading) -> Document:
    fmt = reading.format
    raw = reading.raw
    lines: list[_Line] = []
    for start, end, block in _raw_lines(reading):
        if block is not None and "\n" in raw[start:end]:
            # one block, several raw lines: clean each, keep one logical line
            merged = _Line()
            pos = start
            for piece in raw[start:end].split("\n"):
                part = _clean(raw, pos, pos + len(piece), fmt)
                if merged.chars and part.chars:
                    merged.chars.append(" ")
                    merged.pos.append(part.pos[0])
                merged.extend(part)
                pos += len(piece) + 1
            ln = merged
        else:
            ln = _clean(raw, start, end, fmt)
        if block is not None:
            ln.kind = block.kind
            ln.page = block.page
            ln.table = block.table
            ln.level = block.level
            if block.cells is not None:
                # map raw cell spans to positions within the cleaned line
                ln.cells = []
                for ca, cb in block.cells:
                    idx = [k for k, p in enumerate(ln.pos) if ca <= p < cb]
                    ln.cells.append((idx[0], idx[-1] + 1) if idx else (len(ln.chars), len(ln.chars)))
        lines.append(ln)

    # trailing junk ("推荐访问…") and page-number lines
    while lines and (not lines[-1].text or _JUNK_TAIL.match(lines[-1].text)):
        lines.pop()
    kept: list[_Line] = []
    for ln in lines:
        if ln.text and ln.kind == "paragraph" and not ln.tab_start and _PAGE_NUMBER.match(ln.text):
            continue
        if fmt == "pdf" and ln.kind == "paragraph" and re.fullmatch(r"\d{1,3}", ln.text or "x"):
            continue
        kept.append(ln)
    lines = kept

    # tables in plain text: tab-prefixed cells, or " | "-separated rows
    logical: list[_Line] = []
    table = 0 if reading.blocks is None else 1 + max((b.table or 0) for b in reading.blocks or [RawBlock(0, 0)])
    i = 0
    _was_pipe = False
    while i < len(lines):
        ln = lines[i]
        if reading.blocks is None and _is_tab_table_start(lines, i):
            rows, i = _rows_from_tab_cells(lines, i, table)
            logical.extend(rows)
            table += 1
            continue
        if reading.blocks is None and ln.text.count(_TABLE_PIPE) >= 1 and ln.kind == "paragraph":
            # a run of pipe rows is one table
            if not logical or logical[-1].kind != "table_row" or logical[-1].table != table - 1 or not _was_pipe:
                table += 1
            logical.append(_pipe_row(ln, table - 1))
            _was_pipe = True
            i += 1
            continue
        _was_pipe = False
        logical.append(ln)
        i += 1

    # drop blank lines, join wrapped lines, split inline sub-headings
    out: list[_Line] = []
    for ln in logical:
        if not ln.text.strip("\t "):
            continue
        if ln.kind == "paragraph":
            m = _INLINE_SUBHEADING.match(ln.text)
            if m:
                a, b = m.start(1), m.end(1)
                head = _Line(chars=ln.chars[:a], pos=ln.pos[:a], page=ln.page)
                tail = _Line(chars=ln.chars[b:], pos=ln.pos[b:], page=ln.page)
                out.append(head)
                out.append(tail)
                continue
        if out and ln.lead_end is None and _joinable(out[-1], ln, fmt):
            out[-1].extend(ln)
            continue
        out.append(ln)

    # assemble
    chars: list[str] = []
    offsets: list[int] = []
    blocks: list[Block] = []
    for k, ln in enumerate(out):
        if k:
            chars.append("\n")
            offsets.append(ln.pos[0] - 1 if ln.pos and ln.pos[0] > 0 else offsets[-1])
        a = len(chars)
        chars.extend(ln.chars)
        offsets.extend(ln.pos)
        cells = [(a + x, a + y) for x, y in ln.cells] if ln.cells is not None else None
        lead = a + ln.lead_end if ln.lead_end is not None else None
        blocks.append(Block(start=a, end=len(chars), kind=ln.kind, page=ln.page, cells=cells, table=ln.table, lead_end=lead))
    offsets.append(len(raw))
    text = "".join(chars)
    return Document(
        path=reading.path,
        raw=raw,
        text=text,
        offsets=offsets,
        sha256=reading.sha256,
        format=fmt,
        encoding=reading.encoding,
        blocks=blocks,
        warnings=list(reading.warnings),
    )
