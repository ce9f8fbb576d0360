"""``evidence-graph import``: files of any importable format stored through the write path as
one import (``graph.file_import``): OpenCitations CSV, extraction sheets, and bibliographic
records in RIS, PubMed, BibTeX, CSL-JSON, ASReview CSV or identifier lists."""

import json
import sys
from contextlib import ExitStack
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

import click

from api.cli_common import default_agent, guarded, opened, settings_from, step, store_options
from graph.bib_import import RecordsImported
from graph.file_import import FORMATS, ImportOptionError, ImportOptions, import_files
from graph.import_errors import FileRefused
from graph.opencitations import Imported
from graph.parsing import Source
from graph.record_graph import SOURCE_TYPES, STAGES

__all__ = ["import_command"]


@click.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Format of the files (default: recognised from their first bytes).",
)
@click.option("--review", help="The review the records are for (created when new).")
@click.option(
    "--source",
    "search_source",
    help="The database, register or site searched (e.g. PubMed): the records count as "
    "identified from it in the review's PRISMA flow.",
)
@click.option(
    "--source-type",
    type=click.Choice(SOURCE_TYPES),
    default="database",
    show_default=True,
    help="The PRISMA box the source's records are counted in.",
)
@click.option(
    "--stage",
    type=click.Choice(STAGES),
    default="title-abstract",
    show_default=True,
    help="The screening stage of the labels the records carry (ASReview, Rayyan).",
)
@click.option(
    "--agent",
    default=lambda: default_agent(),
    show_default="your user name",
    help="Who is importing (recorded as PROV).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result (or the problems) as JSON.")
@click.option(
    "--skip-malformed",
    is_flag=True,
    help="OpenCitations CSV only: import the good rows and report the bad ones.",
)
@store_options
def import_command(
    files: tuple[Path, ...],
    fmt: str | None,
    review: str | None,
    search_source: str | None,
    source_type: str,
    stage: str,
    agent: str,
    as_json: bool,
    skip_malformed: bool,
    **options: Any,
) -> None:
    """Import FILES as one new named graph: citations (OpenCitations CSV), studies and findings
    (an extraction sheet), or bibliographic records (RIS, PubMed, BibTeX, CSL-JSON, ASReview
    CSV, a list of DOIs/PMIDs) matched to stored publications and deduplicated. Any bad record
    or row refuses everything; nothing is stored."""
    wanted = ImportOptions(review, search_source, source_type, stage, skip_malformed)
    settings = settings_from(**options)
    with opened(settings) as store, ExitStack() as stack:
        sources = [Source(p.name, p.open("rb"), fmt or "", p.stat().st_size) for p in files]
        for source in sources:
            stack.callback(source.stream.close)
        total = sum(source.size or 0 for source in sources)
        with click.progressbar(length=total, label="reading", file=sys.stderr) as bar:
            try:
                result = guarded(
                    lambda: import_files(
                        store,
                        sources,
                        fmt,
                        settings.base_iri,
                        agent,
                        wanted,
                        step,
                        lambda source: bar.update(source.size or 0),
                    )
                )
            except FileRefused as error:
                _refused(error, as_json)
            except ImportOptionError as error:
                raise click.UsageError(str(error)) from None
            except ValueError as error:  # the format cannot be told
                raise click.UsageError(str(error)) from None
    _print_result(result, as_json)  # acknowledged: the write is already durable


def _refused(error: FileRefused, as_json: bool) -> None:
    if as_json:
        problems = [asdict(p) for p in error.problems]
        click.echo(json.dumps({"refused": str(error), "problems": problems}, indent=2))
    else:
        click.echo(f"refused, nothing stored: {error}", err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
    raise SystemExit(1)


def _print_result(result: Any, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(asdict(result) if is_dataclass(result) else result, indent=2))
        return
    click.echo(f"graph         {result.graph}")
    click.echo(f"triples       {result.triples}")
    if isinstance(result, Imported):
        click.echo(f"sources       {', '.join(result.sources)}")
        click.echo(
            f"rows          {result.rows_read} read, {result.rows_imported} imported, "
            f"{result.rows_skipped} skipped"
        )
        click.echo(
            f"publications  {result.publications_new} new, "
            f"{result.publications_matched} already stored"
        )
        for problem in result.problems:
            click.echo(f"skipped {problem}", err=True)
    elif isinstance(result, RecordsImported):
        click.echo(f"sources       {', '.join(result.sources)}")
        click.echo(f"records       {result.records}")
        click.echo(
            f"publications  {result.publications_new} new, "
            f"{result.publications_matched} already stored"
        )
        click.echo(f"duplicates    {len(result.duplicates)}")
        click.echo(f"decisions     {result.decisions}")
        if result.review:
            click.echo(f"review        {result.review}")
        for duplicate in result.duplicates:
            score = f" ({duplicate.score:.2f})" if duplicate.score is not None else ""
            click.echo(
                f"duplicate {duplicate.source} record {duplicate.record}: same {duplicate.rule}"
                f"{score} as {duplicate.survivor}",
                err=True,
            )
    else:
        click.echo(f"rows          {result.rows}")
        click.echo(f"studies       {result.studies}")
        click.echo(f"findings      {result.findings}")
        click.echo(f"estimates     {result.estimates}")
