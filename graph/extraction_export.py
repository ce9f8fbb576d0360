"""Stored findings written out as an extraction sheet, in the layout ``graph.extraction_sheet``
reads, one row per estimate: a sheet exported and imported into a store holding the same
publications gives the same findings.

Four queries fetch what the rows need, never one per finding: the findings with their
estimates, then the names of their publications, the facts of their studies and the labels of
their concepts. A publication is named by its DOI, else its PMID, else its PMCID, else its IRI
(relative to the base when under it); a concept by its preferred label; the arms as the paper
printed them by the finding's ``ev:interventionArmLabel`` and ``ev:comparatorArmLabel``. What
the layout has no column for is not written: the labels and comments of findings and studies.
"""

import csv
import io
from collections.abc import Iterable, Sequence

from rdflib import URIRef
from rdflib.term import Node

from graph.extraction_sheet import ARMS, COLUMNS, DESIGNS, MEASURES, study_key
from graph.namespaces import PREFIXES
from graph.sparql_patterns import INTERVAL_AND_P
from graph.store import Store

__all__ = ["export_sheet"]

_PREFIXES = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items())
_TYPES = ", ".join(sorted({m.type.n3() for m in MEASURES.values()}))
_MEASURE_NAMES = {(m.type, m.unit): name for name, m in MEASURES.items()}
_DESIGN_NAMES = {iri: name for name, iri in DESIGNS.items()}
_ORDER = {name: number for number, name in enumerate(MEASURES)}

_ESTIMATES = f"""{_PREFIXES}
SELECT ?finding ?publication ?study ?intervention ?comparator ?reference ?outcome ?estimate
       ?type ?point ?population ?timepoint ?interventionArm ?comparatorArm ?arm ?unit ?note
       ?lower ?upper ?level ?p ?pc
WHERE {{
  %(publications)s
  ?finding prov:wasDerivedFrom ?publication ; a ev:Finding ; ev:study ?study ;
           ev:intervention ?intervention ; ev:comparator ?comparator ;
           ev:referenceArm ?reference ; ev:outcome ?outcome ; ev:estimate ?estimate .
  ?estimate a ?type ; ev:pointEstimate ?point .
  FILTER (?type IN ({_TYPES}))
  OPTIONAL {{ ?finding ev:population ?population }}
  OPTIONAL {{ ?finding ev:timepoint ?timepoint }}
  OPTIONAL {{ ?finding ev:interventionArmLabel ?interventionArm }}
  OPTIONAL {{ ?finding ev:comparatorArmLabel ?comparatorArm }}
  OPTIONAL {{ ?estimate ev:arm ?arm }}
  OPTIONAL {{ ?estimate ev:unit ?unit }}
  OPTIONAL {{ ?estimate rdfs:comment ?note }}
  {INTERVAL_AND_P}
}}
"""
_PUBLICATIONS = f"""{_PREFIXES}
SELECT ?node ?doi ?pmid ?pmcid WHERE {{
  VALUES ?node {{ %(nodes)s }}
  OPTIONAL {{ ?node bibo:doi ?doi }}
  OPTIONAL {{ ?node bibo:pmid ?pmid }}
  OPTIONAL {{ ?node ev:pmcid ?pmcid }}
}}
"""
_STUDIES = f"""{_PREFIXES}
SELECT ?node ?nct ?design ?n ?followUp WHERE {{
  VALUES ?node {{ %(nodes)s }}
  OPTIONAL {{ ?node ev:nctId ?nct }}
  OPTIONAL {{ ?node ev:studyDesign ?design }}
  OPTIONAL {{ ?node ev:sampleSize ?n }}
  OPTIONAL {{ ?node ev:followUpDuration ?followUp }}
}}
"""
_LABELS = f"""{_PREFIXES}
SELECT ?node ?rank ?label WHERE {{
  VALUES ?node {{ %(nodes)s }}
  {{ ?node skos:prefLabel ?label BIND (0 AS ?rank) }}
  UNION {{ ?node rdfs:label ?label BIND (1 AS ?rank) }}
}}
"""


def export_sheet(store: Store, publications: Sequence[URIRef] | None, base_iri: str) -> str:
    """The stored findings of ``publications`` (all findings when None) as an extraction
    sheet: the header and one row per estimate, ordered by publication, study and finding."""
    values = f"VALUES ?publication {{ {_terms(publications)} }}" if publications is not None else ""
    found: dict[tuple[Node, Node], dict[str, Node | None]] = {}
    result = store.query(_ESTIMATES % {"publications": values})
    for row in result.rows:  # one per estimate, the first of each repeated optional value
        found.setdefault((row[0], row[7]), dict(zip(result.variables, row, strict=True)))
    estimates = list(found.values())
    names = _publication_names(store, {e["publication"] for e in estimates}, base_iri)
    studies = _studies(store, {e["study"] for e in estimates})
    concepts = ("population", "intervention", "comparator", "outcome", "arm")
    labels = _labels(store, {e[key] for e in estimates for key in concepts})
    rows = [_row(e, names, studies, labels, base_iri) for e in estimates]
    rows.sort(key=_sort_key)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([row[column] for column in COLUMNS] for row in rows)
    return out.getvalue()


def _row(
    estimate: dict[str, Node | None],
    publications: dict[Node, str],
    studies: dict[Node, dict[str, str]],
    labels: dict[Node, str],
    base_iri: str,
) -> dict[str, str]:
    arms = {estimate["intervention"]: "intervention", estimate["comparator"]: "comparator"}
    p, comparator = _text(estimate["p"]), _text(estimate["pc"])
    row = {
        "publication": publications[estimate["publication"]],
        "study": study_key(str(estimate["study"]), base_iri),
        **studies.get(estimate["study"], {}),
        "population": labels.get(estimate["population"], ""),
        "intervention": labels[estimate["intervention"]],
        "comparator": labels[estimate["comparator"]],
        "intervention_arm": _text(estimate["interventionArm"]),
        "comparator_arm": _text(estimate["comparatorArm"]),
        "reference_arm": arms.get(estimate["reference"], "comparator"),
        "outcome": labels[estimate["outcome"]],
        "measure": _MEASURE_NAMES.get((estimate["type"], estimate["unit"]), "median"),
        "arm": arms.get(estimate["arm"], labels.get(estimate["arm"], "")),
        "estimate": _text(estimate["point"]),
        "ci_lower": _text(estimate["lower"]),
        "ci_upper": _text(estimate["upper"]),
        "ci_level": _text(estimate["level"]),
        "p_value": p if comparator in ("", "=") else f"{comparator}{p}",
        "timepoint": _text(estimate["timepoint"]),
        "notes": _text(estimate["note"]),
    }
    return dict.fromkeys(COLUMNS, "") | row


def _sort_key(row: dict[str, str]) -> tuple:
    finding = tuple(row[c] for c in ("publication", "study", "outcome", "timepoint"))
    finding += tuple(row[c] for c in ("population", "intervention", "comparator"))
    arm = ARMS.index(row["arm"]) if row["arm"] in ARMS else -1
    return (*finding, _ORDER.get(row["measure"], len(_ORDER)), arm, row["estimate"])


def _publication_names(store: Store, nodes: set[Node], base_iri: str) -> dict[Node, str]:
    """``doi:...``, else ``pmid:...``, else ``pmcid:...``, else the IRI (base-relative)."""
    names: dict[Node, str] = {}
    for node, *ids in _rows(store, _PUBLICATIONS, nodes):
        schemes = (f"{s}:{v}" for s, v in zip(("doi", "pmid", "pmcid"), ids, strict=True) if v)
        names.setdefault(node, next(schemes, str(node).removeprefix(base_iri)))
    return names


def _studies(store: Store, nodes: set[Node]) -> dict[Node, dict[str, str]]:
    """The cells of each study: its NCT id, design, sample size and follow-up."""
    facts: dict[Node, dict[str, str]] = {}
    for node, nct, design, n, follow_up in _rows(store, _STUDIES, nodes):
        facts.setdefault(
            node,
            {
                "nct_id": _text(nct),
                "design": _DESIGN_NAMES.get(design, _text(design)),
                "n": _text(n),
                "follow_up": _text(follow_up),
            },
        )
    return facts


def _labels(store: Store, nodes: set[Node | None]) -> dict[Node, str]:
    """The label of each concept: its preferred label, else its label (English or untagged
    first), else its IRI."""
    ranked: dict[Node, tuple] = {}
    for node, rank, label in _rows(store, _LABELS, {n for n in nodes if n is not None}):
        key = (int(rank), label.language not in (None, "en"), str(label))
        ranked[node] = min(ranked.get(node, key), key)
    return {node: str(node) for node in nodes if node is not None} | {
        node: key[2] for node, key in ranked.items()
    }


def _rows(store: Store, template: str, nodes: Iterable[Node]) -> list[tuple]:
    nodes = sorted(nodes)
    return store.query(template % {"nodes": _terms(nodes)}).rows if nodes else []


def _terms(nodes: Iterable[Node]) -> str:
    return " ".join(node.n3() for node in nodes)


def _text(term: Node | None) -> str:
    return "" if term is None else str(term)
