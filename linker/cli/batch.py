"""batch: analyse every report of a folder into per-report files and one summary table."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from linker.cli.app import (
    Concepts,
    Db,
    EvidenceSection,
    ExcludeSection,
    GoalsSection,
    Model,
    NoStore,
    Quiet,
    _check_db,
    _check_output,
    _fail,
    _options,
    app,
)


@app.command()
def batch(
    folder: Annotated[Path, typer.Argument(help="The folder of reports (and an optional linker-batch.json / .toml manifest).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the per-report files and the summary.")] = Path("reports"),
    fmt: Annotated[list[str], typer.Option("--format", "-f", help="Per-report formats (html, xlsx, md; json is always written); repeatable.")] = ["html", "xlsx"],  # noqa: B006
    workers: Annotated[int | None, typer.Option("--workers", "-j", help="Worker processes (default: one a core).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Analyse every report, even those unchanged since the last run.")] = False,
    fail_on_error: Annotated[bool, typer.Option("--fail-on-error", help="Exit 1 when any report could not be analysed.")] = False,
    model: Model = "e5",
    goals_section: GoalsSection = [],  # noqa: B006
    evidence_section: EvidenceSection = [],  # noqa: B006
    exclude_section: ExcludeSection = [],  # noqa: B006
    concepts: Concepts = [],  # noqa: B006
    db: Db = None,
    no_store: NoStore = False,
    quiet: Quiet = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="A line for every report, with its time.")] = False,
) -> None:
    """Analyse every report in a folder (all cores; unchanged reports skipped) and write a summary table."""
    for f in fmt:
        if f not in ("html", "xlsx", "md", "json"):
            _fail(f"unknown format '{f}' for batch; use html, xlsx, md or json")
    if workers is not None and workers < 1:
        _fail("--workers needs a number of at least 1")
    _check_output(output, "-o", folder=True)
    _check_db(db, no_store)
    from linker.batch import run_batch

    opts = _options(model, goals_section, evidence_section, exclude_section, db=db, no_store=no_store, concepts=concepts)
    prog = None
    if not quiet and sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        prog = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=Console(stderr=True), transient=True)
        task = prog.add_task("reports", total=None)

        def cb(name: str, done: int, total: int) -> None:
            prog.update(task, description=name or "reports", completed=done, total=total)

        with prog:
            result = run_batch(folder, output, opts, formats=fmt, workers=workers, force=force, progress=cb)
    else:
        result = run_batch(folder, output, opts, formats=fmt, workers=workers, force=force)
    if verbose:
        for r in result.results:
            what = "skipped (unchanged)" if r.skipped else ("FAILED" if r.error else f"{r.seconds:.1f} s")
            typer.echo(f"  {r.name}: {what}", err=True)
    if not quiet:
        typer.echo(f"{len(result.results)} reports: {result.analysed} analysed, {result.skipped} unchanged, "
                   f"{len(result.errors)} failed in {result.seconds:.1f} s; summary {result.summary[0]}", err=True)
    if result.errors:
        typer.echo("failed:", err=True)
        for name, err in result.errors:
            typer.echo(f"  {name}: {err}", err=True)
    if fail_on_error and result.errors:
        raise typer.Exit(1)
