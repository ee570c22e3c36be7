"""The annotation store: what the model suggested and what people decided, in SQLite.

One file (``--db``, ``$LINKER_DB``, or ``~/.local/share/linker/linker.sqlite``) in WAL
mode, so the review app, an import and an analysis can use it at once. Two kinds of
record are kept apart (argilla's suggestions and responses, prodigy's decisions):

``suggestions``  a link the model proposed, with its score and model name;
``judgments``    a person's decision: ``accept`` / ``reject`` a link, ``no_evidence``
                 for a sub-goal, ``status_override`` / ``block_override`` with a value.

Both are anchored by text, never by internal ids: the goal and evidence documents
(path as given and sha256 of their bytes), the sub-goal and the evidence sentence
by their exact quotes, with their spans on the normalised text as hints (see
:mod:`linker.anchors`). Nothing is updated or deleted: a later judgment on the same
(sub-goal, evidence) supersedes an earlier one for the analysis
(:func:`latest`) and the history stays. "Later" is by the time the person decided
(``created``, kept in UTC); a judgment without one (hand-made gold files) counts as
older than every dated judgment, so the order does not depend on when, or in which
order, files were imported. Every change is one transaction, so concurrent writers,
a killed process or a bad import leave the store consistent; a database that cannot
be written (read-only, locked, full) raises :class:`StoreWriteError`.

The schema upgrades itself through numbered migrations recorded in the
``migrations`` table; :func:`pending` says what an open would apply, read-only.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from linker.errors import StoreError

LABELS = ("accept", "reject", "no_evidence", "status_override", "block_override")
LINK_LABELS = ("accept", "reject")
STATUS_VALUES = ("met", "unmet", "evidenced", "weak", "unevidenced")
BLOCK_VALUES = ("产出", "效果")
# The gold files' fields, in their order; export writes these first, always.
BASE_FIELDS = ("goal_document", "evidence_document", "subgoal", "evidence", "label", "annotator",
               "contradicts", "title", "table_row", "note")
FLAGS = ("contradicts", "title", "table_row")
KNOWN_FIELDS = set(BASE_FIELDS) | {"value", "created", "goal_sha256", "evidence_sha256", "subgoal_span", "evidence_span"}
T = TypeVar("T")


class StoreWriteError(StoreError):
    """The database refused a write (read-only file or folder, locked, disk full): the request was fine, the store is not."""


def now() -> str:
    """The current UTC time, ISO 8601 with seconds and a Z."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_time(s: str | None) -> datetime | None:
    """An ISO 8601 time as an aware UTC datetime (a time without an offset is taken as UTC); None for None or bad input."""
    if not s:
        return None
    try:
        t = datetime.fromisoformat(s)
        return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)
    except (ValueError, OverflowError):  # not a time, or a time zone that takes it past year 1 or 9999
        return None


def utc(s: str) -> str:
    """An ISO 8601 time written in UTC with a Z ("2025-01-01T10:00:00+08:00" → "2025-01-01T02:00:00Z"); StoreError if it is none."""
    t = parse_time(s)
    if t is None:
        raise StoreError(f"created '{s}' is not an ISO 8601 time")
    return t.isoformat(timespec="microseconds" if t.microsecond else "seconds").replace("+00:00", "Z")


_NEVER = datetime.min.replace(tzinfo=UTC)


def default_path() -> Path:
    env = os.environ.get("LINKER_DB")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".local" / "share" / "linker" / "linker.sqlite"


@dataclass(frozen=True)
class Judgment:
    """One decision of one person, anchored by text."""

    goal_path: str
    goal_sha256: str
    evidence_path: str
    evidence_sha256: str
    subgoal: str
    evidence: str | None
    label: str
    annotator: str
    created: str | None = None  # when the person decided (None: unknown, e.g. legacy gold files)
    value: str | None = None  # the status or block of an override
    note: str = ""
    subgoal_span: tuple[int, int] | None = None
    evidence_span: tuple[int, int] | None = None
    flags: dict[str, Any] = field(default_factory=dict, compare=False)  # contradicts, title, table_row, other fields
    id: int | None = field(default=None, compare=False)
    recorded: str | None = field(default=None, compare=False)  # when it entered this store

    @property
    def kind(self) -> str:
        """Which judgments supersede each other: links (and no_evidence), statuses, blocks."""
        return {"status_override": "status", "block_override": "block"}.get(self.label, "link")

    @property
    def key(self) -> tuple[str, str, str, str | None, str]:
        return (self.goal_sha256, self.evidence_sha256, self.subgoal, self.evidence, self.kind)

    @property
    def when(self) -> str:
        return self.created or self.recorded or ""

    @property
    def order(self) -> tuple[int, datetime, int]:
        """What "later" means: dated judgments by their time (UTC), after every undated one; undated ones by arrival."""
        t = parse_time(self.created)
        if t is not None:
            return (1, t, self.id or 0)
        return (0, parse_time(self.recorded) or _NEVER, self.id or 0)

    def fingerprint(self) -> str:
        ident = [self.goal_path, self.goal_sha256, self.evidence_path, self.evidence_sha256, self.subgoal,
                 self.evidence, self.label, self.value, self.annotator, self.created, self.note,
                 sorted(self.flags.items())]
        return hashlib.sha256(json.dumps(ident, ensure_ascii=False).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Suggestion:
    """One link the model proposed."""

    goal_path: str
    goal_sha256: str
    evidence_path: str
    evidence_sha256: str
    subgoal: str
    evidence: str
    score: float
    model: str
    source: str = "fusion"
    subgoal_span: tuple[int, int] | None = None
    evidence_span: tuple[int, int] | None = None
    created: str | None = None
    id: int | None = field(default=None, compare=False)


# --- migrations ---------------------------------------------------------------

def _m001_initial(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE judgments (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            fingerprint TEXT NOT NULL UNIQUE,
            goal_path TEXT NOT NULL,
            goal_sha256 TEXT NOT NULL,
            evidence_path TEXT NOT NULL,
            evidence_sha256 TEXT NOT NULL,
            subgoal TEXT NOT NULL,
            subgoal_start INTEGER,
            subgoal_end INTEGER,
            evidence TEXT,
            evidence_start INTEGER,
            evidence_end INTEGER,
            label TEXT NOT NULL CHECK (label IN ('accept', 'reject', 'no_evidence')),
            annotator TEXT NOT NULL,
            created TEXT,
            recorded TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            flags TEXT NOT NULL DEFAULT '{}'
        )""")
    db.execute("CREATE INDEX judgments_goal ON judgments (goal_sha256, subgoal)")


def _m002_overrides_and_suggestions(db: sqlite3.Connection) -> None:
    # SQLite cannot alter a CHECK constraint: rebuild the table with the override labels and a value.
    db.execute("""
        CREATE TABLE judgments_new (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            fingerprint TEXT NOT NULL UNIQUE,
            goal_path TEXT NOT NULL,
            goal_sha256 TEXT NOT NULL,
            evidence_path TEXT NOT NULL,
            evidence_sha256 TEXT NOT NULL,
            subgoal TEXT NOT NULL,
            subgoal_start INTEGER,
            subgoal_end INTEGER,
            evidence TEXT,
            evidence_start INTEGER,
            evidence_end INTEGER,
            label TEXT NOT NULL CHECK (label IN ('accept', 'reject', 'no_evidence', 'status_override', 'block_override')),
            value TEXT,
            annotator TEXT NOT NULL,
            created TEXT,
            recorded TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            flags TEXT NOT NULL DEFAULT '{}'
        )""")
    cols = ("id, fingerprint, goal_path, goal_sha256, evidence_path, evidence_sha256, subgoal, subgoal_start, subgoal_end, "
            "evidence, evidence_start, evidence_end, label, annotator, created, recorded, note, flags")
    db.execute(f"INSERT INTO judgments_new ({cols}) SELECT {cols} FROM judgments")
    db.execute("DROP TABLE judgments")
    db.execute("ALTER TABLE judgments_new RENAME TO judgments")
    db.execute("CREATE INDEX judgments_goal ON judgments (goal_sha256, subgoal)")
    db.execute("""
        CREATE TABLE suggestions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            fingerprint TEXT NOT NULL UNIQUE,
            goal_path TEXT NOT NULL,
            goal_sha256 TEXT NOT NULL,
            evidence_path TEXT NOT NULL,
            evidence_sha256 TEXT NOT NULL,
            subgoal TEXT NOT NULL,
            subgoal_start INTEGER,
            subgoal_end INTEGER,
            evidence TEXT NOT NULL,
            evidence_start INTEGER,
            evidence_end INTEGER,
            score REAL NOT NULL,
            model TEXT NOT NULL,
            source TEXT NOT NULL,
            created TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX suggestions_goal ON suggestions (goal_sha256, subgoal)")


def _m003_utc_times(db: sqlite3.Connection) -> None:
    """Judgment times in UTC with a Z, as they are now written, and their fingerprints anew.

    A store written before kept "2025-01-01T10:00:00+08:00" as given; importing the same line
    again now writes "2025-01-01T02:00:00Z". Such pairs are one judgment: the earlier row
    stays, with the time in UTC, and the later copy goes. Nothing else is touched.
    """
    rows = db.execute("SELECT id, goal_path, goal_sha256, evidence_path, evidence_sha256, subgoal, evidence, label, value, "
                      "annotator, created, note, flags FROM judgments WHERE created IS NOT NULL ORDER BY id").fetchall()
    for r in rows:
        try:
            created = utc(r[10])
        except StoreError:
            continue  # a time this version would refuse: left as it was
        if created == r[10]:
            continue
        j = Judgment(goal_path=r[1], goal_sha256=r[2], evidence_path=r[3], evidence_sha256=r[4], subgoal=r[5], evidence=r[6],
                     label=r[7], value=r[8], annotator=r[9], created=created, note=r[11], flags=json.loads(r[12]))
        fp = j.fingerprint()
        twin = db.execute("SELECT id FROM judgments WHERE fingerprint = ?", (fp,)).fetchone()
        if twin is not None and twin[0] < r[0]:
            db.execute("DELETE FROM judgments WHERE id = ?", (r[0],))  # the earlier copy stays
            continue
        if twin is not None:
            db.execute("DELETE FROM judgments WHERE id = ?", (twin[0],))
        db.execute("UPDATE judgments SET created = ?, fingerprint = ? WHERE id = ?", (created, fp, r[0]))


MIGRATIONS: list[tuple[int, str, Callable[[sqlite3.Connection], None]]] = [
    (1, "initial", _m001_initial),
    (2, "overrides_and_suggestions", _m002_overrides_and_suggestions),
    (3, "utc_times", _m003_utc_times),
]
VERSION = MIGRATIONS[-1][0]


def _applied(db: sqlite3.Connection) -> set[int]:
    row = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'migrations'").fetchone()
    if row is None:
        return set()
    return {r[0] for r in db.execute("SELECT version FROM migrations")}


def pending(path: str | Path) -> list[str]:
    """Migrations an open of ``path`` would apply, as "NNN_name"; reads the file only (never creates it)."""
    p = Path(path)
    if not p.exists():
        return [f"{v:03d}_{n}" for v, n, _ in MIGRATIONS]
    db = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
    try:
        done = _applied(db)
    finally:
        db.close()
    return [f"{v:03d}_{n}" for v, n, _ in MIGRATIONS if v not in done]


def migrate(db: sqlite3.Connection, *, upto: int | None = None) -> list[str]:
    """Apply the missing migrations (up to version ``upto``), each in its own transaction."""
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute("CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    done_now = []
    for version, name, fn in MIGRATIONS:
        if upto is not None and version > upto:
            break
        db.execute("BEGIN IMMEDIATE")
        try:
            if version in _applied(db):  # another process got there first
                db.execute("ROLLBACK")
                continue
            fn(db)
            db.execute("INSERT INTO migrations (version, name, applied) VALUES (?, ?, ?)", (version, name, now()))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        done_now.append(f"{version:03d}_{name}")
    return done_now


# --- the store ----------------------------------------------------------------

def _span(a: Any, b: Any) -> tuple[int, int] | None:
    return (int(a), int(b)) if a is not None and b is not None else None


class Store:
    """An open annotation database. Thread-safe (one connection behind a lock); use as a context manager."""

    def __init__(self, path: str | Path | None = None, *, upto: int | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        db = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(str(self.path), timeout=60, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA busy_timeout = 60000")
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
            if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise StoreError(f"{self.path}: the annotation database is damaged; restore it from an export "
                                 "(`linker annotations import`) into a new file")
            migrate(db, upto=upto)
        except (sqlite3.Error, OSError, StoreError) as exc:
            if db is not None:
                db.close()
            if isinstance(exc, StoreError):
                raise
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise StoreError(f"{self.path}: cannot open the annotation database ({reason}); "
                             "pass another file with --db or LINKER_DB") from exc
        self._db = db
        self.journal_mode = mode
        self._lock = threading.RLock()

    def _refused(self, exc: sqlite3.Error) -> StoreWriteError:
        if "readonly" in str(exc) or getattr(exc, "sqlite_errorname", "").startswith("SQLITE_READONLY"):
            why = "it is read-only; make the file and its folder writable, or pass another file with --db or LINKER_DB"
        else:
            why = f"{exc}; nothing was changed"
        return StoreWriteError(f"{self.path}: cannot write to the annotation database: {why}")

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (all or nothing); SQLite's refusals become StoreWriteError."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._refused(exc) from exc
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException as exc:
                if self._db.in_transaction:
                    try:
                        self._db.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass  # SQLite rolled back already (e.g. after a full disk)
                if isinstance(exc, sqlite3.Error):
                    raise self._refused(exc) from exc
                raise

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._db
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: cannot read the annotation database ({exc})") from exc

    def check_writable(self) -> None:
        """Raise StoreWriteError now, rather than at the first judgment, when the database cannot be written."""
        with self._writing() as db:
            db.execute("DELETE FROM migrations WHERE version < 0")  # a write that changes nothing

    # context manager ---------------------------------------------------------
    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:  # noqa: PYI034 - Store is not subclassed
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def version(self) -> int:
        with self._reading() as db:
            return max(_applied(db) or {0})

    # writing ---------------------------------------------------------------
    def add(self, judgment: Judgment) -> bool:
        """Record one judgment; False when the very same judgment is already there."""
        return self.add_many([judgment]) == 1

    def add_many(self, judgments: Iterable[Judgment], *, progress: Callable[[int], None] | None = None) -> int:
        """Record judgments in one transaction (all or nothing); returns how many were new."""
        new = 0
        with self._writing() as db:
            for i, j in enumerate(judgments, 1):
                check(j)
                if j.created is not None:
                    j = replace(j, created=utc(j.created))
                cur = db.execute(
                    "INSERT OR IGNORE INTO judgments (fingerprint, goal_path, goal_sha256, evidence_path, evidence_sha256, "
                    "subgoal, subgoal_start, subgoal_end, evidence, evidence_start, evidence_end, label, value, annotator, "
                    "created, recorded, note, flags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (j.fingerprint(), j.goal_path, j.goal_sha256, j.evidence_path, j.evidence_sha256, j.subgoal,
                     *(j.subgoal_span or (None, None)), j.evidence, *(j.evidence_span or (None, None)), j.label,
                     j.value, j.annotator, j.created, now(), j.note, json.dumps(j.flags, ensure_ascii=False, sort_keys=True)))
                new += cur.rowcount
                if progress is not None:
                    progress(i)
        return new

    def suggest(self, suggestions: Iterable[Suggestion]) -> int:
        """Record what the model proposed (the same proposal twice is kept once)."""
        new = 0
        with self._writing() as db:
            for s in suggestions:
                fp = hashlib.sha256(json.dumps([s.goal_sha256, s.evidence_sha256, s.subgoal, s.evidence, s.model,
                                                s.source, round(s.score, 6)], ensure_ascii=False).encode()).hexdigest()
                cur = db.execute(
                    "INSERT OR IGNORE INTO suggestions (fingerprint, goal_path, goal_sha256, evidence_path, evidence_sha256, "
                    "subgoal, subgoal_start, subgoal_end, evidence, evidence_start, evidence_end, score, model, source, created) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (fp, s.goal_path, s.goal_sha256, s.evidence_path, s.evidence_sha256, s.subgoal,
                     *(s.subgoal_span or (None, None)), s.evidence, *(s.evidence_span or (None, None)),
                     float(s.score), s.model, s.source, s.created or now()))
                new += cur.rowcount
        return new

    # reading ---------------------------------------------------------------
    def iter_judgments(
        self,
        *,
        goal_sha256: str | None = None,
        evidence_sha256: str | None = None,
        labels: Sequence[str] | None = None,
        annotator: str | None = None,
        latest_only: bool = False,
    ) -> Iterator[Judgment]:
        """Every judgment (filtered), oldest first (see :attr:`Judgment.order`); ``latest_only`` keeps the one that counts
        per (sub-goal, evidence)."""
        where, args = [], []
        for col, val in (("goal_sha256", goal_sha256), ("evidence_sha256", evidence_sha256), ("annotator", annotator)):
            if val is not None:
                where.append(f"{col} = ?")
                args.append(val)
        if labels:
            where.append(f"label IN ({', '.join('?' for _ in labels)})")
            args.extend(labels)
        sql = ("SELECT id, goal_path, goal_sha256, evidence_path, evidence_sha256, subgoal, subgoal_start, subgoal_end, "
               "evidence, evidence_start, evidence_end, label, value, annotator, created, recorded, note, flags FROM judgments")
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id"
        with self._reading() as db:
            rows = db.execute(sql, args).fetchall()
        out = [Judgment(goal_path=r[1], goal_sha256=r[2], evidence_path=r[3], evidence_sha256=r[4], subgoal=r[5],
                        subgoal_span=_span(r[6], r[7]), evidence=r[8], evidence_span=_span(r[9], r[10]), label=r[11],
                        value=r[12], annotator=r[13], created=r[14], recorded=r[15], note=r[16], flags=json.loads(r[17]),
                        id=r[0]) for r in rows]
        yield from (latest(out) if latest_only else sorted(out, key=lambda j: j.order))

    def iter_suggestions(self, *, goal_sha256: str | None = None) -> Iterator[Suggestion]:
        sql = ("SELECT id, goal_path, goal_sha256, evidence_path, evidence_sha256, subgoal, subgoal_start, subgoal_end, "
               "evidence, evidence_start, evidence_end, score, model, source, created FROM suggestions")
        args: list[str] = []
        if goal_sha256 is not None:
            sql += " WHERE goal_sha256 = ?"
            args.append(goal_sha256)
        with self._reading() as db:
            rows = db.execute(sql + " ORDER BY id", args).fetchall()
        for r in rows:
            yield Suggestion(goal_path=r[1], goal_sha256=r[2], evidence_path=r[3], evidence_sha256=r[4], subgoal=r[5],
                             subgoal_span=_span(r[6], r[7]), evidence=r[8], evidence_span=_span(r[9], r[10]), score=r[11],
                             model=r[12], source=r[13], created=r[14], id=r[0])

    def count(self, table: str = "judgments") -> int:
        if table not in ("judgments", "suggestions"):
            raise ValueError(table)
        with self._reading() as db:
            return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

    def integrity(self) -> str:
        with self._reading() as db:
            return str(db.execute("PRAGMA integrity_check").fetchone()[0])


def latest(judgments: Iterable[Judgment]) -> list[Judgment]:
    """The judgments that count: the last one per (documents, sub-goal, evidence, kind), by :attr:`Judgment.order`."""
    last: dict[tuple[str, str, str, str | None, str], Judgment] = {}
    for j in sorted(judgments, key=lambda j: j.order):
        last.pop(j.key, None)
        last[j.key] = j
    return list(last.values())


def open_existing(path: str | Path | None = None) -> Store | None:
    """The store at ``path`` (default: :func:`default_path`) if the file exists, else None: never creates one."""
    p = Path(path) if path is not None else default_path()
    return Store(p) if p.exists() else None


def iter_judgments(path: str | Path | None = None, **filters: Any) -> Iterator[Judgment]:
    """Every judgment in the store at ``path`` (see :meth:`Store.iter_judgments`); none when there is no store."""
    store = open_existing(path)
    if store is None:
        return
    with store:
        yield from store.iter_judgments(**filters)


_SURROGATE = re.compile("[\ud800-\udfff]")  # half of a UTF-16 pair: JSON allows it, UTF-8 and SQLite do not


def check(j: Judgment) -> None:
    """Raise StoreError when a judgment is not well formed."""
    if j.label not in LABELS:
        raise StoreError(f"unknown label '{j.label}'; use one of {', '.join(LABELS)}")
    if not j.subgoal:
        raise StoreError("a judgment needs the sub-goal's words (subgoal)")
    if not j.annotator:
        raise StoreError("a judgment needs an annotator")
    fields = [(name, getattr(j, name)) for name in ("subgoal", "evidence", "value", "note", "annotator")]
    for name, text in fields + [(k, json.dumps(v, ensure_ascii=False)) for k, v in (j.flags or {}).items()]:
        if isinstance(text, str) and _SURROGATE.search(text):
            raise StoreError(f"'{name}' holds a lone surrogate (\\u{ord(_SURROGATE.search(text).group()):04x}), not text")
    _check_label(j.label, j.evidence, j.value, j.created)


def _check_label(label: str, evidence: str | None, value: str | None, created: str | None) -> None:
    """What each label needs: evidence for links and none otherwise, a value for overrides only, a real time."""
    if label in LINK_LABELS and not evidence:
        raise StoreError(f"'{label}' needs the evidence sentence's words (evidence)")
    if label not in LINK_LABELS and evidence is not None:
        raise StoreError(f"'{label}' takes no evidence (evidence must be null)")
    if label == "status_override" and value not in STATUS_VALUES:
        raise StoreError(f"status_override needs a value among {', '.join(STATUS_VALUES)}, not {value!r}")
    if label == "block_override" and value not in BLOCK_VALUES:
        raise StoreError(f"block_override needs a value among {', '.join(BLOCK_VALUES)}, not {value!r}")
    if label not in ("status_override", "block_override") and value is not None:
        raise StoreError(f"'{label}' takes no value")
    if created is not None:
        utc(created)


# --- JSONL import and export ------------------------------------------------------

@dataclass
class ImportResult:
    read: int
    new: int
    files: list[str]


def _resolve(root: Path, p: str) -> Path:
    path = Path(p)
    return path if path.is_absolute() else root / path


class Documents:
    """Documents by the path a record gives, read and structured once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._docs: dict[str, Any] = {}

    def get(self, p: str) -> Any:
        from linker.errors import LinkerError
        from linker.pipeline import load

        if p not in self._docs:
            path = _resolve(self.root, p)
            try:
                self._docs[p] = load(path) if path.exists() else None
            except LinkerError:
                self._docs[p] = None
        return self._docs[p]


def _as_span(v: Any) -> tuple[int, int] | None:
    if isinstance(v, list | tuple) and len(v) == 2 and all(isinstance(x, int) and not isinstance(x, bool) for x in v):
        return int(v[0]), int(v[1])
    return None


def check_fields(r: Any) -> None:
    """Raise StoreError when a JSONL record is not a well-formed judgment (fields, types, labels, values, time).

    The one format check of annotation lines: ``annotations import`` and the gold of
    ``linker train`` / ``eval`` (:func:`linker.evaluate.load_gold`) both use it.
    """
    if not isinstance(r, dict):
        raise StoreError("a line must be a JSON object")
    for k in ("goal_document", "subgoal", "label", "annotator"):
        if not isinstance(r.get(k), str) or not r[k]:
            raise StoreError(f"'{k}' is missing or not a string")
    label = r["label"]
    if label not in LABELS:
        raise StoreError(f"unknown label '{label}'; use one of {', '.join(LABELS)}")
    if r.get("evidence_document") is not None and not isinstance(r["evidence_document"], str):
        raise StoreError("'evidence_document' is not a string")
    evidence = r.get("evidence")
    if evidence is not None and not isinstance(evidence, str):
        raise StoreError("'evidence' must be a string or null")
    for k in FLAGS:
        if k in r and not isinstance(r[k], bool):
            raise StoreError(f"'{k}' must be true or false")
    for k in ("note", "created", "value", "goal_sha256", "evidence_sha256"):
        if r.get(k) is not None and not isinstance(r[k], str):
            raise StoreError(f"'{k}' must be a string")
    _check_label(label, evidence, r.get("value"), r.get("created"))


def parse_record(r: Any, docs: Documents) -> Judgment:
    """One JSONL record as a judgment, its quotes checked against the documents; StoreError says what is wrong."""
    from linker import anchors

    check_fields(r)
    label = r["label"]
    ev_path = r.get("evidence_document") or r["goal_document"]
    evidence = r.get("evidence")
    gdoc = docs.get(r["goal_document"])
    if gdoc is None:
        raise StoreError(f"goal document {r['goal_document']} cannot be read (paths are relative to --root {docs.root})")
    edoc = docs.get(ev_path)
    if edoc is None:
        raise StoreError(f"evidence document {ev_path} cannot be read (paths are relative to --root {docs.root})")
    sg_span = anchors.locate(gdoc, r["subgoal"], hint=_as_span(r.get("subgoal_span")), prefer=anchors.goal_ranges(gdoc))
    if sg_span is None:
        raise StoreError(f"sub-goal quote not found in {r['goal_document']}: {r['subgoal'][:40]}")
    ev_span = None
    if evidence is not None:
        ev_span = anchors.locate(edoc, evidence, hint=_as_span(r.get("evidence_span")), prefer=anchors.evidence_ranges(edoc))
        if ev_span is None:
            raise StoreError(f"evidence quote not found in {ev_path}: {evidence[:40]}")
    flags = {k: r.get(k, False) for k in FLAGS}
    flags.update({k: v for k, v in r.items() if k not in KNOWN_FIELDS})
    j = Judgment(goal_path=r["goal_document"], goal_sha256=r.get("goal_sha256") or gdoc.sha256, evidence_path=ev_path,
                 evidence_sha256=r.get("evidence_sha256") or edoc.sha256, subgoal=r["subgoal"], evidence=evidence,
                 label=label, annotator=r["annotator"], created=utc(r["created"]) if r.get("created") else None,
                 value=r.get("value"), note=r.get("note") or "", subgoal_span=sg_span, evidence_span=ev_span, flags=flags)
    check(j)
    return j


def read_lines(paths: Sequence[str | Path], parse: Callable[[Any, Path, int], T], *,
               refused: str = "import refused, nothing changed") -> list[T]:
    """``parse(record, file, line number)`` of every line of JSONL files; one StoreError listing every bad line
    (file:line: why, ``parse`` raising StoreError) when any is bad, headed by ``refused``."""
    out: list[T] = []
    errors: list[str] = []
    for path in paths:
        p = Path(path)
        try:
            lines = p.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(f"{p}: cannot read ({exc})")
            continue
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"{p}:{n}: invalid JSON ({exc.msg} at column {exc.colno})")
                continue
            except RecursionError:
                errors.append(f"{p}:{n}: invalid JSON (nested too deeply)")
                continue
            try:
                out.append(parse(r, p, n))
            except StoreError as exc:
                errors.append(f"{p}:{n}: {exc}")
    if errors:
        more = f" (and {len(errors) - 20} more)" if len(errors) > 20 else ""
        raise StoreError(f"{refused}: {len(errors)} bad line(s){more}:\n" + "\n".join(errors[:20]))
    return out


def read_jsonl(paths: Sequence[str | Path], *, root: str | Path = ".") -> list[Judgment]:
    """Parse and check JSONL files; one StoreError listing every bad line (file:line: why) when any is bad."""
    docs = Documents(Path(root))
    return read_lines(paths, lambda r, _p, _n: parse_record(r, docs))


def import_jsonl(store: Store, paths: Sequence[str | Path], *, root: str | Path = ".",
                 progress: Callable[[int], None] | None = None) -> ImportResult:
    """Check every line of every file, then record them all in one transaction (all or nothing)."""
    store.check_writable()  # before the (slow) reading, not after it
    judgments = read_jsonl(paths, root=root)
    new = store.add_many(judgments, progress=progress)
    return ImportResult(read=len(judgments), new=new, files=[str(p) for p in paths])


def file_name(goal_path: str, evidence_path: str) -> str:
    """annotations/ file of a (goal, evidence) pair: ``GOAL.jsonl`` or ``GOAL__EVIDENCE.jsonl``."""
    g, e = Path(goal_path).stem, Path(evidence_path).stem
    return f"{g}.jsonl" if goal_path == evidence_path else f"{g}__{e}.jsonl"


def file_names(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """A distinct file per (goal, evidence) pair: :func:`file_name`, and where two pairs would share one
    (y1/report.txt and y2/report.txt, or names differing only in case), each of them gets
    ``…~HASH.jsonl``, a short hash of its two paths, instead."""
    pairs = sorted(set(pairs))
    plain = {pair: file_name(*pair) for pair in pairs}
    clash: dict[str, int] = {}
    for name in plain.values():
        clash[name.casefold()] = clash.get(name.casefold(), 0) + 1
    out: dict[tuple[str, str], str] = {}
    for pair, name in plain.items():
        if clash[name.casefold()] > 1:
            digest = hashlib.sha256(json.dumps(list(pair), ensure_ascii=False).encode("utf-8")).hexdigest()
            name = f"{name.removesuffix('.jsonl')}~{digest[:10]}.jsonl"
        out[pair] = name
    taken = [n.casefold() for n in out.values()]
    if len(set(taken)) != len(taken):  # a plain name that reads like another pair's hashed one: never overwrite
        raise StoreError("two document pairs would be exported to the same file: " + ", ".join(sorted(out.values())))
    return out


def to_record(j: Judgment, *, current_sha: dict[str, str | None] | None = None, full: bool = False) -> dict[str, Any]:
    """The JSONL line of a judgment: the gold files' ten fields first, then what else it carries."""
    cur = current_sha or {}
    r: dict[str, Any] = {"goal_document": j.goal_path, "evidence_document": j.evidence_path, "subgoal": j.subgoal,
                         "evidence": j.evidence, "label": j.label, "annotator": j.annotator,
                         "contradicts": bool(j.flags.get("contradicts", False)), "title": bool(j.flags.get("title", False)),
                         "table_row": bool(j.flags.get("table_row", False)), "note": j.note}
    if j.value is not None:
        r["value"] = j.value
    if j.created is not None:
        r["created"] = j.created
    # The hashes go out when they say something: the document changed since (or is gone), or --full.
    if full or cur.get(j.goal_path) != j.goal_sha256:
        r["goal_sha256"] = j.goal_sha256
    if full or cur.get(j.evidence_path) != j.evidence_sha256:
        r["evidence_sha256"] = j.evidence_sha256
    if full:
        r["subgoal_span"] = list(j.subgoal_span) if j.subgoal_span else None
        r["evidence_span"] = list(j.evidence_span) if j.evidence_span else None
    for k, v in sorted(j.flags.items()):
        if k not in FLAGS and k not in r:
            r[k] = v
    return r


def export_jsonl(store: Store, out_dir: str | Path, *, root: str | Path = ".", full: bool = False,
                 latest_only: bool = False) -> dict[Path, int]:
    """Write every judgment to ``out_dir``, one file per (goal, evidence) document pair, one line per judgment.

    Lines are ordered by goal document, sub-goal position, evidence position and time,
    so re-exports diff cleanly in git. Returns the files written with their line counts.
    """
    from linker import anchors

    docs = Documents(Path(root))
    base = Path(root).resolve()

    def canon(path: str) -> str:
        """One spelling per document: examples/000.txt and /abs/…/examples/000.txt are one file."""
        p = Path(path) if Path(path).is_absolute() else base / path
        try:
            p = p.resolve()
            return p.relative_to(base).as_posix()
        except (OSError, ValueError):
            return path

    groups: dict[tuple[str, str], list[Judgment]] = {}
    for j in store.iter_judgments(latest_only=latest_only):
        groups.setdefault((canon(j.goal_path), canon(j.evidence_path)), []).append(j)
    names = file_names(groups)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[Path, int] = {}
    for (gp, ep), js in sorted(groups.items()):
        gdoc, edoc = docs.get(gp), docs.get(ep)
        current = {gp: gdoc.sha256 if gdoc else None, ep: edoc.sha256 if edoc else None}
        def pos(doc: Any, quote: str | None, hint: tuple[int, int] | None, prefer: Any, big: int = 1 << 60) -> int:
            if quote is None:
                return -1
            sp = anchors.locate(doc, quote, hint=hint, prefer=prefer(doc)) if doc is not None else None
            return sp[0] if sp else (hint[0] if hint else big)

        sg_pos: dict[tuple[str, tuple[int, int] | None], int] = {}
        for j in js:
            sg_pos.setdefault((j.subgoal, j.subgoal_span), pos(gdoc, j.subgoal, j.subgoal_span, anchors.goal_ranges))
        # one position per sub-goal quote, so the lines of a sub-goal stay together
        first = {}
        for (q, _), p in sorted(sg_pos.items(), key=lambda kv: kv[1]):
            first.setdefault(q, p)
        keyed = sorted(js, key=lambda j: (first[j.subgoal], j.subgoal,
                                          pos(edoc, j.evidence, j.evidence_span, anchors.evidence_ranges),
                                          j.evidence or "", j.order))
        path = out / names[(gp, ep)]
        tmp = path.with_suffix(".jsonl.tmp")
        with tmp.open("w", encoding="utf-8", newline="\n") as f:
            for j in keyed:
                f.write(json.dumps(to_record(j, current_sha=current, full=full), ensure_ascii=False) + "\n")
        os.replace(tmp, path)
        written[path] = len(keyed)
    return written
