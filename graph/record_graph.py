"""Bibliographic records as triples of our model, ready for the write path.

Each group of records (``graph.record_matching``) is one publication. A new publication is
described from its records (the first non-empty value of each field, identifiers from all):
its FaBiO type, title, date, identifiers, abstract, journal, volume, issue, pages, keywords,
MeSH headings, PubMed publication types and its authors in order (``bibo:authorList``, an
``rdf:Seq`` of one ``foaf:Person`` per author position). A stored publication is left as it
is: the first description of a work wins.

Every record becomes an ``ev:Record`` holding what its file said that identifies it (number,
file, format, its own key, title, year, first author), its notes and tags, and the fields no
property holds (``ev:otherFields``, JSON); a record of a publication that already has a record
in the same review (or, outside reviews, anywhere) is ``ev:duplicateOf`` that record, with the
rule that found it. Screening labels become ``ev:ScreeningDecision``s on the publication.
"""

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from uuid import uuid4

from rdflib import Graph, Literal, URIRef

from graph.bib_records import BibRecord
from graph.dedup import family_name
from graph.identifiers import identified_iri, slug
from graph.import_errors import BadRow
from graph.namespaces import BIBO, DCTERMS, EV, FABIO, FOAF, RDF, RDFS, XSD
from graph.record_matching import FUZZY, Group, Ids, group_records, record_ids
from graph.sparql_patterns import ask_in_chunks
from graph.store import Store
from graph.venues import Venues

__all__ = [
    "KIND_CLASSES",
    "SOURCE_TYPES",
    "STAGES",
    "Duplicate",
    "Mapped",
    "RecordImport",
    "map_records",
    "review_iri",
]

#: Our record kinds as FaBiO classes (and back, by the first kind of each class).
KIND_CLASSES: dict[str, URIRef] = {
    "article": FABIO.JournalArticle,
    "abstract": FABIO.Abstract,
    "conference-paper": FABIO.ConferencePaper,
    "book": FABIO.Book,
    "chapter": FABIO.BookChapter,
    "report": FABIO.ReportDocument,
    "thesis": FABIO.Thesis,
    "preprint": FABIO.Preprint,
    "review": FABIO.ReviewArticle,
    "trial-registration": FABIO.ClinicalTrialDesign,
    "web-page": FABIO.WebPage,
    "dataset": FABIO.DataFile,
    "news": FABIO.NewsItem,
    "other": FABIO.Expression,
}
SOURCE_TYPES = ("database", "register", "website", "organisation", "citation-searching")
STAGES = ("title-abstract", "full-text")
_DATE = re.compile(r"^([0-9]{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12][0-9]|3[01]))?)?$")
_FILLED = ("title", "issued", "journal", "volume", "issue", "page_start", "page_end", "abstract")
_FILLED += ("language", "issn", "publisher")
_LISTS = ("authors", "keywords", "mesh", "publication_types")


@dataclass(frozen=True)
class RecordImport:
    """How records are imported: under which base IRI, from which format, for which review
    (its name), from which search source and of which PRISMA source type, and at which stage
    the screening labels they carry were decided."""

    base_iri: str
    fmt: str
    review: str | None = None
    source: str | None = None
    source_type: str = "database"
    stage: str = "title-abstract"


@dataclass(frozen=True)
class Duplicate:
    """A record found to duplicate an earlier one, and why."""

    source: str
    record: int
    survivor: str  # the surviving record's IRI
    publication: str
    rule: str
    score: float | None


@dataclass
class Mapped:
    """The records as triples, and what became of them."""

    graph: Graph
    publications: list[str]
    publications_new: int
    duplicates: list[Duplicate]
    decisions: int


def review_iri(name: str, base_iri: str) -> URIRef:
    """The IRI of the review called ``name``: ``{base}review/{slug}``."""
    return URIRef(f"{base_iri}review/{slug(name) or 'review'}")


def map_records(
    store: Store, records: Sequence[BibRecord], how: RecordImport, problems: list[BadRow]
) -> Mapped:
    """Map ``records`` to triples, matching and deduplicating them against ``store``; what is
    wrong with a record is added to ``problems`` (the caller refuses the batch)."""
    ids = [record_ids(record, problems) for record in records]
    for record, record_id in zip(records, ids, strict=True):
        if not record_id and not record.iri and not (record.title and record.year):
            reason = "neither an identifier (DOI, PMID, PMCID) nor a title and a year"
            problems.append(BadRow(record.source, record.line, None, reason, record.number))
        if record.issued and not _DATE.match(record.issued):
            reason = f"date {record.issued!r} is not YYYY, YYYY-MM or YYYY-MM-DD"
            problems.append(BadRow(record.source, record.line, "issued", reason, record.number))
    graph = Graph()
    if problems:
        return Mapped(graph, [], 0, [], 0)
    groups = group_records(store, records, ids)
    batch = uuid4().hex[:12]
    review = review_iri(how.review, how.base_iri) if how.review else None
    search = _describe_search(graph, store, how, review, batch)
    record_iris = [URIRef(f"{how.base_iri}record/{batch}/{n + 1}") for n in range(len(records))]
    survivors = _stored_survivors(store, [g.stored for g in groups if g.stored], review)
    venues = Venues(store, how.base_iri)
    publications, new, duplicates, decisions = [], 0, [], 0
    for group in groups:
        publication = group.stored or _minted(records, ids, group, how.base_iri)
        publications.append(str(publication))
        if group.stored is None:
            new += 1
            _describe_publication(graph, publication, _merged(records, group), group, venues)
        survivor = survivors.get(publication)
        for index in group.records:
            record, iri = records[index], record_iris[index]
            _describe_record(graph, iri, record, publication, how, review, search)
            if survivor is None:
                survivor = iri
            else:
                rule, score = _rule(group, index, ids[index], survivor, record_iris)
                graph.add((iri, EV.duplicateOf, survivor))
                graph.add((iri, EV.duplicateRule, Literal(rule)))
                if score is not None:
                    graph.add((iri, EV.matchScore, Literal(Decimal(f"{score:.4f}"))))
                duplicates.append(
                    Duplicate(
                        record.source, record.number, str(survivor), str(publication), rule, score
                    )
                )
            decisions += _describe_decisions(graph, record, iri, publication, how, review)
    return Mapped(graph, publications, new, duplicates, decisions)


def _merged(records: Sequence[BibRecord], group: Group) -> BibRecord:
    """The group's first record, its empty fields filled from the others."""
    members = [records[i] for i in group.records]
    head = members[0]
    values = {f.name: getattr(head, f.name) for f in fields(BibRecord)}
    for name in _FILLED + _LISTS:
        if not values[name]:
            values[name] = next((getattr(m, name) for m in members if getattr(m, name)), None)
            values[name] = values[name] or ([] if name in _LISTS else None)
    values["urls"] = list(dict.fromkeys(url for m in members for url in m.urls))
    return BibRecord(**values)


def _minted(records: Sequence[BibRecord], ids: Sequence[Ids], group: Group, base: str) -> URIRef:
    """A new publication's IRI: by its identifier, as a citation index would name it, else by
    first author, year and title."""
    if group.ids:
        prop, value = next(iter(group.ids.items()))
        return URIRef(identified_iri(prop, value, base))
    head = records[group.records[0]]
    family = slug(family_name(head.first_author or "")) or "anonymous"
    digest = hashlib.sha1(f"{head.title}|{head.year}|{family}".encode()).hexdigest()[:8]
    word = next(iter(slug(head.title or "").split("-")), "") or "untitled"
    return URIRef(f"{base}publication/{family}-{head.year}-{word}-{digest}")


def _describe_publication(
    graph: Graph, publication: URIRef, record: BibRecord, group: Group, venues: Venues
) -> None:
    add = graph.add
    add((publication, RDF.type, KIND_CLASSES.get(record.kind, FABIO.Expression)))
    for prop, value in group.ids.items():
        add((publication, prop, Literal(value)))
    if record.title:
        add((publication, DCTERMS.title, Literal(record.title)))
        add((publication, RDFS.label, Literal(_label(record))))
    if record.issued:
        add((publication, DCTERMS.issued, _issued(record.issued)))
    plain = {
        DCTERMS.abstract: record.abstract,
        BIBO.volume: record.volume,
        BIBO.issue: record.issue,
        BIBO.pageStart: record.page_start,
        BIBO.pageEnd: record.page_end,
        DCTERMS.language: record.language,
        BIBO.issn: record.issn,
        DCTERMS.publisher: record.publisher,
    }
    for prop, value in plain.items():
        if value:
            add((publication, prop, Literal(value)))
    for prop, values in (
        (DCTERMS.subject, record.keywords),
        (EV.meshHeading, record.mesh),
        (EV.publicationType, record.publication_types),
    ):
        for value in values:
            add((publication, prop, Literal(value)))
    for url in record.urls:
        add((publication, FOAF.page, Literal(url, datatype=XSD.anyURI)))
    if record.journal:
        add((publication, DCTERMS.isPartOf, venues.named(graph, record.journal)))
    if record.authors:
        authors = URIRef(f"{publication}/authors")
        add((publication, BIBO.authorList, authors))
        add((authors, RDF.type, RDF.Seq))
        for position, name in enumerate(record.authors, start=1):
            person = URIRef(f"{publication}/author/{position}")
            add((publication, DCTERMS.creator, person))
            add((authors, RDF[f"_{position}"], person))
            add((person, RDF.type, FOAF.Person))
            add((person, FOAF.name, Literal(name)))
            add((person, RDFS.label, Literal(name)))


def _describe_record(
    graph: Graph,
    iri: URIRef,
    record: BibRecord,
    publication: URIRef,
    how: RecordImport,
    review: URIRef | None,
    search: URIRef | None,
) -> None:
    add = graph.add
    add((iri, RDF.type, EV.Record))
    add((iri, EV.recordOf, publication))
    add((iri, EV.recordNumber, Literal(record.number)))
    add((iri, DCTERMS.source, Literal(record.source)))
    add((iri, EV.recordFormat, Literal(how.fmt)))
    if review is not None:
        add((iri, EV.inReview, review))
    if search is not None:
        add((iri, EV.fromSearch, search))
    if record.key:
        add((iri, DCTERMS.identifier, Literal(record.key)))
    if record.title:
        add((iri, DCTERMS.title, Literal(record.title)))
    if record.year:
        add((iri, EV.year, Literal(record.year)))
    if record.first_author:
        add((iri, EV.firstAuthor, Literal(record.first_author)))
    for note in record.notes:
        add((iri, EV.note, Literal(note)))
    for tag in record.labels:
        add((iri, EV.screeningTag, Literal(tag)))
    if record.extra:
        text = json.dumps(record.extra, ensure_ascii=False, sort_keys=True)
        add((iri, EV.otherFields, Literal(text, datatype=RDF.JSON)))


def _describe_decisions(
    graph: Graph,
    record: BibRecord,
    record_iri: URIRef,
    publication: URIRef,
    how: RecordImport,
    review: URIRef | None,
) -> int:
    for number, label in enumerate(record.screening, start=1):
        decision = URIRef(f"{record_iri}/decision/{number}")
        graph.add((decision, RDF.type, EV.ScreeningDecision))
        graph.add((decision, EV.decisionOn, publication))
        graph.add((decision, EV.decision, Literal(label.decision)))
        graph.add((decision, EV.screeningStage, Literal(how.stage)))
        graph.add((decision, EV.screeningTool, Literal(label.tool)))
        graph.add((decision, EV.fromRecord, record_iri))
        if review is not None:
            graph.add((decision, EV.inReview, review))
        if label.reviewer:
            graph.add((decision, EV.decidedBy, Literal(label.reviewer)))
        if label.prior:
            graph.add((decision, EV.priorKnowledge, Literal(True)))
        for reason in label.reasons:
            graph.add((decision, EV.exclusionReason, Literal(reason)))
    return len(record.screening)


def _describe_search(
    graph: Graph, store: Store, how: RecordImport, review: URIRef | None, batch: str
) -> URIRef | None:
    if review is not None and not store.query(f"ASK {{ <{review}> a <{EV.Review}> }}").boolean:
        graph.add((review, RDF.type, EV.Review))
        graph.add((review, RDFS.label, Literal(how.review)))
    if review is None or how.source is None:
        return None
    search = URIRef(f"{how.base_iri}search/{batch}")
    graph.add((search, RDF.type, EV.Search))
    graph.add((search, EV.inReview, review))
    graph.add((search, EV.searchSource, Literal(how.source)))
    graph.add((search, EV.sourceType, Literal(how.source_type)))
    return search


def _rule(
    group: Group, index: int, ids: Ids, survivor: URIRef, record_iris: list[URIRef]
) -> tuple[str, float | None]:
    """Why record ``index`` duplicates ``survivor``."""
    if index in group.fuzzy:
        return FUZZY, group.fuzzy[index][1]
    if survivor in record_iris:  # the survivor is in this batch: what do they share?
        for prop, value in ids:
            if group.ids.get(prop) == value:
                return _scheme(prop), None
        return "iri", None
    return group.stored_rule or "iri", group.stored_score


def _scheme(prop: URIRef) -> str:
    return {BIBO.doi: "doi", BIBO.pmid: "pmid", EV.pmcid: "pmcid"}[prop]


_SURVIVORS = """
PREFIX ev: <https://w3id.org/evidence-graph/ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?p ?record ?time ?number WHERE {
  {values}
  GRAPH ?g { ?record ev:recordOf ?p ; ev:recordNumber ?number . %s }
  FILTER NOT EXISTS { ?record ev:duplicateOf ?earlier }
  ?g prov:generatedAtTime ?time .
}
"""


def _stored_survivors(
    store: Store, publications: list[URIRef], review: URIRef | None
) -> dict[URIRef, URIRef]:
    """The first stored record of each publication in ``review`` (or outside any review)."""
    scope = (
        f"?record ev:inReview <{review}> ."
        if review is not None
        else "FILTER NOT EXISTS { ?record ev:inReview ?any }"
    )
    rows = ask_in_chunks(store, "?p", sorted(set(publications)), _SURVIVORS % scope)
    first: dict[URIRef, tuple] = {}
    for publication, record, time, number in rows:
        key = (str(time), int(number), str(record))
        if publication not in first or key < first[publication][0]:
            first[publication] = (key, record)
    return {publication: record for publication, (_, record) in first.items()}


def _issued(value: str) -> Literal:
    datatype = {4: XSD.gYear, 7: XSD.gYearMonth}.get(len(value), XSD.date)
    return Literal(value, datatype=datatype)


def _label(record: BibRecord) -> str:
    family = record.first_author.split(",")[0].split()[0] if record.first_author else None
    parts = [p for p in (family, str(record.year) if record.year else None) if p]
    label = " ".join(parts) or (record.title or "")[:60]
    return f"{label} ({record.journal})" if record.journal else label
