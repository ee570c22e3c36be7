"""review, annotations export / import: the annotation loop."""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Annotated

import typer

from linker.cli.app import (
    Concepts,
    EvidenceSection,
    ExcludeSection,
    GoalsSection,
    Model,
    Quiet,
    _check_output,
    _options,
    _run_analysis,
    _warnings,
    app,
)

Db = Annotated[Path | None, typer.Option("--db", help="The annotation database (default: $LINKER_DB or ~/.local/share/linker/linker.sqlite).")]
Root = Annotated[Path, typer.Option("--root", help="Document paths in the files are relative to this folder.")]

annotations_app = typer.Typer(name="annotations", help="Move judgments between the store and JSONL files (one line per judgment).",
                              no_args_is_help=True, rich_markup_mode=None)
app.add_typer(annotations_app)


def _annotator(name: str | None) -> str:
    if name:
        return name
    if os.environ.get("LINKER_ANNOTATOR"):
        return os.environ["LINKER_ANNOTATOR"]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "anonymous"


@app.command()
def review(
    files: Annotated[list[Path] | None, typer.Argument(help="A report (goals and evidence in one file).", show_default=False)] = None,
    goals: Annotated[Path | None, typer.Option("--goals", help="The document holding the goals (a plan).")] = None,
    evidence: Annotated[list[Path] | None, typer.Option("--evidence", help="A document holding results; repeatable.")] = None,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port on 127.0.0.1 (0: any free port).")] = 8765,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open a web browser.")] = False,
    annotator: Annotated[str | None, typer.Option("--annotator", help="Your name in the judgments (default: $LINKER_ANNOTATOR or the login name).")] = None,
    db: Db = None,
    model: Model = "e5",
    goals_section: GoalsSection = [],  # noqa: B006
    evidence_section: EvidenceSection = [],  # noqa: B006
    exclude_section: ExcludeSection = [],  # noqa: B006
    concepts: Concepts = [],  # noqa: B006
    quiet: Quiet = False,
) -> None:
    """Review the links of a report in the browser: accept, reject, add evidence; every decision goes to the store."""
    from linker.review.server import ReviewApp, make_server
    from linker.store import Store, default_path

    _check_output(db or default_path(), "--db" if db else "annotation database")  # it is written: refuse a bad path before the analysis
    store = Store(db)
    try:
        store.check_writable()  # a read-only store fails now, not after the analysis
        opts = _options(model, goals_section, evidence_section, exclude_section, concepts=concepts)
        opts.db = db
        opts.use_store = False  # the app applies the store's judgments itself (and again after each one)
        a = _run_analysis(list(files or []), goals, list(evidence or []), opts, quiet)
        review_app = ReviewApp(a, store, _annotator(annotator))
    except BaseException:
        store.close()
        raise
    _warnings(review_app.a)
    try:
        server = make_server(review_app, port)
    except OSError as exc:
        store.close()
        from linker.errors import LinkerError

        raise LinkerError(f"cannot listen on 127.0.0.1:{port} ({exc.strerror}); pick another with --port, or --port 0") from exc
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    typer.echo(f"linker review: {url} (store {store.path}); Ctrl-C to stop", err=False)
    if not no_browser:
        import webbrowser

        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        store.close()


@annotations_app.command("export")
def export(
    out: Annotated[Path, typer.Argument(help="Folder to write GOAL.jsonl / GOAL__EVIDENCE.jsonl into.")] = Path("annotations"),
    db: Db = None,
    root: Root = Path("."),
    full: Annotated[bool, typer.Option("--full", help="Also write hashes and spans that the documents on disk imply.")] = False,
    latest: Annotated[bool, typer.Option("--latest", help="Only the judgments that count (no superseded history).")] = False,
) -> None:
    """Write every judgment of the store to JSONL files, in document order."""
    from linker.errors import StoreError
    from linker.store import Store, default_path, export_jsonl

    path = db or default_path()
    if not path.exists():
        raise StoreError(f"no annotation database at {path}; import or review first, or pass --db")
    _check_output(out, "export folder", folder=True)
    with Store(path) as store:
        written = export_jsonl(store, out, root=root, full=full, latest_only=latest)
    for p, n in written.items():
        typer.echo(f"wrote {p} ({n} judgments)", err=True)


@annotations_app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="JSONL files (one judgment a line).")],
    db: Db = None,
    root: Root = Path("."),
) -> None:
    """Check every line, then add them all to the store in one transaction (a bad line changes nothing)."""
    from linker.store import Store, default_path, import_jsonl

    _check_output(db or default_path(), "--db" if db else "annotation database")
    with Store(db) as store:
        result = import_jsonl(store, files, root=root)
    typer.echo(f"imported {result.new} new judgment(s) of {result.read} read", err=True)
