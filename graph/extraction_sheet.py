"""Extraction sheets: one CSV row per reported estimate, read into studies, findings and their
estimates, and stored through the one write path (``graph.writes``).

The layout is ``COLUMNS`` (docs/extraction-sheet.md). The bibliography comes first: a row's
publication must be stored already. Rows with one study cell are one ``ev:Study``, matched to a
stored study by IRI or NCT id (a new one needs its design). PICO cells are labels, matched
case-insensitively to stored concepts of their kind, else minted. Rows with one publication,
study, population, intervention, comparator, outcome and time point are one ``ev:Finding``;
each row is one of its estimates, as printed.

Every bad row is reported with its line, column and reason, and refuses the whole sheet; the
shapes then judge the batch as they judge every write.

Errors::

    UnreadableFile  (graph.import_errors) not UTF-8 CSV with the required columns, or no rows
    MalformedRows   (graph.import_errors) bad rows; nothing was stored
    InvalidBatch    (graph.writes) the batch violates the shapes; nothing was stored
"""

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from graph.citations import BadIdentifier, UnknownPublication, resolve
from graph.identifiers import absolute, normalise_nct
from graph.import_errors import BadRow, UnreadableFile, refuse_if_any
from graph.namespaces import EV, OBO, PREFIXES, PROV, RDF, RDFS, SKOS, XSD
from graph.parsing import Source
from graph.store import Store
from graph.writes import commit, prepare

__all__ = [
    "ARMS",
    "COLUMNS",
    "DESIGNS",
    "FORMAT",
    "MEASURES",
    "REQUIRED",
    "ImportedSheet",
    "Measure",
    "Sheet",
    "import_sheet",
    "read_sheet",
    "sniff",
    "study_key",
    "write_sheet",
]

FORMAT = "extraction-csv"
COLUMNS = (
    "publication", "study", "nct_id", "design", "population", "intervention", "comparator",
    "intervention_arm", "comparator_arm", "reference_arm", "outcome", "measure", "arm",
    "estimate", "ci_lower", "ci_upper", "ci_level", "p_value", "n", "follow_up", "timepoint",
    "notes",
)  # fmt: skip
#: Columns whose cells no row may leave empty; the header must have them.
REQUIRED = ("publication", "study", "intervention", "comparator", "outcome", "measure", "estimate")
ARMS = ("intervention", "comparator")
DESIGNS: dict[str, URIRef] = {
    "rct": OBO.OBCS_0000107,
    "cohort": OBO.OBCS_0000106,
    "case-control": OBO.OBI_0002624,
    "animal": OBO.OBI_0001199,
}


@dataclass(frozen=True)
class Measure:
    """A measure as a sheet names it: its estimate class, and the unit of a median time."""

    name: str
    type: URIRef
    unit: URIRef | None = None

    @property
    def per_arm(self) -> bool:
        """An arm estimate (of one arm), not a comparison of the two."""
        return self.type in (EV.Percentage, EV.MedianTime)


_UNITS = {"days": OBO.UO_0000033, "weeks": OBO.UO_0000034}
_UNITS |= {"months": OBO.UO_0000035, "years": OBO.UO_0000036}
#: Every measure by the name a sheet (and an export) writes.
MEASURES: dict[str, Measure] = {
    m.name: m
    for m in (
        Measure("HR", EV.HazardRatio),
        Measure("OR", EV.OddsRatio),
        Measure("RR", EV.RiskRatio),
        Measure("MD", EV.MeanDifference),
        Measure("RD", EV.RiskDifference),
        Measure("percentage", EV.Percentage),
        *(Measure(f"median {unit}", EV.MedianTime, iri) for unit, iri in _UNITS.items()),
    )
}
_ALIASES = {"hazard ratio": "HR", "odds ratio": "OR", "risk ratio": "RR", "relative risk": "RR"}
_ALIASES |= {"mean difference": "MD", "risk difference": "RD", "percent": "percentage"}
_ALIASES |= {"%": "percentage"} | {f"median {unit[:-1]}": f"median {unit}" for unit in _UNITS}
_BY_NAME = {name.lower(): m for name, m in MEASURES.items()}
_BY_NAME |= {alias: MEASURES[name] for alias, name in _ALIASES.items()}
_HINTS = {
    "median": "a median time needs its unit: median days, median weeks, median months or median "
    "years",
    "proportion": "give a proportion in percent, as measure percentage (0 to 100)",
}
_RATIOS = (EV.HazardRatio, EV.OddsRatio, EV.RiskRatio)
_PICO = {"population": EV.Population, "intervention": EV.Intervention}
_PICO |= {"comparator": EV.Intervention, "outcome": EV.Outcome}
_KINDS = {EV.Population: "population", EV.Intervention: "intervention", EV.Outcome: "outcome"}
_STUDY_FACTS = {"design": EV.studyDesign, "nct_id": EV.nctId}
_STUDY_FACTS |= {"n": EV.sampleSize, "follow_up": EV.followUpDuration}

_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
_P_VALUE = re.compile(r"^(?:p\s*)?(<=|>=|=|<|>|≤|≥)?\s*([0-9]*\.?[0-9]+)$", re.IGNORECASE)
_LEVEL = re.compile(r"^([0-9]*\.?[0-9]+)\s*(%?)$")
_ISO_DURATION = re.compile(
    r"^P(?=[0-9]|T[0-9])(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+D)?"
    r"(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?$"
)
_WORDS_DURATION = re.compile(r"^([0-9]+)\s*(day|week|month|year)s?$", re.IGNORECASE)
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")
_NCT = re.compile(r"^NCT[0-9]{8}$")
_PREFIXES = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items())

Complain = Callable[[str, str], None]  # told a column and what is wrong with its cell


@dataclass(frozen=True)
class Sheet:
    """What a sheet says, as the graph to write, and how much of each thing it holds."""

    name: str
    graph: Graph
    rows: int
    studies: int
    findings: int
    estimates: int


@dataclass(frozen=True)
class ImportedSheet:
    """What an import of a sheet wrote, and where."""

    graph: str
    triples: int
    rows: int
    studies: int
    findings: int
    estimates: int


def sniff(head: bytes) -> bool:
    """Whether a file's first line is an extraction sheet's header."""
    text = head.decode("utf-8-sig", errors="replace").splitlines()[:1]
    cells = {cell.strip() for cell in next(csv.reader(text), [])}
    return {"publication", "study", "outcome", "measure", "estimate"} <= cells


def study_key(iri: str, base_iri: str) -> str:
    """The study cell that names ``iri``: its key when it is ``{base}study/{key}``."""
    key = iri.removeprefix(f"{base_iri}study/")
    return key if key != iri and _KEY.match(key) else iri


def import_sheet(store: Store, source: Source, base_iri: str, agent: str) -> ImportedSheet:
    """Read the sheet ``source`` and store it as one import, a new named graph."""
    return write_sheet(store, read_sheet(store, source, base_iri), base_iri, agent)


def write_sheet(
    store: Store,
    sheet: Sheet,
    base_iri: str,
    agent: str,
    on_step: Callable[[str], None] = lambda step: None,
) -> ImportedSheet:
    """Validate and store what ``read_sheet`` read; raises ``InvalidBatch`` when the shapes
    refuse it. ``on_step`` is told what the next step is."""
    data = sheet.graph.serialize(format="nt", encoding="utf-8")
    source = Source(sheet.name, io.BytesIO(data), "ntriples")
    batch = prepare(store, [source], base_iri, on_step=on_step)
    on_step(f"writing {len(batch.graph):,} triples")
    result = commit(store, batch, base_iri, agent)
    counts = (sheet.rows, sheet.studies, sheet.findings, sheet.estimates)
    return ImportedSheet(result.graph, result.triples, *counts)


def read_sheet(store: Store, source: Source, base_iri: str) -> Sheet:
    """The studies, findings and estimates of the sheet ``source``, matched to the store;
    raises ``MalformedRows`` listing every bad row."""
    problems: list[BadRow] = []
    rows: list[_Row] = []
    count = 0
    for line, cells in _records(source):
        count += 1
        if isinstance(cells, BadRow):
            problems.append(cells)
        elif row := _parse(source.name, line, cells, problems):
            rows.append(row)
    if not count:
        reason = "the sheet has a header and no rows"
        raise UnreadableFile(f"{source.name} has no rows", [BadRow(source.name, 2, None, reason)])
    reading = _Reading(store, base_iri, source.name, problems)
    graph = reading.build(rows)
    problems.sort(key=lambda p: (p.line or 0, COLUMNS.index(p.column) if p.column else -1))
    refuse_if_any(problems, "row")
    return Sheet(source.name, graph, count, *reading.counts)


@dataclass(frozen=True)
class _Row:
    line: int
    cells: dict[str, str]
    measure: Measure
    estimate: Decimal
    interval: tuple[Decimal, Decimal, Decimal] | None  # lower, upper, level
    p: tuple[Decimal, str] | None  # value, comparator
    arm: str | None
    reference: str | None
    study: dict[str, Node]  # the study's design, NCT id, size and follow-up given on this row
    timepoint: Literal | None


def _records(source: Source) -> Iterator[tuple[int, dict[str, str] | BadRow]]:
    """Each data row: its first line and its cells by column (empty for an absent optional
    column), or what is wrong with it when it has the wrong number of fields."""
    data = source.stream.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problem = BadRow(source.name, data[: error.start].count(b"\n") + 1, None, "not UTF-8")
        raise UnreadableFile(f"{source.name} is not UTF-8 text", [problem]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip() for cell in next(reader, [])]
        _check_header(source.name, header)
        line = reader.line_num
        for fields in reader:
            start, line = line + 1, reader.line_num
            if not any(field.strip() for field in fields):
                continue  # a blank line, or a spreadsheet's empty row
            if len(fields) != len(header):
                reason = f"{len(fields)} fields where the header has {len(header)}"
                yield start, BadRow(source.name, start, None, reason)
            else:
                cells = dict(zip(header, (field.strip() for field in fields), strict=True))
                yield start, dict.fromkeys(COLUMNS, "") | cells
    except csv.Error as error:
        problem = BadRow(source.name, reader.line_num, None, f"not CSV: {error}")
        raise UnreadableFile(f"{source.name} is not a CSV file", [problem]) from None


def _check_header(name: str, header: list[str]) -> None:
    missing = [column for column in REQUIRED if column not in header]
    unknown = [column for column in header if column and column not in COLUMNS]
    doubled = sorted({column for column in header if column and header.count(column) > 1})
    reasons = [f"it lacks {', '.join(missing)}"] * bool(missing)
    reasons += [f"{', '.join(repr(c) for c in unknown)} are not columns of it"] * bool(unknown)
    reasons += [f"it repeats {', '.join(doubled)}"] * bool(doubled)
    if reasons:
        reason = f"not an extraction sheet's header: {'; '.join(reasons)} (its columns: "
        raise UnreadableFile(
            f"{name} is not an extraction sheet",
            [BadRow(name, 1, None, f"{reason}{', '.join(COLUMNS)})")],
        )


def _parse(source: str, line: int, cells: dict[str, str], problems: list[BadRow]) -> _Row | None:
    """The row in ``cells``, or None after adding what is wrong with it to ``problems``."""
    found: list[BadRow] = []

    def bad(column: str, reason: str) -> None:
        found.append(BadRow(source, line, column, reason))

    for column in REQUIRED:
        if not cells[column]:
            bad(column, f"empty: every row needs its {column}")
    measure = _measure(cells["measure"], bad) if cells["measure"] else None
    numbers = {c: _number(cells[c], c, bad) for c in ("estimate", "ci_lower", "ci_upper")}
    interval = _interval(cells, numbers, bad)
    if measure is not None:
        _check_range(measure, numbers, bad)
    arm = _arm(cells["arm"], measure, bad)
    reference = cells["reference_arm"].lower() or None
    if reference not in (None, *ARMS):
        bad("reference_arm", f"{cells['reference_arm']!r} is neither intervention nor comparator")
    p = _p_value(cells["p_value"], bad) if cells["p_value"] else None
    study = _study_facts(cells, bad)
    timepoint = _duration(cells["timepoint"], "timepoint", bad) if cells["timepoint"] else None
    if found or measure is None or numbers["estimate"] is None:
        problems += found
        return None
    estimate = numbers["estimate"]
    return _Row(line, cells, measure, estimate, interval, p, arm, reference, study, timepoint)


def _measure(text: str, bad: Complain) -> Measure | None:
    name = " ".join(re.sub(r"[()]", " ", text).lower().split())
    measure = _BY_NAME.get(name)
    if measure is None:
        hint = _HINTS.get(name, f"use one of {', '.join(MEASURES)}")
        bad("measure", f"{text!r} is not a measure: {hint}")
    return measure


def _number(text: str, column: str, bad: Complain) -> Decimal | None:
    text = text.replace("\u2212", "-")  # the minus sign of typeset tables
    if not text:
        return None
    if not _NUMBER.match(text):
        bad(column, f"{text!r} is not a number (write decimals with a point, as in 0.81)")
        return None
    return Decimal(text)


def _interval(
    cells: dict[str, str], numbers: dict[str, Decimal | None], bad: Complain
) -> tuple[Decimal, Decimal, Decimal] | None:
    """The interval's limits and level (0.95 unless given), checked against the estimate."""
    if not cells["ci_lower"] and not cells["ci_upper"]:
        if cells["ci_level"]:
            bad("ci_level", "a level without an interval: give ci_lower and ci_upper too")
        return None
    level = _level(cells["ci_level"], bad) if cells["ci_level"] else Decimal("0.95")
    for column in ("ci_lower", "ci_upper"):
        if not cells[column]:
            bad(column, "empty: an interval needs both limits")
    estimate, lower, upper = numbers["estimate"], numbers["ci_lower"], numbers["ci_upper"]
    if lower is None or upper is None or level is None:
        return None
    if lower > upper:
        bad("ci_lower", f"{cells['ci_lower']} is above the upper limit {cells['ci_upper']}")
    elif estimate is not None and not lower <= estimate <= upper:
        interval = f"{cells['ci_lower']} to {cells['ci_upper']}"
        bad("estimate", f"{cells['estimate']} lies outside its interval, {interval}")
    return lower, upper, level


def _level(text: str, bad: Complain) -> Decimal | None:
    match = _LEVEL.match(text)
    level = Decimal(match[1]) / (100 if match[2] else 1) if match else None
    if level is None or not 0 < level < 1:
        bad("ci_level", f"{text!r} is not a confidence level: write 0.95 or 95%, 0.90 or 90%")
        return None
    return level


def _check_range(measure: Measure, numbers: dict[str, Decimal | None], bad: Complain) -> None:
    """Ratios are positive, percentages lie within 0 to 100, median times are not negative."""
    for column, value in numbers.items():
        if value is None:
            continue
        if measure.type in _RATIOS and value <= 0:
            bad(column, f"{value} is not above 0: {measure.name} is a ratio")
        elif measure.type == EV.Percentage and not 0 <= value <= 100:
            bad(column, f"{value} is not a percentage (0 to 100)")
        elif measure.type == EV.MedianTime and value < 0:
            bad(column, f"{value} is negative: a median time is not")


def _arm(text: str, measure: Measure | None, bad: Complain) -> str | None:
    arm = text.lower() or None
    if arm not in (None, *ARMS):
        bad("arm", f"{text!r} is neither intervention nor comparator")
    elif measure and measure.per_arm and arm is None:
        bad("arm", f"empty: {measure.name} is of one arm, intervention or comparator")
    elif measure and not measure.per_arm and arm is not None:
        bad("arm", f"{measure.name} compares the two arms: leave arm empty")
    return arm


def _p_value(text: str, bad: Complain) -> tuple[Decimal, str] | None:
    match = _P_VALUE.match(text)
    if not match or Decimal(match[2]) > 1:
        bad("p_value", f"{text!r} is not a p-value such as 0.79, =0.79, <0.001 or .01")
        return None
    comparator = {"≤": "<=", "≥": ">="}.get(match[1], match[1] or "=")
    return Decimal(match[2]), comparator


def _study_facts(cells: dict[str, str], bad: Complain) -> dict[str, Node]:
    """The design, NCT id, sample size and follow-up this row gives its study, as terms."""
    facts: dict[str, Node] = {}
    if text := cells["design"]:
        if text.lower() in DESIGNS:
            facts["design"] = DESIGNS[text.lower()]
        else:
            bad("design", f"{text!r} is not a design: use one of {', '.join(DESIGNS)}")
    if text := cells["nct_id"]:
        if _NCT.match(normalise_nct(text)):
            facts["nct_id"] = Literal(normalise_nct(text))
        else:
            bad("nct_id", f"{text!r} is not an NCT id (NCT and eight digits)")
    if text := cells["n"]:
        if text.isascii() and text.isdigit() and int(text) > 0:
            facts["n"] = Literal(int(text))
        else:
            bad("n", f"{text!r} is not a sample size (a whole number of at least 1)")
    duration = _duration(cells["follow_up"], "follow_up", bad) if cells["follow_up"] else None
    if duration is not None:
        facts["follow_up"] = duration
    return facts


def _duration(text: str, column: str, bad: Complain) -> Literal | None:
    """An xsd:duration from ``P23M`` or ``23 months`` (weeks as days: xsd has no weeks)."""
    words = _WORDS_DURATION.match(text)
    if words:
        count, unit = int(words[1]), words[2].lower()
        text = {"day": f"P{count}D", "week": f"P{7 * count}D"}.get(unit, f"P{count}{unit[0]}")
    if not _ISO_DURATION.match(text.upper()):
        reason = "a duration such as P23M or 23 months (whole days, weeks, months or years)"
        bad(column, f"{text!r} is not {reason}")
        return None
    return Literal(text.upper(), datatype=XSD.duration)


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].rstrip("-")
    return slug or _digest(text)


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:12]


def _value(term: Node) -> object:
    """What a term means, for comparing a sheet's value with a stored one."""
    return term.toPython() if isinstance(term, Literal) else term


class _Reading:
    """Matches the parsed rows to the store, checks what rows say together, builds the graph."""

    def __init__(self, store: Store, base_iri: str, name: str, problems: list[BadRow]) -> None:
        self.store, self.base, self.name, self.problems = store, base_iri, name, problems
        self.graph = Graph()
        self.counts = (0, 0, 0)  # studies, findings, estimates
        self._failed: set[int] = set()  # lines that cannot be built

    def bad(self, row: _Row, column: str, reason: str) -> None:
        self.problems.append(BadRow(self.name, row.line, column, reason))
        self._failed.add(row.line)

    def build(self, rows: list[_Row]) -> Graph:
        publications = self._publications(rows)
        concepts = self._concepts(rows)
        studies = self._studies(rows, publications)
        findings: dict[tuple, list[_Row]] = {}
        for row in rows:
            named = (row.cells["publication"] in publications, row.cells["study"] in studies)
            if row.line in self._failed or not all(named):
                continue  # what is wrong with it was said
            pico = tuple(concepts.get((c, row.cells[c].lower())) for c in _PICO)
            if pico[1] == pico[2]:
                self.bad(row, "comparator", "names the intervention's concept: compare two arms")
                continue
            key = (publications[row.cells["publication"]], studies[row.cells["study"]], *pico)
            findings.setdefault((*key, row.timepoint), []).append(row)
        for key, members in findings.items():
            self._finding(key, members)
        used = {key[1] for key in findings}
        self.counts = (len(used), len(findings), sum(len(m) for m in findings.values()))
        return self.graph

    def _publications(self, rows: list[_Row]) -> dict[str, URIRef]:
        """Each publication cell's stored publication; rows naming none are bad."""
        found: dict[str, URIRef] = {}
        for cell in dict.fromkeys(row.cells["publication"] for row in rows):
            try:
                found[cell] = resolve(self.store, cell, self.base)
            except (UnknownPublication, BadIdentifier) as error:
                reason = f"{error}: import the publication first"
                for row in rows:
                    if row.cells["publication"] == cell:
                        self.bad(row, "publication", reason)
        return found

    def _concepts(self, rows: list[_Row]) -> dict[tuple[str, str], URIRef]:
        """Each PICO cell's concept, by column and lower-case label: the stored concept of its
        kind with that label, else a new one (described in the graph)."""
        wanted: dict[tuple[URIRef, str], str] = {}  # (kind, lower-case label) -> label as given
        for row in rows:
            for column, kind in _PICO.items():
                if row.cells[column]:
                    wanted.setdefault((kind, row.cells[column].lower()), row.cells[column])
        stored: dict[tuple[URIRef, str], set[URIRef]] = {}
        values = " ".join(f"({kind.n3()} {Literal(key).n3()})" for kind, key in wanted)
        query = f"""{_PREFIXES}
            SELECT ?kind ?key ?concept WHERE {{
                VALUES (?kind ?key) {{ {values} }}
                ?concept a ?kind ; rdfs:label|skos:prefLabel|skos:altLabel ?label .
                FILTER (LCASE(STR(?label)) = ?key)
            }}"""
        for kind, key, concept in self.store.query(query).rows:
            stored.setdefault((kind, str(key)), set()).add(concept)
        new = {
            (kind, key): URIRef(f"{self.base}concept/{_KINDS[kind]}/{_slug(label)}")
            for (kind, key), label in wanted.items()
            if (kind, key) not in stored
        }
        taken = self._taken(new.values())
        minted: dict[URIRef, tuple[URIRef, str]] = {}
        for (kind, key), iri in new.items():
            label = wanted[kind, key]
            if iri in taken or iri in minted:
                iri = URIRef(f"{iri}-{_digest(label)}")
            minted[iri] = (kind, label)
            stored[kind, key] = {iri}
        for iri, (kind, label) in minted.items():
            self.graph.add((iri, RDF.type, kind))
            self.graph.add((iri, RDFS.label, Literal(label)))
            self.graph.add((iri, SKOS.prefLabel, Literal(label, lang="en")))
        found: dict[tuple[str, str], URIRef] = {}
        for row in rows:
            for column, kind in _PICO.items():
                key = row.cells[column].lower()
                matches = sorted(stored.get((kind, key), ()))
                if len(matches) > 1:
                    listed = ", ".join(f"<{m}>" for m in matches)
                    what = f"{len(matches)} {_KINDS[kind]} concepts"
                    self.bad(row, column, f"{row.cells[column]!r} names {what}: {listed}")
                elif matches:
                    found[column, key] = matches[0]
        return found

    def _taken(self, iris: Iterable[URIRef]) -> set[URIRef]:
        """The ``iris`` the store already says something about."""
        values = " ".join(iri.n3() for iri in iris)
        query = f"SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}"
        return {s for (s,) in self.store.query(query).rows} if values else set()

    def _studies(self, rows: list[_Row], publications: dict[str, URIRef]) -> dict[str, URIRef]:
        """Each study cell's study: stored (by IRI, else by NCT id) or new; what its rows say
        of it must agree, among themselves and with the store."""
        cells: dict[str, list[_Row]] = {}
        for row in rows:
            cells.setdefault(row.cells["study"], []).append(row)
        named: dict[str, tuple[URIRef, str | None]] = {}
        for cell, members in cells.items():
            if (name := self._study_name(cell)) is None:
                for row in members:
                    self.bad(row, "study", f"{cell!r} is neither a study key, a label nor an IRI")
            else:
                named[cell] = name
        given = {cell: self._agreed(members) for cell, members in cells.items()}
        ncts = [facts["nct_id"][0] for facts in given.values() if "nct_id" in facts]
        stored, by_nct = self._stored_studies([iri for iri, _ in named.values()], ncts)
        found: dict[str, URIRef] = {}
        nct_owner: dict[object, tuple[str, URIRef]] = {}
        for cell, (iri, label) in named.items():
            members, facts = cells[cell], given[cell]
            if iri in stored and EV.Study not in stored[iri].get(RDF.type, ()):
                for row in members:
                    self.bad(row, "study", f"<{iri}> is stored, and is not a study")
                continue
            nct, nct_rows = facts.get("nct_id", (None, []))
            other = by_nct.get(_value(nct)) if nct is not None else None
            found[cell] = final = iri if iri in stored else other or iri
            owner = nct_owner.setdefault(_value(nct), (cell, final)) if nct is not None else None
            if other not in (None, final):
                conflict = f"{nct} is the NCT id of another stored study, <{other}>"
            elif owner and owner[1] != final:
                conflict = f"{nct} is the NCT id of the study {owner[0]!r} too"
            else:
                self._describe_study(final, label, members, facts, stored.get(final), publications)
                continue
            for row in nct_rows:
                self.bad(row, "nct_id", conflict)
        return found

    def _study_name(self, cell: str) -> tuple[URIRef, str | None] | None:
        """The IRI a study cell names (an IRI, ``study/key``, a key), or mints (a label, which
        it keeps as the label)."""
        if "://" in cell or cell.startswith("study/"):
            iri = absolute(cell, self.base)
            return (URIRef(iri), None) if _is_iri(iri) else None
        if _KEY.match(cell):
            return URIRef(f"{self.base}study/{cell}"), None
        return URIRef(f"{self.base}study/{_slug(cell)}"), cell

    def _agreed(self, rows: list[_Row]) -> dict[str, tuple[Node, list[_Row]]]:
        """The facts the rows of one study give it, each with the rows that give it; a row
        that gives another value than the first is bad."""
        facts: dict[str, tuple[Node, list[_Row]]] = {}
        for row in rows:
            for column, value in row.study.items():
                first, agreeing = facts.setdefault(column, (value, []))
                if _value(first) == _value(value):
                    agreeing.append(row)
                else:
                    said = f"line {agreeing[0].line} gives this study {column} {first}"
                    self.bad(row, column, f"{row.cells[column]!r} disagrees: {said}")
        return facts

    def _stored_studies(
        self, iris: list[URIRef], ncts: list[Node]
    ) -> tuple[dict[URIRef, dict[URIRef, set[Node]]], dict[object, URIRef]]:
        """What the store says of these IRIs and of the studies with these NCT ids (their types,
        NCT ids, designs, sizes, follow-ups), and the stored study of each NCT id."""
        properties = ", ".join(p.n3() for p in (RDF.type, *_STUDY_FACTS.values()))
        query = f"""{_PREFIXES}
            SELECT ?study ?p ?o WHERE {{
                {{ VALUES ?study {{ {" ".join(i.n3() for i in iris)} }} }}
                UNION {{ VALUES ?nct {{ {" ".join(n.n3() for n in ncts)} }} ?study ev:nctId ?nct }}
                ?study ?p ?o FILTER (?p IN ({properties}))
            }}"""
        stored: dict[URIRef, dict[URIRef, set[Node]]] = {}
        for study, p, o in self.store.query(query).rows:
            stored.setdefault(study, {}).setdefault(p, set()).add(o)
        by_nct = {
            _value(nct): study
            for study, facts in sorted(stored.items(), reverse=True)
            if EV.Study in facts.get(RDF.type, ())
            for nct in facts.get(EV.nctId, ())
        }
        return stored, by_nct

    def _describe_study(
        self,
        study: URIRef,
        label: str | None,
        rows: list[_Row],
        facts: dict[str, tuple[Node, list[_Row]]],
        stored: dict[URIRef, set[Node]] | None,
        publications: dict[str, URIRef],
    ) -> None:
        """Add the study to the graph: what the rows say of it that the store does not."""
        if stored is None:
            if "design" not in facts:
                reason = f"empty: {study} is a new study, which needs its design"
                self.bad(rows[0], "design", f"{reason} ({', '.join(DESIGNS)})")
            self.graph.add((study, RDF.type, EV.Study))
            if label:
                self.graph.add((study, RDFS.label, Literal(label)))
        for column, (value, agreeing) in facts.items():
            known = (stored or {}).get(_STUDY_FACTS[column], set())
            if known and _value(value) not in {_value(v) for v in known}:
                said = ", ".join(sorted(str(v) for v in known))
                for row in agreeing:
                    self.bad(row, column, f"{row.cells[column]!r} disagrees: <{study}> has {said}")
            elif not known:
                self.graph.add((study, _STUDY_FACTS[column], value))
        for cell in dict.fromkeys(row.cells["publication"] for row in rows):
            if cell in publications:
                self.graph.add((study, EV.reportedIn, publications[cell]))

    def _finding(self, key: tuple, rows: list[_Row]) -> None:
        """Add one finding and its estimates, one per row."""
        publication, study, population, intervention, comparator, outcome, timepoint = key
        agreed = {}
        for column in ("reference_arm", "intervention_arm", "comparator_arm"):
            given = [row for row in rows if row.cells[column]]
            for row in given[1:]:
                if row.cells[column].lower() != given[0].cells[column].lower():
                    said = f"line {given[0].line} gives this finding {given[0].cells[column]!r}"
                    self.bad(row, column, f"{row.cells[column]!r} disagrees: {said}")
            agreed[column] = given[0].cells[column] if given else ""
        first = rows[0].cells
        names = {arm: agreed[f"{arm}_arm"] or first[arm] for arm in ARMS}
        arms = {"intervention": intervention, "comparator": comparator}
        name = f"{_slug(first['outcome'])}-{_digest(*key)}"
        finding = URIRef(f"{self.base}finding/{name}")
        label = f"{first['outcome']}: {names['intervention']} vs {names['comparator']}"
        add = self.graph.add
        if timepoint is not None:
            label += f", at {first['timepoint']}"
        add((finding, RDF.type, EV.Finding))
        add((finding, RDFS.label, Literal(label)))
        add((finding, EV.study, study))
        add((finding, PROV.wasDerivedFrom, publication))
        for prop, value in ((EV.population, population), (EV.timepoint, timepoint)):
            if value is not None:
                add((finding, prop, value))
        add((finding, EV.intervention, intervention))
        add((finding, EV.comparator, comparator))
        add((finding, EV.referenceArm, arms[agreed["reference_arm"].lower() or "comparator"]))
        add((finding, EV.outcome, outcome))
        seen: dict[tuple[str, str | None], _Row] = {}
        for row in rows:
            earlier = seen.setdefault((row.measure.name, row.arm), row)
            if earlier is not row:
                what = f"{row.measure.name}{f' of the {row.arm} arm' if row.arm else ''}"
                self.bad(row, "measure", f"line {earlier.line} gives this finding's {what}")
                continue
            suffix = _slug(row.measure.name) + (f"-{row.arm}" if row.arm else "")
            estimate = URIRef(f"{self.base}estimate/{name}-{suffix}")
            add((finding, EV.estimate, estimate))
            self._estimate(estimate, row, arms, names)

    def _estimate(
        self, estimate: URIRef, row: _Row, arms: dict[str, URIRef], names: dict[str, str]
    ) -> None:
        add = self.graph.add
        add((estimate, RDF.type, row.measure.type))
        add((estimate, RDFS.label, Literal(_printed(row, names))))
        add((estimate, EV.pointEstimate, _decimal(row.estimate)))
        if row.interval:
            for prop, value in zip((EV.ciLower, EV.ciUpper, EV.ciLevel), row.interval, strict=True):
                add((estimate, prop, _decimal(value)))
        if row.p:
            add((estimate, EV.pValue, _decimal(row.p[0])))
            add((estimate, EV.pValueComparator, Literal(row.p[1])))
        if row.arm:
            add((estimate, EV.arm, arms[row.arm]))
        if row.measure.unit is not None:
            add((estimate, EV.unit, row.measure.unit))
        if row.cells["notes"]:
            add((estimate, RDFS.comment, Literal(row.cells["notes"])))


def _printed(row: _Row, names: dict[str, str]) -> str:
    """The estimate as a person would print it: ``HR 1.04 (95% CI 0.81 to 1.34), p = 0.79``."""
    cells, measure = row.cells, row.measure
    if measure.per_arm and row.arm:
        unit = "%" if measure.type == EV.Percentage else f" {measure.name.split()[1]}"
        text = f"{measure.name.split()[0]}, {names[row.arm]} arm: {cells['estimate']}{unit}"
    else:
        text = f"{measure.name} {cells['estimate']}"
    if row.interval:
        level = f"{(row.interval[2] * 100).normalize():f}"
        text += f" ({level}% CI {cells['ci_lower']} to {cells['ci_upper']})"
    if row.p:
        text += f", p {row.p[1]} {cells['p_value'].lstrip('pP=<>≤≥ ')}"
    return text


def _decimal(value: Decimal) -> Literal:
    """In the form Oxigraph stores (``0.90`` as ``0.9``, decision 0004), so that the shapes
    see one value where a later import states a stored one again."""
    return Literal(format(value.normalize(), "f"), datatype=XSD.decimal)


def _is_iri(iri: str) -> bool:
    return iri.startswith(("http://", "https://")) and not any(c in iri for c in ' <>"{}|\\^`')
