"""What the ``evidence-graph`` commands share: the store options, opening the store, and
turning refused input into a one-line message instead of a traceback."""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import ValidationError

from graph.parsing import ParseError
from graph.settings import Settings
from graph.store import Store, StoreError, open_store
from graph.stored_queries import CatalogueError
from graph.validation import ValidationReport
from graph.writes import InvalidBatch, WriteError

__all__ = [
    "default_agent",
    "guarded",
    "opened",
    "print_report",
    "settings_from",
    "step",
    "store_options",
    "write_output",
]

T = TypeVar("T")


def settings_from(**overrides: Any) -> Settings:
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in error.errors()
        )
        raise click.UsageError(f"invalid setting: {problems}") from None


def store_options(command: Callable) -> Callable:
    """The options that say which store to open (each also an EVIDENCE_GRAPH_* variable)."""
    command = click.option(
        "--base-iri", help="Base of minted instance IRIs [env EVIDENCE_GRAPH_BASE_IRI]."
    )(command)
    command = click.option(
        "--store",
        type=click.Choice(["oxigraph", "memory", "sparql"]),
        help="Store backend [env EVIDENCE_GRAPH_STORE; default oxigraph].",
    )(command)
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="Directory of the on-disk store [env EVIDENCE_GRAPH_DATA_DIR; default ./data].",
    )(command)


@contextmanager
def opened(settings: Settings) -> Iterator[Store]:
    try:
        store = open_store(settings)
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    try:
        yield store
    finally:
        store.close()


def guarded(action: Callable[[], T]) -> T:
    """Run ``action``; turn the errors bad input causes into a clean message."""
    try:
        return action()
    except InvalidBatch as error:
        print_report(error.report, as_json=False)
        raise SystemExit(1) from None
    except (WriteError, ParseError, StoreError, CatalogueError) as error:
        raise click.ClickException(str(error)) from None


def print_report(report: ValidationReport, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
        return
    if report.conforms:
        click.echo("conforms: no violations")
        return
    click.echo(f"does not conform: {len(report.violations)} violation(s)", err=True)
    for v in report.violations:
        path = f" {v.path}" if v.path else ""
        value = f" = {v.value}" if v.value is not None else ""
        click.echo(f"- {v.focus_node}{path}{value}\n  {v.message} [{v.constraint}]", err=True)


def default_agent() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def write_output(data: bytes, output: Path | None) -> None:
    """Write ``data`` to ``output``, or to stdout when there is none."""
    if output is None:
        click.echo(data.decode("utf-8"), nl=False)
    else:
        try:
            output.write_bytes(data)
        except OSError as error:
            raise click.ClickException(f"cannot write {output}: {error.strerror}") from None
        click.echo(f"wrote {output}", err=True)


def step(message: str) -> None:
    """Say on stderr what a long command is doing next (the write path's steps)."""
    click.echo(f"{message}...", err=True)
