"""Extraction sheets: one CSV row per reported estimate, read into studies, findings and their
estimates, and stored through the one write path (``graph.writes``).

``graph.extraction_cells`` has the layout (``COLUMNS``, docs/extraction-sheet.md) and reads each
row's cells; here the rows are matched to the store and built together. The bibliography comes
first: a row's publication must be stored already. Rows with one study cell are one
``ev:Study``, matched to a stored study by IRI or NCT id (a new one needs its design). PICO
cells are labels, matched case-insensitively to stored concepts of their kind, else minted.
Rows with one publication, study, population, intervention, comparator, outcome and time point
are one ``ev:Finding``, with the arms as printed (``ev:interventionArmLabel``,
``ev:comparatorArmLabel``); each row is one of its estimates, as printed.

Every bad row is reported with its line, column and reason, and refuses the whole sheet; the
shapes then judge the batch as they judge every write.

Errors::

    UnreadableFile  (graph.import_errors) not UTF-8 CSV with the required columns, or no rows
    MalformedRows   (graph.import_errors) bad rows; nothing was stored
    InvalidBatch    (graph.writes) the batch violates the shapes; nothing was stored
"""

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from graph import extraction_cells as cells
from graph.citations import BadIdentifier, UnknownPublication, resolve
from graph.extraction_cells import ARMS, COLUMNS, DESIGNS, MEASURES, REQUIRED, Measure, sniff
from graph.identifiers import absolute
from graph.import_errors import BadRow, refuse_if_any
from graph.namespaces import EV, PREFIXES, PROV, RDF, RDFS, SKOS
from graph.parsing import Source
from graph.store import Store
from graph.writes import commit, prepare

__all__ = [
    "ARMS",
    "COLUMNS",
    "DESIGNS",
    "FORMAT",
    "MEASURES",
    "REQUIRED",
    "ImportedSheet",
    "Measure",
    "Sheet",
    "import_sheet",
    "read_sheet",
    "sniff",
    "study_key",
    "write_sheet",
]

FORMAT = "extraction-csv"
_KINDS = {EV.Population: "population", EV.Intervention: "intervention", EV.Outcome: "outcome"}
_PREFIXES = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items())
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")


@dataclass(frozen=True)
class Sheet:
    """What a sheet says, as the graph to write, and how much of each thing it holds."""

    name: str
    graph: Graph
    rows: int
    studies: int
    findings: int
    estimates: int


@dataclass(frozen=True)
class ImportedSheet:
    """What an import of a sheet wrote, and where."""

    graph: str
    triples: int
    rows: int
    studies: int
    findings: int
    estimates: int


def study_key(iri: str, base_iri: str) -> str:
    """The study cell that names ``iri``: its key when it is ``{base}study/{key}``."""
    key = iri.removeprefix(f"{base_iri}study/")
    return key if key != iri and _KEY.match(key) else iri


def import_sheet(store: Store, source: Source, base_iri: str, agent: str) -> ImportedSheet:
    """Read the sheet ``source`` and store it as one import, a new named graph."""
    return write_sheet(store, read_sheet(store, source, base_iri), base_iri, agent)


def write_sheet(
    store: Store,
    sheet: Sheet,
    base_iri: str,
    agent: str,
    on_step: Callable[[str], None] = lambda step: None,
) -> ImportedSheet:
    """Validate and store what ``read_sheet`` read; raises ``InvalidBatch`` when the shapes
    refuse it. ``on_step`` is told what the next step is."""
    data = sheet.graph.serialize(format="nt", encoding="utf-8")
    source = Source(sheet.name, io.BytesIO(data), "ntriples")
    batch = prepare(store, [source], base_iri, on_step=on_step)
    on_step(f"writing {len(batch.graph):,} triples")
    result = commit(store, batch, base_iri, agent)
    counts = (sheet.rows, sheet.studies, sheet.findings, sheet.estimates)
    return ImportedSheet(result.graph, result.triples, *counts)


def read_sheet(store: Store, source: Source, base_iri: str) -> Sheet:
    """The studies, findings and estimates of the sheet ``source``, matched to the store;
    raises ``MalformedRows`` listing every bad row."""
    problems: list[BadRow] = []
    rows, count = cells.read_rows(source, problems)
    reading = _Reading(store, base_iri, source.name, problems)
    graph = reading.build(rows)
    problems.sort(key=lambda p: (p.line or 0, COLUMNS.index(p.column) if p.column else -1))
    refuse_if_any(problems, "row")
    return Sheet(source.name, graph, count, *reading.counts)


def _value(term: Node) -> object:
    """What a term means, for comparing a sheet's value with a stored one."""
    return term.toPython() if isinstance(term, Literal) else term


class _Reading:
    """Matches the parsed rows to the store, checks what rows say together, builds the graph."""

    def __init__(self, store: Store, base_iri: str, name: str, problems: list[BadRow]) -> None:
        self.store, self.base, self.name, self.problems = store, base_iri, name, problems
        self.graph = Graph()
        self.counts = (0, 0, 0)  # studies, findings, estimates
        self._failed: set[int] = set()  # lines that cannot be built

    def bad(self, row: cells.Row, column: str, reason: str) -> None:
        self.problems.append(BadRow(self.name, row.line, column, reason))
        self._failed.add(row.line)

    def build(self, rows: list[cells.Row]) -> Graph:
        publications = self._publications(rows)
        concepts = self._concepts(rows)
        studies = self._studies(rows, publications)
        findings: dict[tuple, list[cells.Row]] = {}
        for row in rows:
            named = (row.cells["publication"] in publications, row.cells["study"] in studies)
            if row.line in self._failed or not all(named):
                continue  # what is wrong with it was said
            pico = tuple(concepts.get((c, row.cells[c].lower())) for c in cells.PICO)
            if pico[1] == pico[2]:
                self.bad(row, "comparator", "names the intervention's concept: compare two arms")
                continue
            key = (publications[row.cells["publication"]], studies[row.cells["study"]], *pico)
            findings.setdefault((*key, row.timepoint), []).append(row)
        for key, members in findings.items():
            self._finding(key, members)
        used = {key[1] for key in findings}
        self.counts = (len(used), len(findings), sum(len(m) for m in findings.values()))
        return self.graph

    def _publications(self, rows: list[cells.Row]) -> dict[str, URIRef]:
        """Each publication cell's stored publication; rows naming none are bad."""
        found: dict[str, URIRef] = {}
        for cell in dict.fromkeys(row.cells["publication"] for row in rows):
            try:
                found[cell] = resolve(self.store, cell, self.base)
            except (UnknownPublication, BadIdentifier) as error:
                reason = f"{error}: import the publication first"
                for row in rows:
                    if row.cells["publication"] == cell:
                        self.bad(row, "publication", reason)
        return found

    def _concepts(self, rows: list[cells.Row]) -> dict[tuple[str, str], URIRef]:
        """Each PICO cell's concept, by column and lower-case label: the stored concept of its
        kind with that label, else a new one (described in the graph)."""
        wanted: dict[tuple[URIRef, str], str] = {}  # (kind, lower-case label) -> label as given
        for row in rows:
            for column, kind in cells.PICO.items():
                if row.cells[column]:
                    wanted.setdefault((kind, row.cells[column].lower()), row.cells[column])
        stored: dict[tuple[URIRef, str], set[URIRef]] = {}
        values = " ".join(f"({kind.n3()} {Literal(key).n3()})" for kind, key in wanted)
        query = f"""{_PREFIXES}
            SELECT ?kind ?key ?concept WHERE {{
                VALUES (?kind ?key) {{ {values} }}
                ?concept a ?kind ; rdfs:label|skos:prefLabel|skos:altLabel ?label .
                FILTER (LCASE(STR(?label)) = ?key)
            }}"""
        for kind, key, concept in self.store.query(query).rows:
            stored.setdefault((kind, str(key)), set()).add(concept)
        new = {
            (kind, key): URIRef(f"{self.base}concept/{_KINDS[kind]}/{cells.slug(label)}")
            for (kind, key), label in wanted.items()
            if (kind, key) not in stored
        }
        taken = self._taken(new.values())
        minted: dict[URIRef, tuple[URIRef, str]] = {}
        for (kind, key), iri in new.items():
            label = wanted[kind, key]
            if iri in taken or iri in minted:
                iri = URIRef(f"{iri}-{cells.digest(label)}")
            minted[iri] = (kind, label)
            stored[kind, key] = {iri}
        for iri, (kind, label) in minted.items():
            self.graph.add((iri, RDF.type, kind))
            self.graph.add((iri, RDFS.label, Literal(label)))
            self.graph.add((iri, SKOS.prefLabel, Literal(label, lang="en")))
        found: dict[tuple[str, str], URIRef] = {}
        for row in rows:
            for column, kind in cells.PICO.items():
                key = row.cells[column].lower()
                matches = sorted(stored.get((kind, key), ()))
                if len(matches) > 1:
                    listed = ", ".join(f"<{m}>" for m in matches)
                    what = f"{len(matches)} {_KINDS[kind]} concepts"
                    self.bad(row, column, f"{row.cells[column]!r} names {what}: {listed}")
                elif matches:
                    found[column, key] = matches[0]
        return found

    def _taken(self, iris: Iterable[URIRef]) -> set[URIRef]:
        """The ``iris`` the store already says something about."""
        values = " ".join(iri.n3() for iri in iris)
        query = f"SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}"
        return {s for (s,) in self.store.query(query).rows} if values else set()

    def _studies(self, rows: list[cells.Row], publications: dict[str, URIRef]) -> dict[str, URIRef]:
        """Each study cell's study: stored (by IRI, else by NCT id) or new; what its rows say
        of it must agree, among themselves and with the store."""
        by_cell: dict[str, list[cells.Row]] = {}
        for row in rows:
            by_cell.setdefault(row.cells["study"], []).append(row)
        named: dict[str, tuple[URIRef, str | None]] = {}
        for cell, members in by_cell.items():
            if (name := self._study_name(cell)) is None:
                for row in members:
                    self.bad(row, "study", f"{cell!r} is neither a study key, a label nor an IRI")
            else:
                named[cell] = name
        given = {cell: self._agreed(members) for cell, members in by_cell.items()}
        ncts = [facts["nct_id"][0] for facts in given.values() if "nct_id" in facts]
        stored, by_nct = self._stored_studies([iri for iri, _ in named.values()], ncts)
        found: dict[str, URIRef] = {}
        nct_owner: dict[object, tuple[str, URIRef]] = {}
        for cell, (iri, label) in named.items():
            members, facts = by_cell[cell], given[cell]
            if iri in stored and EV.Study not in stored[iri].get(RDF.type, ()):
                for row in members:
                    self.bad(row, "study", f"<{iri}> is stored, and is not a study")
                continue
            nct, nct_rows = facts.get("nct_id", (None, []))
            other = by_nct.get(_value(nct)) if nct is not None else None
            found[cell] = final = iri if iri in stored else other or iri
            owner = nct_owner.setdefault(_value(nct), (cell, final)) if nct is not None else None
            if other not in (None, final):
                conflict = f"{nct} is the NCT id of another stored study, <{other}>"
            elif owner and owner[1] != final:
                conflict = f"{nct} is the NCT id of the study {owner[0]!r} too"
            else:
                self._describe_study(final, label, members, facts, stored.get(final), publications)
                continue
            for row in nct_rows:
                self.bad(row, "nct_id", conflict)
        return found

    def _study_name(self, cell: str) -> tuple[URIRef, str | None] | None:
        """The IRI a study cell names (an IRI, ``study/key``, a key), or mints (a label, which
        it keeps as the label)."""
        if "://" in cell or cell.startswith("study/"):
            iri = absolute(cell, self.base)
            return (URIRef(iri), None) if _is_iri(iri) else None
        if _KEY.match(cell):
            return URIRef(f"{self.base}study/{cell}"), None
        return URIRef(f"{self.base}study/{cells.slug(cell)}"), cell

    def _agreed(self, rows: list[cells.Row]) -> dict[str, tuple[Node, list[cells.Row]]]:
        """The facts the rows of one study give it, each with the rows that give it; a row
        that gives another value than the first is bad."""
        facts: dict[str, tuple[Node, list[cells.Row]]] = {}
        for row in rows:
            for column, value in row.study.items():
                first, agreeing = facts.setdefault(column, (value, []))
                if _value(first) == _value(value):
                    agreeing.append(row)
                else:
                    said = f"line {agreeing[0].line} gives this study {column} {first}"
                    self.bad(row, column, f"{row.cells[column]!r} disagrees: {said}")
        return facts

    def _stored_studies(
        self, iris: list[URIRef], ncts: list[Node]
    ) -> tuple[dict[URIRef, dict[URIRef, set[Node]]], dict[object, URIRef]]:
        """What the store says of these IRIs and of the studies with these NCT ids (their types,
        NCT ids, designs, sizes, follow-ups), and the stored study of each NCT id."""
        properties = ", ".join(p.n3() for p in (RDF.type, *cells.STUDY_FACTS.values()))
        query = f"""{_PREFIXES}
            SELECT ?study ?p ?o WHERE {{
                {{ VALUES ?study {{ {" ".join(i.n3() for i in iris)} }} }}
                UNION {{ VALUES ?nct {{ {" ".join(n.n3() for n in ncts)} }} ?study ev:nctId ?nct }}
                ?study ?p ?o FILTER (?p IN ({properties}))
            }}"""
        stored: dict[URIRef, dict[URIRef, set[Node]]] = {}
        for study, p, o in self.store.query(query).rows:
            stored.setdefault(study, {}).setdefault(p, set()).add(o)
        by_nct = {
            _value(nct): study
            for study, facts in sorted(stored.items(), reverse=True)
            if EV.Study in facts.get(RDF.type, ())
            for nct in facts.get(EV.nctId, ())
        }
        return stored, by_nct

    def _describe_study(
        self,
        study: URIRef,
        label: str | None,
        rows: list[cells.Row],
        facts: dict[str, tuple[Node, list[cells.Row]]],
        stored: dict[URIRef, set[Node]] | None,
        publications: dict[str, URIRef],
    ) -> None:
        """Add the study to the graph: what the rows say of it that the store does not."""
        if stored is None:
            if "design" not in facts:
                reason = f"empty: {study} is a new study, which needs its design"
                self.bad(rows[0], "design", f"{reason} ({', '.join(DESIGNS)})")
            self.graph.add((study, RDF.type, EV.Study))
            if label:
                self.graph.add((study, RDFS.label, Literal(label)))
        for column, (value, agreeing) in facts.items():
            known = (stored or {}).get(cells.STUDY_FACTS[column], set())
            if known and _value(value) not in {_value(v) for v in known}:
                said = ", ".join(sorted(str(v) for v in known))
                for row in agreeing:
                    self.bad(row, column, f"{row.cells[column]!r} disagrees: <{study}> has {said}")
            elif not known:
                self.graph.add((study, cells.STUDY_FACTS[column], value))
        for cell in dict.fromkeys(row.cells["publication"] for row in rows):
            if cell in publications:
                self.graph.add((study, EV.reportedIn, publications[cell]))

    def _finding(self, key: tuple, rows: list[cells.Row]) -> None:
        """Add one finding and its estimates, one per row."""
        publication, study, population, intervention, comparator, outcome, timepoint = key
        agreed = {}
        for column in ("reference_arm", "intervention_arm", "comparator_arm"):
            given = [row for row in rows if row.cells[column]]
            for row in given[1:]:
                if row.cells[column].lower() != given[0].cells[column].lower():
                    said = f"line {given[0].line} gives this finding {given[0].cells[column]!r}"
                    self.bad(row, column, f"{row.cells[column]!r} disagrees: {said}")
            agreed[column] = given[0].cells[column] if given else ""
        first = rows[0].cells
        names = {arm: agreed[f"{arm}_arm"] or first[arm] for arm in ARMS}
        arms = {"intervention": intervention, "comparator": comparator}
        name = f"{cells.slug(first['outcome'])}-{cells.digest(*key)}"
        finding = URIRef(f"{self.base}finding/{name}")
        label = f"{first['outcome']}: {names['intervention']} vs {names['comparator']}"
        add = self.graph.add
        if timepoint is not None:
            label += f", at {first['timepoint']}"
        add((finding, RDF.type, EV.Finding))
        add((finding, RDFS.label, Literal(label)))
        add((finding, EV.study, study))
        add((finding, PROV.wasDerivedFrom, publication))
        for prop, value in ((EV.population, population), (EV.timepoint, timepoint)):
            if value is not None:
                add((finding, prop, value))
        add((finding, EV.intervention, intervention))
        add((finding, EV.comparator, comparator))
        add((finding, EV.referenceArm, arms[agreed["reference_arm"].lower() or "comparator"]))
        for column, prop in cells.ARM_LABELS.items():
            if agreed[column]:
                add((finding, prop, Literal(agreed[column])))
        add((finding, EV.outcome, outcome))
        seen: dict[tuple[str, str | None], cells.Row] = {}
        for row in rows:
            earlier = seen.setdefault((row.measure.name, row.arm), row)
            if earlier is not row:
                what = f"{row.measure.name}{f' of the {row.arm} arm' if row.arm else ''}"
                self.bad(row, "measure", f"line {earlier.line} gives this finding's {what}")
                continue
            suffix = cells.slug(row.measure.name) + (f"-{row.arm}" if row.arm else "")
            estimate = URIRef(f"{self.base}estimate/{name}-{suffix}")
            add((finding, EV.estimate, estimate))
            for triple in row.triples(estimate, arms, names):
                add(triple)


def _is_iri(iri: str) -> bool:
    return iri.startswith(("http://", "https://")) and not any(c in iri for c in ' <>"{}|\\^`')
