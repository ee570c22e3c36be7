"""Office formats and PDF: .docx, .xlsx/.xlsm, .pdf, and .doc/.wps through LibreOffice.

Every reader lays the document out as ``raw`` text, one paragraph or table row per
line (cells joined by a tab), and records each line as a :class:`RawBlock` with its
kind, page (PDF), table index and cell spans, and heading level (Word styles). No
paragraph, cell or page is dropped without a warning on the :class:`Reading`.

The third-party libraries (python-docx, openpyxl, pypdf) are imported inside the
functions so that ``import linker`` stays cheap. Whatever they raise on a damaged
file is turned into a :class:`~linker.errors.CorruptDocument` or
:class:`~linker.errors.NoTextLayer` that tells the user what to do.
"""

from __future__ import annotations

import bisect
import io
import logging
import math
import os
import re
import shutil
import signal
import subprocess
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from linker.errors import ConverterMissing, CorruptDocument, LinkerError, NoTextLayer
from linker.io import RawBlock, Reading, line_joiner, sha256

# A zip package larger than this once unpacked, or compressed more than this ratio,
# is not a report: refuse it before any library unpacks it.
MAX_UNPACKED = 500 * 1024 * 1024
MAX_RATIO = 200
_RATIO_FLOOR = 1024 * 1024  # tiny packages may compress well; the ratio rule starts here

CONVERT_TIMEOUT = 180  # seconds for one LibreOffice conversion
LIBREOFFICE_PACKAGE = "libreoffice-writer-nogui"

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc/.xls, and password-protected .docx/.xlsx
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\v\f\x85\u2028\u2029]")


# --------------------------------------------------------------------------- layout


class _Layout:
    """Accumulates lines of ``raw`` and their blocks."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._pos = 0
        self.blocks: list[RawBlock] = []
        self.warnings: list[str] = []
        self.tables = 0

    def line(self, text: str, *, kind: str = "paragraph", page: int | None = None, level: int | None = None) -> None:
        text = _one_line(text).rstrip()
        if not text.strip():
            return
        start = self._pos
        self._add(text)
        self.blocks.append(RawBlock(start, start + len(text), kind=kind, page=page, level=level))

    def row(self, cells: list[str], *, table: int, page: int | None = None) -> None:
        cells = [_one_line(c).strip() for c in cells]
        if not any(cells):
            return
        start = self._pos
        spans: list[tuple[int, int]] = []
        offset = start
        for i, cell in enumerate(cells):
            if i:
                offset += 1  # the tab
            spans.append((offset, offset + len(cell)))
            offset += len(cell)
        text = "\t".join(cells)
        self._add(text)
        self.blocks.append(RawBlock(start, start + len(text), kind="table_row", page=page, table=table, cells=spans))

    def raw_text(self, start: int, end: int) -> str:
        return "".join(self._parts)[start:end]

    def replace_last_row(self, cells: list[str]) -> None:
        """Rewrite the last table row with these cells; lines laid out after it (a page's foot) follow it again."""
        i = max(k for k, b in enumerate(self.blocks) if b.kind == "table_row")
        row, after = self.blocks[i], self.blocks[i + 1 :]
        texts = [self._parts[2 * k] for k in range(i + 1, len(self.blocks))]  # each block is its text and a newline
        del self.blocks[i:]
        del self._parts[2 * i :]
        self._pos = row.start
        self.row(cells, table=row.table, page=row.page)
        for b, text in zip(after, texts, strict=True):
            self.line(text, kind=b.kind, page=b.page, level=b.level)

    def new_table(self) -> int:
        self.tables += 1
        return self.tables - 1

    def _add(self, text: str) -> None:
        self._parts.append(text)
        self._parts.append("\n")
        self._pos += len(text) + 1

    def reading(self, path: Path, data: bytes, fmt: str) -> Reading:
        return Reading(
            path=str(path),
            raw="".join(self._parts),
            format=fmt,
            sha256=sha256(data),
            encoding=None,
            blocks=self.blocks,
            warnings=self.warnings,
        )


def _one_line(text: str) -> str:
    """A paragraph or cell as one line: breaks and tabs become spaces."""
    return _LINE_BREAKS.sub(" ", text).replace("\t", " ").replace("\x00", "")


def _damaged(path: Path, what: str, exc: BaseException | str) -> CorruptDocument:
    detail = exc if isinstance(exc, str) else (str(exc) or type(exc).__name__)
    detail = " ".join(str(detail).split())[:200]
    return CorruptDocument(
        f"{path}: this {what} file is damaged and cannot be read ({detail}); "
        f"open it in Word/WPS/Excel and save it again, or export it as PDF"
    )


# --------------------------------------------------------------------------- zip packages


def _check_package(path: Path, data: bytes, what: str) -> None:
    """Refuse what is not a zip package, or a package that would unpack to too much."""
    suffix = path.suffix.lower()
    if data.startswith(_OLE_MAGIC):
        old = ".doc" if what == "Word" else ".xls"
        raise CorruptDocument(
            f"{path}: this is not a {suffix} package but an old binary Office file "
            f"(a {old} file with a {suffix} name, or a password-protected document); "
            f"remove the password, or rename it to {old}, or save it again as {suffix}"
        )
    if not data.startswith(b"PK"):
        raise CorruptDocument(
            f"{path}: this is not a valid {suffix} file (it is not a zip package: damaged, or another "
            f"format renamed to {suffix}); open it in {what}/WPS and save it again as {suffix}"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise _damaged(path, suffix, exc) from exc
    unpacked = sum(max(i.file_size, 0) for i in infos)
    packed = sum(max(i.compress_size, 0) for i in infos)
    ratio = unpacked / max(packed, 1)
    if unpacked > MAX_UNPACKED or (unpacked > _RATIO_FLOOR and ratio > MAX_RATIO):
        raise CorruptDocument(
            f"{path}: this {suffix} file would unpack to {unpacked // (1024 * 1024)} MB "
            f"({ratio:.0f} times its packed size), which no report does (a zip bomb?); "
            f"refusing to unpack it. If the file is genuine, export it as PDF and read that"
        )


# --------------------------------------------------------------------------- .docx

_HEADING_STYLE = re.compile(r"^\s*(?:heading|标题)\s*([1-9])\s*$", re.IGNORECASE)
_TITLE_STYLES = {"title", "标题"}


def read_docx(path: Path, data: bytes) -> Reading:
    return _read_docx(path, data, fmt="docx", original=data)


def _read_docx(path: Path, data: bytes, *, fmt: str, original: bytes) -> Reading:
    _check_package(path, data, "Word")
    try:
        import docx
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ConverterMissing(f"{path}: reading .docx needs python-docx: pip install python-docx") from exc
    layout = _Layout()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            document = docx.Document(io.BytesIO(data))
            _DocxWalker(document, layout).body(document.element.body)
        layout.warnings.extend(f"{path}: {w.message}" for w in caught)
    except LinkerError:
        raise
    except Exception as exc:  # any library error on a damaged package
        raise _damaged(path, "Word", exc) from exc
    return layout.reading(path, original, fmt)


class _DocxWalker:
    """Walks the body in document order: paragraphs, tables, content controls."""

    def __init__(self, document: Any, layout: _Layout) -> None:
        from docx.oxml.ns import qn

        self.document = document
        self.layout = layout
        self.P, self.TBL, self.SDT, self.SDT_CONTENT, self.CUSTOM_XML = (
            qn("w:p"),
            qn("w:tbl"),
            qn("w:sdt"),
            qn("w:sdtContent"),
            qn("w:customXml"),
        )
        self._style_levels: dict[str, int | None] = {}

    def _children(self, parent: Any) -> Iterator[Any]:
        """Block-level children, looking through content controls and custom XML."""
        for child in parent.iterchildren():
            if child.tag == self.SDT:
                for content in child.iterchildren(self.SDT_CONTENT):
                    yield from self._children(content)
            elif child.tag == self.CUSTOM_XML:
                yield from self._children(child)
            elif child.tag in (self.P, self.TBL):
                yield child

    def body(self, parent: Any) -> None:
        for child in self._children(parent):
            if child.tag == self.P:
                self.paragraph(child)
            else:
                self.table(child)

    def paragraph(self, p: Any) -> None:
        text = _p_text(p)
        level = self._heading_level(p)
        if level is not None:
            self.layout.line(text, kind="heading", level=level)
        else:
            for piece in _LINE_BREAKS.split(text):  # soft line breaks start a new line
                self.layout.line(piece)
        for box in _textboxes(p):  # text boxes anchored in the paragraph follow it
            self.body(box)

    def table(self, tbl: Any) -> None:
        from docx.table import Table

        table = Table(tbl, self.document)
        index = self.layout.new_table()
        for row in table.rows:
            cells: list[str] = []
            previous = None
            for cell in row.cells:
                if cell._tc is previous:  # a horizontally merged cell: once per row
                    continue
                previous = cell._tc
                cells.append(self._cell_text(cell._tc))
            self.layout.row(cells, table=index)

    def _cell_text(self, tc: Any) -> str:
        parts: list[str] = []
        for child in self._children(tc):
            if child.tag == self.P:
                parts.append(_one_line(_p_text(child)))
                parts.extend(_one_line(self._cell_text(box)) for box in _textboxes(child))
            else:  # a nested table: its cells flattened into the cell, in order
                parts.extend(self._cell_text(inner) for inner in child.xpath("./w:tr/w:tc"))
        out = ""
        for part in (p.strip() for p in parts):
            if part:
                out += line_joiner(out, part) + part
        return out

    def _heading_level(self, p: Any) -> int | None:
        from docx.oxml.ns import qn

        style_id = p.style  # CT_P.style: the w:pStyle value
        outline = p.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
        if outline is not None:
            level = _outline_level(outline.get(qn("w:val")))
            if level is not None:
                return level
        if style_id is None:
            return None
        if style_id not in self._style_levels:
            self._style_levels[style_id] = self._style_level(style_id)
        return self._style_levels[style_id]

    def _style_level(self, style_id: str) -> int | None:
        from docx.oxml.ns import qn

        styles = self.document.styles.element
        seen: set[str] = set()
        current: str | None = style_id
        while current and current not in seen and len(seen) < 10:
            seen.add(current)
            style = styles.get_by_id(current)
            if style is None:
                return None
            name = style.name_val or ""
            m = _HEADING_STYLE.match(name)
            if m:
                return int(m.group(1))
            if name.strip().lower() in _TITLE_STYLES:
                return 0  # the document title, above the level-1 headings
            outline = style.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
            if outline is not None:
                level = _outline_level(outline.get(qn("w:val")))
                if level is not None:
                    return level
            current = style.basedOn_val
        return None


def _outline_level(value: str | None) -> int | None:
    try:
        level = int(value or "")
    except ValueError:
        return None
    return level + 1 if 0 <= level <= 8 else None  # 9 is body text


def _p_text(p: Any) -> str:
    """The visible text of a paragraph: runs in hyperlinks, fields, insertions,
    content controls and smart tags included; deleted text, field codes and the
    contents of text boxes (read separately) left out."""
    depth = int(p.xpath("count(ancestor-or-self::w:p)"))
    runs = p.xpath(
        f".//w:r[count(ancestor::w:p)={depth} and not(ancestor::w:del) and not(ancestor::w:moveFrom)"
        " and not(ancestor::*[local-name()='Fallback'])]"
    )
    return "".join(r.text for r in runs)


def _textboxes(p: Any) -> list[Any]:
    depth = int(p.xpath("count(ancestor-or-self::w:p)"))
    return p.xpath(f".//w:txbxContent[count(ancestor::w:p)={depth} and not(ancestor::*[local-name()='Fallback'])]")


# --------------------------------------------------------------------------- .xlsx


def read_xlsx(path: Path, data: bytes) -> Reading:
    _check_package(path, data, "Excel")
    try:
        import openpyxl
        from openpyxl.cell.cell import MergedCell
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ConverterMissing(f"{path}: reading .xlsx needs openpyxl: pip install openpyxl") from exc
    layout = _Layout()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # not read_only: merged ranges are only known to a fully loaded sheet
            book = openpyxl.load_workbook(io.BytesIO(data), data_only=True, keep_links=False)
            for sheet in book.worksheets:
                _read_sheet(sheet, layout, MergedCell)
            book.close()
        layout.warnings.extend(f"{path}: {w.message}" for w in caught)
    except LinkerError:
        raise
    except Exception as exc:
        raise _damaged(path, "Excel", exc) from exc
    return layout.reading(path, data, path.suffix.lower().lstrip("."))


def _read_sheet(sheet: Any, layout: _Layout, merged_cell_type: type) -> None:
    cells = getattr(sheet, "_cells", None)  # only the cells that exist; iter_rows would fill the grid
    if cells is None:  # pragma: no cover - other openpyxl versions
        cells = {(c.row, c.column): c for row in sheet.iter_rows() for c in row}
    grid: dict[int, dict[int, str]] = {}
    for (r, c), cell in cells.items():
        if isinstance(cell, merged_cell_type):
            continue
        text = _one_line(_display(cell.value, cell.number_format)).strip()
        if text:
            grid.setdefault(r, {})[c] = text
    if not grid:  # an empty sheet (Sheet2, Sheet3 of a new workbook) says nothing
        return
    last_row = max(grid)
    last_col = max(max(cols) for cols in grid.values())
    covered: set[tuple[int, int]] = set()  # grid cells hidden under a merged range
    for rng in sheet.merged_cells.ranges:
        top = grid.get(rng.min_row, {}).get(rng.min_col, "")
        for r in range(rng.min_row, min(rng.max_row, last_row) + 1):
            if top and r > rng.min_row:
                grid.setdefault(r, {})[rng.min_col] = top  # the value applies to the whole range
            for c in range(rng.min_col + 1, min(rng.max_col, last_col) + 1):
                covered.add((r, c))
                grid.get(r, {}).pop(c, None)
    layout.line(sheet.title, kind="heading", level=1)
    table = layout.new_table()
    for r in sorted(grid):
        row = grid[r]
        if not row:
            continue
        width = max(row)
        layout.row([row.get(c, "") for c in range(1, width + 1) if (r, c) not in covered], table=table)


_DECIMALS = re.compile(r"0\.(0+)")


def _display(value: Any, number_format: str | None) -> str:
    """A cell value as a person sees it in Excel, for the common formats."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    fmt = (number_format or "General").split(";")[0]
    fmt = re.sub(r"\[[^\]]*\]", "", fmt)  # [Red], [$-804], ...
    literal = re.sub(r'"[^"]*"|\\.', "", fmt)  # without quoted text
    if isinstance(value, (datetime, date, time)):
        return _display_date(value, fmt)
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return ""
        m = _DECIMALS.search(literal)
        decimals = len(m.group(1)) if m else None
        if "%" in literal:
            return f"{value * 100:.{decimals or 0}f}%"
        if decimals is not None:
            text = f"{value:,.{decimals}f}" if "," in literal else f"{value:.{decimals}f}"
        elif re.search(r"[#0],[#0]", literal):
            text = f"{value:,.0f}"
        elif literal.strip() in ("0",):
            text = f"{value:.0f}"
        elif isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            text = str(int(value))
        elif isinstance(value, float):
            text = format(value, ".15g")
        else:
            text = str(value)
        quoted = re.findall(r'"([^"]*)"', fmt)  # units written into the format: 0"人"
        if quoted and fmt.strip().endswith('"'):
            text += quoted[-1]
        return text
    return str(value)


def _display_date(value: date | time, fmt: str) -> str:
    if isinstance(value, time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    low = fmt.lower()
    if "年" in fmt:
        text = f"{value.year}年{value.month}月"
        if "d" in low or "日" in fmt:
            text += f"{value.day}日"
        return text
    if isinstance(value, datetime) and (value.hour or value.minute or value.second):
        return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")
    return f"{value.year}-{value.month:02d}-{value.day:02d}"


# --------------------------------------------------------------------------- .pdf

_PRIVATE_USE = re.compile("[\ue000-\uf8ff\ufffd\U000f0000-\U0010ffff]")
_USABLE = re.compile(r"[\w\u3000-\u303f\uff00-\uffef]")  # letters, digits, CJK, CJK punctuation


@contextmanager
def _logged_to(sink: list[str], path: Path, logger_name: str) -> Iterator[None]:
    """Collect a library's log records as the reading's warnings instead of printing them."""

    class _Sink(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            sink.append(f"{path}: {record.getMessage()}")

    logger = logging.getLogger(logger_name)
    handler = _Sink(logging.WARNING)
    saved = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = saved


def read_pdf(path: Path, data: bytes) -> Reading:
    try:
        import pypdf
        from pypdf.errors import DependencyError
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ConverterMissing(f"{path}: reading .pdf needs pypdf: pip install pypdf") from exc
    if b"%PDF" not in data[:1024]:
        raise CorruptDocument(
            f"{path}: this is not a PDF file (no PDF header; damaged, or another format renamed to .pdf); "
            "open it and export it as PDF again"
        )
    layout = _Layout()
    pages_text: list[str] = []
    try:
        with warnings.catch_warnings(record=True) as caught, _logged_to(layout.warnings, path, "pypdf"):
            warnings.simplefilter("always")
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                try:
                    opened = reader.decrypt("")  # owner-password-only PDFs open without one
                except DependencyError as exc:
                    raise NoTextLayer(
                        f"{path}: this PDF is encrypted with AES; reading it needs the 'cryptography' "
                        "package: pip install cryptography (or pypdf[crypto])"
                    ) from exc
                if not opened:
                    raise NoTextLayer(
                        f"{path}: this PDF is protected by a password, so its text cannot be read; "
                        "remove the password (e.g. `qpdf --password=PASSWORD --decrypt in.pdf out.pdf`) and try again"
                    )
            for number, page in enumerate(reader.pages, start=1):
                try:
                    text = page.extract_text() or ""
                except Exception as exc:  # noqa: BLE001 - one bad page must not lose the others
                    layout.warnings.append(f"{path}: page {number}: its text could not be extracted ({exc})")
                    text = ""
                pages_text.append(text)
        layout.warnings.extend(f"{path}: {w.message}" for w in caught)
    except LinkerError:
        raise
    except Exception as exc:
        raise _damaged(path, "PDF", exc) from exc

    if not pages_text:
        raise CorruptDocument(f"{path}: this PDF has no pages; export it from its source again")
    whole = "".join(pages_text)
    usable = len(_USABLE.findall(_PRIVATE_USE.sub("", whole)))
    private = len(_PRIVATE_USE.findall(whole))
    if usable < 20 or usable < 5 * len(pages_text):
        raise NoTextLayer(
            f"{path}: this PDF has no text layer (a scanned image?); run OCR on it first, "
            "e.g. `ocrmypdf -l chi_sim in.pdf out.pdf`, and read the result"
        )
    if private > usable / 2:
        raise NoTextLayer(
            f"{path}: this PDF has no usable text layer (its fonts map the characters to private codes); "
            "run OCR on it first, e.g. `ocrmypdf --force-ocr -l chi_sim in.pdf out.pdf`"
        )
    tabled = _pdf_table_pages(path, data, layout.warnings)
    open_table = _OpenTable()  # the table the previous page ended with, if it ended with one
    for number, text in enumerate(pages_text, start=1):
        if number in tabled:
            _lay_out_table_page(layout, tabled[number], number, open_table)
            continue
        if not text.strip():
            layout.warnings.append(f"{path}: page {number} has no text (a scanned image?); it was not read")
        for line in _LINE_BREAKS.split(text):
            layout.line(line, page=number)
        if not _only_page_furniture(text):
            open_table.id = -1
    return layout.reading(path, data, "pdf")


# a page's number or its running foot ("- 3 -", "第3页 共20页", "3/20"): no content between two parts of a table
_FURNITURE = re.compile(
    r"[\s\-—–－·.]*(?:第?\s*\d+\s*页?(?:\s*[/／]\s*(?:共\s*)?\d+\s*页?|\s*共\s*\d+\s*页)?"
    r"|共\s*\d+\s*页\s*第\s*\d+\s*页|(?:Page|页)\s*\d+\s*(?:of|/)\s*\d+)?[\s\-—–－·.]*",
    re.IGNORECASE,
)


def _only_page_furniture(text: str) -> bool:
    return all(_FURNITURE.fullmatch(line) for line in _LINE_BREAKS.split(text))


@dataclass
class _PdfTable:
    top: float
    rows: list[list[str | None]]  # None: a place a merged cell covers
    full: list[bool] = field(default_factory=list)  # last row: which cells' text runs to the right edge


@dataclass
class _OpenTable:
    id: int = -1  # -1: the last thing laid out was text
    last: list[str | None] | None = None  # its last row as found, merged places included
    header: list[str | None] | None = None  # its first row, which Word repeats on later pages
    full: list[bool] = field(default_factory=list)  # of its last row, the cells whose text reaches the right edge


def _pdf_table_pages(path: Path, data: bytes, sink: list[str]) -> dict[int, list[str | _PdfTable]]:
    """The pages that hold ruled tables, each as its text and tables from top to bottom.

    pdfplumber finds a table from its ruling lines (the borders Word and WPS draw) and
    reads its cells; the text above, between and below the tables is read band by band,
    so the paragraphs keep their places around the rows. Pages without a table keep
    pypdf's text. Should pdfplumber be missing or fail on this file, every page keeps
    its text and a warning says the tables were read as lines.
    """
    try:
        import pdfplumber
    except ImportError:  # pragma: no cover - a declared dependency
        sink.append(f"{path}: pdfplumber is not installed, so tables were read as lines of text (pip install pdfplumber)")
        return {}
    out: dict[int, list[str | _PdfTable]] = {}
    try:
        with _logged_to(sink, path, "pdfminer"), pdfplumber.open(io.BytesIO(data)) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                found = sorted(page.find_tables(), key=lambda t: t.bbox[1])
                found = [t for t in found if len(t.columns) >= 2]  # a framed paragraph is no table
                if not found:
                    continue
                out[number] = _bands(page, found)
    except Exception as exc:  # noqa: BLE001 - the text is read already; only the tables are lost
        sink.append(f"{path}: its tables could not be rebuilt ({_one_line(str(exc))[:120]}); they were read as lines of text")
        return {}
    return out


def _bands(page: Any, tables: list[Any]) -> list[str | _PdfTable]:
    """A page's text and tables from top to bottom.

    Every character outside the tables' cells goes, by its centre, to the band of text
    above the first table that starts below it: none is lost to a table's border
    running through its line, and text beside a table (or inside its outline but in
    no cell) follows it.
    """
    tops = [t.bbox[1] for t in tables]
    cells = [c for t in tables for c in t.cells if c is not None]
    outlines = [t.bbox for t in tables]

    def centre(o: dict[str, Any]) -> tuple[float, float]:
        return (o["x0"] + o["x1"]) / 2, (o["top"] + o["bottom"]) / 2

    def inside(o: dict[str, Any]) -> bool:
        x, y = centre(o)
        if not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in outlines):
            return False
        return any(c[0] <= x <= c[2] and c[1] <= y <= c[3] for c in cells)

    where = {id(o): bisect.bisect_right(tops, centre(o)[1]) for o in page.chars if not inside(o)}  # each char once

    def band(k: int) -> str:
        def keep(o: dict[str, Any]) -> bool:
            return o.get("object_type") == "char" and where.get(id(o)) == k

        return _CID.sub("", page.filter(keep).extract_text() or "")

    items: list[str | _PdfTable] = [band(0)]
    for k, t in enumerate(tables, start=1):
        items.extend(_PdfTable(t.bbox[1], rows, _full_last_lines(page, t)) for rows in _split_unruled(_table_rows(t)))
        items.append(band(k))
    return [it for it in items if not isinstance(it, str) or it.strip()]


def _full_last_lines(page: Any, t: Any) -> list[bool]:
    """For each cell of a table's last row: does its text run to the cell's right edge on its last line?

    Only such a cell can go on over a page break: text that stops short of the edge ended there.
    """
    out: list[bool] = []
    for box in t.rows[-1].cells:
        if box is None:
            out.append(False)
            continue
        chars = [c for c in page.chars if box[0] <= (c["x0"] + c["x1"]) / 2 <= box[2] and box[1] <= (c["top"] + c["bottom"]) / 2 <= box[3]
                 and c["text"].strip()]
        if not chars:
            out.append(False)
            continue
        last_top = max(c["top"] for c in chars)
        last = [c for c in chars if abs(c["top"] - last_top) < 2]
        width = max(c["x1"] - c["x0"] for c in chars)
        out.append(max(c["x1"] for c in last) >= box[2] - 2.5 * width)
    return out


_CID = re.compile(r"\(cid:\d+\)")  # pdfminer's mark for a glyph its font does not map to a character


def _table_rows(t: Any) -> list[list[str | None]]:
    """The cells of a pdfplumber table, row by row, each as its lines (one string, "\n" between).

    pdfplumber gives None where a merged cell covers a place. A cell merged across
    columns is one cell (None: dropped when laid out, as the .docx reader has it); one
    merged down from a row above leaves its place empty, so the columns stay in line.
    """
    text = t.extract()
    out: list[list[str | None]] = []
    for r, row in enumerate(t.rows):
        got: list[str | None] = []
        for c, box in enumerate(row.cells):
            value = text[r][c] if r < len(text) and c < len(text[r]) else None
            if box is not None:
                got.append(_CID.sub("", value or ""))
                continue
            left = next((row.cells[k] for k in range(c - 1, -1, -1) if row.cells[k] is not None), None)
            top = row.bbox[1]
            x = (t.columns[c].bbox[0] + t.columns[c].bbox[2]) / 2 if c < len(t.columns) else None
            across = left is not None and x is not None and left[2] >= x and left[1] <= top + 1
            got.append(None if across else "")
        out.append(got)
    return out


def _split_unruled(rows: list[list[str | None]]) -> list[list[list[str | None]]]:
    """A table drawn with column lines only comes as one row of multi-line cells; its
    lines are the rows when every filled cell has the same number of lines (three or more)."""
    out: list[list[str | None]] = []
    for row in rows:
        counts = {len([ln for ln in _LINE_BREAKS.split(c) if ln.strip()]) for c in row if c}
        if len(counts) == 1 and (n := counts.pop()) >= 3 and sum(1 for c in row if c) >= 2:
            split = [[ln for ln in _LINE_BREAKS.split(c) if ln.strip()] if c else None for c in row]
            out.extend([None if s is None else s[k] for s in split] for k in range(n))
        else:
            out.append(row)
    return [[[None if c is None else _cell_text(c) for c in row] for row in out]]


def _join_lines(left: str, right: str) -> str:
    """Two lines of one cell: CJK and a figure wrapped mid-number run on; a Latin word keeps its space."""
    if not left or not right:
        return left + right
    a, b = left[-1], right[0]
    latin_gap = (a.isascii() and a.isalpha() and b.isascii() and b.isalnum()) or (a.isascii() and a.isdigit() and b.isascii() and b.isalpha())
    return left + (" " if latin_gap else "") + right


def _cell_text(cell: str | None) -> str:
    """A cell's wrapped lines joined (``_join_lines``)."""
    out = ""
    for ln in (ln.strip() for ln in _LINE_BREAKS.split(cell or "")):
        if ln:
            out = _join_lines(out, ln)
    return out


_SHORT_VALUE = re.compile(r"[-—–－/\\√×✓✔]+|[<>≥≤＞＜=]?[\d.,，%％万亿元个人次分]+|是|否|无")


def _continues(prev: list[str], first: list[str]) -> bool:
    """Whether a page's first table row is the rest of the previous page's last row.

    Word and WPS let a tall row run over a page break: each cell's text flows on by
    itself, so only long cells continue, and the rest of the row has text only where
    the row above has some, in at most half of its cells (places merged down from
    above are empty, so the columns line up). A cell holding a figure or a mark never continues (one line is
    never cut), so a row with one is a row of its own.
    """
    filled = [i for i, c in enumerate(prev) if c]
    mine = [i for i, c in enumerate(first) if c]
    return (bool(mine) and set(mine) <= set(filled) and len(mine) <= len(filled) / 2
            and not any(_SHORT_VALUE.fullmatch(first[i]) for i in mine))


def _merged_tails(prev: list[str], first: list[str], full: list[bool]) -> set[int]:
    """Columns where a new page's first row holds only the last characters (three at most) of a
    cell above whose text ran to the right edge: a merged cell's text the page break cut."""
    return {i for i, c in enumerate(first)
            if i < len(full) and full[i] and prev[i] and re.fullmatch(r"[\u4e00-\u9fff]{1,3}", c or "")
            and not re.search(r"[。；）)]$", prev[i])}


# what a page may print above the rest of a table without ending it: a running head, 续表
_PAGE_HEAD = re.compile(r"[（(]?续表[）)]?.{0,20}|.{0,40}")


def _page_top(text: str) -> bool:
    """Text between a page's top and a table's rest: furniture, 续表, or one or two short lines (a running head)."""
    lines = [ln.strip() for ln in _LINE_BREAKS.split(text) if ln.strip()]
    if any("续表" in ln for ln in lines):
        return True
    return len(lines) <= 2 and all(_PAGE_HEAD.fullmatch(ln) and not re.match(r"(?:表|附表|专栏)\s*\d*", ln)
                                   and not re.search(r"[。；：:]$", ln) for ln in lines)


def _lay_out_table_page(layout: _Layout, items: list[str | _PdfTable], number: int, state: _OpenTable) -> None:
    """Lay out one page's bands of text and its tables.

    A table that opens a page (below at most a running head or 续表), straight after a
    table that closed the previous page with as many columns, goes on that table: a
    header row the page repeats is dropped, and the next row may be the rest of the row
    the page break cut (``_continues``). A cell merged across columns is one cell, as
    in a .docx.
    """
    def cells(row: list[str | None]) -> list[str]:
        return [c for c in row if c is not None]

    at_top = True  # nothing but a page head laid out on this page yet
    for item in items:
        if isinstance(item, str):
            for line in _LINE_BREAKS.split(item):
                layout.line(line, page=number)
            if not (_only_page_furniture(item) or (at_top and _page_top(item))):
                state.id = -1
            continue
        at_top = False
        rows = item.rows
        if state.id >= 0 and state.last is not None and len(state.last) == len(rows[0]):
            if state.header is not None and [c or "" for c in rows[0]] == [c or "" for c in state.header] and len(rows) > 1:
                rows = rows[1:]  # the header row Word repeats on every page
            prev = [c or "" for c in state.last]
            first = [c or "" for c in rows[0]]
            if rows and _continues(prev, first) and all(state.full[i] for i, c in enumerate(first) if c and i < len(state.full)):
                joined = [None if p is None else _join_lines(p, c or "") for p, c in zip(state.last, rows[0])]
                layout.replace_last_row(cells(joined))
                state.last = joined
                rows = rows[1:]
            elif rows and state.last is not state.header and (tails := _merged_tails(prev, first, state.full)):
                # a row of its own, but the text of a cell merged down the page ran on
                # into it ("效益指" + "标"): that rest goes back to the cell it belongs to
                joined = [None if p is None else (_join_lines(p, first[i]) if i in tails else p) for i, p in enumerate(state.last)]
                layout.replace_last_row(cells(joined))
                state.last = joined
                rows = [[("" if i in tails else c) for i, c in enumerate(rows[0])], *rows[1:]]
        else:
            state.id = layout.new_table()
            state.header = rows[0]
        for row in rows:
            layout.row(cells(row), table=state.id, page=number)
            state.last = row
        state.full = item.full if len(item.full) == len(state.last or []) else []


# --------------------------------------------------------------------------- .doc / .wps


def _converter() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _convert(path: Path, data: bytes, target: str) -> bytes:
    """Convert with LibreOffice headless; return the converted file's bytes."""
    exe = _converter()
    suffix = path.suffix.lower()
    if exe is None:
        raise ConverterMissing(
            f"{path}: reading {suffix} files needs LibreOffice to convert them; install it with "
            f"`apt-get install {LIBREOFFICE_PACKAGE}` (Debian/Ubuntu), or save the file as "
            f".{target} in Word/WPS"
        )
    with tempfile.TemporaryDirectory(prefix="linker-convert-") as tmp:
        work = Path(tmp)
        source = work / f"input{suffix}"  # an ASCII name: LibreOffice and odd paths do not mix
        source.write_bytes(data)
        outdir = work / "out"
        cmd = [
            exe,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",  # own profile: works beside a running LibreOffice
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            str(source),
        ]
        try:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its own process group, so a timeout can end all of it
                env={**os.environ, "HOME": str(work)},
            )
        except OSError as exc:
            raise ConverterMissing(
                f"{path}: LibreOffice ({exe}) could not be started ({exc}); reinstall it with "
                f"`apt-get install {LIBREOFFICE_PACKAGE}`"
            ) from exc
        try:
            out, err = proc.communicate(timeout=CONVERT_TIMEOUT)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass
            proc.communicate()
            raise CorruptDocument(
                f"{path}: LibreOffice did not finish converting the file within {CONVERT_TIMEOUT} s; "
                f"open it in Word/WPS and save it as .{target}"
            ) from None
        result = outdir / f"input.{target}"
        if proc.returncode != 0 or not result.exists():
            detail = " ".join((err or out or b"").decode("utf-8", "replace").split())[-300:]
            raise _damaged(path, suffix, f"LibreOffice could not convert it: {detail or 'no output'}")
        return result.read_bytes()


def read_doc(path: Path, data: bytes) -> Reading:
    """.doc and .wps (Kingsoft WPS Writer): converted to .docx by LibreOffice, then read."""
    fmt = path.suffix.lower().lstrip(".")
    if data.startswith(b"PK"):  # a .docx saved under an old name: read it as it is
        return _read_docx(path, data, fmt=fmt, original=data)
    from linker.io.text import _looks_binary

    if not data.startswith(_OLE_MAGIC) and _looks_binary(data):
        # not Word 97-2003 or WPS (both OLE files), nor the RTF, HTML or text that is often saved as .doc
        raise CorruptDocument(f"{path}: not a Word or WPS document (no OLE header); the file is damaged or not a .{fmt}")
    converted = _convert(path, data, "docx")
    return _read_docx(path, converted, fmt=fmt, original=data)


READERS: dict[str, Callable[[Path, bytes], Reading]] = {
    ".docx": read_docx,
    ".xlsx": read_xlsx,
    ".xlsm": read_xlsx,
    ".pdf": read_pdf,
    ".doc": read_doc,
    ".wps": read_doc,
}
