"""Domain concepts: what an evaluator knows links a goal to evidence that shares no word with it.

``concepts.txt`` (shipped with the package) holds one concept a line, ``name: term
term …``: the goal-side wording of a concept, then the words a results sentence uses
when it reports on it (「两翼: 城市副中心 通州 雄安 北三县」, 「维持学校正常运转: 基本支出
人员经费 公用经费」). It was written from general knowledge of Chinese public
administration, independently of the example reports and their annotations.

A text *names* a concept when it holds the name or any of its terms (goals), and
*reports* it when it holds one of its terms (evidence). Matching uses the concepts a
sub-goal and a sentence share as features (:mod:`linker.match`).

Users add their own (``--concepts FILE``, same format): :func:`load` reads them after
the shipped ones; a concept of the same name gains their terms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from linker import segment
from linker.errors import LinkerError

_LINE = re.compile(r"^([^:：#]+)[:：]\s*(.*)$")
_SEPARATORS = re.compile(r"[\s、，,；;]+")  # terms by spaces, or as Chinese lists them


@dataclass(frozen=True)
class Concept:
    name: str
    terms: tuple[str, ...]


class Thesaurus:
    """Concepts and a search for them: terms indexed by their first two characters."""

    def __init__(self, concepts: Iterable[Concept]) -> None:
        self.concepts = list(concepts)
        self._index: dict[str, list[tuple[str, int, bool]]] = {}  # first two characters → (word, concept, is a term)
        for k, c in enumerate(self.concepts):
            words = [(t, True) for t in c.terms] + ([(c.name, False)] if c.name not in c.terms else [])
            for w, is_term in words:
                if len(w) >= 2:
                    self._index.setdefault(w[:2], []).append((w, k, is_term))

    def find(self, text: str) -> dict[int, set[str]]:
        """Concept index → the words of it found in ``text`` (a name counts as a word of its concept)."""
        return self._search(text, names=True)

    def reported(self, text: str) -> dict[int, set[str]]:
        """Concept index → the terms of it in ``text``: what a results sentence reports."""
        return self._search(text, names=False)

    def _search(self, text: str, *, names: bool) -> dict[int, set[str]]:
        # a two-character word counts only inside one word of the text (jieba's), not across two:
        # 外培 is not in 校外|培训, 名师 not in 余名|师生, 用能 not in 应用|能力; 通州 is in 通州区
        found: dict[int, set[str]] = {}
        index = self._index
        bounds: frozenset[int] | None = None
        for i in range(len(text) - 1):
            for w, k, is_term in index.get(text[i : i + 2], ()):
                if (is_term or names) and text.startswith(w, i):
                    if len(w) == 2:
                        if bounds is None:
                            bounds = segment.boundaries(text)
                        if i + 1 in bounds:
                            continue
                    found.setdefault(k, set()).add(w)
        return found


def _concepts(text: str, source: str) -> list[Concept]:
    concepts = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = _LINE.match(line)
        terms = [t for t in _SEPARATORS.split(m.group(2)) if t] if m is not None else []
        if not terms:
            raise LinkerError(f"{source}:{n}: a concept line reads 'name: term term …'")
        short = [t for t in terms if len(t) < 2]
        if short:
            raise LinkerError(f"{source}:{n}: a term needs two characters or more ({'、'.join(short)}): one would be found everywhere")
        concepts.append(Concept(m.group(1).strip(), tuple(dict.fromkeys(terms))))
    return concepts


def _merged(concepts: Iterable[Concept]) -> list[Concept]:
    """One concept per name, with the terms of every line that names it, in order."""
    by_name: dict[str, list[str]] = {}
    for c in concepts:
        by_name.setdefault(c.name, []).extend(c.terms)
    return [Concept(name, tuple(dict.fromkeys(terms))) for name, terms in by_name.items()]


def parse(text: str, source: str = "concepts.txt") -> Thesaurus:
    """Read ``name: term term …`` lines (``#`` starts a comment); a malformed line is a LinkerError naming it."""
    return Thesaurus(_merged(_concepts(text, source)))


@lru_cache(maxsize=1)
def default() -> Thesaurus:
    """The shipped thesaurus."""
    return parse(resources.files("linker").joinpath("concepts.txt").read_text(encoding="utf-8"))


def load(extra: Sequence[str | Path] = ()) -> Thesaurus:
    """The shipped thesaurus, extended by the concept files ``extra`` (UTF-8, the same format).

    A file that is missing or unreadable, or a malformed line, is a LinkerError naming it.
    """
    if not extra:
        return default()
    concepts = list(default().concepts)
    for path in map(Path, extra):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise LinkerError(f"--concepts {path}: no such file") from None
        except IsADirectoryError:
            raise LinkerError(f"--concepts {path}: a folder, not a concept file") from None
        except UnicodeDecodeError:
            raise LinkerError(f"--concepts {path}: not UTF-8 text; save it as UTF-8, one 'name: term term …' a line") from None
        except OSError as exc:
            raise LinkerError(f"--concepts {path}: cannot be read ({exc.strerror or exc})") from None
        concepts += _concepts(text, str(path))
    return Thesaurus(_merged(concepts))


__all__ = ["Concept", "Thesaurus", "default", "load", "parse"]
