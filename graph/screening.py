"""The screening layer read back: the decisions taken on publications, per review and stage.

A reviewer (or ASReview) may decide on the same publication again in a later import; only
each one's latest decision counts, by the time of the import that holds it. The decisions of
the reviewers then combine into one per publication as ``graph.bib_records.consensus`` says.
"""

from collections.abc import Sequence

from rdflib import Literal, URIRef

from graph.bib_records import ScreeningLabel, consensus
from graph.record_graph import STAGES
from graph.sparql_patterns import ask_in_chunks
from graph.store import Store

__all__ = ["consensus_by_publication", "labels_by_publication"]

# Required patterns first, constants in place, one pattern per OPTIONAL: the form Oxigraph
# evaluates from the publications outwards (graph.sparql_patterns).
_DECISIONS = """
PREFIX ev: <https://w3id.org/evidence-graph/ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?publication ?node ?decision ?tool ?reviewer ?prior ?reason ?time WHERE {
  %s
  ?node ev:decisionOn ?publication .
  GRAPH ?g { ?node ev:screeningStage %s ; ev:decision ?decision ; ev:screeningTool ?tool . %s }
  ?g prov:generatedAtTime ?time .
  OPTIONAL { ?node ev:decidedBy ?reviewer }
  OPTIONAL { ?node ev:priorKnowledge ?prior }
  OPTIONAL { ?node ev:exclusionReason ?reason }
}
"""


def labels_by_publication(
    store: Store, review: URIRef | None, stage: str, publications: Sequence[URIRef] | None = None
) -> dict[URIRef, list[ScreeningLabel]]:
    """Each publication's latest decision per tool and reviewer at ``stage`` in ``review``
    (or outside reviews), as labels ordered by tool and reviewer."""
    scope = (
        f"?node ev:inReview <{review}> ."
        if review is not None
        else "FILTER NOT EXISTS { ?node ev:inReview ?any }"
    )
    if stage not in STAGES:
        raise ValueError(f"unknown screening stage {stage!r}")
    stage_term = Literal(stage).n3()
    if publications is None:
        rows = store.query(_DECISIONS % ("", stage_term, scope)).rows
    else:
        template = _DECISIONS % ("{values}", stage_term, scope)
        rows = ask_in_chunks(store, "?publication", list(publications), template)
    decisions: dict[URIRef, tuple] = {}
    reasons: dict[URIRef, set[str]] = {}
    for publication, node, decision, tool, reviewer, prior, reason, time in rows:
        decisions[node] = (publication, str(decision), str(tool), reviewer, prior, str(time))
        if reason is not None:
            reasons.setdefault(node, set()).add(str(reason))
    latest: dict[tuple, tuple[str, str, ScreeningLabel]] = {}
    for node, (publication, decision, tool, reviewer, prior, time) in decisions.items():
        who = str(reviewer) if reviewer is not None else None
        label = ScreeningLabel(
            tool,
            decision,  # type: ignore[arg-type]  (the shapes allow only Decision values)
            who,
            tuple(sorted(reasons.get(node, ()))),
            prior is not None and bool(prior.toPython()),
        )
        key = (publication, tool, who or "")
        order = (time, str(node))
        if key not in latest or order > latest[key][:2]:
            latest[key] = (*order, label)
    found: dict[URIRef, list[ScreeningLabel]] = {}
    for (publication, _, _), (_, _, label) in sorted(latest.items()):
        found.setdefault(publication, []).append(label)
    return found


def consensus_by_publication(store: Store, review: URIRef, stage: str) -> dict[URIRef, str]:
    """Each decided publication's one decision at ``stage`` in ``review``."""
    return {
        publication: decision
        for publication, labels in labels_by_publication(store, review, stage).items()
        if (decision := consensus(labels)) is not None and decision != "unseen"
    }
