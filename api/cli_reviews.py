"""``evidence-graph export`` and ``evidence-graph prisma``: files for review tools, and a
review's PRISMA 2020 counts."""

import json
import sys
from pathlib import Path
from typing import Any

import click
from rdflib import URIRef

from api.cli_common import guarded, opened, settings_from, step, store_options, write_output
from graph.exports import EXPORT_FORMATS, export
from graph.prisma import UnknownReview, prisma_counts, prisma_csv
from graph.record_graph import STAGES
from graph.selection import (
    DECISION_FILTERS,
    Selection,
    SelectionError,
    catalogue,
    query_values,
)
from graph.settings import Settings
from graph.store import DATASET_FORMATS, GRAPH_FORMATS
from graph.stored_queries import InvalidParameter

__all__ = ["export_command", "prisma_command"]

_OUTPUT = click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here."
)


@click.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*DATASET_FORMATS, *GRAPH_FORMATS, *EXPORT_FORMATS]),
    help="RDF: trig (default) or nquads for the dataset, turtle (default with --graph), "
    "ntriples, rdfxml or json-ld for one graph. For review tools: ris (Zotero, EndNote, "
    "Rayyan, ASReview; the default with a selection), asreview-csv, csl-json, bibtex, or "
    "extraction-csv (the findings, in the extraction-sheet layout).",
)
@click.option("--query", help="A stored query whose ?publication column selects.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="A value for --query.")
@click.option("--chase", help="The publications a saved citation chase found.")
@click.option("--hypothesis", help="The evidence for and against a hypothesis (IRI or path).")
@click.option(
    "--graph",
    help="One named graph: as RDF, or (with a review format) the publications it describes.",
)
@click.option("--review", help="The surviving records of a review, with its decisions.")
@click.option(
    "--decision",
    type=click.Choice(DECISION_FILTERS),
    help="With --review: only the records with this decision at --stage.",
)
@click.option("--stage", type=click.Choice(STAGES), default="title-abstract", show_default=True)
@_OUTPUT
@click.option("--queries-dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@store_options
def export_command(
    fmt: str | None,
    query: str | None,
    params: tuple[str, ...],
    chase: str | None,
    hypothesis: str | None,
    graph: str | None,
    review: str | None,
    decision: str | None,
    stage: str,
    output: Path | None,
    queries_dir: Path | None,
    **options: Any,
) -> None:
    """Write the dataset or one named graph as RDF; or, in a review format, every
    publication or those a stored query, a saved chase, a hypothesis, a named graph or a review
    selects, with their screening labels and provenance."""
    settings = settings_from(**options)
    if fmt not in EXPORT_FORMATS and not any((query, params, chase, hypothesis, review, decision)):
        _export_rdf(fmt or ("turtle" if graph else "trig"), settings, graph, output)
        return
    if fmt is not None and fmt not in EXPORT_FORMATS:
        raise click.UsageError(f"a selection is written as {', '.join(EXPORT_FORMATS)}")
    try:
        values = query_values(params)
    except SelectionError as error:
        raise click.UsageError(f"--param {error}") from None
    selection = Selection(query, values, chase, hypothesis, graph, review, decision, stage)
    folder = queries_dir or settings.queries_dir
    stored = guarded(lambda: catalogue(folder)) if selection.needs_stored_queries else {}
    with opened(settings) as store:
        try:
            done = export(store, selection, fmt or "ris", stored, settings.base_iri, step)
        except (SelectionError, InvalidParameter) as error:
            raise click.UsageError(str(error)) from None
    write_output(done.text.encode("utf-8"), output)
    click.echo(f"{done.publications} publications", err=True)


def _export_rdf(fmt: str, settings: Settings, graph: str | None, output: Path | None) -> None:
    if fmt not in DATASET_FORMATS and graph is None:
        raise click.UsageError(
            f"the whole dataset needs a dataset format: {', '.join(DATASET_FORMATS)}"
        )
    if fmt in DATASET_FORMATS and graph is not None:
        raise click.UsageError(f"one graph is written as {', '.join(GRAPH_FORMATS)}")
    with opened(settings) as store:
        if graph is not None and URIRef(graph) not in store.named_graphs():
            raise click.ClickException(f"no such graph: {graph}")
        if output is None:
            store.export(sys.stdout.buffer, fmt, URIRef(graph) if graph else None)
        else:
            store.export(str(output), fmt, URIRef(graph) if graph else None)


@click.command("prisma")
@click.argument("review")
@click.option("--json", "as_json", is_flag=True, help="The counts as JSON, not the CSV.")
@_OUTPUT
@store_options
def prisma_command(review: str, as_json: bool, output: Path | None, **options: Any) -> None:
    """The PRISMA 2020 flow counts of REVIEW as a CSV for the PRISMA2020 flow-diagram tool,
    checked by the shapes; exits 1 when they do not add up."""
    settings = settings_from(**options)
    with opened(settings) as store:
        try:
            counts = prisma_counts(store, review, settings.base_iri)
        except UnknownReview as error:
            raise click.ClickException(str(error)) from None
    data = json.dumps(counts.as_dict(), indent=2) + "\n" if as_json else prisma_csv(counts)
    write_output(data.encode("utf-8"), output)
    if counts.awaiting:
        click.echo(f"{counts.awaiting} reports await a full-text decision", err=True)
    if not counts.adds_up:
        assert counts.report is not None
        for violation in counts.report.violations:
            click.echo(f"does not add up: {violation.message}", err=True)
        raise SystemExit(1)
