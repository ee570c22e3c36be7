"""From a :class:`~linker.io.Reading` to a :class:`~linker.model.Document`.

The normalised text has one logical line per paragraph or table row (cells
joined by a tab), no blank lines, and none of the artefacts of conversion:
``[bookmark: …]`` marks, Markdown ``**``/``#`` markers, leading full-width
spaces, zero-width characters, page-number lines, PDF line breaks inside
sentences ("入\\n\\n园率" reads 入园率), subscripts split onto their own line
("PM\\n2.5\\n" reads PM2.5) and trailing junk such as "推荐访问…".

Plain text keeps the tables it was exported with: Word's layout (a tab opens a cell,
a blank line ends a row, two end the table; a row of one cell is a caption) and a
spreadsheet's " | " rows; either reads as the .docx/.xlsx reader would. Text that
keeps a PDF's line wraps (most lines as wide as the page) is joined back into whole
paragraphs, a line ending its paragraph when it is short, or when a sentence ends on
it and the next line is narrower by a first-line indent.

Every character keeps the position it came from in ``raw`` (``Document.offsets``),
so quotes shown to users are the report's own words.
"""

from __future__ import annotations

import gc
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from linker.io import RawBlock, Reading, line_joiner
from linker.model import Block, Document
from linker.structure import heading_rank

_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_LEADING = " \t\u3000\u00a0"
_HAS_ZERO_WIDTH = re.compile(f"[{_ZERO_WIDTH}]")
_MD_HEADING = re.compile(r"#{1,6}\s*")
_PAGE_NUMBER = re.compile(r"^(?:[-—–]\s*\d{1,4}\s*[-—–]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4})$")
_JUNK_TAIL = re.compile(r"^(推荐访问|相关阅读|扫一扫|分享到|打印本页|关闭窗口|【打印】|责任编辑)")
_TERMINAL = tuple("。！？；：!?;:…”’」』)）】》")
# markers that open a heading or a bullet: such a line is never glued to the one before
_OPENER = re.compile(
    r"^(?:[一二三四五六七八九十]+、(?![一二三四五六七八九十]{1,2}(?:年级|、|至|到))|[（(][一二三四五六七八九十]+[)）]|\d{1,2}[.、．](?!\d)|[（(]\d{1,2}[)）]"
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
    raw_start: int = 0  # where the raw line began
    raw_end: int = 0  # where the last raw line in it ends (its line break in raw)
    indent: bool = False  # began with white space (a paragraph's first-line indent)
    tail: int = -1  # display width of the last physical line joined into this one (-1: not known yet)
    subscript: bool = False  # ends with a subscript joined from its own line ("PM" + "2.5")

    @property
    def text(self) -> str:
        return "".join(self.chars)

    def extend(self, other: _Line) -> None:
        self.chars.extend(other.chars)
        self.pos.extend(other.pos)
        self.tail = other.last_width()
        self.raw_end = other.raw_end

    def last_width(self) -> int:
        """Display width of the last physical line (the whole line until one is joined)."""
        if self.tail < 0:
            self.tail = _width(self.chars)
        return self.tail


def _clean(raw: str, start: int, end: int, fmt: str) -> _Line:
    """Clean one raw line, keeping the raw position of every kept character."""
    line = raw[start:end]
    out = _Line(raw_start=start, raw_end=end)
    if "bookmark:" not in line and not _HAS_ZERO_WIDTH.search(line) and (fmt != "md" or "**" not in line):
        out.chars = list(map(sys.intern, line))  # one object per distinct character, not per character
        out.pos = list(range(start, end))
        return _trim(out, start, None, fmt)
    drop = [False] * len(line)
    for m in _BOOKMARK.finditer(line):
        for i in range(m.start(), m.end()):
            drop[i] = True
    for i, ch in enumerate(line):
        if ch in _ZERO_WIDTH:
            drop[i] = True
    bold_close = None
    if fmt == "md":
        marks = [m.start() for m in re.finditer(r"\*\*", line)]
        for i in marks:
            drop[i] = drop[i + 1] = True
        if len(marks) >= 2 and not line[: marks[0]].strip(_LEADING + "#"):
            bold_close = marks[1]
    for i, ch in enumerate(line):
        if not drop[i]:
            out.chars.append(sys.intern(ch))
            out.pos.append(start + i)
    return _trim(out, start, bold_close, fmt)


def _trim(out: _Line, start: int, bold_close: int | None, fmt: str) -> _Line:
    """Leading and trailing white space, a Markdown heading's #, the bold lead-in's end."""
    text = out.text
    out.tab_start = text.startswith("\t")
    lead = len(text) - len(text.lstrip(_LEADING))
    trail = len(text) - len(text.rstrip(_LEADING + "\u2002\u2003"))
    out.indent = lead > 0 and lead < len(text)
    out.chars = out.chars[lead : len(out.chars) - trail]
    out.pos = out.pos[lead : len(out.pos) - trail]
    if fmt == "md":
        m = _MD_HEADING.match(out.text)
        if m:
            out.chars, out.pos = out.chars[m.end() :], out.pos[m.end() :]
            if out.chars:
                out.level = m.group(0).count("#")  # "## 绩效目标": a heading, numbered or not
    if bold_close is not None:
        n = sum(1 for p in out.pos if p < start + bold_close)
        if 0 < n < len(out.chars):
            out.lead_end = n
    return out


def _is_page_number(ln: _Line, fmt: str) -> bool:
    """A page's number on a line of its own: "- 3 -", "第 3 页 共 9 页", "3/9"; in a PDF also "3"."""
    if ln.kind != "paragraph" or ln.tab_start or not ln.chars or len(ln.chars) > 20:
        return False
    text = ln.text
    return _PAGE_NUMBER.match(text) is not None or (fmt == "pdf" and re.fullmatch(r"\d{1,3}", text) is not None)


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


def _tab_table(lines: list[_Line], i: int) -> tuple[list[list[list[_Line]]], int]:
    """The rows (cells, each a list of lines) of a plain-text table starting at line ``i``,
    and the index after the table.

    Text extracted from Word lays a table out as one line per cell paragraph: a cell
    starts with a tab, lines without one (after a blank line or not) are further
    paragraphs of the same cell, a blank line ends a row and two blank lines end the table.
    """
    rows: list[list[list[_Line]]] = []
    row: list[list[_Line]] = []
    blanks = 0
    j = i
    while j < len(lines):
        ln = lines[j]
        if ln.tab_start:
            if blanks and row:
                rows.append(row)
                row = []
            blanks = 0
            row.append([ln])
        elif not ln.text:
            blanks += 1
            if blanks >= 2:
                break
        else:
            if not row:
                break
            blanks = 0
            row[-1].append(ln)
        j += 1
    if row:
        rows.append(row)
    return rows, j


def _join_cell(parts: list[_Line]) -> _Line:
    """The lines of one cell as one piece, joined as Chinese text is (see ``line_joiner``)."""
    out = _Line(raw_start=parts[0].raw_start, raw_end=parts[0].raw_end)
    for part in parts:
        if not part.chars:
            continue
        if out.chars:
            sep = line_joiner(out.chars[-1], part.chars[0])
            if sep:
                out.chars.append(sep)
                out.pos.append(out.raw_end)  # the line break after the previous line
        out.extend(part)
    return out


def _tab_table_lines(rows: list[list[list[_Line]]], table: int) -> tuple[list[_Line], int]:
    """Table rows as logical lines. A row of one cell is a caption or a title between
    tables (Word: a paragraph, or a row merged across the table): its lines are paragraphs
    and it ends the table before it. Returns the lines and the next free table index."""
    out: list[_Line] = []
    open_rows = 0
    for row in rows:
        cells = [_join_cell(c) for c in row]
        if not any(c.chars for c in cells):
            continue
        if len(cells) == 1:
            if open_rows:
                table += 1
                open_rows = 0
            out.extend(_Line(chars=list(p.chars), pos=list(p.pos), raw_start=p.raw_start, raw_end=p.raw_end) for p in row[0] if p.chars)
            continue
        line = _Line(kind="table_row", table=table, cells=[], raw_start=row[0][0].raw_start, raw_end=row[-1][-1].raw_end)
        for k, cell in enumerate(cells):
            if k:
                line.chars.append("\t")
                # the tab that opened this cell in raw (or where the empty cell stood)
                line.pos.append(row[k][0].raw_start)
            a = len(line.chars)
            line.extend(cell)
            assert line.cells is not None
            line.cells.append((a, len(line.chars)))
        line.raw_end = row[-1][-1].raw_end
        out.append(line)
        open_rows += 1
    return out, table + (1 if open_rows else 0)


def _is_pipe_row(ln: _Line) -> bool:
    """A row of a table rendered with " | " between cells (a spreadsheet exported as text).
    Its leading space is already stripped, so a row with an empty first cell starts "| "."""
    if ln.kind != "paragraph" or not ln.chars:
        return False
    head = "".join(ln.chars[:2])
    return head == "| " or _TABLE_PIPE in ln.text or _MD_ROW.match(ln.text) is not None


# a Markdown table row written tight ("|指标|2020年|2025年|") and the alignment row under its header
_MD_ROW = re.compile(r"^\|(?:[^|]*\|){2,}\s*$")
_MD_ALIGN = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$")


def _pipe_row(ln: _Line, table: int) -> _Line:
    text = ln.text
    row = _Line(kind="table_row", table=table, cells=[], page=ln.page, raw_start=ln.raw_start, raw_end=ln.raw_end)
    spans: list[tuple[int, int]] = []
    seps: list[int] = []  # where each separator's | stands in the line
    k = 0
    if _MD_ROW.match(text) and _TABLE_PIPE not in text:  # "|a|b|c|": every | but the outer ones separates
        bars = [i for i, ch in enumerate(text) if ch == "|"]
        last = len(text.rstrip()) - 1
        inner = [i for i in bars if 0 < i < last]
        spans = [(a + 1, b) for a, b in zip([0] + inner, inner + [last])]
        seps = inner
        return _fill_row(row, ln, spans, seps)
    if text.startswith("| "):  # an empty first cell
        spans.append((0, 0))
        seps.append(0)
        k = 2
    while True:
        j = text.find(_TABLE_PIPE, k)
        if j < 0:
            end = len(text) - 2 if text.endswith(" |") and len(text) - 2 >= k else len(text)
            spans.append((k, end))
            break
        spans.append((k, j))
        seps.append(j + 1)
        k = j + len(_TABLE_PIPE)
    return _fill_row(row, ln, spans, seps)


def _is_tsv_row(ln: _Line) -> bool:
    """A line of cells separated by tabs (copied from Excel or WPS), not a tab-indented cell line.
    Empty last cells are gone with the line's trailing white space, so one tab is enough; a run of two such lines is a table."""
    return ln.kind == "paragraph" and not ln.tab_start and "\t" in ln.text.strip("\t ")


def _tsv_row(ln: _Line, table: int) -> _Line:
    row = _Line(kind="table_row", table=table, cells=[], page=ln.page, raw_start=ln.raw_start, raw_end=ln.raw_end)
    text = ln.text.rstrip("\t ")
    seps = [i for i, ch in enumerate(text) if ch == "\t"]
    spans = [(a, b) for a, b in zip([0] + [t + 1 for t in seps], seps + [len(text)])]
    return _fill_row(row, ln, spans, seps)


def _fill_row(row: _Line, ln: _Line, spans: list[tuple[int, int]], seps: list[int]) -> _Line:
    text = ln.text
    for n, (a, b) in enumerate(spans):
        while a < b and text[a] in _LEADING:
            a += 1
        while b > a and text[b - 1] in _LEADING:
            b -= 1
        if n:
            row.chars.append("\t")
            row.pos.append(ln.pos[seps[n - 1]])  # the | of the separator before the cell
        start = len(row.chars)
        row.chars.extend(" " if ch == "\t" else ch for ch in ln.chars[a:b])  # a tab inside a cell is a space
        row.pos.extend(ln.pos[a:b])
        assert row.cells is not None
        row.cells.append((start, len(row.chars)))
    return row


def _one_cell_row(lines: list[_Line], i: int) -> bool:
    """A short line between two " | " rows ("合计") is a row of one cell of that table."""
    ln = lines[i]
    if ln.kind != "paragraph" or not 0 < len(ln.chars) <= 20 or ln.text.endswith(_TERMINAL):
        return False
    for j in range(i + 1, min(i + 4, len(lines))):
        if lines[j].chars:
            return _is_pipe_row(lines[j])
    return False


_NARROW = re.compile("[^\u00b7\u2010-\u2027\u2460-\u24ff\u2e80-\U0010ffff]")


def _width(chars: list[str]) -> int:
    """Display width: a Chinese character or full-width form is two columns, Latin one
    (the characters ``linker.io.line_joiner`` calls wide). Narrow ones are the few."""
    text = "".join(chars)
    return 2 * len(text) - len(_NARROW.findall(text))


@dataclass
class _Wrap:
    """The layout of a text that keeps a PDF's line wraps.

    ``width`` is the display width of a full line. The first line of a paragraph is
    narrower by its indent (two characters, often lost in extraction), so a line from
    ``width - 7`` on counts as full; a line of ``width - 3`` or more is a continuation.
    """

    width: int
    indents: bool  # paragraphs start with an indent that survived extraction

    def full(self, w: int) -> bool:
        return w >= self.width - 7

    def continuation(self, w: int) -> bool:
        return w >= self.width - 3


def _wrap_layout(lines: list[_Line]) -> _Wrap | None:
    """The layout of a text that keeps a PDF's line wraps, or None for a text with one
    line per paragraph.

    Text laid out by a PDF has most lines as wide as the page (28-45 characters), each
    paragraph ending on a shorter line; a text with one line per paragraph has lines of
    every length, most of them long."""
    body = [ln for ln in lines if ln.kind == "paragraph" and len(ln.chars) >= 8]
    if len(body) < 10:
        return None
    body = body[:: max(1, len(body) // 5000)]  # an even sample is enough to see the layout
    counts: dict[int, int] = {}
    for ln in body:
        w = ln.last_width()
        counts[w] = counts.get(w, 0) + 1
    width = max(counts, key=lambda w: (counts[w], w))
    near = sum(c for w, c in counts.items() if width - 7 <= w <= width + 6)
    if width > 160 or width < 40 or near < 0.5 * len(body):  # under 20 Chinese characters: short lines, not a page
        return None
    indented = sum(1 for ln in body if ln.indent)
    return _Wrap(width=width, indents=indented >= 0.05 * len(body))


_SENTENCE_END = re.compile(r"[。！？!?；;：:…][”’」』)）】》]*$")
_SUBSCRIPT = re.compile(r"[0-9.]{1,4}")
_TITLE_END = re.compile(r"(报告|总结|规划|纲要|方案|意见|通知|情况|工作)$")


_MEASURE_HEAD = re.compile(r"\s*(?:万|亿|千|百)?(?:所|个|名|人|家|项|次|件|位|元|条|座|场|批|台|套|户|册|门|种|%|％)")


def _joinable(prev: _Line, nxt: _Line, fmt: str, wrap: _Wrap | None) -> bool:
    """Is the line break between prev and nxt a wrap inside a sentence (or a word)?

    Only the ends of ``prev`` are looked at, so that joining many lines stays linear."""
    if not prev.chars or not nxt.chars or prev.kind != "paragraph" or nxt.kind != "paragraph":
        return False
    if prev.level is not None or nxt.level is not None:  # a styled heading (Word)
        return False
    n = len(prev.chars)
    a_head = "".join(prev.chars[:40])
    a_tail = "".join(prev.chars[-40:])
    b = "".join(nxt.chars[:40])
    # subscripts split onto their own line by web extraction: "PM\n2.5\n）浓度", "M\n2\n和社会融资"
    if len(nxt.chars) <= 4 and _SUBSCRIPT.fullmatch(b) and re.search(r"[A-Za-z]$", a_tail):
        return True
    if prev.subscript:
        return True
    if _OPENER.match(b):
        return False
    if (re.search(r"[^\d.\s]\s*\d+(?:\.\d+)?$", a_tail) and _MEASURE_HEAD.match(b)
            and not re.search(r"(?:附件|附表|表|图|第|见)\s*\d+$", a_tail) and heading_rank(b) is None):
        return True  # a figure cut from its unit: "开展国家义务教育质量监测,321" + "所样本校…"
    if wrap is not None and wrap.full(prev.last_width()):
        # a full line of a PDF's layout goes on in the next one, unless a new paragraph
        # starts there: an indented line, or (indents lost) a sentence end before a line
        # that is not a continuation (a first line is narrower by its lost indent)
        if wrap.indents:
            return not nxt.indent
        return _SENTENCE_END.search(a_tail) is None or wrap.continuation(nxt.last_width())
    if a_tail.endswith(_TERMINAL):
        return False
    if b[0] in "。，、；：！？）”’%％":  # a line cannot start a sentence with these
        return True
    if len(nxt.chars) == 1 and "\u4e00" <= b <= "\u9fff" and n < 40 and not _OPENER.match(a_head):
        return True  # a title broken before its last character: "政府工作报\n告"
    if _OPENER.match(a_head) and n < 40:
        return False  # a heading line
    if _TITLE_END.search(a_tail) and n < 40:
        return False  # a title
    if wrap is not None:
        return False  # a short line ends its paragraph
    if fmt == "pdf":
        return n >= 15
    # plain text from a PDF: broken lines are long, end in the middle of a phrase
    body = n >= 25 or re.search(r"[，。；]", a_tail) is not None  # a heading or title has no inner punctuation
    return body and "\u4e00" <= a_tail[-1] <= "\u9fff"


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while millions of small objects are built (they form
    no cycles): Python's collector would walk them again and again, making a 50 MB
    report take more than linear time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def normalize(reading: Reading) -> Document:
    """The normalised reading of a file, with offsets back to its raw text."""
    with paused_gc():
        return _normalize(reading)


def _normalize(reading: Reading) -> Document:
    fmt = reading.format
    raw = reading.raw
    lines: list[_Line] = []
    for start, end, block in _raw_lines(reading):
        if block is not None and "\n" in raw[start:end]:
            # one block, several raw lines: clean each, keep one logical line
            merged = _Line(raw_start=start, raw_end=end)
            pos = start
            for piece in raw[start:end].split("\n"):
                part = _clean(raw, pos, pos + len(piece), fmt)
                if merged.chars and part.chars:
                    merged.chars.append(" ")
                    merged.pos.append(merged.raw_end)  # the line break before this piece
                merged.extend(part)
                pos += len(piece) + 1
            ln = merged
        else:
            ln = _clean(raw, start, end, fmt)
        if block is not None:
            ln.kind = "paragraph" if block.kind == "heading" else block.kind
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
    while lines and (not lines[-1].chars or _JUNK_TAIL.match(lines[-1].text) or _is_page_number(lines[-1], fmt)):
        lines.pop()
    lines = [ln for ln in lines if not _is_page_number(ln, fmt)]

    # tables in plain text: tab-prefixed cells, or " | "-separated rows
    logical: list[_Line] = []
    table = 0 if reading.blocks is None else 1 + max((b.table or 0) for b in reading.blocks or [RawBlock(0, 0)])
    i = 0
    run: str | None = None  # the kind of table rows the previous line was: "pipe" or "tsv"
    while i < len(lines):
        ln = lines[i]
        if reading.blocks is None and ln.tab_start:
            rows, j = _tab_table(lines, i)
            if sum(1 for r in rows if len(r) >= 2) >= 2:
                found, table = _tab_table_lines(rows, table)
                logical.extend(found)
            else:  # tab-indented prose, not a table: the lines as they are
                logical.extend(lines[i:j])
            i = max(j, i + 1)
            continue
        if reading.blocks is None and ln.kind == "paragraph" and _MD_ALIGN.match(ln.text):
            i += 1  # "| --- | :---: |" under a Markdown table's header
            continue
        # a run of " | " rows is one table, and so is a run of two or more rows pasted from a
        # spreadsheet (cells separated by tabs)
        kind = None
        if reading.blocks is None and (_is_pipe_row(ln) or (run == "pipe" and _one_cell_row(lines, i))):
            kind = "pipe"
        elif reading.blocks is None and _is_tsv_row(ln) and (run == "tsv" or (i + 1 < len(lines) and _is_tsv_row(lines[i + 1]))):
            kind = "tsv"
        if kind is not None:
            if run != kind:
                table += 1
            logical.append((_pipe_row if kind == "pipe" else _tsv_row)(ln, table - 1))
            run = kind
            i += 1
            continue
        if not ln.chars and run == "pipe":
            i += 1  # a blank line inside the table
            continue
        run = None
        logical.append(ln)
        i += 1

    # drop blank lines, join wrapped lines, split inline sub-headings
    wrap = _wrap_layout(logical)
    out: list[_Line] = []
    for ln in logical:
        if not ln.text.strip("\t "):
            continue
        if ln.kind == "paragraph":
            m = _INLINE_SUBHEADING.match(ln.text)
            if m:
                a, b = m.start(1), m.end(1)
                head = _Line(chars=ln.chars[:a], pos=ln.pos[:a], page=ln.page, raw_start=ln.raw_start, raw_end=ln.pos[a])
                tail = _Line(chars=ln.chars[b:], pos=ln.pos[b:], page=ln.page, raw_start=ln.pos[b], raw_end=ln.raw_end)
                out.append(head)
                out.append(tail)
                continue
        if out and ln.lead_end is None and _joinable(out[-1], ln, fmt, wrap):
            prev = out[-1]
            prev.subscript = len(ln.chars) <= 4 and _SUBSCRIPT.fullmatch(ln.text) is not None and not prev.subscript
            prev.extend(ln)
            continue
        out.append(ln)

    # assemble
    chars: list[str] = []
    offsets: list[int] = []
    blocks: list[Block] = []
    for k, ln in enumerate(out):
        if k:
            chars.append("\n")
            offsets.append(out[k - 1].raw_end)  # the line break (or gap) that ended the block before
        a = len(chars)
        chars.extend(ln.chars)
        offsets.extend(ln.pos)
        cells = [(a + x, a + y) for x, y in ln.cells] if ln.cells is not None else None
        lead = a + ln.lead_end if ln.lead_end is not None else None
        blocks.append(Block(start=a, end=len(chars), kind=ln.kind, page=ln.page, cells=cells, table=ln.table, lead_end=lead,
                            level=ln.level))
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
