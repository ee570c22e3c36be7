"""The ``linker`` command: thin typer commands over library functions.

Each command parses options, calls one library function and renders its
result. Library errors (:class:`linker.errors.LinkerError`) become one line on
stderr and exit code 1; nothing heavy is imported before a command runs, so
``linker --help`` answers at once.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from linker.errors import LinkerError

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


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"linker: {message}", err=True)
    raise typer.Exit(code)


def _progress(quiet: bool):  # type: ignore[no-untyped-def]
    """A progress callback that draws on a terminal and stays silent otherwise."""
    if quiet or not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    prog = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TimeElapsedColumn(), console=Console(stderr=True), transient=True)
    task = prog.add_task("starting", total=None)

    def cb(stage: str, done: int, total: int) -> None:
        prog.update(task, description=stage, completed=done, total=total or None)

    return prog, cb


def _options(model: str, goals_section: list[str], evidence_section: list[str], exclude_section: list[str],
             no_cache: bool = False, reranker: Optional[Path] = None):  # type: ignore[no-untyped-def]
    from linker.pipeline import Options
    from linker.structure import Overrides

    ov = Overrides(goals=tuple(goals_section), evidence=tuple(evidence_section), exclude=tuple(exclude_section))
    ev = Overrides(evidence=tuple(evidence_section), exclude=tuple(exclude_section))
    default_reranker = Path(__file__).resolve().parents[2] / "models" / "reranker"
    return Options(model=model, overrides=ov, evidence_overrides=ev, use_cache=not no_cache,
                   reranker=reranker if reranker is not None else default_reranker)


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


@app.command()
def analyze(
    files: Annotated[Optional[list[Path]], typer.Argument(help="A report (goals and evidence in one file).", show_default=False)] = None,
    goals: Annotated[Optional[Path], typer.Option("--goals", help="The document holding the goals (a plan).")] = None,
    evidence: Annotated[Optional[list[Path]], typer.Option("--evidence", help="A document holding results; repeatable.")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report here (format from the suffix).")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="text, json, md, html or xlsx.")] = None,
    graph: Annotated[Optional[Path], typer.Option("--graph", help="Also write the goal-evidence graph (.graphml or .json).")] = None,
    model: Model = "e5",
    goals_section: GoalsSection = [],  # noqa: B006 - typer reads defaults, never mutates them
    evidence_section: EvidenceSection = [],  # noqa: B006
    exclude_section: ExcludeSection = [],  # noqa: B006
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the embedding cache.")] = False,
    quiet: Quiet = False,
) -> None:
    """Link every sub-goal of a report to its evidence and write a goal-coverage report."""
    opts = _options(model, goals_section, evidence_section, exclude_section, no_cache)
    a = _run_analysis(list(files or []), goals, list(evidence or []), opts, quiet)
    from linker.report import render

    kind = fmt or (output.suffix.lstrip(".").lower() if output is not None else "text")
    if kind == "markdown":
        kind = "md"
    if graph is not None:
        from linker.graph import build_graph, write_graph

        write_graph(build_graph(a), graph)
    render.write(a, kind, output)
    if output is not None and not quiet:
        typer.echo(f"wrote {output}", err=True)


@app.command()
def missing(
    files: Annotated[Optional[list[Path]], typer.Argument(help="A report (goals and evidence in one file).", show_default=False)] = None,
    goals: Annotated[Optional[Path], typer.Option("--goals", help="The document holding the goals (a plan).")] = None,
    evidence: Annotated[Optional[list[Path]], typer.Option("--evidence", help="A document holding results; repeatable.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, csv or json.")] = "text",
    include_weak: Annotated[bool, typer.Option("--include-weak", help="Also list sub-goals with only doubtful evidence.")] = False,
    include_unmet: Annotated[bool, typer.Option("--include-unmet", help="Also list sub-goals whose numbers contradict the target.")] = False,
    fail_on_missing: Annotated[bool, typer.Option("--fail-on-missing", help="Exit 1 when anything is listed.")] = False,
    model: Model = "e5",
    goals_section: GoalsSection = [],  # noqa: B006
    evidence_section: EvidenceSection = [],  # noqa: B006
    quiet: Quiet = False,
) -> None:
    """List the sub-goals that have no accepted evidence, grouped by goal."""
    if fmt not in ("text", "csv", "json"):
        _fail(f"unknown format '{fmt}' for missing; use text, csv or json")
    opts = _options(model, goals_section, evidence_section, [])
    a = _run_analysis(list(files or []), goals, list(evidence or []), opts, quiet)
    from linker.report import missing_rows, render

    rows = missing_rows(a, include_weak=include_weak, include_unmet=include_unmet)
    render.write_missing(rows, fmt)
    if fail_on_missing and rows:
        raise typer.Exit(1)


@app.command()
def inspect(
    file: Annotated[Path, typer.Argument(help="A report.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    goals_section: GoalsSection = [],  # noqa: B006
    evidence_section: EvidenceSection = [],  # noqa: B006
    exclude_section: ExcludeSection = [],  # noqa: B006
) -> None:
    """Show how a report was read: its section tree with roles, tables and goals found."""
    if fmt not in ("text", "json"):
        _fail(f"unknown format '{fmt}' for inspect; use text or json")
    from linker.pipeline import load
    from linker.report import render
    from linker.structure import Overrides

    doc = load(file, Overrides(goals=tuple(goals_section), evidence=tuple(evidence_section), exclude=tuple(exclude_section)))
    render.write_inspection(doc, fmt)


def main() -> None:
    """Console entry point: library errors become one line on stderr and exit 1."""
    try:
        app()
    except LinkerError as exc:
        typer.echo(f"linker: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        typer.echo("linker: interrupted", err=True)
        sys.exit(130)
