"""The evidence commands of ``evidence-graph``: ``evidence-map`` and ``synthesize``."""

import json
from pathlib import Path
from typing import Any

import click

from api.cli_common import (
    default_agent,
    guarded,
    opened,
    settings_from,
    store_options,
    write_output,
)
from graph.identifiers import absolute
from graph.query_output import serialize_graph

__all__ = ["evidence_map_command", "synthesize_command"]

#: graph.synthesis.MEASURES, named here so that every other command starts without importing
#: scipy, matplotlib and networkx (seconds): the evidence commands import them when they run.
_MEASURES = ("HR", "OR", "RR", "MD", "RD")


@click.command("evidence-map")
@click.argument("node")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "json-ld", "turtle", "html"]),
    default="json",
    show_default=True,
    help="Output format.",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@store_options
def evidence_map_command(node: str, fmt: str, output: Path | None, **options: Any) -> None:
    """Everything that supports or challenges NODE (a hypothesis, claim or finding: its IRI,
    or its IRI relative to the base such as hypothesis/primary-removal-accelerates-metastases),
    directly or through chains, with stances, studies, estimates, certainty and provenance."""
    from api.evidence_page import map_page  # networkx: only for this command
    from graph.evidence_map import NotInGraph, evidence_map, evidence_subgraph

    settings = settings_from(**options)
    iri = absolute(node, settings.base_iri)
    with opened(settings) as store:
        try:
            if fmt in ("json-ld", "turtle"):
                text = serialize_graph(guarded(lambda: evidence_subgraph(store, iri)), fmt).decode()
            else:
                found = guarded(lambda: evidence_map(store, iri))
                text = (
                    map_page(found, {})
                    if fmt == "html"
                    else json.dumps(found.as_json(), indent=2, ensure_ascii=False) + "\n"
                )
        except NotInGraph as missing:
            raise click.ClickException(str(missing)) from None
    write_output(text.encode("utf-8"), output)


@click.command("synthesize")
@click.option(
    "--intervention",
    "-i",
    multiple=True,
    required=True,
    help="Intervention concept (IRI or label); repeatable.",
)
@click.option(
    "--comparator",
    "-c",
    multiple=True,
    required=True,
    help="Comparator concept (IRI or label); repeatable.",
)
@click.option("--outcome", required=True, help="Outcome concept (IRI or label).")
@click.option("--population", help="Only findings about this population (IRI or label).")
@click.option(
    "--measure",
    type=click.Choice(_MEASURES),
    help="Measure to pool (default: the one reported).",
)
@click.option(
    "--method",
    "methods",
    type=click.Choice(["REML", "DL", "fixed"]),
    multiple=True,
    help="Pooling method; repeatable; the first gives the weights [default: REML].",
)
@click.option("--level", type=float, default=0.95, show_default=True, help="Confidence level.")
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the forest plot here (.svg or .png).",
)
@click.option("--json", "as_json_", is_flag=True, help="Print the synthesis as JSON.")
@click.option(
    "--record", "record_", is_flag=True, help="Write the pooled estimates into the graph."
)
@store_options
def synthesize_command(
    intervention: tuple[str, ...],
    comparator: tuple[str, ...],
    outcome: str,
    population: str | None,
    measure: str | None,
    methods: tuple[str, ...],
    level: float,
    plot: Path | None,
    as_json_: bool,
    record_: bool,
    **options: Any,
) -> None:
    """Meta-analysis of the findings that share an intervention, comparator and outcome:
    each study as printed and as analysed (inverted to one reference arm, standard errors from
    intervals at their stated level), the studies left out and why, and the pooled estimates."""
    if plot is not None and plot.suffix.lower() not in (".svg", ".png"):
        raise click.UsageError(f"--plot must end in .svg or .png, not {plot.name!r}")
    from graph.forest_plot import render
    from graph.pico import UnknownConcept
    from graph.pooled_results import record
    from graph.synthesis import NothingToPool, Selection, synthesize
    from graph.synthesis_report import as_json, forest, text_report

    settings = settings_from(**options)
    selection = Selection(
        intervention, comparator, outcome, population, measure, methods or ("REML",), level
    )
    with opened(settings) as store:
        try:
            result = guarded(lambda: synthesize(store, settings.base_iri, selection))
        except NothingToPool as nothing:
            for e in nothing.exclusions:
                click.echo(f"not pooled: {e.label}: {e.reason}", err=True)
            raise click.ClickException(str(nothing)) from None
        except (UnknownConcept, ValueError, RuntimeError) as error:
            raise click.ClickException(str(error)) from None
        recorded = (
            guarded(lambda: record(store, result, settings.base_iri, default_agent()))
            if record_
            else []
        )
    if plot is not None:
        kind = "svg" if plot.suffix.lower() == ".svg" else "png"
        write_output(render(forest(result), kind), plot)
    if as_json_:
        body = as_json(result) | ({"recorded": [vars(r) for r in recorded]} if record_ else {})
        click.echo(json.dumps(body, indent=2, ensure_ascii=False))
        return
    click.echo(text_report(result), nl=False)
    for r in recorded:
        click.echo(f"{'recorded' if r.stored else 'already recorded'}: {r.method} <{r.iri}>")
