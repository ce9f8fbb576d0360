"""Citations from OpenCitations CSV exports (the Index API's and COCI's columns ``oci, citing,
cited, creation, timespan, journal_sc, author_sc``), written through the one write path.

A ``citing`` or ``cited`` cell names one work by one or more ids (``omid:br/06101801781
doi:10.7717/peerj-cs.421 pmid:33817056``); its DOI, PMID and PMCID are kept, other schemes
ignored. Cells that share any id are one publication (union-find over the ids of the whole
batch), named by its DOI, else its PMID, else its PMCID, and described by its type and ids
only: the write path matches it to a stored publication with the same identifier. Each row
becomes ``cito:cites`` and a ``cito:Citation`` with its OCI, creation date, time span and
journal or author self-citation.

A malformed row is reported with its line, column and reason. Any of them refuses the batch,
unless ``skip_malformed``: then the other rows are written, in one write.

Errors are those of ``graph.import_errors``: ``UnreadableFile`` when the header is not an
OpenCitations CSV's or the text is not UTF-8, ``MalformedRows`` for bad rows.
"""

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from graph.identifiers import PUBLICATION_SCHEMES, identified_iri, parse_identifier
from graph.import_errors import BadRow, MalformedRows, UnreadableFile
from graph.namespaces import CITO, DCTERMS, EV, FABIO, RDF, XSD
from graph.parsing import Source
from graph.store import Store
from graph.writes import commit, prepare

__all__ = [
    "COLUMNS",
    "FORMAT",
    "Citations",
    "Imported",
    "import_opencitations",
    "read_opencitations",
    "sniff",
    "write_citations",
]

FORMAT = "opencitations-csv"
COLUMNS = ("oci", "citing", "cited", "creation", "timespan", "journal_sc", "author_sc")
_PRIORITY = tuple(PUBLICATION_SCHEMES.values())  # a publication is named by its DOI first
_OCI = re.compile(r"^(?:oci:)?([0-9]+-[0-9]+)$", re.IGNORECASE)
_DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")
_DURATION = re.compile(
    r"^-?P(?=[0-9]|T[0-9])(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+D)?"
    r"(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?$"
)
_YES_NO = {"yes": True, "no": False}
_CHUNK = 500  # IRIs per VALUES block when asking the store

Id = tuple[URIRef, str]  # an identifier property and its normalised value
Complain = Callable[[str, str], None]  # told a column and what is wrong with it


@dataclass(frozen=True)
class _Row:
    source: str
    line: int
    oci: str | None
    citing: tuple[Id, ...]
    cited: tuple[Id, ...]
    creation: Literal | None
    timespan: Literal | None
    journal_sc: bool
    author_sc: bool


@dataclass
class Citations:
    """What the files say, ready to write: one graph per file, and what became of the rows."""

    graphs: dict[str, Graph]
    publications: set[URIRef]
    rows_read: int
    rows_imported: int
    problems: list[BadRow]


@dataclass(frozen=True)
class Imported:
    """What an import wrote, and where; ``problems`` says why the skipped rows were skipped."""

    graph: str
    triples: int
    sources: list[str]
    rows_read: int
    rows_imported: int
    rows_skipped: int
    publications_new: int
    publications_matched: int
    problems: list[BadRow]


def sniff(first_line: bytes) -> bool:
    """Whether a file's first line is an OpenCitations CSV header."""
    text = first_line.decode("utf-8-sig", errors="replace")
    return set(COLUMNS) <= {cell.strip() for cell in next(csv.reader([text]), [])}


def import_opencitations(
    store: Store,
    source: Path | Source | Sequence[Path | Source],
    base_iri: str,
    agent: str,
    skip_malformed: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Imported:
    """Read OpenCitations CSV files (paths, or named binary streams) and store them as one
    import, a new named graph whose provenance names the files."""
    inputs = [source] if isinstance(source, Path | Source) else list(source)
    with ExitStack() as stack:
        sources = []
        for item in inputs:
            if isinstance(item, Path):
                item = Source.from_path(item, FORMAT)
                stack.callback(item.stream.close)
            sources.append(item)
        citations = read_opencitations(sources, base_iri, skip_malformed, progress)
    return write_citations(store, citations, base_iri, agent)


def read_opencitations(
    sources: Sequence[Source],
    base_iri: str,
    skip_malformed: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Citations:
    """Read the rows of ``sources`` (streaming; ``progress`` is told how many bytes were read)
    and build their citations; raise ``MalformedRows`` on a bad row unless ``skip_malformed``."""
    rows: list[_Row] = []
    problems: list[BadRow] = []
    read = 0
    for source in sources:
        for line, cells in _records(source, progress):
            read += 1
            if isinstance(cells, BadRow):
                problems.append(cells)
            elif row := _parse(source.name, line, cells, problems):
                rows.append(row)
    while True:  # taking rows out can only split publications, so this ends
        publications = _Publications(rows)
        contradictions = publications.contradictions(base_iri)
        if not contradictions:
            break
        problems += contradictions
        bad = {(p.source, p.line) for p in contradictions}
        rows = [row for row in rows if (row.source, row.line) not in bad]
    position = {source.name: number for number, source in enumerate(sources)}
    problems.sort(key=lambda problem: (position[problem.source], problem.line))
    if problems and (not skip_malformed or not rows):
        count = len({(p.source, p.line) for p in problems})
        raise MalformedRows(f"{count} row{'s' * (count != 1)} cannot be imported", problems)
    graphs = {source.name: Graph() for source in sources}
    described: dict[str, set[URIRef]] = {name: set() for name in graphs}
    for row in rows:
        publications.describe(graphs[row.source], row, base_iri, described[row.source])
    return Citations(graphs, publications.named(base_iri), read, len(rows), problems)


def write_citations(
    store: Store,
    citations: Citations,
    base_iri: str,
    agent: str,
    on_step: Callable[[str], None] = lambda step: None,
) -> Imported:
    """Store ``citations`` through the write path, as one new named graph (each file an
    N-Triples source named after it); ``on_step`` is told what the next step is."""
    sources = [
        Source(name, io.BytesIO(graph.serialize(format="nt", encoding="utf-8")), "ntriples")
        for name, graph in citations.graphs.items()
    ]
    batch = prepare(store, sources, base_iri, on_step=on_step)
    final = sorted({URIRef(batch.matched.get(str(p), str(p))) for p in citations.publications})
    stored = _described(store, final)
    on_step(f"writing {len(batch.graph):,} triples")
    result = commit(store, batch, base_iri, agent)
    return Imported(
        graph=result.graph,
        triples=result.triples,
        sources=result.sources,
        rows_read=citations.rows_read,
        rows_imported=citations.rows_imported,
        rows_skipped=citations.rows_read - citations.rows_imported,
        publications_new=len(final) - len(stored),
        publications_matched=len(stored),
        problems=citations.problems,
    )


def _records(
    source: Source, progress: Callable[[int], None] | None
) -> Iterator[tuple[int, dict[str, str] | BadRow]]:
    """The data rows of ``source``: each its first line and its cells by column, or what is
    wrong with it when it has the wrong number of fields."""
    reader = csv.reader(_lines(source, progress))
    header = [cell.strip() for cell in next(reader, [])]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise UnreadableFile(
            f"{source.name} is not an OpenCitations CSV",
            [BadRow(source.name, 1, None, _header_problem(header, missing))],
        )
    line = reader.line_num
    for fields in reader:
        start, line = line + 1, reader.line_num
        if not fields:
            continue  # a blank line
        if len(fields) != len(header):
            reason = f"{len(fields)} fields where the header has {len(header)}"
            yield start, BadRow(source.name, start, None, reason)
        else:
            yield start, dict(zip(header, (field.strip() for field in fields), strict=True))


def _lines(source: Source, progress: Callable[[int], None] | None) -> Iterator[str]:
    """The text lines of ``source``, telling ``progress`` about every 64 KiB read."""
    unreported = 0
    for number, raw in enumerate(source.stream, start=1):
        unreported += len(raw)
        if progress and unreported >= 1 << 16:
            progress(unreported)
            unreported = 0
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            problem = BadRow(source.name, number, None, "not UTF-8 text: save the file as UTF-8")
            raise UnreadableFile(f"{source.name} is not UTF-8 text", [problem]) from None
    if progress and unreported:
        progress(unreported)


def _header_problem(header: list[str], missing: list[str]) -> str:
    return (
        f"not an OpenCitations CSV: the header lacks {', '.join(missing)} "
        f"(it should read {','.join(COLUMNS)})"
    )


def _parse(source: str, line: int, cells: dict[str, str], problems: list[BadRow]) -> _Row | None:
    """The row in ``cells``, or None after adding what is wrong with it to ``problems``."""
    found: list[BadRow] = []

    def bad(column: str, reason: str) -> None:
        found.append(BadRow(source, line, column, reason))

    oci = _oci(cells["oci"], bad)
    citing, cited = _ids(cells["citing"], "citing", bad), _ids(cells["cited"], "cited", bad)
    if citing and cited and set(citing) & set(cited):
        bad("cited", "names the same work as the citing cell: a work cannot cite itself")
    creation = _date(cells["creation"], bad)
    timespan = _duration(cells["timespan"], bad)
    journal_sc, author_sc = _yes_no(cells, "journal_sc", bad), _yes_no(cells, "author_sc", bad)
    if found:
        problems += found
        return None
    return _Row(source, line, oci, citing, cited, creation, timespan, journal_sc, author_sc)


def _oci(text: str, bad: Complain) -> str | None:
    match = _OCI.match(text)
    if text and not match:
        bad("oci", f"{text!r} is not an OCI (two numbers joined by a dash)")
    return match.group(1) if match else None


def _ids(text: str, column: str, bad: Complain) -> tuple[Id, ...]:
    ids: list[Id] = []
    malformed = False
    for token in text.split():
        if token.startswith("10."):
            token = f"doi:{token}"  # COCI's dumps give bare DOIs
        try:
            found = parse_identifier(token)
        except ValueError as error:
            bad(column, str(error))
            malformed = True
            continue
        if found is not None:
            ids.append(found)
    if not ids and not malformed:
        bad(
            column,
            f"{text!r} names no DOI, PMID or PMCID" if text else "empty: no DOI, PMID or PMCID",
        )
    return tuple(dict.fromkeys(ids))


def _date(text: str, bad: Complain) -> Literal | None:
    if not text:
        return None
    match = _DATE.match(text)
    with suppress(ValueError):  # no such day: said below
        if match and match.group(3) and date.fromisoformat(text):
            return Literal(text, datatype=XSD.date, normalize=False)
        if match and match.group(2) and 1 <= int(match.group(2)) <= 12:
            return Literal(text, datatype=XSD.gYearMonth, normalize=False)
        if match and not match.group(2):
            return Literal(text, datatype=XSD.gYear, normalize=False)
    bad("creation", f"{text!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    return None


def _duration(text: str, bad: Complain) -> Literal | None:
    if not text:
        return None
    if not _DURATION.match(text):
        bad("timespan", f"{text!r} is not an xsd:duration such as P6Y0M1D or -P1Y")
        return None
    return Literal(text, datatype=XSD.duration, normalize=False)


def _yes_no(cells: dict[str, str], column: str, bad: Complain) -> bool:
    value = _YES_NO.get(cells[column].lower())
    if value is None:
        bad(column, f"{cells[column]!r} is neither yes nor no")
    return bool(value)


class _Publications:
    """The publications the rows name: union-find over their ids, one set per publication."""

    def __init__(self, rows: list[_Row]) -> None:
        self.rows = rows
        self._parent: dict[Id, Id] = {}
        for row in rows:
            for cell in (row.citing, row.cited):
                first = self.find(cell[0])
                for other in cell[1:]:
                    self._parent[self.find(other)] = first
        self._members: dict[Id, list[Id]] = {}
        for key in list(self._parent):
            self._members.setdefault(self.find(key), []).append(key)
        self._iris: dict[Id, URIRef] = {}

    def find(self, key: Id) -> Id:
        root = key
        while (parent := self._parent.setdefault(root, root)) != root:
            root = parent
        while key != root:  # path compression
            self._parent[key], key = root, self._parent[key]
        return root

    def iri(self, cell: tuple[Id, ...], base_iri: str) -> URIRef:
        """The publication a cell names: by its DOI, else its PMID, else its PMCID."""
        root = self.find(cell[0])
        if root not in self._iris:
            prop, value = min(self._members[root], key=lambda i: (_PRIORITY.index(i[0]), i[1]))
            self._iris[root] = URIRef(identified_iri(prop, value, base_iri))
        return self._iris[root]

    def named(self, base_iri: str) -> set[URIRef]:
        return {self.iri((root,), base_iri) for root in self._members}

    def contradictions(self, base_iri: str) -> list[BadRow]:
        """Rows that join two DOIs (PMIDs, PMCIDs) into one publication, that cite what they
        are, or that give a citation named by an earlier row other data."""
        found = []
        doubled = self._doubled()
        citations: dict[URIRef, tuple[_Row, tuple]] = {}
        for row in self.rows:
            joins = [
                BadRow(row.source, row.line, column, doubled[self.find(cell[0])])
                for column, cell in (("citing", row.citing), ("cited", row.cited))
                if len(cell) > 1 and self.find(cell[0]) in doubled
            ]
            citing, cited = self.iri(row.citing, base_iri), self.iri(row.cited, base_iri)
            if not joins and citing == cited:
                reason = (
                    "names the same publication as the citing cell (their ids meet in other rows)"
                )
                joins.append(BadRow(row.source, row.line, "cited", reason))
            if joins:
                found += joins
                continue
            node = _citation_iri(row, citing, cited, base_iri)
            data = (citing, cited, row.creation, row.timespan, row.journal_sc, row.author_sc)
            first, first_data = citations.setdefault(node, (row, data))
            if first_data != data:
                reason = (
                    f"gives the citation {node} other data than line {first.line} of {first.source}"
                )
                found.append(BadRow(row.source, row.line, "oci" if row.oci else "cited", reason))
        return found

    def _doubled(self) -> dict[Id, str]:
        """The publications that would carry two values of one identifier, and which."""
        doubled = {}
        for root, members in self._members.items():
            for prop, scheme in zip(_PRIORITY, PUBLICATION_SCHEMES, strict=True):
                values = sorted(v for p, v in members if p == prop)
                if len(values) > 1:
                    doubled[root] = (
                        f"its ids and other rows' make one publication with two {scheme.upper()}s"
                        f" ({', '.join(values)}): a publication has one"
                    )
        return doubled

    def describe(self, graph: Graph, row: _Row, base_iri: str, described: set[URIRef]) -> None:
        """Add the citation of ``row`` to ``graph``, and its publications unless ``described``."""
        citing, cited = self.iri(row.citing, base_iri), self.iri(row.cited, base_iri)
        for cell, node in ((row.citing, citing), (row.cited, cited)):
            if node not in described:
                described.add(node)
                graph.add((node, RDF.type, FABIO.Expression))
                for prop, value in self._members[self.find(cell[0])]:
                    graph.add((node, prop, Literal(value)))
        graph.add((citing, CITO.cites, cited))
        node = _citation_iri(row, citing, cited, base_iri)
        graph.add((node, RDF.type, CITO.Citation))
        graph.add((node, CITO.hasCitingEntity, citing))
        graph.add((node, CITO.hasCitedEntity, cited))
        graph.add((node, DCTERMS.source, Literal(row.source)))  # the index's file it came from
        if row.oci:
            graph.add((node, EV.oci, Literal(row.oci)))
        if row.creation is not None:
            graph.add((node, CITO.hasCitationCreationDate, row.creation))
        if row.timespan is not None:
            graph.add((node, CITO.hasCitationTimeSpan, row.timespan))
        if row.journal_sc:
            graph.add((node, RDF.type, CITO.JournalSelfCitation))
        if row.author_sc:
            graph.add((node, RDF.type, CITO.AuthorSelfCitation))


def _citation_iri(row: _Row, citing: URIRef, cited: URIRef, base_iri: str) -> URIRef:
    """``{base}citation/oci/{oci}``; without an OCI, a digest of the two publications' IRIs."""
    if row.oci:
        return URIRef(f"{base_iri}citation/oci/{row.oci}")
    digest = hashlib.sha256(f"{citing} {cited}".encode()).hexdigest()[:20]
    return URIRef(f"{base_iri}citation/pair/{digest}")


def _described(store: Store, nodes: list[URIRef]) -> set[URIRef]:
    """The ``nodes`` the store already says something about."""
    found: set[URIRef] = set()
    for start in range(0, len(nodes), _CHUNK):
        values = " ".join(node.n3() for node in nodes[start : start + _CHUNK])
        sparql = f"SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        found.update(s for (s,) in store.query(sparql).rows)
    return found
