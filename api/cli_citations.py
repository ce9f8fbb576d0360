"""The citation commands of ``evidence-graph``: ``chase`` and ``citation-path``."""

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

__all__ = ["chase_command", "citation_path_command"]

#: graph.chase's DIRECTIONS, RANKINGS, MAX_HOPS and DEFAULT_LIMIT, named here so that the other
#: commands start without importing networkx and scipy: the citation commands import them when
#: they run.
_DIRECTIONS = ("backward", "forward", "both")
_RANKINGS = ("relatedness", "co-citation", "coupling", "pagerank")
_MAX_HOPS = 3
_DEFAULT_LIMIT = 1000


@click.command("chase")
@click.argument("seeds", nargs=-1, required=True)
@click.option("--direction", type=click.Choice(_DIRECTIONS), default="both", show_default=True)
@click.option("--hops", type=click.IntRange(1, _MAX_HOPS), default=1, show_default=True)
@click.option("--ranking", type=click.Choice(_RANKINGS), default="relatedness", show_default=True)
@click.option(
    "--limit",
    type=click.IntRange(0),
    default=_DEFAULT_LIMIT,
    show_default=True,
    help="Keep the best this many; 0 for all.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "ris"]),
    default="table",
    show_default=True,
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here.")
@click.option("--save", help="Save the records in the graph as a chase of this name.")
@click.option(
    "--agent",
    default=lambda: default_agent(),
    show_default="your user name",
    help="Who saves the chase (recorded as PROV).",
)
@store_options
def chase_command(
    seeds: tuple[str, ...],
    direction: str,
    hops: int,
    ranking: str,
    limit: int,
    fmt: str,
    output: Path | None,
    save: str | None,
    agent: str,
    **options: Any,
) -> None:
    """Chase citations from SEEDS (doi:..., pmid:..., pmcid:..., IRIs, or IRIs relative to the
    base such as publication/badwe2013): what they cite (backward), what cites them (forward)
    or both, up to --hops, each publication once with its seeds, hops and kind of chain
    (backward, forward, co-cited, co-citing), ranked by co-citation + coupling (relatedness),
    one of them, or PageRank."""
    from graph.chase import ChaseRequest, chase
    from graph.chase_output import as_csv, as_ris
    from graph.citations import UnknownPublication
    from graph.saved_chases import save_chase

    settings = settings_from(**options)
    request = ChaseRequest(seeds, direction, hops, ranking, limit or None)
    with opened(settings) as store:
        try:
            result = chase(store, request, settings.base_iri)
        except (UnknownPublication, ValueError) as error:
            raise click.ClickException(str(error)) from None
        if save is not None:
            try:
                saved = guarded(lambda: save_chase(store, result, save, settings.base_iri, agent))
            except ValueError as error:
                raise click.ClickException(str(error)) from None
            click.echo(f"saved as {saved}", err=True)
    text = {
        "json": lambda: json.dumps(result.as_json(), indent=2, ensure_ascii=False) + "\n",
        "csv": lambda: as_csv(result),
        "ris": lambda: as_ris(result),
        "table": lambda: _table(result.as_json()),
    }[fmt]()
    write_output(text.encode("utf-8"), output)


def _table(found: dict) -> str:
    summary = found["chase"]
    hops = ", ".join(f"{n} at hop {h}" for h, n in summary["per_hop"].items()) or "none"
    kinds = ", ".join(f"{n} {d}" for d, n in summary["per_direction"].items())
    lines = [
        f"{summary['total']} publications ({hops}; {kinds}); {summary['known']} already known; "
        f"showing {summary['returned']}, ranked by {summary['ranking']}",
        "rank  hops  co-cit  coupl  known  kind                id / title",
    ]
    for r in found["records"]:
        name = (r["ids"] or [r["iri"]])[0]
        title = f"  {r['title']} ({r['year']})" if r["title"] else ""
        lines.append(
            f"{r['rank']:>4}  {r['hops']:>4}  {r['co_citation']:>6}  {r['coupling']:>5}  "
            f"{'yes' if r['known'] else 'no':>5}  {', '.join(r['directions']):<18}  {name}{title}"
        )
    return "\n".join(lines) + "\n"


@click.command("citation-path")
@click.argument("start")
@click.argument("end")
@click.option("--max-hops", type=click.IntRange(1, 6), default=4, show_default=True)
@store_options
def citation_path_command(start: str, end: str, max_hops: int, **options: Any) -> None:
    """The shortest chain of citations between START and END (identifiers or IRIs, as for
    chase), following citations in either direction."""
    from graph.citation_path import NoPath, citation_path
    from graph.citations import UnknownPublication

    settings = settings_from(**options)
    with opened(settings) as store:
        try:
            nodes, steps = citation_path(store, start, end, settings.base_iri, max_hops)
        except (UnknownPublication, NoPath, ValueError) as error:
            raise click.ClickException(str(error)) from None
    for node, step in zip(nodes, [None, *steps], strict=True):
        if step is not None:
            click.echo(f"  {'is cited by' if step.forward else 'cites'}")
        title = f"  {node['title']} ({node['year']})" if node["title"] else ""
        click.echo(f"{(node['ids'] or [node['iri']])[0]}{title}")
