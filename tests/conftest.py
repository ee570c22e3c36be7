"""Shared fixtures: the example reports, the shared folder, and analyses run once per session."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
SCHEMA = SHARED / "schema" / "linker.report-1.schema.json"

SEED = {
    "000": EXAMPLES / "000_3d28e81d7327b640.txt",
    "001": EXAMPLES / "001_255e7cc77b2edc79.txt",
    "002": EXAMPLES / "002_461f9ca52ba1562d.txt",
    "003": EXAMPLES / "003_666c668a4aecd772.txt",
    "004": EXAMPLES / "004_80b70c2aac03ec7c.txt",
}


@pytest.fixture(scope="session", autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every test run embeds into its own cache file, never the user's."""
    os.environ["LINKER_CACHE"] = str(tmp_path_factory.mktemp("cache") / "embeddings.sqlite")
    os.environ.setdefault("LINKER_DB", str(tmp_path_factory.mktemp("db") / "linker.sqlite"))


@pytest.fixture(scope="session")
def schema() -> dict:
    if not SCHEMA.exists():
        pytest.fail(f"the shared report schema is missing: {SCHEMA}")
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def validate(schema: dict):
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)

    def check(report: dict) -> None:
        errors = sorted(validator.iter_errors(report), key=lambda e: list(e.path))
        assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])

    return check


@pytest.fixture(scope="session")
def analysis_000():
    from linker.pipeline import analyze

    return analyze(SEED["000"])


@pytest.fixture(scope="session")
def analysis_003_001():
    from linker.pipeline import analyze

    return analyze(SEED["003"], [SEED["001"]])


def corpus(name: str) -> Path:
    p = CORPUS / name
    if not p.exists():
        pytest.skip(f"{p} is not here (the shared corpus sits beside the repository in CI)")
    return p
