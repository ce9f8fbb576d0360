"""Publications out of the graph as bibliographic records, for the interchange formats.

A publication's record is built from its description (type, title, date, identifiers,
abstract, journal, volume, issue, pages, keywords, MeSH, publication types, authors in
``bibo:authorList`` order, else by name), from its first surviving record in the review (or
outside reviews): its key, notes, tags and the fields no property holds, so a record goes back
out as it came in; and from the screening layer: the latest decision of each reviewer and tool
at the stage. Its provenance note names its IRI, the file and import it came from, and the
records found to duplicate it.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import URIRef

from graph.bib_records import BibRecord
from graph.namespaces import BIBO, DCTERMS, EV, FOAF, RDF
from graph.record_graph import KIND_CLASSES, review_iri
from graph.screening import labels_by_publication
from graph.screening_labels import PROVENANCE_PREFIX
from graph.sparql_patterns import ask_in_chunks
from graph.store import Store

__all__ = ["Exported", "export_records"]

_KINDS = {cls: kind for kind, cls in reversed(KIND_CLASSES.items())}
_FACTS = {
    str(DCTERMS.title): "title",
    str(DCTERMS.issued): "issued",
    str(DCTERMS.abstract): "abstract",
    str(BIBO.volume): "volume",
    str(BIBO.issue): "issue",
    str(BIBO.pageStart): "page_start",
    str(BIBO.pageEnd): "page_end",
    str(BIBO.doi): "doi",
    str(BIBO.pmid): "pmid",
    str(EV.pmcid): "pmcid",
    str(DCTERMS.language): "language",
    str(BIBO.issn): "issn",
    str(DCTERMS.publisher): "publisher",
}
_LISTED = {
    str(DCTERMS.subject): "keywords",
    str(EV.meshHeading): "mesh",
    str(EV.publicationType): "publication_types",
    str(FOAF.page): "urls",
}
_WANTED = ", ".join(f"<{p}>" for p in [*_FACTS, *_LISTED, str(RDF.type)])


@dataclass
class Exported:
    """The records of an export, with the IRI of the publication each describes."""

    records: list[BibRecord]
    publications: list[URIRef]
    provenance: dict[int, str]  # record's position -> its provenance note

    def note(self, record: BibRecord) -> str | None:
        """The provenance note of ``record`` (for the formats' writers)."""
        return self.provenance.get(id(record))


def export_records(
    store: Store,
    publications: Sequence[URIRef],
    base_iri: str,
    review: str | None = None,
    stage: str = "title-abstract",
    fmt: str | None = None,
) -> Exported:
    """The records of ``publications`` (in that order), with the screening decisions taken in
    ``review`` at ``stage``; the fields of a record that no property holds come back only in
    the format ``fmt`` they were read from (a PubMed ``CN`` is not a RIS ``CN``)."""
    scope = review_iri(review, base_iri) if review else None
    pubs = list(dict.fromkeys(publications))
    records = {p: BibRecord(kind="other") for p in pubs}
    _facts(store, pubs, records)
    _journals(store, pubs, records)
    _authors(store, pubs, records)
    origins = _records(store, pubs, records, scope, fmt)
    for publication, labels in labels_by_publication(store, scope, stage, pubs).items():
        records[publication].screening = labels
    exported = Exported([records[p] for p in pubs], pubs, {})
    for publication, record in zip(pubs, exported.records, strict=True):
        exported.provenance[id(record)] = _provenance(publication, origins.get(publication))
    return exported


def _facts(store: Store, pubs: list[URIRef], records: dict[URIRef, BibRecord]) -> None:
    template = (
        f"SELECT ?p ?prop ?o WHERE {{ {{values}} ?p ?prop ?o FILTER (?prop IN ({_WANTED})) }}"
    )
    kinds: dict[URIRef, set[URIRef]] = {}
    for publication, prop, value in sorted(ask_in_chunks(store, "?p", pubs, template)):
        record, name = records[publication], str(prop)
        if prop == RDF.type:
            kinds.setdefault(publication, set()).add(value)
        elif name in _FACTS and getattr(record, _FACTS[name]) is None:
            setattr(record, _FACTS[name], str(value))
        elif name in _LISTED:
            getattr(record, _LISTED[name]).append(str(value))
    for publication, types in kinds.items():
        known = [_KINDS[t] for t in types if t in _KINDS]
        records[publication].kind = min(known, key=list(KIND_CLASSES).index) if known else "other"


def _journals(store: Store, pubs: list[URIRef], records: dict[URIRef, BibRecord]) -> None:
    template = f"""SELECT ?p ?name WHERE {{ {{values}} ?p <{DCTERMS.isPartOf}> ?venue .
        ?venue <{DCTERMS.title}> ?name }}"""
    for publication, name in sorted(ask_in_chunks(store, "?p", pubs, template)):
        records[publication].journal = records[publication].journal or str(name)


def _authors(store: Store, pubs: list[URIRef], records: dict[URIRef, BibRecord]) -> None:
    """Authors in ``bibo:authorList`` order when there is one, else creators by name."""
    template = f"""SELECT ?p ?position ?name WHERE {{
        {{values}} ?p <{DCTERMS.creator}> ?person . ?person <{FOAF.name}> ?name .
        OPTIONAL {{ ?p <{BIBO.authorList}> ?list . ?list ?position ?person }} }}"""
    ranks: dict[URIRef, dict[str, int]] = {}
    for publication, position, name in ask_in_chunks(store, "?p", pubs, template):
        rank = int(str(position).rsplit("_", 1)[-1]) if position is not None else 10**6
        names = ranks.setdefault(publication, {})
        names[str(name)] = min(names.get(str(name), rank), rank)
    for publication, names in ranks.items():
        records[publication].authors = sorted(names, key=lambda name: (names[name], name))


_RECORDS = """
PREFIX ev: <https://w3id.org/evidence-graph/ns#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?p ?record ?duplicate ?number ?file ?g ?time ?agent WHERE {
  {values}
  GRAPH ?g { ?record ev:recordOf ?p ; ev:recordNumber ?number ; dcterms:source ?file . %s }
  ?g prov:generatedAtTime ?time .
  OPTIONAL { ?g prov:wasAttributedTo/rdfs:label ?agent }
  OPTIONAL { ?record ev:duplicateOf ?duplicate }
}
"""
_RECORD_FIELDS = """
PREFIX ev: <https://w3id.org/evidence-graph/ns#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?record ?prop ?value WHERE {
  {values} ?record ?prop ?value .
  FILTER (?prop IN (dcterms:identifier, ev:note, ev:screeningTag, ev:otherFields, ev:recordFormat))
}
"""


def _records(
    store: Store,
    pubs: list[URIRef],
    records: dict[URIRef, BibRecord],
    review: URIRef | None,
    fmt: str | None,
) -> dict[URIRef, tuple]:
    """Fill each record's key, notes, tags and other fields from the publication's first
    surviving record; return that record's origin and how many duplicate it, by publication."""
    scope = (
        f"?record ev:inReview <{review}> ."
        if review is not None
        else "FILTER NOT EXISTS { ?record ev:inReview ?any }"
    )
    first: dict[URIRef, tuple] = {}
    duplicates: dict[URIRef, int] = {}
    for p, record, duplicate, number, file, g, time, agent in ask_in_chunks(
        store, "?p", pubs, _RECORDS % scope
    ):
        if duplicate is not None:
            duplicates[p] = duplicates.get(p, 0) + 1
            continue
        origin = (str(time), int(number), record, str(file), str(g), str(agent or ""))
        if p not in first or origin < first[p]:
            first[p] = origin
    owners = {origin[2]: p for p, origin in first.items()}
    rows = ask_in_chunks(store, "?record", sorted(owners), _RECORD_FIELDS)
    formats = {record: str(value) for record, prop, value in rows if prop == EV.recordFormat}
    for record, prop, value in sorted(rows):
        target = records[owners[record]]
        if prop == DCTERMS.identifier:
            target.key = str(value)
        elif prop == EV.note:
            target.notes.append(str(value))
        elif prop == EV.screeningTag:
            target.labels.append(str(value))
        elif prop == EV.otherFields and formats.get(record) == fmt:
            target.extra = json.loads(str(value))
    return {p: (*origin, duplicates.get(p, 0)) for p, origin in first.items()}


def _provenance(publication: URIRef, origin: tuple | None) -> str:
    note = f"{PROVENANCE_PREFIX}<{publication}>"
    if origin is None:
        return note
    time, number, _, file, graph, agent, duplicates = origin
    note += f" | record {number} of {file}, imported {time[:19]}"
    note += f" by {agent}" if agent else ""
    note += f" into <{graph}>"
    if duplicates:
        note += f" | {duplicates} duplicate record{'s' * (duplicates != 1)} linked"
    return note
