"""train and eval: learning the link scorer from annotations, and measuring it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from linker.cli.app import Model, _check_output, _fail, _progress, app

ROOT = Path(__file__).resolve().parents[2]
Annotations = Annotated[Path, typer.Option("--annotations", help="Folder of annotation JSONL files.")]
Db = Annotated[Optional[Path], typer.Option("--db", help="Annotation store to learn from too (default: $LINKER_DB or ~/.local/share/linker/linker.sqlite).")]
NoStore = Annotated[bool, typer.Option("--no-store", help="Learn from the JSONL files only.")]


def _gold(folder: Path, db: Path | None = None, *, use_store: bool = True):  # type: ignore[no-untyped-def]
    """Gold from the JSONL files of ``folder`` and, when it exists, the annotation store."""
    from linker.evaluate import gold_from_store, load_gold, merge_gold
    from linker.store import iter_judgments

    files = sorted(folder.glob("*.jsonl")) if folder.is_dir() else []
    from_files = load_gold(files)
    from_store = gold_from_store(iter_judgments(db, latest_only=True), _root_for(folder)) if use_store else []
    sets = merge_gold(from_files, from_store)
    if not sets:
        _fail(f"{folder}: no annotation files (*.jsonl) and no judgments in the store to learn from")
    return files, sets


def _root_for(folder: Path) -> Path:
    """Annotation paths are relative to the repository that holds the annotations folder."""
    return folder.resolve().parent


def _prepare(sets, folder: Path, model: str):  # type: ignore[no-untyped-def]
    """Analyse every annotated document pair once, with a progress bar on a terminal."""
    from linker.train import prepare

    prog, cb = _progress(False)
    if prog is None:
        return prepare(sets, _root_for(folder), model=model)
    done = 0

    def step(name: str) -> None:
        nonlocal done
        cb(f"analysing {name}", done, len(sets))
        done += 1

    with prog:
        return prepare(sets, _root_for(folder), model=model, progress=step)


def _table(rows: list[tuple[str, dict]]) -> str:  # type: ignore[type-arg]
    keys = ["precision", "recall", "f1", "recall@3", "evidence_decision_accuracy", "subgoals", "gold_links"]
    out = [f"{'':<44}" + "".join(f"{k[:10]:>11}" for k in keys)]
    for name, d in rows:
        out.append(f"{name[:44]:<44}" + "".join(f"{d.get(k, 0):>11}" for k in keys))
    return "\n".join(out)


@app.command()
def eval(  # noqa: A001 - the command is called eval
    annotations: Annotations = ROOT / "annotations",
    model: Model = "e5",
    db: Db = None,
    no_store: NoStore = False,
) -> None:
    """Print link precision/recall/F1 against annotations, before and after training (cross-validated)."""
    from linker.match import DEFAULT_SCORER
    from linker.train import cross_validate, evaluate

    _, sets = _gold(annotations, db, use_store=not no_store)
    preps = _prepare(sets, annotations, model)
    before, per_before = evaluate(preps, DEFAULT_SCORER)
    rows = [(f"before: {k}", v.as_dict()) for k, v in per_before.items()] + [("before: all", before.as_dict())]
    if len(preps) >= 2:
        after, per_after = cross_validate(preps)
        rows += [(f"after (CV): {k}", v.as_dict()) for k, v in per_after.items()] + [("after (CV): all", after.as_dict())]
    else:
        rows.append(("after: needs annotations of two documents for cross-validation", {}))
    typer.echo(_table(rows))


@app.command()
def train(
    annotations: Annotations = ROOT / "annotations",
    model: Model = "e5",
    out: Annotated[Optional[Path], typer.Option("--out", help="Where the re-ranker is written (default: $LINKER_MODELS/reranker, else models/reranker: where analyses look for it).", show_default=False)] = None,
    finetune: Annotated[bool, typer.Option("--finetune", help="Also fine-tune the encoder (e5 is exported to models/e5-st first; needs torch).")] = False,
    db: Db = None,
    no_store: NoStore = False,
) -> None:
    """Fit the link re-ranker on all annotations (cross-validated figures first) and save it under models/."""
    from linker.train import choose_c, cross_validate, evaluate, fit, save

    if out is None:  # where `linker analyze` will look for it
        env = os.environ.get("LINKER_MODELS")
        out = Path(env) / "reranker" if env else ROOT / "models" / "reranker"
    _check_output(out, "--out", folder=True)  # before the (long) training
    _check_reranker_folder(out)
    files, sets = _gold(annotations, db, use_store=not no_store)
    metrics: dict = {}  # type: ignore[type-arg]
    if finetune:
        if model == "e5":
            base = out.parent / "e5-st"
            from linker.e5export import is_export

            if not is_export(base):
                typer.echo(f"exporting the bundled e5 as a sentence-transformers model to {base}")
                _export(base)
            model = f"st:{base}"
        if not model.startswith("st:"):
            _fail("--finetune works on e5 and on sentence-transformers models (--model st:PATH)")
        from linker.errors import LinkerError
        from linker.finetune import finetune_encoder

        try:
            model = f"st:{finetune_encoder(model[3:], sets, _root_for(annotations), out.parent)}"
        except LinkerError as exc:
            _fail(str(exc))
        typer.echo(f"fine-tuned encoder written; analyse with --model {model}")
        metrics["note"] = "the encoder was fine-tuned on all the annotations, so the cross-validated figures are optimistic"
    preps = _prepare(sets, annotations, model)
    if len(preps) >= 2:
        cv, _ = cross_validate(preps)
        metrics["cross_validated"] = cv.as_dict()
    metrics["l2_C"] = c = choose_c(preps)
    scorer = fit(preps, c=c)
    train_scores, _ = evaluate(preps, scorer)
    metrics["training"] = train_scores.as_dict()
    path = save(scorer, out, model=model, annotations=files, metrics=metrics)
    rows = [(k, v) for k, v in metrics.items() if isinstance(v, dict)]
    typer.echo(_table(rows))
    typer.echo(f"wrote {path}")


def _check_reranker_folder(out: Path) -> None:
    """Refuse a folder whose config.json belongs to something else (a model): saving would replace it."""
    config = out / "config.json"
    if not config.exists():
        return
    try:
        kind = json.loads(config.read_text(encoding="utf-8")).get("kind")
    except (ValueError, AttributeError, OSError):
        kind = None
    if kind != "linker.reranker/1":
        _fail(f"--out {out}: its config.json is not a linker re-ranker (a model folder?); choose an empty folder")


def _export(out: Path) -> Path:
    from linker.e5export import export_e5
    from linker.errors import LinkerError

    try:
        return export_e5(out)
    except ImportError as exc:
        _fail(f"exporting e5 needs torch and sentence-transformers: pip install torch==2.13.0 'linker[st]' ({exc.name} is missing)")
    except (LinkerError, OSError) as exc:
        _fail(f"cannot export e5 to {out}: {exc}")


@app.command("export-e5")
def export_e5_command(
    out: Annotated[Path, typer.Argument(help="Directory to write the model to (about 470 MB).")] = ROOT / "models" / "e5-st",
) -> None:
    """Write the bundled e5 as a sentence-transformers model directory (for --model st:DIR and fine-tuning)."""
    _check_output(out, "export folder", folder=True)
    path = _export(out)
    typer.echo(f"wrote {path}; use it with --model st:{path}")
