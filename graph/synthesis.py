"""Meta-analysis on the graph: the findings that share an intervention, comparator and outcome,
harmonised to one direction and scale, pooled, and explained.

SPARQL selects the candidate findings and their printed estimates (never the whole store).
Each is either used, with every conversion said in words, or listed with the reason it is not:
no comparative estimate, another measure, no standard error to be had, or a second report of a
study already in the pool (one estimate per study: the latest publication's).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from math import exp

from rdflib import URIRef
from rdflib.term import Node
from scipy.stats import norm

from graph.harmonise import Printed, Unusable, analyse, describe
from graph.meta_analysis import Method, Pooled, pool
from graph.namespaces import EV
from graph.pico import Concept, concepts_under, label_of, resolve
from graph.sparql_patterns import INTERVAL_AND_P
from graph.store import Store

__all__ = [
    "MEASURES",
    "Contribution",
    "Exclusion",
    "NothingToPool",
    "Selection",
    "Synthesis",
    "synthesize",
]

MEASURES: dict[str, URIRef] = {
    "HR": EV.HazardRatio,
    "OR": EV.OddsRatio,
    "RR": EV.RiskRatio,
    "MD": EV.MeanDifference,
    "RD": EV.RiskDifference,
}
_NAMES = {"HR": "hazard ratio", "OR": "odds ratio", "RR": "risk ratio"}
_NAMES |= {"MD": "mean difference", "RD": "risk difference"}


@dataclass(frozen=True)
class Selection:
    """What to pool: concepts by IRI, base-relative IRI or label; narrower concepts included."""

    interventions: tuple[str, ...]
    comparators: tuple[str, ...]
    outcome: str
    population: str | None = None
    measure: str | None = None  # HR, OR, RR, MD, RD; None: the one the findings report
    methods: tuple[Method, ...] = ("REML",)
    level: float = 0.95


@dataclass(frozen=True)
class Contribution:
    """One study's estimate in the pool, as printed and as analysed."""

    finding: str
    label: str
    study: str
    estimate: str
    printed: str
    effect: float
    se: float
    conversions: tuple[str, ...]
    note: str | None = None  # the finding's comment: how it was read from its source
    weights: dict[str, float] = field(default_factory=dict)  # method -> percent


@dataclass(frozen=True)
class Exclusion:
    """A matching finding left out of the pool, and why."""

    finding: str
    label: str
    reason: str


@dataclass
class Synthesis:
    """The pooled results of one selection, with what went in and what did not."""

    interventions: list[Concept]
    comparators: list[Concept]
    outcome: Concept
    population: Concept | None
    measure: str
    level: float
    contributions: list[Contribution]
    exclusions: list[Exclusion]
    pooled: list[Pooled]

    @property
    def ratio(self) -> bool:
        return self.measure in {"HR", "OR", "RR"}

    @property
    def measure_name(self) -> str:
        return _NAMES[self.measure]

    def natural(self, value: float) -> float:
        """A value on the analysis scale, back on the measure's own scale."""
        return exp(value) if self.ratio else value

    def interval(self, effect: float, se: float) -> tuple[float, float, float]:
        """Estimate and confidence limits at the synthesis level, on the measure's scale."""
        z = float(norm.ppf((1 + self.level) / 2))
        return tuple(self.natural(effect + s * z * se) for s in (0, -1, 1))  # type: ignore[return-value]

    @property
    def question(self) -> str:
        names = " / ".join(c.label for c in self.interventions)
        versus = " / ".join(c.label for c in self.comparators)
        return f"{self.outcome.label}: {names} vs {versus}"


class NothingToPool(ValueError):
    """No matching finding has a usable estimate."""

    def __init__(self, message: str, exclusions: list[Exclusion]) -> None:
        super().__init__(message)
        self.exclusions = exclusions


def synthesize(store: Store, base_iri: str, selection: Selection) -> Synthesis:
    """Pool the findings that match ``selection``; raise ``NothingToPool`` if none can be."""
    if not 0 < selection.level < 1:
        raise ValueError(f"the confidence level must lie between 0 and 1, not {selection.level}")
    if selection.measure is not None and selection.measure not in MEASURES:
        raise ValueError(f"unknown measure {selection.measure!r}: use one of {', '.join(MEASURES)}")
    interventions = [resolve(store, base_iri, n, EV.Intervention) for n in selection.interventions]
    comparators = [resolve(store, base_iri, n, EV.Intervention) for n in selection.comparators]
    outcome = resolve(store, base_iri, selection.outcome, EV.Outcome)
    population = (
        resolve(store, base_iri, selection.population, EV.Population)
        if selection.population
        else None
    )
    treated = concepts_under(store, [c.iri for c in interventions])
    control = concepts_under(store, [c.iri for c in comparators])
    if treated & control:
        shared = ", ".join(sorted(label_of(store, c) for c in treated & control))
        raise ValueError(f"the intervention and the comparator overlap: {shared}")
    rows = _candidates(store, treated, control, outcome, population)
    measure = selection.measure or _reported_measure(rows)
    used, exclusions = _harmonised(store, rows, measure, treated)
    if not used:
        found = len({row["finding"] for row in rows})
        question = f"{outcome.label}: {found} matching finding{'s' * (found != 1)}"
        raise NothingToPool(
            f"nothing to pool for {question}, none with a usable estimate", exclusions
        )
    pooled = [
        pool([c.effect for c in used], [c.se for c in used], method, selection.level)
        for method in selection.methods
    ]
    for result in pooled:
        for contribution, weight in zip(used, result.weights, strict=True):
            contribution.weights[result.method] = weight
    return Synthesis(
        interventions, comparators, outcome, population, measure, selection.level,
        used, exclusions, pooled,
    )  # fmt: skip


_CANDIDATES = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX ev: <https://w3id.org/evidence-graph/ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?finding ?label ?comment ?study ?reference ?issued ?estimate ?type ?point ?lower ?upper
       ?level ?p ?pc
WHERE {
  VALUES ?intervention { %(arms)s }
  VALUES ?comparator { %(arms)s }
  ?finding a ev:Finding ; ev:outcome %(outcome)s ; ev:study ?study ;
           ev:intervention ?intervention ; ev:comparator ?comparator ; ev:referenceArm ?reference ;
           ev:estimate ?estimate .
  ?estimate a ?type ; ev:pointEstimate ?point .
  FILTER ((?intervention IN (%(treated)s) && ?comparator IN (%(control)s))
       || (?intervention IN (%(control)s) && ?comparator IN (%(treated)s)))
  %(population)s
  %(interval_and_p)s
  OPTIONAL { ?finding rdfs:label ?label }
  OPTIONAL { ?finding rdfs:comment ?comment }
  OPTIONAL { ?finding prov:wasDerivedFrom ?publication . ?publication dcterms:issued ?issued }
}
ORDER BY ?finding ?estimate
"""


def _candidates(
    store: Store,
    treated: set[URIRef],
    control: set[URIRef],
    outcome: Concept,
    population: Concept | None,
) -> list[dict[str, Node | None]]:
    def terms(nodes: set[URIRef]) -> str:
        return ", ".join(n.n3() for n in sorted(nodes))

    people = ""
    if population is not None:
        under = concepts_under(store, [population.iri])
        people = f"?finding ev:population ?population . FILTER (?population IN ({terms(under)}))"
    sparql = _CANDIDATES % {
        "arms": " ".join(n.n3() for n in sorted(treated | control)),
        "treated": terms(treated),
        "control": terms(control),
        "outcome": outcome.iri.n3(),
        "population": people,
        "interval_and_p": INTERVAL_AND_P,
    }
    result = store.query(sparql)
    return [dict(zip(result.variables, row, strict=True)) for row in result.rows]


def _code(type_: Node | None) -> str | None:
    return next((code for code, iri in MEASURES.items() if iri == type_), None)


def _reported_measure(rows: list[dict[str, Node | None]]) -> str:
    counts: dict[str, set] = defaultdict(set)
    for row in rows:
        if (code := _code(row["type"])) is not None:
            counts[code].add(row["finding"])
    if len(counts) == 1:
        return next(iter(counts))
    if not counts:
        raise NothingToPool(
            f"nothing to pool: none of the {len({r['finding'] for r in rows})} matching findings "
            "reports a comparative estimate",
            [
                _exclusion(r, "no comparative estimate printed (only arm statistics)")
                for r in {r["finding"]: r for r in rows}.values()
            ],
        )
    found = ", ".join(
        f"{code} ({len(f)} finding{'s' * (len(f) != 1)})" for code, f in sorted(counts.items())
    )
    raise ValueError(f"the matching findings report several measures: {found}; choose one")


def _harmonised(
    store: Store, rows: list[dict[str, Node | None]], measure: str, treated: set[URIRef]
) -> tuple[list[Contribution], list[Exclusion]]:
    by_finding: dict[Node, list[dict]] = defaultdict(list)
    for row in rows:
        by_finding[row["finding"]].append(row)
    usable: list[tuple[dict, Contribution]] = []
    exclusions = []
    for finding_rows in by_finding.values():
        row = next((r for r in finding_rows if _code(r["type"]) == measure), None)
        if row is not None:  # read from several publications: it counts from the latest
            dates = [r["issued"] for r in finding_rows if r["issued"] is not None]
            row = row | {"issued": max(dates, key=str, default=None)}
        if row is None:
            others = sorted({c for r in finding_rows if (c := _code(r["type"]))})
            reason = (
                f"reports {', '.join(others)}, not {_article(_NAMES[measure])}"
                if others
                else "no comparative estimate printed (only arm statistics)"
            )
            exclusions.append(_exclusion(finding_rows[0], reason))
            continue
        try:
            usable.append((row, _contribution(store, row, measure, treated)))
        except Unusable as unusable:
            exclusions.append(_exclusion(row, str(unusable)))
    used, repeats = _one_per_study(usable)
    exclusions += repeats
    used.sort(key=lambda pair: (str(pair[0]["issued"] or ""), pair[1].label))
    return [c for _, c in used], exclusions


def _contribution(store: Store, row: dict, measure: str, treated: set[URIRef]) -> Contribution:
    def number(name: str) -> float | None:
        return None if row[name] is None else float(row[name].toPython())

    printed = Printed(
        measure,
        number("point"),  # type: ignore[arg-type]
        number("lower"),
        number("upper"),
        number("level"),
        number("p"),
        None if row["pc"] is None else str(row["pc"]),
    )
    invert = row["reference"] in treated
    reference = label_of(store, row["reference"])
    other = _other_arm(store, row) if invert else reference
    analysed = analyse(printed, invert, reference, other)
    return Contribution(
        finding=str(row["finding"]),
        label=str(row["label"] or row["finding"]),
        study=str(row["study"]),
        estimate=str(row["estimate"]),
        printed=describe(printed),
        effect=analysed.effect,
        se=analysed.se,
        conversions=analysed.conversions,
        note=None if row["comment"] is None else str(row["comment"]),
    )


def _other_arm(store: Store, row: dict) -> str:
    result = store.query(
        "PREFIX ev: <https://w3id.org/evidence-graph/ns#> SELECT ?arm WHERE { "
        f"{row['finding'].n3()} ev:intervention|ev:comparator ?arm "
        f"FILTER (?arm != {row['reference'].n3()}) }}"
    )
    return label_of(store, result.rows[0][0]) if result.rows else "the other arm"


def _one_per_study(
    usable: list[tuple[dict, Contribution]],
) -> tuple[list[tuple[dict, Contribution]], list[Exclusion]]:
    """One estimate per study: the one from the latest publication (then the first by IRI)."""
    by_study: dict[str, list[tuple[dict, Contribution]]] = defaultdict(list)
    for pair in usable:
        by_study[pair[1].study].append(pair)
    used, repeats = [], []
    for pairs in by_study.values():
        pairs.sort(key=lambda p: p[1].finding)  # stable: ties on the date keep this order
        pairs.sort(key=lambda p: str(p[0]["issued"] or ""), reverse=True)
        kept = pairs[0]
        used.append(kept)
        for row, _ in pairs[1:]:
            reason = f"same study as {kept[1].label}, which is used: one estimate per study"
            repeats.append(_exclusion(row, reason))
    return used, repeats


def _article(name: str) -> str:
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _exclusion(row: dict, reason: str) -> Exclusion:
    return Exclusion(str(row["finding"]), str(row["label"] or row["finding"]), reason)
