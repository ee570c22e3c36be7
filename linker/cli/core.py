"""analyze, missing, inspect: the core commands."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

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
    _run_analysis,
    _warnings,
    app,
)

FORMATS = ("text", "json", "md", "html", "xlsx")
SUFFIX_FORMATS = {"txt": "text", "markdown": "md", "htm": "html"}  # file suffixes that name a format otherwise


def _report_targets(formats: list[str], out: str | None, source: Path) -> list[tuple[str, Path | None]]:
    """Each report to write, as (format, file; None for the terminal).

    One format goes where -o says (a folder gets SOURCE-NAME.EXT); several need a
    folder, or a name without a suffix that they all share (-o out/report → report.json,
    report.md…). A folder is one that exists, or a name ending in a slash, which is made.
    Without --format the suffix of -o names the format; without either, text.
    """
    output = Path(out) if out is not None else None
    folder = output is not None and (output.is_dir() or out.endswith(("/", os.sep)))
    kinds = []
    for f in formats:
        kind = SUFFIX_FORMATS.get(f.lower(), f.lower())
        if kind not in FORMATS:
            _fail(f"unknown format '{f}'; use text, json, md, html or xlsx")
        if kind not in kinds:
            kinds.append(kind)

    def ext(kind: str) -> str:
        return "txt" if kind == "text" else kind

    if len(kinds) > 1:
        if output is None:
            _fail("several --format need somewhere to write them: -o FOLDER (or -o NAME without a suffix)")
        if folder:
            return [(k, output / f"{source.stem}.{ext(k)}") for k in kinds]
        if output.suffix:
            _fail(f"-o {output}: several --format are written side by side; give a folder or a name without a suffix")
        return [(k, output.with_name(f"{output.name}.{ext(k)}")) for k in kinds]
    if output is not None and folder:
        output = output / f"{source.stem}.{ext(kinds[0]) if kinds else 'html'}"
    if kinds:
        return [(kinds[0], output)]
    if output is None:
        return [("text", None)]
    suffix = output.suffix.lstrip(".").lower()
    kind = SUFFIX_FORMATS.get(suffix, suffix)
    if kind not in FORMATS:
        _fail(f"-o {output}: cannot tell the format from {f'.{suffix}' if suffix else 'a name without suffix'}; "
              "end it in .html, .md, .json, .xlsx or .txt, or pass --format")
    return [(kind, output)]


@app.command()
def analyze(
    files: Annotated[Optional[list[Path]], typer.Argument(help="A report (goals and evidence in one file).", show_default=False)] = None,
    goals: Annotated[Optional[Path], typer.Option("--goals", help="The document holding the goals (a plan).")] = None,
    evidence: Annotated[Optional[list[Path]], typer.Option("--evidence", help="A document holding results; repeatable.")] = None,
    output: Annotated[Optional[str], typer.Option("--output", "-o", help="Write the report here (format from the suffix); a folder (one that exists, or a name ending in /) gets REPORT-NAME.html (or the --format).")] = None,
    fmt: Annotated[Optional[list[str]], typer.Option("--format", "-f", help="text, json, md, html or xlsx; repeat it for several reports (with -o FOLDER).")] = None,
    graph: Annotated[Optional[Path], typer.Option("--graph", help="Also write the goal-evidence graph (.graphml or .json).")] = None,
    model: Model = "e5",
    goals_section: GoalsSection = [],  # noqa: B006 - typer reads defaults, never mutates them
    evidence_section: EvidenceSection = [],  # noqa: B006
    exclude_section: ExcludeSection = [],  # noqa: B006
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write the embedding cache.")] = False,
    block_override: Annotated[Optional[list[str]], typer.Option("--block-override", help="Set a sub-goal's (or goal's) block and category, e.g. g3.2=效果/社会效益; repeatable.")] = None,
    concepts: Concepts = [],  # noqa: B006
    db: Db = None,
    no_store: NoStore = False,
    quiet: Quiet = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also print the time of each stage and the counts.")] = False,
) -> None:
    """Link every sub-goal of a report to its evidence and write a goal-coverage report."""
    # where and how to write is checked before the (slow) analysis
    targets = _report_targets(fmt or [], output, goals or (files[0] if files else Path("report")))
    for kind, target in targets:
        if kind == "xlsx" and target is None:
            _fail("a spreadsheet needs a file: -o report.xlsx")
        if target is not None:
            _check_output(target, "-o")
    if graph is not None:
        if graph.suffix.lower() not in (".graphml", ".json"):
            _fail(f"--graph {graph}: write the graph as .graphml or .json")
        _check_output(graph, "--graph")
    _check_db(db, no_store)
    opts = _options(model, goals_section, evidence_section, exclude_section, no_cache, db=db, no_store=no_store, concepts=concepts)
    if block_override:
        from linker.scoring import parse_override

        opts.block_overrides = dict(parse_override(spec) for spec in block_override)
    a = _run_analysis(list(files or []), goals, list(evidence or []), opts, quiet)
    _warnings(a)
    from linker.report import render

    if graph is not None:
        from linker.graph import build_graph, write_graph

        write_graph(build_graph(a), graph)
    for kind, target in targets:
        render.write(a, kind, target)
        if target is not None and not quiet:
            typer.echo(f"wrote {target}", err=True)
    if verbose:
        _verbose(a)


@app.command()
def missing(
    files: Annotated[Optional[list[Path]], typer.Argument(help="A report (goals and evidence in one file).", show_default=False)] = None,
    goals: Annotated[Optional[Path], typer.Option("--goals", help="The document holding the goals (a plan).")] = None,
    evidence: Annotated[Optional[list[Path]], typer.Option("--evidence", help="A document holding results; repeatable.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, csv or json.")] = "text",
    include_weak: Annotated[bool, typer.Option("--include-weak", help="Also list sub-goals with only doubtful evidence.")] = False,
    include_unmet: Annotated[bool, typer.Option("--include-unmet", help="Also list sub-goals whose numbers contradict the target.")] = False,
    fail_on_missing: Annotated[bool, typer.Option("--fail-on-missing", help="Exit 1 when anything is listed, or any sub-goal lacks accepted evidence (weak ones too).")] = False,
    model: Model = "e5",
    goals_section: GoalsSection = [],  # noqa: B006
    evidence_section: EvidenceSection = [],  # noqa: B006
    concepts: Concepts = [],  # noqa: B006
    db: Db = None,
    no_store: NoStore = False,
    quiet: Quiet = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also print the time of each stage and the counts.")] = False,
) -> None:
    """List the sub-goals that have no accepted evidence, grouped by goal."""
    if fmt not in ("text", "csv", "json"):
        _fail(f"unknown format '{fmt}' for missing; use text, csv or json")
    _check_db(db, no_store)
    opts = _options(model, goals_section, evidence_section, [], db=db, no_store=no_store, concepts=concepts)
    a = _run_analysis(list(files or []), goals, list(evidence or []), opts, quiet)
    _warnings(a)
    from linker.model import Status
    from linker.report import missing_rows, render

    if verbose:
        _verbose(a)
    rows = missing_rows(a, include_weak=include_weak, include_unmet=include_unmet)
    listed = {r["subgoal_id"] for r in rows}
    # a weak sub-goal has no accepted link either: never claimed to have evidence, and never let through
    weak = [sid for sid, v in a.verdicts.items() if v.status == Status.WEAK and sid not in listed]
    render.write_missing(rows, fmt, unlisted_weak=len(weak))
    if fail_on_missing and (rows or weak):
        raise typer.Exit(1)


def _verbose(a) -> None:  # type: ignore[no-untyped-def]
    """Stage times and counts on stderr (--verbose)."""
    stages = ", ".join(f"{k} {v:.2f} s" for k, v in a.timings.items())
    typer.echo(f"{len(a.goals)} goals, {sum(len(g.subgoals) for g in a.goals)} sub-goals, {len(a.units)} evidence sentences, "
               f"{a.embedded} texts embedded; {stages}", err=True)


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
