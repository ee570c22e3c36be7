"""The pipeline: read → structure → goals / evidence → match → status.

``analyze`` is what the CLI, the benchmarks and the tests call. It returns an
:class:`Analysis`; renderers in :mod:`linker.report` turn that into JSON,
HTML, Markdown or a spreadsheet. Library code never prints: progress goes to
an optional callback.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from linker.errors import LinkerError, NoEvidenceSection, NoGoalSection
from linker.model import Candidate, Document, EvidenceUnit, Goal, Status
from linker.structure import Overrides

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def _default_reranker() -> Path | None:
    from linker.match import default_reranker

    return default_reranker()


@dataclass
class Options:
    model: str = "e5"
    cache: Path | None = None  # None: the default cache file; use_cache=False for none
    use_cache: bool = True
    overrides: Overrides = field(default_factory=Overrides)
    evidence_overrides: Overrides = field(default_factory=Overrides)
    reranker: Path | None = field(default_factory=lambda: _default_reranker())  # a trained scorer (models/reranker)
    top_k: int = 10
    db: Path | None = None  # the annotation store; None: $LINKER_DB or ~/.local/share/linker/linker.sqlite
    use_store: bool = True  # let annotators' judgments override the model (a missing store means none)
    block_overrides: dict[str, tuple[str, str]] = field(default_factory=dict)  # sub-goal id → (产出/效果, category)
    concepts: tuple[Path, ...] = ()  # concept files that extend the shipped thesaurus (linker.concepts)


@dataclass
class Analysis:
    goal_doc: Document
    evidence_docs: list[Document]
    goals: list[Goal]
    units: list[EvidenceUnit]
    candidates: dict[str, list[Candidate]]
    verdicts: dict  # sub-goal id → status.Verdict  # type: ignore[type-arg]
    goal_status: dict[str, Status]
    model: str
    scorer_source: str
    timings: dict[str, float] = field(default_factory=dict)
    embedded: int = 0
    warnings: list[str] = field(default_factory=list)  # about the model and re-ranker (documents keep their own)

    @property
    def unit_by_id(self) -> dict[str, EvidenceUnit]:
        return {u.id: u for u in self.units}

    def doc_of(self, unit: EvidenceUnit) -> Document:
        return self.evidence_docs[unit.doc_index]

    def subgoals(self):  # type: ignore[no-untyped-def]
        for g in self.goals:
            yield from ((g, sg) for sg in g.subgoals)


def load(path: str | Path, overrides: Overrides | None = None) -> Document:
    """Read and structure one report."""
    from linker.io import read
    from linker.normalize import normalize
    from linker.structure import structure

    return structure(normalize(read(path)), overrides)


def analyze(
    goals_path: str | Path,
    evidence_paths: Sequence[str | Path] = (),
    options: Options | None = None,
    *,
    progress: Progress | None = None,
) -> Analysis:
    """Analyse one report (goals and evidence in the same file) or a plan against results."""
    from linker import goals as goals_mod
    from linker.encoders import EmbeddingCache, Prefetch, load_encoder
    from linker.evidence import extract_evidence
    from linker.match import load_scorer, match, passage_texts, query_texts, scorer_mismatch
    from linker.status import judge

    opts = options or Options()
    t = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        t[name] = round(now - clock, 4)
        clock = now

    def say(stage: str, done: int = 0, total: int = 0) -> None:
        if progress:
            progress(stage, done, total)

    say("reading")
    from linker import concepts

    thesaurus = concepts.load(opts.concepts)  # a bad concept file is refused before any work
    goal_doc = load(goals_path, opts.overrides)
    same = not evidence_paths or [Path(p).resolve() for p in evidence_paths] == [Path(goals_path).resolve()]
    evidence_docs = [goal_doc] if same else [load(p, opts.evidence_overrides) for p in evidence_paths]
    lap("read")
    encoder = load_encoder(opts.model)
    cache = None
    prefetch = None
    if encoder is not None:
        # without a cache file, an in-memory one: each distinct text is still embedded once
        cache = EmbeddingCache(opts.cache if opts.use_cache else ":memory:")
        prefetch = Prefetch(encoder, cache)  # embeds in the background while the text work goes on
    say("goals and evidence")
    goals = goals_mod.extract_goals(goal_doc)
    if prefetch is not None:
        prefetch.add(query_texts(goals), query=True)
    units: list[EvidenceUnit] = []
    for i, d in enumerate(evidence_docs):
        try:
            units.extend(extract_evidence(d, i, whole_document=not same))
        except NoEvidenceSection:
            from linker.selfeval import find_tables

            if not (same and find_tables(goal_doc)):
                raise  # a self-evaluation table reports its own results: it needs no evidence section
    if same:  # a goal's own words are never its evidence (self-evaluation rows, goal sentences)
        spans = [(g.start, g.end) for g in goals] + [(sg.start, sg.end) for g in goals for sg in g.subgoals]
        units = [u for u in units if not any(a < u.end and u.start < b for a, b in spans)]
    inline: dict[str, str] = {}  # sub-goal id → its own evidence unit, for targets stated inside evidence
    if not goals and same:
        goals, inline = goals_mod.inline_goals(units, goal_doc)
        if prefetch is not None:
            prefetch.add(query_texts(goals), query=True)
    if prefetch is not None:
        prefetch.add(passage_texts(units), query=False)
    if not goals:
        raise NoGoalSection(
            f"{goal_doc.path}: no goal section found (绩效目标设立情况, 总体目标, 具体绩效指标, 主要目标…); "
            "run `linker inspect` to see the sections and name one with --goals-section"
        )
    if opts.block_overrides:  # a misspelt id is refused before the slow matching, never ignored
        known = {g.id for g in goals} | {sg.id for g in goals for sg in g.subgoals}
        unknown = [k for k in opts.block_overrides if k not in known]
        if unknown:
            raise LinkerError(f"--block-override: no goal or sub-goal {', '.join(unknown)} in {goal_doc.path} "
                              f"(its ids run {goals[0].id} to {goals[-1].id}; `linker analyze -f json` lists them)")
    lap("extract")
    say("loading model")
    scorer = load_scorer(opts.reranker, opts.model)
    model_warnings = list(getattr(encoder, "warnings", None) or [])
    if (w := scorer_mismatch(scorer, opts.model)) is not None:
        model_warnings.append(w)
    lap("load_model")
    total = sum(len(g.subgoals) for g in goals) + len(units)
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        say("embedding", done, total)

    try:
        say("embedding", 0, total)
        result = match(goals, units, encoder=encoder, cache=cache, scorer=scorer, top_k=opts.top_k, progress=tick, prefetch=prefetch,
                       thesaurus=thesaurus)
        from linker.scoring import apply_overrides, classify

        classify(goals, encoder=encoder, cache=cache)
        apply_overrides(goals, opts.block_overrides)
    finally:
        if cache is not None:
            cache.close()
    for sid, uid in inline.items():  # a target stated in a sentence is backed by that sentence
        cands = [c for c in result.candidates.get(sid, []) if c.evidence_id != uid]
        result.candidates[sid] = [Candidate(score=1.0, subgoal_id=sid, evidence_id=uid, source="inline", accepted=True)] + cands
    lap("match")
    say("judging")
    by_id = {u.id: u for u in units}
    ev_year = {i: goals_mod.report_year(d) for i, d in enumerate(evidence_docs)}  # each unit's own document's year
    verdicts, goal_status = judge(goals, result.candidates, by_id, scorer, evidence_year=ev_year, goal_doc=goal_doc)
    lap("status")
    analysis = Analysis(
        goal_doc=goal_doc,
        evidence_docs=evidence_docs,
        goals=goals,
        units=units,
        candidates=result.candidates,
        verdicts=verdicts,
        goal_status=goal_status,
        model=result.model,
        scorer_source=scorer.source,
        timings=t,
        embedded=result.embedded,
        warnings=model_warnings,
    )
    if opts.use_store:
        from linker.feedback import apply_store

        apply_store(analysis, opts.db, scorer=scorer, evidence_year=ev_year)
        lap("feedback")
    return analysis
