"""graph.extraction_export: stored findings written as an extraction sheet, in the layout the
import reads, so that export and import give back the same findings."""

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import URIRef

from graph.extraction_export import export_sheet
from graph.extraction_sheet import COLUMNS, FORMAT, import_sheet
from graph.oxigraph_store import OxigraphStore
from graph.parsing import Source
from graph.store import Store
from tests.conftest import BASE
from tests.graph import test_extraction_sheet as sheets
from tests.graph.test_extraction_sheet import (
    ARMS_AS_PRINTED,
    TEMPLATE,
    arms_as_printed,
    estimates,
    template,
)

# The store of the example publications, without their studies and findings
publications_dir, publications = sheets.publications_dir, sheets.publications


@pytest.fixture
def again(publications_dir: Path, tmp_path: Path) -> Iterator[OxigraphStore]:
    """Another fresh copy of the store of the example publications."""
    data = tmp_path / "again"
    shutil.copytree(publications_dir, data)
    store = OxigraphStore(data)
    yield store
    store.close()


def as_source(text: str) -> Source:
    return Source("export.csv", io.BytesIO(text.encode("utf-8")), FORMAT)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


class Counting:
    """A store that counts the queries asked of it."""

    def __init__(self, store: Store) -> None:
        self.store, self.queries = store, 0

    def query(self, *args, **kwargs):
        self.queries += 1
        return self.store.query(*args, **kwargs)


def test_export_then_import_gives_the_same_findings(examples, publications) -> None:
    text = export_sheet(examples, None, BASE)
    result = import_sheet(publications, as_source(text), BASE, "reviewer")
    assert (result.rows, result.studies, result.findings, result.estimates) == (19, 4, 9, 19)
    assert estimates(publications) == estimates(examples)
    assert export_sheet(publications, None, BASE) == text  # and the same sheet again


def test_the_template_exports_as_it_was_read(publications) -> None:
    import_sheet(publications, template(), BASE, "reviewer")
    exported = rows(export_sheet(publications, None, BASE))
    columns = ("study", "outcome", "measure", "arm", "intervention_arm", "comparator_arm")
    read = rows(TEMPLATE.read_text(encoding="utf-8"))
    assert sorted(tuple(r[c] for c in columns) for r in exported) == sorted(
        tuple(r[c] for c in columns) for r in read
    )
    khan = [r for r in exported if r["publication"] == "doi:10.1200/jco.21.02006"]
    assert [(r["measure"], r["ci_level"], r["p_value"]) for r in khan if r["measure"] == "HR"] == [
        ("HR", "0.9", "0.57")
    ]
    fitzal = {r["reference_arm"] for r in exported if "sla" in r["publication"]}
    assert fitzal == {"intervention"}
    lrp = [r["p_value"] for r in khan if r["outcome"] == "locoregional progression"]
    assert lrp == ["<0.001", ""]


def test_the_arms_as_printed_survive_export_and_import(publications, again) -> None:
    import_sheet(publications, template(), BASE, "reviewer")
    text = export_sheet(publications, None, BASE)
    result = import_sheet(again, as_source(text), BASE, "reviewer")
    assert (result.rows, result.findings, result.estimates) == (19, 9, 19)
    assert arms_as_printed(again) == arms_as_printed(publications) == ARMS_AS_PRINTED
    assert estimates(again) == estimates(publications)
    assert export_sheet(again, None, BASE) == text


def test_the_sheet_has_the_import_layout_and_names_publications_by_identifier(examples) -> None:
    text = export_sheet(examples, None, BASE)
    assert text.splitlines()[0] == ",".join(COLUMNS)
    named = {row["publication"] for row in rows(text)}
    assert named == {
        "publication/badwe2013",  # no identifier: its IRI, relative to the base
        "doi:10.1016/s1470-2045(15)00135-7",
        "doi:10.1245/s10434-018-6494-6",
        "doi:10.1097/sla.0000000000002771",
        "doi:10.1200/jco.21.02006",
    }
    first = rows(text)[0]
    assert {k: first[k] for k in ("study", "nct_id", "design", "n", "follow_up")} == {
        "study": "badwe-tmh-trial",
        "nct_id": "NCT00193778",
        "design": "rct",
        "n": "350",
        "follow_up": "P1Y11M",  # P23M, as Oxigraph keeps durations (decision 0004)
    }


def test_only_the_findings_of_the_given_publications(examples) -> None:
    fitzal = URIRef(f"{BASE}publication/fitzal2019")
    exported = rows(export_sheet(examples, [fitzal], BASE))
    assert [(r["outcome"], r["measure"], r["arm"], r["estimate"]) for r in exported] == [
        ("overall survival", "HR", "", "0.691"),
        ("overall survival", "median months", "intervention", "34.6"),
        ("overall survival", "median months", "comparator", "54.8"),
        ("time to distant progression", "HR", "", "0.598"),
        ("time to distant progression", "median months", "intervention", "13.9"),
        ("time to distant progression", "median months", "comparator", "29"),
    ]
    assert export_sheet(examples, [], BASE) == ",".join(COLUMNS) + "\n"


def test_a_few_queries_whatever_the_number_of_findings(examples) -> None:
    counting = Counting(examples)
    export_sheet(counting, None, BASE)  # type: ignore[arg-type]
    assert counting.queries == 4
