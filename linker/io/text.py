"""Plain text and Markdown: UTF-8 (with or without BOM) or GB18030/GBK, detected."""

from __future__ import annotations

import re
from pathlib import Path

from linker.errors import CorruptDocument, EncodingError
from linker.io import Reading, sha256

# Encodings tried in order before asking the detector: a report is nearly always
# one of these, and strict decoding of UTF-8 is a very reliable test.
_LIKELY = ("utf-8-sig", "gb18030")


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    # control characters other than tab, newlines, form feed
    bad = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return bad > max(8, len(head) // 100)


def decode(data: bytes, name: str = "file") -> tuple[str, str]:
    """Decode report bytes, returning (text, encoding). Never drops bytes silently."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if _looks_binary(data):
        raise CorruptDocument(f"{name}: this is a binary file, not text; give linker a .txt, .md, .docx, .xlsx or .pdf report")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["gb18030", "gbk", "big5", "utf_16", "utf_8"]).best()
    candidates = ([best.encoding] if best is not None else []) + ["gb18030"]
    for enc in candidates:
        try:
            return data.decode(enc), ("gb18030" if enc in ("gbk", "gb2312") else enc)
        except (UnicodeDecodeError, LookupError):
            continue
    raise EncodingError(
        f"{name}: the text is neither UTF-8 nor GB18030/GBK; convert it to UTF-8 "
        "(e.g. `iconv -f <encoding> -t utf-8`) and try again"
    )


_MD_HEADING_LINE = re.compile(r"^#{1,6}\s", re.MULTILINE)
_MD_BOLD = re.compile(r"\*\*[^*\n]{1,80}\*\*")


def looks_like_markdown(text: str) -> bool:
    """Reports exported as Markdown often arrive as .txt: look for headings and bold lead-ins."""
    return len(_MD_HEADING_LINE.findall(text)) >= 2 or len(_MD_BOLD.findall(text)) >= 3


def read_text(path: Path, data: bytes) -> Reading:
    text, encoding = decode(data, str(path))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    fmt = "md" if path.suffix.lower() in (".md", ".markdown") or looks_like_markdown(text) else "txt"
    return Reading(path=str(path), raw=text, format=fmt, sha256=sha256(data), encoding=encoding)
