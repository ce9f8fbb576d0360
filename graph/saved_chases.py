"""A chase saved in the graph as a named set, through the write path, for later queries:

    <chase/{slug}> a ev:CitationChase ; rdfs:label "{name}" ; ev:seed <seed> ... ;
        ev:chaseDirection "both" ; ev:hopLimit 2 ; ev:ranking "relatedness" ;
        ev:foundCount 8 ; prov:generatedAtTime ... ; prov:hadMember <publication> ... ;
        ev:hit <chase/{slug}/1> ... .
    <chase/{slug}/1> a ev:ChaseHit ; ev:publication <publication> ; ev:rank 1 ; ev:hops 2 ;
        ev:reachedFrom <seed> ; ev:reachedAs "co-citing" ; ev:coCitationCount 0 ;
        ev:couplingCount 2 ; ev:pageRank 0.12 .

The records saved are those the chase returned (its ``limit``); ``ev:foundCount`` says how many
it found in all. The stored query ``chase-members`` lists a saved chase.

Errors::

    graph.writes.WriteError
    └── ChaseExists     a saved chase already has that name
"""

import io
import re

from rdflib import Graph, Literal, URIRef

from graph.chase import ChaseResult
from graph.namespaces import EV, PROV, RDF, RDFS, XSD
from graph.parsing import Source
from graph.store import Store
from graph.writes import WriteError, load

__all__ = ["ChaseExists", "chase_iri", "save_chase"]


class ChaseExists(WriteError):
    """A saved chase already has that name."""


def chase_iri(name: str, base_iri: str) -> URIRef:
    """``{base}chase/{slug}``: the name in lower case, runs of other characters as ``-``."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not slug:
        raise ValueError(f"save: {name!r} has no letters or digits to name the chase by")
    return URIRef(f"{base_iri}chase/{slug}")


def save_chase(store: Store, result: ChaseResult, name: str, base_iri: str, agent: str) -> str:
    """Write ``result`` as the chase ``name``; its IRI."""
    chase = chase_iri(name, base_iri)
    if store.query(f"ASK {{ {{ {chase.n3()} ?p ?o }} UNION {{ ?s ?p {chase.n3()} }} }}").boolean:
        raise ChaseExists(f"a saved chase is already named {name!r} ({chase}): choose another name")
    request = result.request
    graph = Graph()
    add = graph.add
    add((chase, RDF.type, EV.CitationChase))
    add((chase, RDFS.label, Literal(name)))
    for seed in result.seeds:
        add((chase, EV.seed, URIRef(seed.iri)))
    add((chase, EV.chaseDirection, Literal(request.direction)))
    add((chase, EV.hopLimit, Literal(request.hops)))
    add((chase, EV.ranking, Literal(request.ranking)))
    add((chase, EV.foundCount, Literal(result.total)))
    add((chase, PROV.generatedAtTime, Literal(result.created, datatype=XSD.dateTime)))
    for record in result.records:
        hit, publication = URIRef(f"{chase}/{record.rank}"), URIRef(record.publication.iri)
        add((chase, PROV.hadMember, publication))
        add((chase, EV.hit, hit))
        add((hit, RDF.type, EV.ChaseHit))
        add((hit, EV.publication, publication))
        add((hit, EV.rank, Literal(record.rank)))
        add((hit, EV.hops, Literal(record.hops)))
        for reach in record.reached:
            add((hit, EV.reachedFrom, URIRef(reach.seed)))
        for direction in record.directions:
            add((hit, EV.reachedAs, Literal(direction)))
        for prop, score in (
            (EV.coCitationCount, record.co_citation),
            (EV.couplingCount, record.coupling),
            (EV.pageRank, record.pagerank),
        ):
            if score is not None:  # the ranking's own scores only
                add((hit, prop, Literal(score)))
    data = graph.serialize(format="nt", encoding="utf-8")
    load(store, [Source(f"chase {name}", io.BytesIO(data), "ntriples")], base_iri, agent)
    return str(chase)
