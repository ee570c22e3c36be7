"""Plain text and Markdown: UTF-8 (with or without BOM) or GB18030/GBK, detected."""

from __future__ import annotations

import re
from pathlib import Path

from linker.errors import CorruptDocument, EncodingError
from linker.io import Reading, sha256

# Encodings tried in order before asking the detector: a report is nearly always
# one of these, and strict decoding of UTF-8 is a very reliable test.
_LIKELY = ("utf-8-sig", "gb18030")


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a byte-order mark: ASCII shows as a NUL in every other byte."""
    if len(data) % 2:
        return None
    head = data[:8192]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    enc = "utf-16-le" if odd > even else "utf-16-be"
    try:
        text = data.decode(enc)
    except UnicodeDecodeError:
        return None
    printable = sum(1 for c in text[:4096] if c.isprintable() or c in "\n\r\t")
    return enc if printable >= 0.95 * min(len(text), 4096) else None


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    # control characters other than tab, newlines, form feed
    bad = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return bad > max(8, len(head) // 100)


def decode(data: bytes, name: str = "file") -> tuple[str, str]:
    """Decode report bytes, returning (text, encoding). Never drops bytes silently."""
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                     (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise EncodingError(
                    f"{name}: starts with a {enc.upper().replace('-SIG', '')} byte-order mark but byte {exc.start} is not "
                    f"{enc.upper().replace('-SIG', '')}; the file is damaged or mixes encodings"
                ) from exc
    if b"\x00" in data[:8192] and (enc := _bomless_utf16(data)):
        return data.decode(enc), enc
    if _looks_binary(data):
        raise CorruptDocument(f"{name}: this is a binary file, not text; give linker a .txt, .md, .docx, .xlsx or .pdf report")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if len(data) < 200:  # too short for the detector to judge: a Chinese report is far more often GB than Big5
        try:
            return data.decode("gb18030"), "gb18030"
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
