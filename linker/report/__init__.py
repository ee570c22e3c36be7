"""Renderers of an :class:`~linker.pipeline.Analysis`: JSON for machines, and the
human formats (HTML, Markdown, spreadsheet), all built from :func:`to_json`."""

from __future__ import annotations

from linker.report.json import SCHEMA_ID, missing_rows, to_json

FORMATS = ("json", "md", "html", "xlsx")

__all__ = ["FORMATS", "SCHEMA_ID", "missing_rows", "to_json"]
