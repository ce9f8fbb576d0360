"""graph.asreview_csv: ASReview's CSV datasets, read by ASReview's column names, ``included``
read as ASReview's decision, and written back with every screening label kept."""

import csv
import dataclasses
import io
from pathlib import Path

import pytest

from graph.asreview_csv import COLUMNS, FORMAT, read_asreview_csv, sniff, write_asreview_csv
from graph.bib_records import BibRecord, ScreeningLabel
from graph.import_errors import BadRow, UnreadableFile
from graph.parsing import Source

DATA = Path(__file__).parent / "data"
BADWE_TITLE = (
    "Locoregional treatment versus no treatment of the primary tumour in metastatic breast "
    "cancer: an open-label randomised controlled trial"
)
KHAN_TITLE = "Early Local Therapy for the Primary Site in De Novo Stage IV Breast Cancer"


def read(text: str | bytes, name: str = "records.csv") -> tuple[list[BibRecord], list[BadRow]]:
    data = text.encode() if isinstance(text, str) else text
    return read_asreview_csv(Source(name, io.BytesIO(data), FORMAT))


def unplaced(record: BibRecord) -> BibRecord:
    return dataclasses.replace(record, source="", number=0, line=None)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def trials() -> list[BibRecord]:
    records, problems = read((DATA / "trials.asreview.csv").read_bytes(), "trials.csv")
    assert problems == []
    return records


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def test_columns_map_to_the_record(trials: list[BibRecord]) -> None:
    badwe, soran, khan = trials
    assert (badwe.source, badwe.number, badwe.line, badwe.key) == ("trials.csv", 1, 2, "1")
    assert badwe.title == BADWE_TITLE
    assert badwe.authors[:2] == ["Badwe, Rajendra", "Hawaldar, Rohini"]
    assert len(badwe.authors) == 9
    assert (badwe.doi, badwe.issued, badwe.journal) == (
        "10.1016/S1470-2045(15)00135-7",
        "2015",
        "The Lancet Oncology",
    )
    assert badwe.keywords == ["breast cancer", "metastatic", "locoregional treatment"]
    assert khan.keywords == ["breast cancer", "surgery"]  # no semicolon: split on commas
    assert (khan.pmid, khan.urls) == ("34995128", ["https://ascopubs.org/doi/10.1200/JCO.21.02006"])
    assert soran.authors == ["Soran, Atilla", "Özmen, Vahit", "Özbaş, Serdar"]
    assert [r.extra for r in trials] == [{"asreview_ranking": [rank]} for rank in "312"]
    assert (soran.line, khan.line) == (4, 5)  # Badwe's notes take two lines


def test_included_is_asreview_s_decision_beside_the_notes_labels(
    trials: list[BibRecord],
) -> None:
    badwe, soran, khan = trials
    assert badwe.screening == [
        ScreeningLabel("asreview", "include"),  # 1, where the reviewers disagreed
        ScreeningLabel("rayyan", "include", "Alice"),
        ScreeningLabel("rayyan", "exclude", "Bob", ("wrong outcome",)),
    ]
    assert (badwe.labels, badwe.notes) == (["RCT", "stage IV"], ["first Indian trial"])
    assert soran.screening == [ScreeningLabel("asreview", "exclude")]
    assert khan.screening == [ScreeningLabel("asreview", "unseen")]  # ASReview_not_seen


@pytest.mark.parametrize(
    ("included", "screening"),
    [
        ("1", [ScreeningLabel("asreview", "include")]),
        ("0", [ScreeningLabel("asreview", "exclude")]),
        ("-1", [ScreeningLabel("asreview", "unseen")]),
        ("1.0", [ScreeningLabel("asreview", "include")]),  # pandas' floats
        ("", []),
    ],
)
def test_included_values(included: str, screening: list[ScreeningLabel]) -> None:
    (record,), problems = read(f"title,included\n{KHAN_TITLE},{included}\n")
    assert (record.screening, problems) == (screening, [])


@pytest.mark.parametrize("included", ["yes", "2", "include", "0.5"])
def test_other_included_values_are_bad_rows(included: str) -> None:
    records, problems = read(f"title,Included\n{KHAN_TITLE},{included}\n")
    assert records == []
    assert [(p.line, p.column, p.record) for p in problems] == [(2, "Included", 1)]
    assert repr(included) in problems[0].reason


def test_asreview_s_column_names_and_a_semicolon_delimiter() -> None:
    text = (
        "Primary_Title;Abstract Note;Author Names;DOI;final_included;Record_ID\n"
        f'{KHAN_TITLE};Background: ...;"Khan, SA; Zhao, F";10.1200/JCO.21.02006;1;7\n'
    )
    (record,), problems = read(text)
    assert problems == []
    assert (record.title, record.abstract, record.key) == (KHAN_TITLE, "Background: ...", "7")
    assert record.authors == ["Khan, SA", "Zhao, F"]
    assert record.screening == [ScreeningLabel("asreview", "include")]


def test_an_export_screened_by_asreview_replaces_its_decision_and_keeps_the_prior() -> None:
    record = BibRecord(
        title=KHAN_TITLE,
        key="3",
        screening=[
            ScreeningLabel("asreview", "unseen", prior=True),
            ScreeningLabel("rayyan", "include", "Alice"),
        ],
    )
    screened = write_asreview_csv([record]).replace(f"{KHAN_TITLE},,,,,,", f"{KHAN_TITLE},,,,,0,")
    (again,), _ = read(screened)
    assert again.screening == [
        ScreeningLabel("asreview", "exclude", prior=True),
        ScreeningLabel("rayyan", "include", "Alice"),
    ]


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def test_read_write_read_gives_the_same_records(trials: list[BibRecord]) -> None:
    again, problems = read(write_asreview_csv(trials))
    assert problems == []
    assert [unplaced(r) for r in again] == [unplaced(r) for r in trials]


def test_the_columns_written() -> None:
    record = BibRecord(
        title=BADWE_TITLE,
        authors=["Badwe R", "Hawaldar R"],
        issued="2015-09-09",
        journal="Lancet Oncol",
        doi="10.1016/S1470-2045(15)00135-7",
        urls=["https://doi.org/10.1016/S1470-2045(15)00135-7", "https://example.org/b"],
        keywords=["breast cancer", "surgery"],
        key="badwe2015",
        extra={"trialregistration": ["NCT00193778"], "Title": ["not a second title"]},
    )
    text = write_asreview_csv([record])
    assert text.splitlines()[0] == ",".join([*COLUMNS, "trialregistration"])
    assert rows(text) == [
        {
            "record_id": "1",  # ASReview wants integers: badwe2015 is not one
            "title": BADWE_TITLE,
            "abstract": "",
            "authors": "Badwe R; Hawaldar R",
            "doi": "10.1016/S1470-2045(15)00135-7",
            "url": "https://doi.org/10.1016/S1470-2045(15)00135-7",
            "included": "",
            "year": "2015",
            "journal": "Lancet Oncol",
            "pmid": "",
            "keywords": "breast cancer; surgery",
            "notes": "",
            "trialregistration": "NCT00193778",
        }
    ]


@pytest.mark.parametrize(
    ("screening", "included"),
    [
        ([ScreeningLabel("asreview", "include")], "1"),
        ([ScreeningLabel("asreview", "exclude"), ScreeningLabel("rayyan", "include", "A")], "0"),
        ([ScreeningLabel("rayyan", "include", "A"), ScreeningLabel("rayyan", "include", "B")], "1"),
        ([ScreeningLabel("rayyan", "exclude", "A"), ScreeningLabel("rayyan", "exclude", "B")], "0"),
        ([ScreeningLabel("rayyan", "include", "A"), ScreeningLabel("rayyan", "maybe", "B")], ""),
        ([ScreeningLabel("asreview", "unseen")], ""),
        ([], ""),
    ],
)
def test_included_is_written_from_the_consensus(
    screening: list[ScreeningLabel], included: str
) -> None:
    record = BibRecord(title=KHAN_TITLE, screening=screening)
    text = write_asreview_csv([record])
    assert rows(text)[0]["included"] == included
    (again,), _ = read(text)
    assert again.screening == screening  # the notes say what included cannot


def test_labels_tags_notes_and_provenance_survive_a_round_trip() -> None:
    record = BibRecord(
        title=KHAN_TITLE,
        pmid="34995128",
        key="34995128",
        screening=[
            ScreeningLabel("asreview", "include", prior=True),
            ScreeningLabel("rayyan", "exclude", "Bob", ("wrong outcome", "wrong population")),
        ],
        labels=["RCT", "stage IV"],
        notes=["checked | full text", 'said "maybe", then no'],
    )
    iri = "http://127.0.0.1:8000/id/publication/pmid/34995128"
    text = write_asreview_csv([record], lambda r: f"evidence-graph: <{iri}>")
    assert rows(text)[0]["record_id"] == "34995128"  # an integer key is kept
    (again,), problems = read(text)
    assert problems == []
    assert unplaced(again) == dataclasses.replace(unplaced(record), iri=iri)


# ---------------------------------------------------------------------------------------------
# Malformed files
# ---------------------------------------------------------------------------------------------


def test_each_bad_row_is_reported_with_its_line_and_column() -> None:
    records, problems = read((DATA / "malformed.asreview.csv").read_bytes())
    assert [(r.line, r.screening) for r in records] == [
        (2, [ScreeningLabel("asreview", "include")])
    ]
    assert [(p.record, p.line, p.column) for p in problems] == [
        (2, 3, "label_included"),  # yes
        (3, 4, "Primary_Title"),  # no title, no DOI
        (4, 6, "label_included"),  # 2; the blank line 5 is no row
        (5, 7, None),  # a cell too many
    ]


def test_a_file_without_a_title_or_abstract_column_is_unreadable() -> None:
    with pytest.raises(UnreadableFile) as refused:
        read("oci,citing,cited\n1-2,doi:10.1/a,doi:10.1/b\n")
    assert [(p.line, p.reason) for p in refused.value.problems] == [
        (1, "no title or abstract column")
    ]


def test_text_that_is_not_utf8_is_unreadable() -> None:
    with pytest.raises(UnreadableFile) as refused:
        read(f"title,doi\n{KHAN_TITLE},10.1200/JCO.21.02006\nM\xfcller,\n".encode("latin-1"))
    assert refused.value.problems[0].line == 3


def test_sniff() -> None:
    assert sniff((DATA / "trials.asreview.csv").read_bytes())
    assert sniff(b"Primary_Title;Abstract Note\n")
    assert not sniff(b"title\nLocoregional treatment\n")  # a title alone
    assert not sniff(b"doi,included\n10.1/a,1\n")  # no title
    assert not sniff(b"oci,citing,cited,creation,timespan,journal_sc,author_sc\n")
