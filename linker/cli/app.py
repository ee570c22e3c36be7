"""The typer app and what its commands share (options, progress, running an analysis)."""

from __future__ import annotations

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


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"linker: {message}", err=True)
    raise typer.Exit(code)


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
             no_cache: bool = False, reranker: Optional[Path] = None):  # type: ignore[no-untyped-def]
    from linker.pipeline import Options
    from linker.structure import Overrides

    ov = Overrides(goals=tuple(goals_section), evidence=tuple(evidence_section), exclude=tuple(exclude_section))
    ev = Overrides(evidence=tuple(evidence_section), exclude=tuple(exclude_section))
    opts = Options(model=model, overrides=ov, evidence_overrides=ev, use_cache=not no_cache)
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
