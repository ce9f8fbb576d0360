"""graph.bibtex_format: BibTeX entries read into records with bibtexparser 2 (LaTeX decoded,
names split the BibTeX way) and written back escaped, screening labels and extras kept."""

import dataclasses
import io
from pathlib import Path

import pytest

from graph.bib_records import BibRecord, ScreeningLabel
from graph.bibtex_format import FORMAT, read_bibtex, sniff, write_bibtex
from graph.import_errors import BadRow, UnreadableFile
from graph.parsing import Source

DATA = Path(__file__).parent / "data"
BADWE_TITLE = (
    "Locoregional treatment versus no treatment of the primary tumour in metastatic breast "
    "cancer: an open-label randomised controlled trial"
)


def read(text: str | bytes, name: str = "refs.bib") -> tuple[list[BibRecord], list[BadRow]]:
    data = text.encode() if isinstance(text, str) else text
    return read_bibtex(Source(name, io.BytesIO(data), FORMAT))


def read_file(name: str) -> tuple[list[BibRecord], list[BadRow]]:
    return read((DATA / name).read_bytes(), name)


def unplaced(record: BibRecord) -> BibRecord:
    """The record without where it was read, to compare records of two files."""
    return dataclasses.replace(record, source="", number=0, line=None)


def round_trip(records: list[BibRecord]) -> list[BibRecord]:
    again, problems = read(write_bibtex(records))
    assert problems == []
    return again


@pytest.fixture(scope="module")
def trials() -> list[BibRecord]:
    records, problems = read_file("trials.bib")
    assert problems == []
    return records


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def test_fields_map_to_the_record(trials: list[BibRecord]) -> None:
    badwe = trials[0]
    assert (badwe.source, badwe.number, badwe.line, badwe.key) == ("trials.bib", 1, 3, "badwe2015")
    assert badwe.kind == "article"
    assert badwe.title == BADWE_TITLE  # the line break and indentation are one space
    assert badwe.authors[:3] == ["Badwe, Rajendra", "Hawaldar, Rohini", "Nair, Nita"]
    assert badwe.authors[-1] == "Gupta, Sudeep" and len(badwe.authors) == 9
    assert badwe.issued == "2015-10"  # year = 2015, month = oct
    assert (badwe.journal, badwe.volume, badwe.issue) == ("The Lancet Oncology", "16", "13")
    assert (badwe.page_start, badwe.page_end) == ("1380", "1388")
    assert (badwe.doi, badwe.issn) == ("10.1016/S1470-2045(15)00135-7", "1470-2045")
    assert badwe.keywords == ["breast cancer", "metastatic", "locoregional treatment"]
    assert badwe.extra == {"trialregistration": ["NCT00193778"]}


def test_note_lines_give_screening_labels_and_notes(trials: list[BibRecord]) -> None:
    badwe, soran, khan = trials
    assert badwe.screening == [
        ScreeningLabel("rayyan", "include", "Alice"),
        ScreeningLabel("rayyan", "include", "Bob"),
    ]
    assert badwe.labels == ["RCT", "stage IV"]
    assert badwe.notes == ["first Indian trial"]
    assert soran.screening == [ScreeningLabel("asreview", "exclude")]
    assert khan.screening == [ScreeningLabel("asreview", "include", prior=True)]
    assert soran.notes == khan.notes == []


def test_latex_accents_and_braces_are_decoded(trials: list[BibRecord]) -> None:
    soran = trials[1]
    assert soran.authors == [
        "Soran, Atilla",
        "Özmen, Vahit",
        "Özbaş, Serdar",
        "Karanl\u0131k, Hasan",  # a dotless i
        "Müslümanoğlu, Mahmut",
        "İğci, Abdullah",
    ]  # "and others" is BibTeX's et al., not an author
    assert soran.title is not None and soran.title.endswith(
        "Stage IV Breast Cancer at Presentation: Protocol MF07-01"
    )
    assert soran.key == "Soran2018"  # keys keep their case; field names do not matter
    assert (soran.pmid, soran.issued) == ("29777404", "2018")


def test_date_pmcid_and_verbatim_url(trials: list[BibRecord]) -> None:
    khan = trials[2]
    assert khan.issued == "2022-03-20"
    assert (khan.pmid, khan.pmcid) == ("34995128", "PMC8937009")
    assert khan.urls == ["https://ascopubs.org/doi/10.1200/JCO.21.02006"]
    assert khan.keywords == ["breast cancer", "surgery", "radiotherapy"]  # comma separated
    assert khan.authors[0] == "Khan, Seema A."


def test_names_are_read_family_first() -> None:
    entry = """@book{b, title = {T}, author = {Ludwig van Beethoven and Smith, Jr, John and
        {World Health Organization} and Rajendra Badwe}}"""
    (record,), _ = read(entry)
    assert record.authors == [
        "van Beethoven, Ludwig",
        "Smith, Jr, John",
        "World Health Organization",
        "Badwe, Rajendra",
    ]


def test_url_keeps_its_percent_signs() -> None:
    (record,), _ = read("@misc{m, title = {T}, url = {https://example.org/a_b%20c~d}}")
    assert record.urls == ["https://example.org/a_b%20c~d"]


@pytest.mark.parametrize(
    ("entry_type", "kind", "extra"),
    [
        ("article", "article", {}),
        ("inproceedings", "conference-paper", {}),
        ("conference", "conference-paper", {"ENTRYTYPE": ["conference"]}),
        ("book", "book", {}),
        ("incollection", "chapter", {}),
        ("inbook", "chapter", {"ENTRYTYPE": ["inbook"]}),
        ("techreport", "report", {}),
        ("phdthesis", "thesis", {}),
        ("mastersthesis", "thesis", {"ENTRYTYPE": ["mastersthesis"]}),
        ("online", "web-page", {}),
        ("misc", "other", {}),
        ("manual", "other", {"ENTRYTYPE": ["manual"]}),
    ],
)
def test_entry_types_map_to_kinds(entry_type: str, kind: str, extra: dict) -> None:
    (record,), _ = read(f"@{entry_type}{{k, title = {{T}}}}")
    assert (record.kind, record.extra) == (kind, extra)
    assert write_bibtex([record]).startswith(f"@{entry_type}{{k,")


def test_booktitle_is_the_container_of_conference_papers() -> None:
    (record,), _ = read("@inproceedings{k, title = {T}, booktitle = {SABCS 2013}}")
    assert record.journal == "SABCS 2013" and record.extra == {}
    assert "booktitle = {SABCS 2013}" in write_bibtex([record])


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def test_read_write_read_gives_the_same_records(trials: list[BibRecord]) -> None:
    assert [unplaced(r) for r in round_trip(trials)] == [unplaced(r) for r in trials]


def test_labels_of_both_tools_survive_a_round_trip() -> None:
    record = BibRecord(
        title="Early Local Therapy for the Primary Site in De Novo Stage IV Breast Cancer",
        key="khan2022",
        screening=[
            ScreeningLabel("asreview", "unseen", prior=True),
            ScreeningLabel("rayyan", "include", "Alice"),
            ScreeningLabel("rayyan", "exclude", "Bob", ("wrong population",)),
        ],
        labels=["RCT"],
        notes=["checked full text", "50% & more"],
    )
    (again,) = round_trip([record])
    assert unplaced(again) == unplaced(record)


def test_provenance_is_written_in_the_note_and_read_as_the_iri() -> None:
    record = BibRecord(title=BADWE_TITLE, key="badwe2015")
    iri = "http://127.0.0.1:8000/id/publication/doi/10.1016/s1470-2045(15)00135-7"
    text = write_bibtex([record], lambda r: f"evidence-graph: <{iri}>")
    (again,), _ = read(text)
    assert (again.iri, again.notes) == (iri, [])


def test_special_characters_are_escaped_and_read_back() -> None:
    title = 'Özbaş & Müller: 50% of \u03b1-cells in {braces}, "quotes", a_b #1 ~ $5 \\ end'
    record = BibRecord(title=title, key="k", urls=["https://example.org/a_b%20c"])
    text = write_bibtex([record])
    assert r"{\"O}zba{\c{s}} {\&} M{\"u}ller: 50{\%}" in text
    assert "url = {https://example.org/a_b%20c}" in text  # verbatim: not escaped
    (again,) = round_trip([record])
    assert (again.title, again.urls) == (title, record.urls)


def test_names_are_written_family_comma_given() -> None:
    record = BibRecord(title="T", key="k", authors=["Badwe R", "Gulluoglu BM", "Rajendra Badwe"])
    assert "author = {Badwe, R and Gulluoglu, BM and Badwe, Rajendra}" in write_bibtex([record])


def test_dates_pages_and_identifiers_are_written_as_bibtex_fields(
    trials: list[BibRecord],
) -> None:
    text = write_bibtex(trials)
    assert "month = oct," in text  # the macro, unbraced
    assert "pages = {1380--1388}" in text
    assert "date = {2022-03-20}" in text and "year = {2022}" in text
    assert "pmcid = {PMC8937009}" in text
    assert "trialregistration = {NCT00193778}" in text  # an extra field, written back


def test_keys_are_made_from_author_year_and_title_and_kept_unique() -> None:
    badwe = BibRecord(title=BADWE_TITLE, authors=["Badwe R"], issued="2015-09-09")
    records = [
        badwe,
        badwe,
        BibRecord(title="The ÖZ trial", authors=["Özmen, Vahit"], issued="2018"),
        BibRecord(title="T", key="badwe2015locoregional"),
        BibRecord(title="T", key="has space, comma"),
        BibRecord(title="T", key="Badwe2015Locoregional"),  # BibTeX ignores the case of keys
    ]
    again, _ = read(write_bibtex(records))
    assert [r.key for r in again] == [
        "badwe2015locoregional",
        "badwe2015locoregionalb",
        "ozmen2018oz",
        "badwe2015locoregionalc",
        "hasspacecomma",
        "Badwe2015Locoregionald",
    ]


# ---------------------------------------------------------------------------------------------
# Malformed files
# ---------------------------------------------------------------------------------------------


def test_each_malformed_entry_is_a_bad_row_with_its_line() -> None:
    records, problems = read_file("malformed.bib")
    assert [r.key for r in records] == ["badwe2015"]
    assert [(p.record, p.line, p.column) for p in problems] == [
        (2, 8, None),  # the unclosed year
        (3, 12, "ID"),  # badwe2015 again
        (4, 16, "title"),  # title twice
        (5, 21, "year"),  # in press
        (6, 26, "month"),  # Smarch
        (7, 32, "title"),  # no title, no identifier
        (8, 36, "note"),  # relevant and irrelevant
        (9, 41, "author"),  # too many commas in a name
    ]
    assert all(p.source == "malformed.bib" for p in problems)
    assert "used twice" in problems[1].reason and "'in press'" in problems[3].reason


def test_a_file_without_entries_is_unreadable() -> None:
    with pytest.raises(UnreadableFile) as refused:
        read('[{"id": "badwe2015", "title": "Locoregional treatment"}]', "refs.json")
    assert refused.value.problems[0].source == "refs.json"


def test_text_that_is_not_utf8_is_unreadable() -> None:
    with pytest.raises(UnreadableFile) as refused:
        read("@article{k,\n  title = {M\xfcller}}".encode("latin-1"))
    assert refused.value.problems[0].line == 2


def test_sniff() -> None:
    assert sniff((DATA / "trials.bib").read_bytes())
    assert sniff(b"  @Article (k, title = {T})")
    assert not sniff(b"TY  - JOUR\nTI  - Locoregional treatment\nER  - \n")
    assert not sniff(b"email me @ badwe@tmc.gov.in")
