"""The JSON-LD context: a document written with it goes through the write path as intended."""

import io
import json
from decimal import Decimal

from rdflib import Literal

from graph.memory_store import MemoryStore
from graph.namespaces import XSD
from graph.parsing import Source
from graph.writes import load
from ontology import context
from tests.conftest import BASE


def test_a_json_ld_document_using_the_context_loads_and_validates() -> None:
    document = {
        "@context": json.loads(context().read_text())["@context"],
        "@graph": [
            {
                "id": "publication/p",
                "type": "fabio:JournalArticle",
                "title": "P",
                "issued": {"@value": "2015", "@type": "xsd:gYear"},
                "doi": "10.1000/P",
            },
            {
                "id": "study/s",
                "type": "Study",
                "studyDesign": "obo:OBCS_0000107",
                "sampleSize": "350",
                "nctId": "NCT00193778",
                "reportedIn": "publication/p",
            },
            {
                "id": "finding/f",
                "type": "Finding",
                "study": "study/s",
                "intervention": {"id": "arm/a", "type": "Intervention"},
                "comparator": {"id": "arm/b", "type": "Intervention"},
                "referenceArm": "arm/b",
                "outcome": {"id": "outcome/os", "type": "Outcome"},
                "estimate": {
                    "id": "estimate/hr",
                    "type": "HazardRatio",
                    "pointEstimate": "1.04",
                    "ciLower": "0.81",
                    "ciUpper": "1.34",
                    "ciLevel": "0.95",
                    "pValue": "0.79",
                    "pValueComparator": "=",
                },
            },
        ],
    }
    store = MemoryStore()
    stream = io.BytesIO(json.dumps(document).encode())
    result = load(store, [Source("doc.jsonld", stream, "json-ld")], BASE, "tester")
    assert result.triples > 20
    [(value,)] = store.query(
        f"SELECT ?v WHERE {{ <{BASE}estimate/hr> "
        "<https://w3id.org/evidence-graph/ns#pointEstimate> ?v }"
    ).rows
    assert value == Literal("1.04", datatype=XSD.decimal)
    assert value.toPython() == Decimal("1.04")
    assert store.query(f'ASK {{ <{BASE}publication/p> ?p "10.1000/p" }}').boolean
