"""PRISMA 2020 flow counts of a review, derived from the graph and checked by the shapes.

Where each count comes from:

- **identified**: the records of the review's searches, by source type (databases, registers,
  websites, organisations, citation searching) and by source;
- **duplicates**: records of database and register searches that duplicate an earlier record
  (``ev:duplicateOf``); other methods' duplicates are not sought again;
- **screened**: database and register records less duplicates; **excluded**: their
  publications excluded at the title-abstract stage (the reviewers' consensus);
- **sought**: the rest; other methods' records go straight to retrieval, as in the diagram;
- **not retrieved**: full-text exclusions whose reason is "not retrieved"; **assessed**: the
  rest of those sought; **excluded**: full-text exclusions, counted by their first reason;
- **included**: publications included at full text (new reports), and the studies they report
  (a report with no study in the graph is one study).

The counts become an ``ev:PrismaFlow`` that the SHACL shapes check (the arrows add up) and a CSV
in the layout of the PRISMA2020 flow-diagram template (``data, node, box, description,
boxtext, tooltips, url, n``), which that package and its Shiny app read.
"""

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from importlib.resources import files

from rdflib import BNode, Graph, Literal, URIRef

from graph.bib_records import consensus
from graph.namespaces import EV, RDF
from graph.record_graph import review_iri
from graph.screening import labels_by_publication
from graph.sparql_patterns import ask_in_chunks
from graph.store import Store
from graph.validation import ValidationReport, validate

__all__ = [
    "COLUMNS",
    "NOT_RETRIEVED",
    "PrismaCounts",
    "UnknownReview",
    "check",
    "prisma_counts",
    "prisma_csv",
]

#: The full-text exclusion reason that means the report could not be retrieved.
NOT_RETRIEVED = "not retrieved"
_DBR = ("database", "register")
_OTHER = ("website", "organisation", "citation-searching")


class UnknownReview(ValueError):
    """No review of that name is stored."""


@dataclass
class PrismaCounts:
    """The counts of one review's flow, by the PRISMA2020 template's names, with the sources
    of each arm and the reasons for exclusion; ``report`` is the shapes' verdict on them."""

    review: str
    n: dict[str, int] = field(default_factory=dict)
    databases: dict[str, int] = field(default_factory=dict)
    registers: dict[str, int] = field(default_factory=dict)
    dbr_reasons: dict[str, int] = field(default_factory=dict)
    other_reasons: dict[str, int] = field(default_factory=dict)
    awaiting: int = 0  # reports assessed with no full-text decision yet (or reviewers disagree)
    report: ValidationReport | None = None

    @property
    def adds_up(self) -> bool:
        """Whether the shapes found the counts consistent."""
        return self.report is not None and self.report.conforms

    def as_dict(self) -> dict:
        """The counts as plain data, with what the shapes said of them."""
        return {
            "review": self.review,
            "counts": self.n,
            "databases": self.databases,
            "registers": self.registers,
            "dbr_excluded_reasons": self.dbr_reasons,
            "other_excluded_reasons": self.other_reasons,
            "awaiting_full_text_decision": self.awaiting,
            "adds_up": self.adds_up,
            "violations": [v.message for v in self.report.violations] if self.report else [],
        }


_RECORDS = """
PREFIX ev: <https://w3id.org/evidence-graph/ns#>
SELECT ?record ?publication ?source ?type ?duplicate WHERE {
  ?search ev:inReview %s ; ev:searchSource ?source ; ev:sourceType ?type .
  ?record ev:fromSearch ?search ; ev:recordOf ?publication .
  OPTIONAL { ?record ev:duplicateOf ?duplicate }
}
"""
_STUDIES = """
PREFIX ev: <https://w3id.org/evidence-graph/ns#>
SELECT DISTINCT ?publication ?study WHERE { {values} ?study ev:reportedIn ?publication }
"""


def prisma_counts(store: Store, review: str, base_iri: str) -> PrismaCounts:
    """The PRISMA 2020 counts of ``review``, checked against the shapes."""
    node = review_iri(review, base_iri)
    if not store.query(f"ASK {{ {node.n3()} a {EV.Review.n3()} }}").boolean:
        raise UnknownReview(f"no review {review!r}")
    counts = PrismaCounts(review)
    n = counts.n
    identified: Counter[str] = Counter()
    sources: dict[str, Counter[str]] = {t: Counter() for t in _DBR}
    duplicates = 0
    dbr: set[URIRef] = set()
    other: set[URIRef] = set()
    for _, publication, source, kind, duplicate in store.query(_RECORDS % node.n3()).rows:
        kind = str(kind)
        identified[kind] += 1
        if kind in sources:
            sources[kind][str(source)] += 1
        if duplicate is not None:
            duplicates += kind in _DBR
        elif kind in _DBR:
            dbr.add(publication)
        else:
            other.add(publication)
    other -= dbr
    counts.databases, counts.registers = dict(sources["database"]), dict(sources["register"])
    n.update({"previous_studies": 0, "previous_reports": 0})
    n["database_results"], n["register_results"] = identified["database"], identified["register"]
    n["website_results"] = identified["website"]
    n["organisation_results"] = identified["organisation"]
    n["citations_results"] = identified["citation-searching"]
    n["duplicates"], n["excluded_automatic"], n["excluded_other"] = duplicates, 0, 0
    n["records_screened"] = len(dbr)
    title_abstract = labels_by_publication(store, node, "title-abstract")
    excluded = {p for p in dbr if consensus(title_abstract.get(p, [])) == "exclude"}
    n["records_excluded"] = len(excluded)
    full_text = labels_by_publication(store, node, "full-text")
    included: set[URIRef] = set()
    for arm, sought, reasons in (
        ("dbr", dbr - excluded, counts.dbr_reasons),
        ("other", other, counts.other_reasons),
    ):
        missing, out, kept = _full_text(sought, full_text, reasons)
        n[f"{arm}_sought_reports"] = len(sought)
        n[f"{arm}_notretrieved_reports"] = len(missing)
        n[f"{arm}_assessed"] = len(sought) - len(missing)
        n[f"{arm}_excluded"] = len(out)
        included |= kept
        counts.awaiting += len(sought) - len(missing) - len(out) - len(kept)
    studies = {p: set() for p in included}
    for publication, study in ask_in_chunks(store, "?publication", sorted(included), _STUDIES):
        studies[publication].add(study)
    distinct = {s for found in studies.values() for s in found}
    n["new_studies"] = len(distinct) + sum(1 for found in studies.values() if not found)
    n["new_reports"] = len(included)
    n["total_studies"], n["total_reports"] = n["new_studies"], n["new_reports"]
    counts.report = check(counts)
    return counts


def _full_text(
    sought: set[URIRef], labels: dict, reasons: dict[str, int]
) -> tuple[set[URIRef], set[URIRef], set[URIRef]]:
    """Of the reports sought: those not retrieved, those excluded (their first reason counted
    in ``reasons``) and those included, by the reviewers' consensus at full text."""
    missing, excluded, included = set(), set(), set()
    for publication in sorted(sought):
        given = labels.get(publication, [])
        decision = consensus(given)
        named = sorted({r for label in given if label.decision == "exclude" for r in label.reasons})
        if decision == "exclude" and NOT_RETRIEVED in (r.casefold() for r in named):
            missing.add(publication)
        elif decision == "exclude":
            excluded.add(publication)
            reason = named[0] if named else "reason not given"
            reasons[reason] = reasons.get(reason, 0) + 1
        elif decision == "include":
            included.add(publication)
    return missing, excluded, included


_COUNTED = {
    "database_results": EV.databaseResults,
    "register_results": EV.registerResults,
    "website_results": EV.websiteResults,
    "organisation_results": EV.organisationResults,
    "citations_results": EV.citationsResults,
    "duplicates": EV.duplicates,
    "excluded_automatic": EV.excludedAutomatic,
    "excluded_other": EV.excludedOther,
    "records_screened": EV.recordsScreened,
    "records_excluded": EV.recordsExcluded,
    "dbr_sought_reports": EV.dbrSoughtReports,
    "dbr_notretrieved_reports": EV.dbrNotRetrievedReports,
    "dbr_assessed": EV.dbrAssessed,
    "dbr_excluded": EV.dbrExcluded,
    "other_sought_reports": EV.otherSoughtReports,
    "other_notretrieved_reports": EV.otherNotRetrievedReports,
    "other_assessed": EV.otherAssessed,
    "other_excluded": EV.otherExcluded,
    "new_studies": EV.newStudies,
    "new_reports": EV.newReports,
}


def check(counts: PrismaCounts) -> ValidationReport:
    """What the shapes say of the counts: do the arrows of the flow add up?"""
    return validate(_flow(counts))


def _flow(counts: PrismaCounts) -> Graph:
    """The counts as an ``ev:PrismaFlow``, for the shapes to check."""
    graph = Graph()
    flow = BNode()
    graph.add((flow, RDF.type, EV.PrismaFlow))
    for name, prop in _COUNTED.items():
        graph.add((flow, prop, Literal(counts.n[name])))
    for arm, reasons in (("dbr", counts.dbr_reasons), ("other", counts.other_reasons)):
        for reason, count in reasons.items():
            node = BNode()
            graph.add((flow, EV.exclusionCount, node))
            graph.add((node, RDF.type, EV.ExclusionCount))
            graph.add((node, EV.flowArm, Literal(arm)))
            graph.add((node, EV.exclusionReason, Literal(reason)))
            graph.add((node, EV["count"], Literal(count)))
    return graph


COLUMNS = ("data", "node", "box", "description", "boxtext", "tooltips", "url", "n")


def prisma_csv(counts: PrismaCounts) -> str:
    """The counts as a CSV in the PRISMA2020 flow-diagram template's layout."""
    listed = {
        "database_specific_results": counts.databases,
        "register_specific_results": counts.registers,
        "dbr_excluded": counts.dbr_reasons,
        "other_excluded": counts.other_reasons,
    }
    template = files("graph").joinpath("templates/prisma-2020.csv").read_text(encoding="utf-8")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in csv.DictReader(io.StringIO(template)):
        data, node, box, description = row["data"], row["node"], row["box"], row["description"]
        if data in listed:
            n = "; ".join(f"{name}, {count}" for name, count in sorted(listed[data].items()))
            n = n or ("" if data.endswith("specific_results") else "Reason, 0")
        else:
            n = str(counts.n.get(data, 0))
        url = f"{box if data == 'NA' else data}.html" if node != "NA" else "NA"
        tooltip = description if node != "NA" else "NA"
        boxtext = row["boxtext"] or description
        writer.writerow([data, node, box, description, boxtext, tooltip, url, n])
    return out.getvalue()
