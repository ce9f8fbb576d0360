"""The ``evidence-graph`` command line: load, validate, query, list and drop graphs, export,
serve, and the evidence commands (``evidence-map``, ``synthesize``) of ``api.cli_evidence``.

Bad input ends with a one-line message on stderr and a non-zero exit code, never a traceback.
"""

import json
import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TypeVar

import click

from api.cli_citations import chase_command, citation_path_command
from api.cli_common import (
    default_agent,
    guarded,
    opened,
    print_report,
    settings_from,
    step,
    store_options,
)
from api.cli_evidence import evidence_map_command, synthesize_command
from api.cli_import import import_command
from api.cli_reviews import export_command, prisma_command
from graph.examples import load_examples
from graph.imports import list_imports
from graph.parsing import FORMATS, ParseError, Source
from graph.query_output import QUERY_FORMATS, render
from graph.writes import WriteResult, commit, prepare

__all__ = ["main"]

T = TypeVar("T")


def input_files(command: Callable) -> Callable:
    """The RDF files a command reads, and their syntax."""
    command = click.option(
        "--format",
        "fmt",
        type=click.Choice(list(FORMATS)),
        help="Syntax of the files (default: from each file's suffix).",
    )(command)
    files = click.Path(exists=True, dir_okay=False, path_type=Path)
    return click.argument("files", nargs=-1, required=True, type=files)(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="evidence-graph")
def main() -> None:
    """Evidence knowledge graph: studies, findings, claims and hypotheses as validated RDF."""


@main.command()
@input_files
@click.option(
    "--agent",
    default=lambda: default_agent(),
    show_default="your user name",
    help="Who is writing (recorded as PROV).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the result (or the violations) as JSON."
)
@store_options
def load(
    files: tuple[Path, ...], fmt: str | None, agent: str, as_json: bool, **options: Any
) -> None:
    """Validate FILES as one batch and store them as a new named graph."""
    settings = settings_from(**options)
    with opened(settings) as store, ExitStack() as stack:
        sources = _sources(files, fmt, stack)
        total = sum(s.size or 0 for s in sources)
        with click.progressbar(
            length=total, label="reading", file=sys.stderr, show_eta=True
        ) as bar:
            batch = guarded(lambda: prepare(store, sources, settings.base_iri, bar.update, step))
        if not batch.report.conforms:
            print_report(batch.report, as_json)
            raise SystemExit(1)
        step(f"writing {len(batch.graph):,} triples")
        result = guarded(lambda: commit(store, batch, settings.base_iri, agent))
        _print_result(result, as_json)  # acknowledged: the write is already durable


def _print_result(result: WriteResult, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(result.__dict__, indent=2))
        return
    click.echo(f"graph     {result.graph}")
    click.echo(f"triples   {result.triples}")
    click.echo(f"sources   {', '.join(result.sources)}")
    if result.matched:
        click.echo(f"matched   {len(result.matched)} node(s) to stored ones by identifier:")
        for old, new in sorted(result.matched.items()):
            click.echo(f"  {old} -> {new}")


@main.command()
@input_files
@click.option("--json", "as_json", is_flag=True, help="Print the violations as JSON.")
@store_options
def validate(files: tuple[Path, ...], fmt: str | None, as_json: bool, **options: Any) -> None:
    """Check FILES against the shapes, with the stored context, and store nothing.

    Exits 0 when they conform and 1 when they do not.
    """
    settings = settings_from(**options)
    with opened(settings) as store, ExitStack() as stack:
        batch = guarded(lambda: prepare(store, _sources(files, fmt, stack), settings.base_iri))
    print_report(batch.report, as_json)
    if not batch.report.conforms:
        raise SystemExit(1)


@main.command()
@click.argument("sparql", required=False)
@click.option(
    "--file", "query_file", type=click.File("r"), help="Read the query from a file ('-' for stdin)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(QUERY_FORMATS),
    default="table",
    show_default=True,
    help="Output format.",
)
@store_options
def query(sparql: str | None, query_file: Any, fmt: str, **options: Any) -> None:
    """Run a SPARQL query given as an argument, in a file, or on stdin."""
    if sparql is None:
        source = query_file or (None if sys.stdin.isatty() else sys.stdin)
        if source is None:
            raise click.UsageError("give a query as an argument, with --file, or on stdin")
        sparql = source.read()
    with opened(settings_from(**options)) as store:
        result = guarded(lambda: store.query(sparql))
    try:
        click.echo(render(result, fmt), nl=False)
    except ValueError as error:
        raise click.UsageError(str(error)) from None


@main.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="List as JSON.")
@store_options
@click.pass_context
def graphs(ctx: click.Context, as_json: bool, **options: Any) -> None:
    """List the named graphs with their provenance (or drop one: `graphs drop IRI`)."""
    ctx.obj = options
    if ctx.invoked_subcommand is not None:
        return
    with opened(settings_from(**options)) as store:
        records = list_imports(store)
    if as_json:
        click.echo(json.dumps([r.__dict__ for r in records], indent=2))
        return
    for r in records:
        click.echo(f"{r.graph}\t{r.triples} triples\t{r.time}\t{r.agent}\t{r.sources}")


@graphs.command()
@click.argument("graph")
@store_options
@click.pass_obj
def drop(group_options: dict[str, Any], graph: str, **options: Any) -> None:
    """Remove the named graph GRAPH and its description (undo an import)."""
    from rdflib import URIRef

    merged = {**group_options, **{k: v for k, v in options.items() if v is not None}}
    with opened(settings_from(**merged)) as store:
        if not store.drop_graph(URIRef(graph)):
            raise click.ClickException(f"no such graph: {graph}")
    click.echo(f"dropped {graph}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on.",
)
@click.option(
    "--examples/--no-examples",
    "load_examples_",
    default=None,
    help="Load the example evidence into an empty store "
    "[env EVIDENCE_GRAPH_LOAD_EXAMPLES; default on].",
)
@click.option(
    "--queries-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder of your own stored queries (*.rq), served next to the built-in ones "
    "[env EVIDENCE_GRAPH_QUERIES_DIR].",
)
@store_options
def serve(host: str, port: int, load_examples_: bool | None, **options: Any) -> None:
    """Run the HTTP service (uvicorn)."""
    import uvicorn

    from api.app import create_app
    from graph.worker import open_service_store

    settings = settings_from(load_examples=load_examples_, **options)
    store = guarded(lambda: open_service_store(settings))
    try:
        app = guarded(lambda: create_app(settings, store))  # a bad stored query stops here
    except BaseException:
        store.close()
        raise
    uvicorn.run(app, host=host, port=port)


@main.command("load-examples")
@store_options
def load_examples_command(**options: Any) -> None:
    """Load the vocabulary and the example evidence (each a new named graph)."""
    settings = settings_from(**options)
    with opened(settings) as store:
        for result in guarded(lambda: load_examples(store, settings.base_iri)):
            click.echo(f"{result.graph}\t{result.triples} triples\t{', '.join(result.sources)}")


def _sources(files: tuple[Path, ...], fmt: str | None, stack: ExitStack) -> list[Source]:
    sources = []
    for path in files:
        try:
            sources.append(Source.from_path(path, fmt))
        except ParseError as error:
            raise click.ClickException(str(error)) from None
        stack.callback(sources[-1].stream.close)
    return sources


main.add_command(evidence_map_command)
main.add_command(synthesize_command)
main.add_command(import_command)
main.add_command(export_command)
main.add_command(prisma_command)
main.add_command(chase_command)
main.add_command(citation_path_command)
