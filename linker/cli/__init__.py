"""The ``linker`` command: thin typer commands over library functions.

Each command parses options, calls one library function and renders its
result. Library errors (:class:`linker.errors.LinkerError`) become one line on
stderr and exit code 1; nothing heavy is imported before a command runs, so
``linker --help`` answers at once. One module a command group; importing it
registers its commands on :data:`linker.cli.app.app`.
"""

from __future__ import annotations

import sys

import typer

from linker.cli import core, learn  # noqa: F401  (registers the commands)
from linker.cli import annotate  # noqa: F401  (registers review, annotations export / import)
from linker.cli import batch  # noqa: F401  (registers batch)
from linker.cli.app import app
from linker.errors import LinkerError

__all__ = ["app", "main"]


def main() -> None:
    """Console entry point: library errors (and files that cannot be written) become one line on stderr and exit 1."""
    try:
        app()
    except LinkerError as exc:
        typer.echo(f"linker: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:  # a file that cannot be written (full disk, permissions, a folder in the way)
        where = f"{exc.filename}: " if exc.filename else ""
        typer.echo(f"linker: {where}{exc.strerror or exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        typer.echo("linker: interrupted", err=True)
        sys.exit(130)
