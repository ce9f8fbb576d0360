"""``evidence-graph export`` and ``evidence-graph prisma``: files for review tools, and a
review's PRISMA 2020 counts."""

import json
from pathlib import Path
from typing import Any

import click

from api.cli_common import guarded, opened, settings_from, store_options, write_output
from graph.exports import EXPORT_FORMATS, export
from graph.prisma import UnknownReview, prisma_counts, prisma_csv
from graph.record_graph import STAGES
from graph.selection import DECISION_FILTERS, Selection, SelectionError, catalogue
from graph.stored_queries import InvalidParameter

__all__ = ["export_command", "prisma_command"]

_OUTPUT = click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here."
)


@click.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(EXPORT_FORMATS)),
    default="ris",
    show_default=True,
    help="ris (Zotero, EndNote, Rayyan, ASReview), asreview-csv, csl-json, bibtex, or "
    "extraction-csv (the findings, in the extraction-sheet layout).",
)
@click.option("--query", help="A stored query whose ?publication column selects.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="A value for --query.")
@click.option("--chase", help="The publications a saved citation chase found.")
@click.option("--hypothesis", help="The evidence for and against a hypothesis (IRI or path).")
@click.option("--graph", help="What one named graph (an import) describes.")
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
    fmt: str,
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
    """Write publications for review tools: every publication, or those a stored query, a
    saved chase, a hypothesis, a named graph or a review selects."""
    values: dict[str, list[str]] = {}
    for param in params:
        name, equals, value = param.partition("=")
        if not equals:
            raise click.UsageError(f"--param {param!r} is not NAME=VALUE")
        values.setdefault(name, []).append(value)
    selection = Selection(
        query, {k: v[0] if len(v) == 1 else v for k, v in values.items()}, chase, hypothesis,
        graph, review, decision, stage,
    )  # fmt: skip
    settings = settings_from(**options)
    stored = guarded(lambda: catalogue(queries_dir or settings.queries_dir))
    with opened(settings) as store:
        try:
            done = export(store, selection, fmt, stored, settings.base_iri)
        except (SelectionError, InvalidParameter) as error:
            raise click.UsageError(str(error)) from None
    write_output(done.text.encode("utf-8"), output)
    click.echo(f"{done.publications} publications", err=True)


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
