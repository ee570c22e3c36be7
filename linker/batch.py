"""Analyse every report in a folder: one worker a core, unchanged reports skipped.

A folder holds reports (goals and evidence in the same file) and, optionally, a
manifest ``linker-batch.json`` or ``linker-batch.toml`` naming plans to analyse
against later results::

    {"reports": [{"name": "plan-vs-2022", "goals": "003.txt", "evidence": ["001.txt", "002.txt"]}],
     "exclude": ["draft.txt"]}

    [[reports]]
    name = "plan-vs-2022"
    goals = "003.txt"
    evidence = ["001.txt", "002.txt"]

Files a manifest names are analysed only as it says; every other report in the folder
is analysed on its own. For each job the output folder gets ``NAME.json``, ``NAME.html``
and ``NAME.xlsx`` (the chosen formats), and the whole run one summary table,
``linker-summary.html`` and ``linker-summary.xlsx``. A job whose inputs, settings and
linker version hash to the key recorded in ``.linker-batch-state.json`` and whose
outputs still exist is skipped. A broken file never stops the run: its error is
collected in :attr:`BatchResult.errors`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from linker.errors import InputError, LinkerError

if TYPE_CHECKING:
    from linker.pipeline import Options
    from linker.store import Judgment

MANIFESTS = ("linker-batch.json", "linker-batch.toml")
STATE_FILE = ".linker-batch-state.json"
SUMMARY_NAME = "linker-summary"
FORMATS = ("json", "html", "xlsx")
GAPS_SHOWN = 3

BatchProgress = Callable[[str, int, int], None]  # (job name, done, total)


@dataclass(frozen=True)
class Job:
    """One analysis: a report on its own, or a plan against its results."""

    name: str
    goals: Path
    evidence: tuple[Path, ...] = ()

    @property
    def inputs(self) -> list[Path]:
        return [self.goals, *self.evidence]


@dataclass
class JobResult:
    name: str
    key: str
    outputs: list[str] = field(default_factory=list)
    row: dict[str, Any] | None = None  # the summary-table row
    error: str | None = None
    skipped: bool = False
    seconds: float = 0.0


@dataclass
class BatchResult:
    results: list[JobResult]
    summary: list[Path]
    seconds: float

    @property
    def rows(self) -> list[dict[str, Any]]:
        return [r.row for r in self.results if r.row is not None]

    @property
    def errors(self) -> list[tuple[str, str]]:
        return [(r.name, r.error) for r in self.results if r.error is not None]

    @property
    def analysed(self) -> int:
        return sum(1 for r in self.results if r.error is None and not r.skipped)

    @property
    def skipped(self) -> int:
        return sum(1 for r in self.results if r.skipped)


# --- finding the jobs ------------------------------------------------------------------------------


def _load_manifest(path: Path) -> dict[str, Any]:
    try:
        if path.suffix == ".toml":
            import tomllib

            return tomllib.loads(path.read_text(encoding="utf-8"))
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a valid manifest ({exc}); see `linker batch --help` for its shape") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path}: a manifest is an object with a \"reports\" list")
    return data


def _safe_name(name: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name).strip("._")
    return keep or "report"


def _file_names(value: Any, where: str, *, required: bool = False) -> list[str]:
    """A manifest field that holds a file name or a list of them; InputError names the field when it does not."""
    if value is None or value == []:
        if required:
            raise InputError(f"{where} is missing; it names a report file, e.g. \"003.txt\"")
        return []
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names) or (required and len(names) != 1):
        shape = "a file name (a string)" if required else "a file name or a list of file names (strings)"
        raise InputError(f"{where} must be {shape}, not {json.dumps(value, ensure_ascii=False, default=str)}")
    for n in names:
        if "\x00" in n or any(0xD800 <= ord(c) <= 0xDFFF for c in n):
            raise InputError(f"{where}: {json.dumps(n)} is not a file name (it holds a NUL or half of a UTF-16 pair)")
    return names


def _own_outputs(root: Path, out: str | Path | None) -> set[str]:
    """The names of the files a batch writes into ``root`` when it is its own output folder: never reports."""
    if out is None or Path(out).resolve() != root.resolve():
        return set()
    state = _read_state(root)
    return {o for entry in state["jobs"].values() if isinstance(entry, dict)
            for o in entry.get("outputs") or [] if isinstance(o, str)}


def discover(folder: str | Path, out: str | Path | None = None) -> list[Job]:
    """The jobs of a folder: the manifest's pairs, then every other report file alone.

    Summary tables (``linker-summary.*``) are never reports, nor, when ``out`` is the folder
    itself, the files an earlier run wrote there.
    """
    from linker.io import supported_suffixes

    root = Path(folder)
    if not root.is_dir():
        raise InputError(f"{root}: not a folder; give the folder that holds the reports")
    jobs: list[Job] = []
    claimed: set[Path] = set()
    manifests = [root / m for m in MANIFESTS if (root / m).exists()]
    if len(manifests) > 1:
        raise InputError(f"{root}: both {MANIFESTS[0]} and {MANIFESTS[1]}; keep one")
    for manifest in manifests:
        data = _load_manifest(manifest)
        reports = data.get("reports")
        if reports is None:
            reports = []
        if not isinstance(reports, list):
            raise InputError(f"{manifest}: \"reports\" must be a list of entries ({{\"goals\": …, \"evidence\": […]}}), "
                             f"not {json.dumps(reports, ensure_ascii=False, default=str)}")
        for i, entry in enumerate(reports, 1):
            where = f"{manifest}: entry {i} of \"reports\""
            if not isinstance(entry, dict):
                raise InputError(f"{where} must be an object with \"goals\" (and usually \"evidence\"), "
                                 f"not {json.dumps(entry, ensure_ascii=False, default=str)}")
            unknown = sorted(set(entry) - {"goals", "evidence", "name"})
            if unknown:  # a typo ("evidnce") must not quietly analyse the plan against itself
                raise InputError(f"{where}: unknown field {', '.join(json.dumps(k, ensure_ascii=False) for k in unknown)}; "
                                 "an entry takes \"goals\", \"evidence\" and \"name\"")
            goals_name = _file_names(entry.get("goals"), f"{where}: \"goals\"", required=True)[0]
            ev = _file_names(entry.get("evidence"), f"{where}: \"evidence\"")
            label = entry.get("name")
            if label is not None and not isinstance(label, str):
                raise InputError(f"{where}: \"name\" must be a string, not {json.dumps(label, ensure_ascii=False, default=str)}")
            goals = root / goals_name
            evidence = tuple(root / e for e in ev)
            name = _safe_name(label or Path(goals_name).stem)
            jobs.append(Job(name, goals, evidence))
            claimed.update([goals.resolve(), *(e.resolve() for e in evidence)])
        extra = sorted(set(data) - {"reports", "exclude"}) if isinstance(data, dict) else []
        if extra:
            raise InputError(f"{manifest}: unknown field {', '.join(json.dumps(k, ensure_ascii=False) for k in extra)}; "
                             "a manifest holds \"reports\" and \"exclude\"")
        claimed.update((root / x).resolve() for x in _file_names(data.get("exclude"), f"{manifest}: \"exclude\""))
    suffixes = set(supported_suffixes())
    own = _own_outputs(root, out)
    for p in sorted(root.iterdir()):
        if not p.is_file() or p.name.startswith(".") or p.name in MANIFESTS:
            continue
        if p.stem == SUMMARY_NAME or p.name in own:
            continue
        if p.suffix.lower() not in suffixes or p.resolve() in claimed:
            continue
        jobs.append(Job(_safe_name(p.stem), p))
    names: dict[str, int] = {}
    unique = []
    for j in jobs:
        n = names.get(j.name, 0)
        names[j.name] = n + 1
        unique.append(j if n == 0 else dataclasses.replace(j, name=f"{j.name}-{n + 1}"))
    return unique


# --- keys and state --------------------------------------------------------------------------------


def settings_of(options: Options | None, formats: Sequence[str]) -> dict[str, Any]:
    from linker.pipeline import Options

    opts = options or Options()
    d = dataclasses.asdict(opts)
    d.pop("cache", None)
    d.pop("use_cache", None)  # where vectors are cached changes no result
    if opts.reranker is not None and Path(opts.reranker).is_dir():
        d["reranker_files"] = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                               for p in sorted(Path(opts.reranker).iterdir()) if p.is_file()}
    if opts.concepts:  # a concept file edited since changes the links
        d["concepts_files"] = [hashlib.sha256(Path(p).read_bytes()).hexdigest() if Path(p).is_file() else None
                               for p in opts.concepts]
    d["formats"] = sorted(formats)
    return json.loads(json.dumps(d, default=str))


def store_judgments(options: Options | None) -> list[Judgment]:
    """The judgments an analysis with ``options`` lets override the model (none without a store or with use_store off)."""
    from linker.pipeline import Options
    from linker.store import iter_judgments

    opts = options or Options()
    return list(iter_judgments(opts.db)) if opts.use_store else []


def judgments_state(job: Job, judgments: Sequence[Judgment], goal_sha256: str | None = None) -> str:
    """A fingerprint of the judgments about the job's goal document (matched as :mod:`linker.feedback` does:
    same bytes or same file name): how many, the newest id and the newest time."""
    mine = [j for j in judgments if j.goal_sha256 == goal_sha256 or Path(j.goal_path).name == job.goals.name]
    if not mine:
        return "judgments 0"
    return f"judgments {len(mine)} {max(j.id or 0 for j in mine)} {max(j.when for j in mine)}"


def job_key(job: Job, settings: dict[str, Any], judgments: Sequence[Judgment] = ()) -> str:
    """sha256 of the inputs' bytes (and their roles), the settings, the judgments about the report and the linker version."""
    from linker import __version__

    h = hashlib.sha256()
    h.update(f"linker {__version__}\n".encode())
    h.update(json.dumps(settings, sort_keys=True).encode())
    goal_sha = None
    for role, p in [("goals", job.goals), *(("evidence", e) for e in job.evidence)]:
        h.update(f"\n{role} ".encode())
        try:
            digest = hashlib.sha256(p.read_bytes()).hexdigest()
        except OSError:
            h.update(f"unreadable {p}".encode())
            continue
        h.update(digest.encode())
        if role == "goals":
            goal_sha = digest
    h.update(f"\n{judgments_state(job, judgments, goal_sha)}".encode())
    return h.hexdigest()


def _read_state(out: Path) -> dict[str, Any]:
    try:
        data = json.loads((out / STATE_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and isinstance(data.get("jobs"), dict) else {"jobs": {}}
    except (OSError, ValueError):
        return {"jobs": {}}


def _write_state(out: Path, state: dict[str, Any]) -> None:
    tmp = out / f"{STATE_FILE}.tmp"
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(out / STATE_FILE)


# --- one job (runs in a worker process) ------------------------------------------------------------


def summary_row(name: str, report: dict[str, Any]) -> dict[str, Any]:
    """A report's line in the batch summary: sub-goals by status, 产出/效果 support, worst gaps."""
    from linker.report.html import STATUS_ORDER, score_blocks

    counts = dict.fromkeys(STATUS_ORDER, 0)
    counts.update((report.get("summary") or {}).get("status") or {})
    gaps = []
    for g in report["goals"]:
        n = len(g["subgoals"])
        lacking = [sg for sg in g["subgoals"] if sg["status"] in ("unevidenced", "weak", "unmet")]
        if lacking:
            gaps.append((len(lacking) / n, len(lacking), g["id"], g["text"], n))
    gaps.sort(key=lambda t: (-t[0], -t[1]))
    support = {}
    for b in score_blocks(report):
        if b.get("block"):
            support[b["block"]] = {k: b.get(k) for k in ("subgoals", "evidenced", "met", "unmet", "share_supported",
                                                          "suggested", "self_reported", "max")}
    return {
        "name": name,
        "goal_document": report["goal_document"]["path"],
        "evidence_documents": [d["path"] for d in report.get("evidence_documents") or [report["evidence_document"]]],
        "goals": len(report["goals"]),
        "subgoals": sum(counts.values()),
        "status": counts,
        "support": support,
        "worst_gaps": [{"goal_id": gid, "goal": text, "lacking": k, "subgoals": n} for _, k, gid, text, n in gaps[:GAPS_SHOWN]],
        "unmet": [sg["id"] for g in report["goals"] for sg in g["subgoals"] if sg["status"] == "unmet"],
    }


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def run_job(job: Job, out: str | Path, options: Options | None, formats: Sequence[str], key: str) -> JobResult:
    """Analyse one job and write its files; every error becomes :attr:`JobResult.error`, never an exception."""
    t0 = time.perf_counter()
    out = Path(out)
    try:
        from linker.pipeline import analyze
        from linker.report.json import to_json

        a = analyze(job.goals, list(job.evidence), options)
        report = to_json(a)
        outputs = []
        for fmt in formats:
            target = out / f"{job.name}.{fmt}"
            if fmt == "json":
                data = (json.dumps(report, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
            elif fmt == "html":
                from linker.report import html

                data = html.render(report).encode("utf-8")
            elif fmt == "xlsx":
                from linker.report import xlsx

                data = xlsx.render(report)
            elif fmt == "md":
                from linker.report import markdown

                data = markdown.render(report).encode("utf-8")
            else:
                raise LinkerError(f"unknown format '{fmt}' for batch; use json, html, xlsx or md")
            _write(target, data)
            outputs.append(target.name)
        return JobResult(job.name, key, outputs, summary_row(job.name, report), seconds=time.perf_counter() - t0)
    except LinkerError as exc:
        return JobResult(job.name, key, error=str(exc), seconds=time.perf_counter() - t0)
    except Exception as exc:  # noqa: BLE001 - one broken file must not stop a batch; its error is reported
        return JobResult(job.name, key, error=f"{type(exc).__name__}: {exc}", seconds=time.perf_counter() - t0)


# --- the batch ------------------------------------------------------------------------------------


def run_batch(
    folder: str | Path,
    out: str | Path,
    options: Options | None = None,
    *,
    formats: Sequence[str] = ("html", "xlsx"),
    workers: int | None = None,
    force: bool = False,
    progress: BatchProgress | None = None,
) -> BatchResult:
    """Analyse every job of ``folder`` into ``out`` and write the summary table; see the module doc."""
    t0 = time.perf_counter()
    out = Path(out)
    fmts = ["json", *(f for f in dict.fromkeys(formats) if f != "json")]
    jobs = discover(folder, out)
    settings = settings_of(options, fmts)
    judgments = store_judgments(options)
    state = _read_state(out)
    inputs = {p.resolve() for j in jobs for p in j.inputs}
    results: dict[str, JobResult] = {}
    todo: list[tuple[Job, str]] = []
    for job in jobs:
        key = job_key(job, settings, judgments)
        prev = state["jobs"].get(job.name) or {}
        outputs = prev.get("outputs") or []
        clash = [f"{job.name}.{f}" for f in fmts if (out / f"{job.name}.{f}").resolve() in inputs]
        if clash:  # the output folder is the input folder, and a report has the name of an output
            results[job.name] = JobResult(job.name, key, error=f"its output {clash[0]} would overwrite the report of that name; "
                                                               "write the outputs to another folder with -o")
        elif not force and prev.get("key") == key and prev.get("row") is not None and outputs and all((out / o).exists() for o in outputs):
            results[job.name] = JobResult(job.name, key, list(prev["outputs"]), prev["row"], skipped=True)
        else:
            todo.append((job, key))
    if todo:  # a model that cannot be loaded fails every job: say so once, before anything is written
        from linker.encoders import load_encoder
        from linker.pipeline import Options

        load_encoder((options or Options()).model)
    out.mkdir(parents=True, exist_ok=True)
    total, done = len(jobs), len(results)
    if progress:
        progress("", done, total)
    n = max(1, min(workers or os.cpu_count() or 1, len(todo)))
    if n == 1:
        for job, key in todo:
            if progress:
                progress(job.name, done, total)
            results[job.name] = run_job(job, out, options, fmts, key)
            done += 1
            if progress:
                progress(job.name, done, total)
    elif todo:
        # spawn, never fork: a forked child of a process whose e5 encoder has started its
        # OpenMP threads deadlocks on the first embedding
        import multiprocessing

        with ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {pool.submit(run_job, job, out, options, fmts, key): (job, key) for job, key in todo}
            for fut in as_completed(futures):
                job, key = futures[fut]
                try:
                    results[job.name] = fut.result()
                except Exception as exc:  # noqa: BLE001 - a worker that died (e.g. out of memory) is one failed job
                    results[job.name] = JobResult(job.name, key, error=f"worker failed: {type(exc).__name__}: {exc}")
                done += 1
                if progress:
                    progress(job.name, done, total)
    ordered = [results[j.name] for j in jobs]
    # only a success replaces an entry: a job that failed (or is gone) keeps that of its last good run, whose files are still there
    jobs_state = {**state["jobs"], **{r.name: {"key": r.key, "outputs": r.outputs, "row": r.row} for r in ordered if r.error is None}}
    _write_state(out, {"linker_batch": 1, "jobs": jobs_state})
    result = BatchResult(ordered, [], 0.0)
    result.summary = write_summary(result, out)
    result.seconds = time.perf_counter() - t0
    return result


def write_summary(result: BatchResult, out: Path) -> list[Path]:
    """``linker-summary.html`` and ``.xlsx``: one row a report, then the errors."""
    html_path = out / f"{SUMMARY_NAME}.html"
    xlsx_path = out / f"{SUMMARY_NAME}.xlsx"
    _write(html_path, summary_html(result).encode("utf-8"))
    _write(xlsx_path, summary_xlsx(result))
    return [html_path, xlsx_path]


def _support_text(row: dict[str, Any], block: str) -> str:
    from linker.report.html import fmt_score, fmt_share

    b = (row.get("support") or {}).get(block)
    if not b:
        return "—"
    text = (f"{fmt_share(b.get('share_supported'))} 有佐证（{b.get('subgoals') or 0} 项中达成 {b.get('met') or 0}、"
            f"未达成 {b.get('unmet') or 0}、有佐证 {b.get('evidenced') or 0}）")
    if b.get("self_reported") is not None or b.get("suggested") is not None:
        text += f" 自评 {fmt_score(b.get('self_reported'))} / 建议 {fmt_score(b.get('suggested'))}"
    return text


def _gaps_text(row: dict[str, Any]) -> str:
    return "；".join(f"{g['goal_id']} {g['goal']}（{g['lacking']}/{g['subgoals']} 缺佐证）" for g in row.get("worst_gaps") or [])


def summary_html(result: BatchResult) -> str:
    from linker import __version__
    from linker.report.html import _environment

    env = _environment()
    env.globals.update(support_text=_support_text, gaps_text=_gaps_text)
    return env.get_template("summary.html.j2").render(result=result, version=__version__)


def summary_xlsx(result: BatchResult) -> bytes:
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from linker.report.html import STATUS_COLOR, STATUS_ORDER, STATUS_ZH

    from linker.report.xlsx import append  # every value without the control characters a workbook refuses

    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    header = ["报告", "目标文档", "佐证文档", "目标", "子目标", *(STATUS_ZH[s] for s in STATUS_ORDER),
              "产出 佐证", "效果 佐证", "最大缺口", "未达成子目标", "本次"]
    widths = [22, 34, 34, 7, 8, 8, 8, 8, 9, 9, 26, 26, 60, 20, 8]
    ws.append(header)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
        ws.cell(row=1, column=i).font = Font(bold=True)
    for i, s in enumerate(STATUS_ORDER, start=6):
        fg, bg = STATUS_COLOR[s]
        ws.cell(row=1, column=i).fill = PatternFill(start_color=bg.lstrip("#").upper(), end_color=bg.lstrip("#").upper(), fill_type="solid")
        ws.cell(row=1, column=i).font = Font(bold=True, color=fg.lstrip("#").upper())
    for r in result.results:
        if r.row is None:
            continue
        row = r.row
        append(ws, [row["name"], row["goal_document"], "\n".join(row["evidence_documents"]), row["goals"], row["subgoals"],
                   *(row["status"].get(s, 0) for s in STATUS_ORDER), _support_text(row, "产出"), _support_text(row, "效果"),
                   _gaps_text(row), "、".join(row.get("unmet") or []), "跳过" if r.skipped else "分析"])
        for c in range(1, len(header) + 1):
            ws.cell(row=ws.max_row, column=c).alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{ws.max_row}"
    if result.errors:
        es = wb.create_sheet("错误")
        es.append(["报告", "错误"])
        es.column_dimensions["A"].width = 24
        es.column_dimensions["B"].width = 100
        for name, err in result.errors:
            append(es, [name, err])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
