"""Readers: one per format, all returning a :class:`Reading`.

A reader turns a file into ``raw`` text (what the document says, decoded, with
paragraphs on their own lines and table rows as tab-separated cells) and, where
the format knows them, ``blocks``: the spans of paragraphs and table rows in
``raw`` with their page and cells. :func:`linker.normalize.normalize` then builds
the :class:`~linker.model.Document` every later stage works on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from linker.errors import EmptyDocument, FileMissing, InputError, UnsupportedFormat


@dataclass
class RawBlock:
    """A paragraph or table row as a span of ``Reading.raw``."""

    start: int
    end: int
    kind: str = "paragraph"  # paragraph | table_row | heading
    page: int | None = None
    table: int | None = None
    cells: list[tuple[int, int]] | None = None  # spans of the cells in raw
    level: int | None = None  # heading level when the format states it (docx styles)


@dataclass
class Reading:
    path: str
    raw: str
    format: str
    sha256: str
    encoding: str | None = None
    blocks: list[RawBlock] | None = None  # None: derive them from lines (plain text)
    warnings: list[str] = field(default_factory=list)


Reader = Callable[[Path, bytes], Reading]

MAX_BYTES = 200 * 1024 * 1024  # a larger file is not a report


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _wide(ch: str) -> bool:
    """CJK ideographs and punctuation, full-width forms, dashes and quotes, circled numbers:
    characters that Chinese text sets without spaces around them."""
    o = ord(ch)
    return o >= 0x2E80 or 0x2010 <= o <= 0x2027 or 0x2460 <= o <= 0x24FF or o == 0xB7


def line_joiner(left: str, right: str) -> str:
    """What stands between two lines of one cell (or one wrapped sentence) once joined:
    nothing where either side is Chinese ("一级" + "指标" → 一级指标), a space between
    two Latin words or numbers."""
    if not left or not right or _wide(left[-1]) or _wide(right[0]):
        return ""
    return " "


def _readers() -> dict[str, Reader]:
    # imported lazily so that `import linker` stays cheap
    from linker.io import text

    readers: dict[str, Reader] = {".txt": text.read_text, ".md": text.read_text, ".markdown": text.read_text}
    try:
        from linker.io import office
    except ImportError:  # pragma: no cover - the module ships with linker
        return readers
    readers.update(office.READERS)
    return readers


def supported_suffixes() -> list[str]:
    return sorted(_readers())


def read(path: str | Path) -> Reading:
    """Read a report file of any supported format."""
    p = Path(path)
    if not p.exists():
        raise FileMissing(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a folder, not a report file")
    suffix = p.suffix.lower()
    readers = _readers()
    if suffix not in readers:
        raise UnsupportedFormat(
            f"{p}: linker cannot read '{suffix or 'files without an extension'}'; "
            f"supported: {', '.join(sorted(readers))}"
        )
    size = p.stat().st_size
    if size == 0:
        raise EmptyDocument(f"{p}: the file is empty")
    if size > MAX_BYTES:
        raise InputError(f"{p}: {size // (1024 * 1024)} MB is larger than any report ({MAX_BYTES // (1024 * 1024)} MB at most)")
    data = p.read_bytes()
    reading = readers[suffix](p, data)
    if not reading.raw.strip():
        raise EmptyDocument(f"{p}: no text could be read from the file")
    return reading
