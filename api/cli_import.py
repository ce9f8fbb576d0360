"""``evidence-graph import``: files of a bibliographic format, read into the graph's model and
stored through the write path as one import.

Each format in ``IMPORTERS`` says how to recognise its files by their first line, how to read
them and how to write what was read. So far: OpenCitations CSV exports.
"""

import json
import sys
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import click

from api.cli_common import default_agent, guarded, opened, settings_from, store_options
from graph import opencitations
from graph.import_errors import FileRefused
from graph.opencitations import Imported
from graph.parsing import Source

__all__ = ["IMPORTERS", "Importer", "import_command"]


@dataclass(frozen=True)
class Importer:
    """A format: ``sniff`` knows its files by their first line; ``read`` turns sources into
    what ``write`` stores (raising ``FileRefused`` for bad input)."""

    sniff: Callable[[bytes], bool]
    read: Callable[..., Any]
    write: Callable[..., Imported]


IMPORTERS: dict[str, Importer] = {
    opencitations.FORMAT: Importer(
        opencitations.sniff, opencitations.read_opencitations, opencitations.write_citations
    ),
}


@click.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(IMPORTERS)),
    help="Format of the files (default: recognised from their first line).",
)
@click.option(
    "--agent",
    default=lambda: default_agent(),
    show_default="your user name",
    help="Who is importing (recorded as PROV).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result (or the bad rows) as JSON.")
@click.option(
    "--skip-malformed",
    is_flag=True,
    help="Import the good rows and report the bad ones (default: any bad row refuses the files).",
)
@store_options
def import_command(
    files: tuple[Path, ...],
    fmt: str | None,
    agent: str,
    as_json: bool,
    skip_malformed: bool,
    **options: Any,
) -> None:
    """Import FILES (OpenCitations CSV exports) as one new named graph. Publications are
    matched to stored ones by DOI, PMID or PMCID; a bad row refuses everything unless
    --skip-malformed."""
    fmt = fmt or _recognised(files)
    importer = IMPORTERS[fmt]
    settings = settings_from(**options)
    with opened(settings) as store, ExitStack() as stack:
        sources = [Source.from_path(path, fmt) for path in files]
        for source in sources:
            stack.callback(source.stream.close)
        total = sum(source.size or 0 for source in sources)
        with click.progressbar(length=total, label="reading", file=sys.stderr) as bar:
            try:
                read = importer.read(sources, settings.base_iri, skip_malformed, bar.update)
            except FileRefused as error:
                _refused(error, as_json)
        result = guarded(lambda: importer.write(store, read, settings.base_iri, agent, _step))
    _print_result(result, as_json)  # acknowledged: the write is already durable


def _recognised(files: tuple[Path, ...]) -> str:
    """The one format that every file's first line says it is in."""
    found = set()
    for path in files:
        with path.open("rb") as stream:
            first = stream.readline()
        names = [name for name, importer in IMPORTERS.items() if importer.sniff(first)]
        if not names:
            raise click.UsageError(
                f"cannot tell the format of {path.name} from its first line: "
                f"give --format ({', '.join(IMPORTERS)})"
            )
        found.add(names[0])
    if len(found) > 1:
        raise click.UsageError(f"the files are in different formats ({', '.join(sorted(found))})")
    return found.pop()


def _refused(error: FileRefused, as_json: bool) -> None:
    if as_json:
        problems = [asdict(p) for p in error.problems]
        click.echo(json.dumps({"refused": str(error), "problems": problems}, indent=2))
    else:
        click.echo(f"refused, nothing stored: {error}", err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
    raise SystemExit(1)


def _print_result(result: Imported, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(asdict(result), indent=2))
        return
    click.echo(f"graph         {result.graph}")
    click.echo(f"triples       {result.triples}")
    click.echo(f"sources       {', '.join(result.sources)}")
    click.echo(
        f"rows          {result.rows_read} read, {result.rows_imported} imported, "
        f"{result.rows_skipped} skipped"
    )
    click.echo(
        f"publications  {result.publications_new} new, {result.publications_matched} already stored"
    )
    for problem in result.problems:
        click.echo(f"skipped {problem}", err=True)


def _step(message: str) -> None:
    click.echo(f"{message}...", err=True)
