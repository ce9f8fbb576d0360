"""Which publication each imported record is of: records grouped by shared identifiers, groups
matched to stored publications by our IRI, DOI, PMID or PMCID, and records without identifiers
matched by title, year and first author (``graph.dedup``) to earlier records of the batch or to
stored publications.

Each group ends with one publication (stored, or new) and says, for each of its records, by
which rule it joined: the evidence a duplicate decision shows.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from rdflib import Literal, URIRef

from graph.bib_records import BibRecord
from graph.dedup import Candidate, family_name, fuzzy_match
from graph.identifiers import PUBLICATION_SCHEMES, parse_identifier
from graph.import_errors import BadRow
from graph.sparql_patterns import ask_in_chunks
from graph.store import Store

__all__ = ["Group", "Ids", "group_records", "record_ids"]

Ids = tuple[tuple[URIRef, str], ...]  # (identifier property, normalised value), DOI first
_SCHEME = {prop: name for name, prop in PUBLICATION_SCHEMES.items()}
FUZZY = "title-year-first-author"


@dataclass
class Group:
    """Records of one publication: ``records`` in batch order (indices into the batch), the
    identifiers they give, the stored publication they matched (and by which rule), and for
    each record that joined by a fuzzy match, its score."""

    records: list[int]
    ids: dict[URIRef, str] = field(default_factory=dict)
    iris: set[str] = field(default_factory=set)
    stored: URIRef | None = None
    stored_rule: str | None = None
    stored_score: float | None = None
    fuzzy: dict[int, tuple[int, float]] = field(default_factory=dict)  # record -> (joined, score)


def record_ids(record: BibRecord, problems: list[BadRow]) -> Ids:
    """The record's identifiers normalised, DOI first; a malformed one is reported."""
    found = []
    for scheme, value in (("doi", record.doi), ("pmid", record.pmid), ("pmcid", record.pmcid)):
        if not value:
            continue
        try:
            parsed = parse_identifier(f"{scheme}:{value}")
        except ValueError as error:
            problems.append(BadRow(record.source, record.line, scheme, str(error), record.number))
            continue
        if parsed is not None:
            found.append(parsed)
    return tuple(found)


def group_records(store: Store, records: Sequence[BibRecord], ids: Sequence[Ids]) -> list[Group]:
    """Group the records by shared identifier or IRI, then match each group to the store;
    records with no identifier join an earlier group or a stored publication when title, year
    and first author agree."""
    groups = _by_identifier(records, ids)
    _match_stored(store, groups)
    _match_fuzzy(store, records, groups)
    return [group for group in groups if group.records]


def _by_identifier(records: Sequence[BibRecord], ids: Sequence[Ids]) -> list[Group]:
    parent = list(range(len(records)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[object, int] = {}
    for index, (record, record_ids) in enumerate(zip(records, ids, strict=True)):
        keys: list[object] = list(record_ids) + ([("iri", record.iri)] if record.iri else [])
        for key in keys:
            if key in first:
                a, b = sorted((root(first[key]), root(index)))
                parent[b] = a
            else:
                first[key] = index
    by_root: dict[int, Group] = {}
    for index in range(len(records)):
        group = by_root.setdefault(root(index), Group([]))
        group.records.append(index)
        for prop, value in ids[index]:
            group.ids.setdefault(prop, value)
        if records[index].iri:
            group.iris.add(records[index].iri)
    return list(by_root.values())


def _match_stored(store: Store, groups: list[Group]) -> None:
    """Give each group the stored publication its IRI or identifiers name (IRI first, then
    DOI, PMID, PMCID)."""
    iris = sorted({iri for group in groups for iri in group.iris})
    stored_iris = {
        str(row[0]) for row in ask_in_chunks(store, "?p", [URIRef(i) for i in iris], _IS_STORED)
    }
    by_id: dict[tuple[URIRef, str], URIRef] = {}
    for prop in _SCHEME:
        values = sorted({g.ids[prop] for g in groups if prop in g.ids})
        template = f"SELECT ?v ?p WHERE {{ {{values}} ?p <{prop}> ?v }}"
        for value, publication in ask_in_chunks(
            store, "?v", [Literal(v) for v in values], template
        ):
            by_id.setdefault((prop, str(value)), publication)
    for group in groups:
        iri = next((i for i in sorted(group.iris) if i in stored_iris), None)
        if iri is not None:
            group.stored, group.stored_rule = URIRef(iri), "iri"
            continue
        for prop, value in group.ids.items():
            if (prop, value) in by_id:
                group.stored, group.stored_rule = by_id[(prop, value)], _SCHEME[prop]
                break


def _match_fuzzy(store: Store, records: Sequence[BibRecord], groups: list[Group]) -> None:
    """Records without identifiers (their group has none) join the earlier group or the
    stored publication that ``fuzzy_match`` finds for them. Candidates are kept by year and
    family name, so a record is compared only with those that could match it."""
    lonely = [g for g in groups if not g.ids and not g.iris and g.stored is None]
    years = sorted({r.year for g in lonely for i in g.records if (r := records[i]).year})
    stored = _Buckets(_stored_candidates(store, years) if years else [])
    earlier = _Buckets([])
    owner: dict[str, Group] = {}
    for group in groups:
        head = records[group.records[0]]
        candidate = _candidate(str(group.records[0]), head)
        if group in lonely and candidate is not None:
            found = fuzzy_match(candidate, earlier.near(candidate))
            if found is not None:
                target = owner[found[0].key]
                target.fuzzy.update({i: (int(found[0].key), found[1]) for i in group.records})
                target.records += group.records
                group.records = []
                continue
            found = fuzzy_match(candidate, stored.near(candidate))
            if found is not None:
                group.stored, group.stored_rule = URIRef(found[0].key), FUZZY
                group.stored_score = found[1]
        if candidate is not None:
            earlier.add(candidate)
            owner[candidate.key] = group


class _Buckets:
    """Candidates by (year, family name), in the order they were added."""

    def __init__(self, candidates: list[Candidate]) -> None:
        self._by: dict[tuple[int, str], list[Candidate]] = {}
        for candidate in candidates:
            self.add(candidate)

    def add(self, candidate: Candidate) -> None:
        for family in candidate.families:
            self._by.setdefault((candidate.year, family), []).append(candidate)

    def near(self, candidate: Candidate) -> list[Candidate]:
        found = (c for f in candidate.families for c in self._by.get((candidate.year, f), []))
        return list(dict.fromkeys(found))


def _candidate(key: str, record: BibRecord) -> Candidate | None:
    if not (record.title and record.year and record.first_author):
        return None
    return Candidate(key, record.title, record.year, frozenset({family_name(record.first_author)}))


_IS_STORED = "SELECT DISTINCT ?p WHERE { {values} ?p a ?type }"
# Stored publications and records of the given years, with their first author when the order
# of authors is known (an author list, a record's first author), else all their authors.
_CANDIDATES = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX bibo: <http://purl.org/ontology/bibo/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX ev: <https://w3id.org/evidence-graph/ns#>
SELECT ?publication ?title ?year ?first ?author WHERE {
  {
    ?publication dcterms:title ?title ; dcterms:issued ?issued .
    BIND (SUBSTR(STR(?issued), 1, 4) AS ?year)
    FILTER (?year IN (%s))
    OPTIONAL { ?publication bibo:authorList/rdf:_1/foaf:name ?first }
    OPTIONAL { ?publication dcterms:creator/foaf:name ?author }
  } UNION {
    ?record ev:recordOf ?publication ; dcterms:title ?title ; ev:year ?number ;
            ev:firstAuthor ?first .
    BIND (STR(?number) AS ?year)
    FILTER (?year IN (%s))
  }
}
"""


def _stored_candidates(store: Store, years: list[int]) -> list[Candidate]:
    listed = ", ".join(f'"{int(year)}"' for year in years)
    names: dict[tuple[str, str, str], tuple[set[str], set[str]]] = {}
    for publication, title, year, first, author in store.query(_CANDIDATES % (listed, listed)).rows:
        firsts, authors = names.setdefault(
            (str(publication), str(title), str(year)), (set(), set())
        )
        if first is not None:
            firsts.add(family_name(str(first)))
        if author is not None:
            authors.add(family_name(str(author)))
    return [
        Candidate(publication, title, int(year), frozenset(firsts or authors))
        for (publication, title, year), (firsts, authors) in sorted(names.items())
        if firsts or authors
    ]
