"""The extraction sheet's layout (``COLUMNS``, docs/extraction-sheet.md) and each row on its own:
its cells parsed and checked, and the estimate they give. ``graph.extraction_sheet`` matches the
rows to the store and builds them together. ``read_rows`` raises ``UnreadableFile``
(graph.import_errors): not UTF-8 CSV with the required columns, or no rows.
"""

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.term import Node

from graph import identifiers
from graph.identifiers import normalise_nct
from graph.import_errors import BadRow, UnreadableFile, read_text
from graph.namespaces import EV, OBO, RDF, RDFS, XSD
from graph.parsing import Source

__all__ = [
    "ARMS",
    "ARM_LABELS",
    "COLUMNS",
    "DESIGNS",
    "MEASURES",
    "PICO",
    "REQUIRED",
    "STUDY_FACTS",
    "Measure",
    "Row",
    "digest",
    "read_rows",
    "slug",
    "sniff",
]

COLUMNS = (
    "publication", "study", "nct_id", "design", "population", "intervention", "comparator",
    "intervention_arm", "comparator_arm", "reference_arm", "outcome", "measure", "arm",
    "estimate", "ci_lower", "ci_upper", "ci_level", "p_value", "n", "follow_up", "timepoint",
    "notes",
)  # fmt: skip
#: Columns whose cells no row may leave empty; the header must have them.
REQUIRED = ("publication", "study", "intervention", "comparator", "outcome", "measure", "estimate")
ARMS = ("intervention", "comparator")
DESIGNS: dict[str, URIRef] = {"rct": OBO.OBCS_0000107, "cohort": OBO.OBCS_0000106}
DESIGNS |= {"case-control": OBO.OBI_0002624, "animal": OBO.OBI_0001199}


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
#: What a row's cells say of the finding: its PICO concepts (by their class) and the arms as
#: the paper prints them (by their property); of the study: its facts (by their property).
PICO = {"population": EV.Population, "intervention": EV.Intervention}
PICO |= {"comparator": EV.Intervention, "outcome": EV.Outcome}
ARM_LABELS = {"intervention_arm": EV.interventionArmLabel, "comparator_arm": EV.comparatorArmLabel}
STUDY_FACTS = {"design": EV.studyDesign, "nct_id": EV.nctId}
STUDY_FACTS |= {"n": EV.sampleSize, "follow_up": EV.followUpDuration}

_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
_P_VALUE = re.compile(r"^(?:p\s*)?(<=|>=|=|<|>|≤|≥)?\s*([0-9]*\.?[0-9]+)$", re.IGNORECASE)
_LEVEL = re.compile(r"^([0-9]*\.?[0-9]+)\s*(%?)$")
_ISO_DURATION = re.compile(
    r"^P(?=[0-9]|T[0-9])(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+D)?"
    r"(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?$"
)
_WORDS_DURATION = re.compile(r"^([0-9]+)\s*(day|week|month|year)s?$", re.IGNORECASE)
_NCT = re.compile(r"^NCT[0-9]{8}$")

_Complain = Callable[[str, str], None]  # told a column and what is wrong with its cell


@dataclass(frozen=True)
class Row:
    """A row whose cells are each good on their own: its first line, its cells by column
    (stripped; empty when left out) and what they say, parsed."""

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

    def printed(self, names: dict[str, str]) -> str:
        """The estimate as printed: ``HR 1.04 (95% CI 0.81 to 1.34), p = 0.79``."""
        cells, measure = self.cells, self.measure
        if measure.per_arm and self.arm:
            unit = "%" if measure.type == EV.Percentage else f" {measure.name.split()[1]}"
            text = f"{measure.name.split()[0]}, {names[self.arm]} arm: {cells['estimate']}{unit}"
        else:
            text = f"{measure.name} {cells['estimate']}"
        if self.interval:
            level = f"{(self.interval[2] * 100).normalize():f}"
            text += f" ({level}% CI {cells['ci_lower']} to {cells['ci_upper']})"
        if self.p:
            text += f", p {self.p[1]} {cells['p_value'].lstrip('pP=<>≤≥ ')}"
        return text

    def triples(
        self, iri: URIRef, arms: dict[str, URIRef], names: dict[str, str]
    ) -> Iterator[tuple[URIRef, URIRef, Node]]:
        """What the estimate ``iri`` this row gives says: ``arms`` are the finding's intervention
        and comparator, ``names`` the arms as printed."""
        yield iri, RDF.type, self.measure.type
        yield iri, RDFS.label, Literal(self.printed(names))
        yield iri, EV.pointEstimate, _decimal(self.estimate)
        if self.interval:
            properties = (EV.ciLower, EV.ciUpper, EV.ciLevel)
            for prop, value in zip(properties, self.interval, strict=True):
                yield iri, prop, _decimal(value)
        if self.p:
            yield iri, EV.pValue, _decimal(self.p[0])
            yield iri, EV.pValueComparator, Literal(self.p[1])
        if self.arm:
            yield iri, EV.arm, arms[self.arm]
        if self.measure.unit is not None:
            yield iri, EV.unit, self.measure.unit
        if self.cells["notes"]:
            yield iri, RDFS.comment, Literal(self.cells["notes"])


def sniff(head: bytes) -> bool:
    """Whether a file's first line is an extraction sheet's header."""
    text = head.decode("utf-8-sig", errors="replace").splitlines()[:1]
    names = {cell.strip() for cell in next(csv.reader(text), [])}
    return {"publication", "study", "outcome", "measure", "estimate"} <= names


def read_rows(source: Source, problems: list[BadRow]) -> tuple[list[Row], int]:
    """The rows of the sheet ``source`` whose cells are good, and how many rows it has; adds
    what is wrong with the others to ``problems``. Raises ``UnreadableFile``."""
    rows: list[Row] = []
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
    return rows, count


def _records(source: Source) -> Iterator[tuple[int, dict[str, str] | BadRow]]:
    """Each data row: its first line and its cells by column (empty for an absent optional
    column), or what is wrong with it when it has the wrong number of fields."""
    text = read_text(source.name, source.stream)
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


def _parse(source: str, line: int, cells: dict[str, str], problems: list[BadRow]) -> Row | None:
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
    return Row(line, cells, measure, estimate, interval, p, arm, reference, study, timepoint)


def _measure(text: str, bad: _Complain) -> Measure | None:
    name = " ".join(re.sub(r"[()]", " ", text).lower().split())
    measure = _BY_NAME.get(name)
    if measure is None:
        hint = _HINTS.get(name, f"use one of {', '.join(MEASURES)}")
        bad("measure", f"{text!r} is not a measure: {hint}")
    return measure


def _number(text: str, column: str, bad: _Complain) -> Decimal | None:
    text = text.replace("\u2212", "-")  # the minus sign of typeset tables
    if not text:
        return None
    if not _NUMBER.match(text):
        bad(column, f"{text!r} is not a number (write decimals with a point, as in 0.81)")
        return None
    return Decimal(text)


def _interval(
    cells: dict[str, str], numbers: dict[str, Decimal | None], bad: _Complain
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


def _level(text: str, bad: _Complain) -> Decimal | None:
    match = _LEVEL.match(text)
    level = Decimal(match[1]) / (100 if match[2] else 1) if match else None
    if level is None or not 0 < level < 1:
        bad("ci_level", f"{text!r} is not a confidence level: write 0.95 or 95%, 0.90 or 90%")
        return None
    return level


def _check_range(measure: Measure, numbers: dict[str, Decimal | None], bad: _Complain) -> None:
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


def _arm(text: str, measure: Measure | None, bad: _Complain) -> str | None:
    arm = text.lower() or None
    if arm not in (None, *ARMS):
        bad("arm", f"{text!r} is neither intervention nor comparator")
    elif measure and measure.per_arm and arm is None:
        bad("arm", f"empty: {measure.name} is of one arm, intervention or comparator")
    elif measure and not measure.per_arm and arm is not None:
        bad("arm", f"{measure.name} compares the two arms: leave arm empty")
    return arm


def _p_value(text: str, bad: _Complain) -> tuple[Decimal, str] | None:
    match = _P_VALUE.match(text)
    if not match or Decimal(match[2]) > 1:
        bad("p_value", f"{text!r} is not a p-value such as 0.79, =0.79, <0.001 or .01")
        return None
    comparator = {"≤": "<=", "≥": ">="}.get(match[1], match[1] or "=")
    return Decimal(match[2]), comparator


def _study_facts(cells: dict[str, str], bad: _Complain) -> dict[str, Node]:
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


def _duration(text: str, column: str, bad: _Complain) -> Literal | None:
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


def slug(text: str) -> str:
    """A cell's text as the last segment of an IRI: ``overall-survival``."""
    return identifiers.slug(text) or digest(text)


def digest(*parts: object) -> str:
    """Twelve hex digits that tell ``parts`` apart, for the names of what they identify."""
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:12]


def _decimal(value: Decimal) -> Literal:
    """In the form Oxigraph stores (``0.90`` as ``0.9``, decision 0004), so that the shapes
    see one value where a later import states a stored one again."""
    return Literal(format(value.normalize(), "f"), datatype=XSD.decimal)
