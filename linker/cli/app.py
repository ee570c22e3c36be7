"""The typer app and what its commands share (options, progress, running an analysis)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer


app = typer.Typer(
    name="linker",
    help="Link the goals of Chinese budget-performance reports to the evidence of their results.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

GoalsSection = Annotated[list[str], typer.Option("--goals-section", help="Use this section (title text) as the goals; repeatable.")]
EvidenceSection = Annotated[list[str], typer.Option("--evidence-section", help="Also read this section (title text) as evidence; repeatable.")]
ExcludeSection = Annotated[list[str], typer.Option("--exclude-section", help="Never read this section (title text); repeatable.")]
Model = Annotated[str, typer.Option("--model", "-m", help="Encoder: e5 (default, bundled), lexical, or st:PATH (a local sentence-transformers model).")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")]
Concepts = Annotated[list[Path], typer.Option("--concepts", metavar="FILE", help="A concept file (UTF-8, 'name: term term …' a line) that extends the shipped domain thesaurus; repeatable.")]
Db = Annotated[Optional[Path], typer.Option("--db", help="The annotation database whose judgments override the model (default: $LINKER_DB or ~/.local/share/linker/linker.sqlite).")]
NoStore = Annotated[bool, typer.Option("--no-store", help="Ignore the judgments of the annotation database.")]


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"linker: {message}", err=True)
    raise typer.Exit(code)


def _check_output(path: Path, what: str, *, folder: bool = False) -> None:
    """Refuse at once, before any analysis, an output that cannot be written: a folder where a file goes
    (or a file where a folder goes), or a file in the way of its parent folders."""
    if folder and path.exists() and not path.is_dir():
        _fail(f"{what} {path}: a file is there, not a folder; name a folder")
    if not folder and path.is_dir():
        _fail(f"{what} {path}: a folder is there, not a file; name a file")
    p = path if folder else path.parent
    while not p.exists() and p != p.parent:
        p = p.parent
    if p.exists() and not p.is_dir():
        _fail(f"{what} {path}: {p} is a file, not a folder")
    if p.is_dir() and not os.access(p, os.W_OK | os.X_OK):
        _fail(f"{what} {path}: cannot write into {p} (permission denied)")


def _check_db(db: Optional[Path], no_store: bool) -> None:
    """A --db that is given must exist: analyses only read the store, and a mistyped path would silently mean none."""
    if db is not None and not no_store and not db.is_file():
        _fail(f"--db {db}: no annotation database there; check the path, or review / import first")


def _warnings(a) -> None:  # type: ignore[no-untyped-def]
    """The documents' reading warnings (and judgments that no longer match) on stderr, as ``inspect`` shows them."""
    docs = [a.goal_doc, *(d for d in a.evidence_docs if d is not a.goal_doc)]
    for w in dict.fromkeys([*(w for d in docs for w in d.warnings), *getattr(a, "warnings", [])]):
        typer.echo(f"warning: {w}", err=True)


def _progress(quiet: bool):  # type: ignore[no-untyped-def]
    """A progress callback that draws on a terminal and stays silent otherwise."""
    if quiet or not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    prog = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[count]}"),
                    TimeElapsedColumn(), console=Console(stderr=True), transient=True)
    task = prog.add_task("starting", total=None, count="")

    def cb(stage: str, done: int, total: int) -> None:
        prog.update(task, description=stage, completed=done, total=total or None, count=f"{done}/{total}" if total else "")

    return prog, cb


def _options(model: str, goals_section: list[str], evidence_section: list[str], exclude_section: list[str],
             no_cache: bool = False, reranker: Optional[Path] = None, db: Optional[Path] = None,
             no_store: bool = False, concepts: Optional[list[Path]] = None):  # type: ignore[no-untyped-def]
    from linker.pipeline import Options
    from linker.structure import Overrides

    ov = Overrides(goals=tuple(goals_section), evidence=tuple(evidence_section), exclude=tuple(exclude_section))
    ev = Overrides(evidence=tuple(evidence_section), exclude=tuple(exclude_section))
    opts = Options(model=model, overrides=ov, evidence_overrides=ev, use_cache=not no_cache, db=db, use_store=not no_store,
                   concepts=tuple(concepts or ()))
    if opts.concepts:
        from linker import concepts as concepts_mod
        from linker.errors import LinkerError

        try:
            concepts_mod.load(opts.concepts)  # a bad concept file is refused before anything else is done
        except LinkerError as exc:
            _fail(str(exc))
    if reranker is not None:
        opts.reranker = reranker
    return opts


def _run_analysis(files: list[Path], goals: Optional[Path], evidence: list[Path], opts, quiet: bool):  # type: ignore[no-untyped-def]
    from linker.pipeline import analyze

    if goals is None:
        if len(files) != 1:
            _fail("give one report, or --goals PLAN with --evidence RESULTS")
        goals_path, ev_paths = files[0], evidence or []
    else:
        goals_path, ev_paths = goals, list(files) + list(evidence)
        if not ev_paths:
            _fail("--goals needs --evidence FILE (or the evidence files as arguments)")
    prog, cb = _progress(quiet)
    if prog is not None:
        with prog:
            return analyze(goals_path, ev_paths, opts, progress=cb)
    return analyze(goals_path, ev_paths, opts)
