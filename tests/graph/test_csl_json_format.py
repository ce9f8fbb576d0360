"""graph.csl_json_format: CSL-JSON items read into records and written back as items that a
citeproc processor formats, screening labels and extra variables kept."""

import dataclasses
import io
import json
from pathlib import Path

import pytest
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON

from graph.bib_records import BibRecord, ScreeningLabel
from graph.csl_json_format import FORMAT, read_csl_json, sniff, write_csl_json
from graph.import_errors import BadRow, UnreadableFile
from graph.parsing import Source

DATA = Path(__file__).parent / "data"
BADWE_TITLE = (
    "Locoregional treatment versus no treatment of the primary tumour in metastatic breast "
    "cancer: an open-label randomised controlled trial"
)


def read(text: str | bytes, name: str = "refs.json") -> tuple[list[BibRecord], list[BadRow]]:
    data = text.encode() if isinstance(text, str) else text
    return read_csl_json(Source(name, io.BytesIO(data), FORMAT))


def read_items(*items: dict) -> list[BibRecord]:
    records, problems = read(json.dumps(list(items)))
    assert problems == []
    return records


def unplaced(record: BibRecord) -> BibRecord:
    return dataclasses.replace(record, source="", number=0, line=None)


@pytest.fixture(scope="module")
def trials() -> list[BibRecord]:
    records, problems = read((DATA / "trials.csl.json").read_bytes(), "trials.csl.json")
    assert problems == []
    return records


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def test_variables_map_to_the_record(trials: list[BibRecord]) -> None:
    badwe = trials[0]
    assert (badwe.source, badwe.number, badwe.line) == ("trials.csl.json", 1, 2)
    assert (badwe.key, badwe.kind, badwe.title) == ("badwe2015", "article", BADWE_TITLE)
    assert badwe.authors[:2] == ["Badwe, Rajendra", "Hawaldar, Rohini"]
    assert len(badwe.authors) == 9
    assert badwe.issued == "2015-09-09"
    assert (badwe.journal, badwe.volume, badwe.issue) == ("The Lancet Oncology", "16", "13")
    assert (badwe.page_start, badwe.page_end) == ("1380", "1388")
    assert badwe.doi == "10.1016/S1470-2045(15)00135-7"
    assert (badwe.issn, badwe.language, badwe.publisher) == ("1470-2045", "en", "Elsevier")
    assert badwe.keywords == ["breast cancer", "metastatic", "locoregional treatment"]
    assert badwe.extra == {
        "container-title-short": ["Lancet Oncol"],
        "trial-registration": ["NCT00193778"],  # from custom
    }


def test_note_gives_screening_labels_and_notes(trials: list[BibRecord]) -> None:
    badwe, soran, khan = trials
    assert badwe.screening == [
        ScreeningLabel("rayyan", "include", "Alice"),
        ScreeningLabel("rayyan", "exclude", "Bob", ("wrong outcome",)),
    ]
    assert (badwe.labels, badwe.notes) == (["RCT"], ["first Indian trial"])
    assert soran.screening == [ScreeningLabel("asreview", "exclude")]
    assert khan.screening == [ScreeningLabel("asreview", "include", prior=True)]


def test_numbers_strings_and_dashes_are_read_alike(trials: list[BibRecord]) -> None:
    soran = trials[1]
    assert soran.issued == "2018-10"  # date-parts given as strings
    assert (soran.volume, soran.issue) == ("25", "11")  # given as numbers
    assert (soran.page_start, soran.page_end) == ("3141", "3149")  # an en dash
    assert soran.authors == ["Soran, Atilla", "Özmen, Vahit", "Özbaş, Serdar"]


def test_literal_names_raw_dates_and_numeric_ids(trials: list[BibRecord]) -> None:
    khan = trials[2]
    assert khan.key == "34995128"
    assert khan.authors == ["Khan, Seema A.", "Zhao, Fengmin", "ECOG-ACRIN Cancer Research Group"]
    assert khan.issued == "2022-03-20"  # {"raw": "2022-03-20"}
    assert (khan.pmid, khan.pmcid) == ("34995128", "PMC8937009")
    assert khan.urls == ["https://ascopubs.org/doi/10.1200/JCO.21.02006"]
    assert khan.extra == {"accessed": ["2024-01-15"]}


def test_particles_and_suffixes_are_kept_in_the_name() -> None:
    (record,) = read_items(
        {
            "id": "b",
            "type": "book",
            "title": "T",
            "author": [
                {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"},
                {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
            ],
        }
    )
    assert record.authors == ["van Beethoven, Ludwig", "King, Jr., Martin Luther"]
    (item,) = json.loads(write_csl_json([record]))
    assert item["author"][1] == {"family": "King", "suffix": "Jr.", "given": "Martin Luther"}


@pytest.mark.parametrize(
    ("issued", "expected"),
    [
        ({"date-parts": [[2015]]}, "2015"),
        ({"date-parts": [[2015, 9], [2015, 10]]}, "2015-09"),  # a range: its start
        ({"raw": "2015-09-09"}, "2015-09-09"),
        ({"raw": "Sep 9, 2015"}, "2015"),
        ({"literal": "Autumn 2015"}, "2015"),
        ("2015-09", "2015-09"),  # an EDTF string
    ],
)
def test_dates(issued: object, expected: str) -> None:
    (record,) = read_items({"id": "a", "type": "article-journal", "title": "T", "issued": issued})
    assert record.issued == expected


@pytest.mark.parametrize(
    ("csl_type", "kind", "extra"),
    [
        ("article-journal", "article", {}),
        ("paper-conference", "conference-paper", {}),
        ("chapter", "chapter", {}),
        ("report", "report", {}),
        ("thesis", "thesis", {}),
        ("article", "preprint", {}),
        ("webpage", "web-page", {}),
        ("post-weblog", "web-page", {"type": ["post-weblog"]}),
        ("dataset", "dataset", {}),
        ("song", "other", {"type": ["song"]}),
    ],
)
def test_types_map_to_kinds_and_back(csl_type: str, kind: str, extra: dict) -> None:
    (record,) = read_items({"id": "a", "type": csl_type, "title": "T"})
    assert (record.kind, record.extra) == (kind, extra)
    assert json.loads(write_csl_json([record]))[0]["type"] == csl_type


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def test_read_write_read_gives_the_same_records(trials: list[BibRecord]) -> None:
    again, problems = read(write_csl_json(trials))
    assert problems == []
    assert [unplaced(r) for r in again] == [unplaced(r) for r in trials]


def test_a_record_is_written_as_a_csl_item() -> None:
    record = BibRecord(
        title=BADWE_TITLE,
        authors=["Badwe R", "Hawaldar, Rohini", "Tata Memorial Centre"],
        issued="2015-09-09",
        journal="Lancet Oncol",
        volume="16",
        issue="13",
        page_start="1380",
        page_end="1388",
        doi="10.1016/S1470-2045(15)00135-7",
        keywords=["breast cancer", "surgery"],
        screening=[ScreeningLabel("rayyan", "include", "Alice")],
        extra={"container-title-short": ["Lancet Oncol"], "M3": ["Journal Article"]},
    )
    iri = "http://127.0.0.1:8000/id/publication/doi/10.1016/s1470-2045(15)00135-7"
    (item,) = json.loads(write_csl_json([record], lambda r: f"evidence-graph: <{iri}>"))
    assert item == {
        "id": "item1",
        "type": "article-journal",
        "author": [
            {"family": "Badwe", "given": "R"},
            {"family": "Hawaldar", "given": "Rohini"},
            {"literal": "Tata Memorial Centre"},
        ],
        "issued": {"date-parts": [[2015, 9, 9]]},
        "title": BADWE_TITLE,
        "container-title": "Lancet Oncol",
        "volume": "16",
        "issue": "13",
        "DOI": "10.1016/S1470-2045(15)00135-7",
        "page": "1380-1388",
        "keyword": "breast cancer, surgery",
        "note": f'RAYYAN-INCLUSION: {{"Alice"=>"Included"}}\nevidence-graph: <{iri}>',
        "container-title-short": "Lancet Oncol",
        "custom": {"M3": "Journal Article"},  # not a CSL variable
    }


def test_ids_are_unique() -> None:
    records = [BibRecord(title="A", key="item2"), BibRecord(title="B"), BibRecord(title="C")]
    records.append(BibRecord(title="D", key="item2"))
    items = json.loads(write_csl_json(records))
    assert [item["id"] for item in items] == ["item2", "item3", "item4", "item5"]


@pytest.mark.filterwarnings("ignore:The following arguments for Reference are unsupported")
def test_citeproc_formats_the_written_items(trials: list[BibRecord]) -> None:
    records = [*trials, BibRecord(kind="trial-registration", title="EA2108", key="nct01242800")]
    source = CiteProcJSON(json.loads(write_csl_json(records)))
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    for key in ("badwe2015", "soran2018", "34995128", "nct01242800"):
        bibliography.register(Citation([CitationItem(key)]))
    entries = [str(entry) for entry in bibliography.bibliography()]
    assert any(
        entry.startswith("Badwe, R. et al. (2015)") and "16(13), pp. 1380\u20131388" in entry
        for entry in entries
    )
    assert any(entry.startswith("Soran, A., Özmen, V. and Özbaş, S. (2018)") for entry in entries)
    assert any("ECOG-ACRIN Cancer Research Group (2022)" in entry for entry in entries)
    assert len(entries) == 4


# ---------------------------------------------------------------------------------------------
# Malformed files
# ---------------------------------------------------------------------------------------------


def test_each_malformed_item_is_a_bad_row_naming_its_field() -> None:
    records, problems = read((DATA / "malformed.csl.json").read_bytes(), "malformed.csl.json")
    assert [r.key for r in records] == ["badwe2015"]
    assert [(p.record, p.line, p.column) for p in problems] == [
        (2, 8, None),  # a string, not an object
        (3, 9, "title"),  # no title, no identifier
        (4, 14, "issued"),  # month 13
        (5, 20, "issued"),  # "March 2022" in date-parts
        (6, 26, "author"),  # a name without a family name
        (7, 32, "id"),  # badwe2015 again
    ]
    assert problems[0].reason == "not an object"


def test_json_errors_are_unreadable_with_their_line_and_column() -> None:
    with pytest.raises(UnreadableFile) as refused:
        read('[\n  {"id": "badwe2015",\n   "title": "Locoregional treatment"\n  ,}\n]')
    (problem,) = refused.value.problems
    assert (problem.line, problem.column) == (4, "4")
    assert problem.reason.startswith("not JSON")


@pytest.mark.parametrize(
    "data",
    [
        b'{"id": "badwe2015", "type": "article-journal"}',
        '[{"title": "M\xfcller"}]'.encode("latin-1"),
    ],
)
def test_an_object_or_text_that_is_not_utf8_is_unreadable(data: bytes) -> None:
    with pytest.raises(UnreadableFile):
        read(data)


def test_sniff() -> None:
    assert sniff((DATA / "trials.csl.json").read_bytes())
    assert sniff(b'\xef\xbb\xbf[{"id": 1}]')
    assert not sniff(b'[{"@id": "http://example.org/a", "@type": "Article"}]')  # JSON-LD
    assert not sniff(b'{"type": "article-journal"}')
    assert not sniff(b"@article{badwe2015, title = {T}}")
