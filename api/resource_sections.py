"""The part of a node's page that depends on its kind: a publication's (``publication_section``),
a hypothesis's statement and direct evidence, a study's design and findings, a finding's PICO
and estimates, a claim's text and source."""

from collections.abc import Callable

from rdflib.term import Node

from api.html_parts import View, bullets, e, map_anchor, more, text_of
from api.publication_section import identifiers, publication_section
from graph.namespaces import EV, PROV, RDF

__all__ = ["kind_section"]

_LINKS = [("Supports", EV.supports), ("Challenges", EV.challenges)]
_NUMBERS = (EV.pointEstimate, EV.ciLower, EV.ciUpper, EV.ciLevel, EV.pValue, EV.pValueComparator)


def kind_section(view: View, picture: str | None) -> str:
    """The sections for the node's kind (none for other nodes); ``picture`` is the citation
    neighbourhood of a publication, as SVG."""
    if view.resource.kind == "publication":
        return publication_section(view, picture)
    render: dict[str | None, Callable[[View], str]] = {
        "hypothesis": _hypothesis,
        "study": _study,
        "finding": _finding,
        "claim": _claim,
    }
    return render[view.resource.kind](view) if view.resource.kind in render else ""


def _hypothesis(view: View) -> str:
    return (
        text_of(view, EV.statement, "statement", "blockquote")
        + view.facts([("Attributed to", PROV.wasAttributedTo)])
        + _map_link(view)
        + _evidence(view)
    )


def _study(view: View) -> str:
    facts = view.facts(
        [
            ("Design", EV.studyDesign),
            ("Sample size", EV.sampleSize),
            ("Follow-up", EV.followUpDuration),
            ("Reported in", EV.reportedIn),
        ]
    )
    found = view.resource.incoming.get(EV.study)
    if found is None:
        return facts + identifiers(view)
    findings = bullets("Findings", "findings", [view.term(f) for f in found.first])
    return facts + identifiers(view) + findings + more(len(found.first), found.count)


def _finding(view: View) -> str:
    facts = view.facts(
        [
            ("Study", EV.study),
            ("Read in", PROV.wasDerivedFrom),
            ("Population", EV.population),
            ("Intervention", EV.intervention),
            ("Comparator", EV.comparator),
            ("Reference arm", EV.referenceArm),
            ("Outcome", EV.outcome),
            ("Time point", EV.timepoint),
            *_LINKS,
            ("Certainty", EV.certainty),
        ]
    )
    rows = "".join(
        f"<tr><td>{view.term(estimate)}</td><td>{view.terms(RDF.type, estimate)}</td>"
        f"<td>{_numbers(view, estimate)}</td><td>{view.terms(EV.arm, estimate)}</td></tr>"
        for estimate in view.resource.values(EV.estimate)
    )
    estimates = (
        '<h2>Estimates as printed</h2><table id="estimates"><thead><tr><th>Estimate</th>'
        f"<th>Measure</th><th>Value</th><th>Arm</th></tr></thead><tbody>{rows}</tbody></table>"
    )
    return facts + (estimates if rows else "") + _map_link(view) + _evidence(view)


def _claim(view: View) -> str:
    facts = view.facts(
        [
            ("Said by", PROV.wasAttributedTo),
            ("When", PROV.generatedAtTime),
            ("Read in", PROV.hadPrimarySource),
            ("Drawn from", PROV.wasDerivedFrom),
            *_LINKS,
        ]
    )
    statement = text_of(view, EV.statement, "statement", "blockquote")
    return statement + facts + _map_link(view) + _evidence(view)


def _numbers(view: View, estimate: Node) -> str:
    """An estimate's numbers as recorded: point, interval at its level, p-value with its
    comparator."""
    point, lower, upper, level, p, comparator = (
        next(iter(view.resource.values(prop, estimate)), None) for prop in _NUMBERS
    )
    text = str(point or "")
    if lower is not None and upper is not None:
        share = f"{float(level) * 100:g}% CI " if level is not None else "CI "
        text += f" ({share}{lower} to {upper})"
    if p is not None:
        text += f", p {comparator or '='} {p}"
    return e(text)


def _evidence(view: View) -> str:
    rows = "".join(
        f"<tr><td>{e(b.relation)}</td><td>{e(b.kind)}</td><td>{view.entry(b.evidence)}</td>"
        f"<td>{view.entry(b.source) if b.source else ''}</td></tr>"
        for b in view.context.bearing
    )
    if not rows:
        return ""
    return (
        '<h2>Direct evidence</h2><table id="evidence"><thead><tr><th>Relation</th><th>Kind</th>'
        f"<th>Claim or finding</th><th>Read in</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _map_link(view: View) -> str:
    anchor = map_anchor(view, view.resource.iri, "Evidence map", ' id="evidence-map"')
    return (
        f"<p>{anchor}: everything that supports or challenges it, directly or through a chain, "
        "with who said so.</p>"
    )
