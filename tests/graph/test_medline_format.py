"""graph.medline_format: PubMed MEDLINE (.nbib) files read into BibRecords, with their line
numbers and per-record problems.

tests/graph/data/pubmed-lrt.nbib holds the PubMed records of the trials in the example evidence
(Khan 2022, Fitzal 2019, Soran 2018, Badwe 2015), abridged: fewer authors, shortened abstracts,
a few MeSH headings, and PubMed's indexing dates left out. Like PubMed's own files, it starts
with a blank line and wraps long values over lines indented by six spaces.
"""

import io
from pathlib import Path

import pytest

from graph.bib_records import BibRecord
from graph.import_errors import BadRow, UnreadableFile
from graph.medline_format import FORMAT, read_medline, sniff, split_pages
from graph.parsing import Source
from graph.ris_format import read_ris, write_ris

DATA = Path(__file__).parent / "data"
KHAN = (
    "Early Local Therapy for the Primary Site in De Novo Stage IV Breast Cancer: Results of a "
    "Randomized Clinical Trial (EA2108)"
)
FITZAL = (
    "Impact of Breast Surgery in Primary Metastasized Breast Cancer: Outcomes of the Prospective "
    "Randomized Phase III ABCSG-28 POSYTIVE Trial"
)
SORAN = (
    "Randomized Trial Comparing Resection of Primary Tumor with No Surgery in Stage IV Breast "
    "Cancer at Presentation: Protocol MF07-01"
)


def source(data: bytes, name: str = "test.nbib") -> Source:
    return Source(name, io.BytesIO(data), FORMAT)


def read_lrt() -> list[BibRecord]:
    records, problems = read_medline(source((DATA / "pubmed-lrt.nbib").read_bytes()))
    assert problems == []
    return records


def one(text: str) -> BibRecord:
    """The one record of ``text``, MEDLINE fields after a PMID line."""
    (record,), problems = read_medline(source(f"PMID- 1\n{text}\n".encode()))
    assert problems == []
    return record


def test_a_pubmed_record_is_read_field_by_field() -> None:
    assert read_lrt()[0] == BibRecord(
        kind="article",
        title=KHAN,  # over two lines, PubMed's closing period dropped
        authors=["Khan, Seema A", "Zhao, Fengmin", "Goldstein, Lori J"],  # FAU, not AU
        issued="2022-03-20",
        journal=(
            "Journal of clinical oncology : official journal of the American Society of "
            "Clinical Oncology"
        ),
        volume="40",
        issue="9",
        page_start="978",
        page_end="987",
        abstract=(
            "PURPOSE: To test whether early locoregional therapy (LRT) for the intact primary "
            "tumor improves overall survival (OS) in women presenting with de novo stage IV "
            "breast cancer. RESULTS: Of 256 randomly assigned patients, 125 received early LRT "
            "and 131 continued systemic therapy. Three-year OS was 68.4% versus 67.9% (hazard "
            "ratio, 1.11; 90% CI, 0.82 to 1.52; P = .57). CONCLUSION: Early LRT of the primary "
            "site did not improve survival."
        ),
        doi="10.1200/JCO.21.02006",
        pmid="34995128",
        pmcid="PMC8937009",
        mesh=["Breast Neoplasms/pathology/*therapy", "Female", "Humans"],
        publication_types=[
            "Clinical Trial, Phase III",
            "Journal Article",
            "Randomized Controlled Trial",
        ],
        language="eng",
        issn="1527-7755",  # the first of the IS lines, without "(Electronic)"
        extra={
            "OWN": ["NLM"],
            "STAT": ["MEDLINE"],
            "AD": ["Northwestern University Feinberg School of Medicine, Chicago, IL."],
            "PL": ["United States"],
            "SB": ["IM"],
            "PST": ["ppublish"],
            "SO": ["J Clin Oncol. 2022 Mar 20;40(9):978-987. doi: 10.1200/JCO.21.02006."],
        },
        source="test.nbib",
        number=1,
        line=2,  # the file starts with a blank line
    )


def test_the_trials_of_the_example_evidence() -> None:
    records = read_lrt()
    assert [(r.pmid, r.doi, r.pmcid) for r in records] == [
        ("34995128", "10.1200/JCO.21.02006", "PMC8937009"),
        ("31082916", "10.1097/SLA.0000000000002771", None),
        ("29777404", "10.1245/s10434-018-6494-6", None),
        ("26363985", "10.1016/S1470-2045(15)00135-7", None),  # its [pii] values passed over
    ]
    assert [r.title for r in records[:3]] == [KHAN, FITZAL, SORAN]
    assert [(r.number, r.line) for r in records] == [(1, 2), (2, 44), (3, 81), (4, 120)]
    assert [(r.issued, r.page_start, r.page_end) for r in records] == [
        ("2022-03-20", "978", "987"),
        ("2019-06", "1163", "1169"),
        ("2018-10", "3141", "3149"),
        ("2015-10", "1380", "1388"),  # "PG  - 1380-8"
    ]
    soran = records[2]
    assert soran.extra["AD"] == [
        "Magee-Womens Hospital, University of Pittsburgh Medical Center, Pittsburgh, PA, USA."
    ]
    assert records[3].authors[-1] == "Gupta, Sudeep"
    assert records[3].extra["DEP"] == ["20150909"]


def test_authors_in_au_when_there_is_no_fau() -> None:
    record = one("TI  - Presence of a growth-stimulating factor.\nAU  - Fisher B\nAU  - Gunduz N")
    assert record.authors == ["Fisher B", "Gunduz N"]
    assert "AU" not in record.extra


def test_keywords_and_an_author_list_over_lines() -> None:
    record = one(
        "OT  - metastatic breast cancer\nOT  - surgery\nAD  - Department of Surgery,\n      Vienna."
    )
    assert record.keywords == ["metastatic breast cancer", "surgery"]
    assert record.extra == {"AD": ["Department of Surgery, Vienna."]}


@pytest.mark.parametrize(
    ("dp", "issued"),
    [
        ("2015 Nov", "2015-11"),
        ("2018 Oct 12", "2018-10-12"),
        ("1989 Apr 15", "1989-04-15"),
        ("2022 Mar 20", "2022-03-20"),
        ("1990 May-Jun", "1990-05"),
        ("1998 Dec-1999 Jan", "1998-12"),
        ("2018 Winter", "2018"),
        ("2020", "2020"),
        ("2019 Feb 30", "2019-02"),  # no such day
    ],
)
def test_dates(dp: str, issued: str) -> None:
    assert one(f"DP  - {dp}").issued == issued


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        ("1380-8", ("1380", "1388")),
        ("1996-2001", ("1996", "2001")),
        ("737-8", ("737", "738")),
        ("98-102", ("98", "102")),
        ("S12-5", ("S12", "S15")),
        ("e123-e130", ("e123", "e130")),
        ("1163", ("1163", None)),
        ("e16881", ("e16881", None)),
        ("1-10; discussion 11-2", ("1", "10")),
        ("viii-xii", ("viii", "xii")),
        ("", (None, None)),
    ],
)
def test_split_pages(pages: str, expected: tuple) -> None:
    assert split_pages(pages) == expected


@pytest.mark.parametrize(
    ("types", "kind"),
    [
        (["Journal Article"], "article"),
        (["Journal Article", "Randomized Controlled Trial"], "article"),
        (["Journal Article", "Review"], "review"),
        (["Journal Article", "Meta-Analysis", "Systematic Review"], "review"),
        (["Preprint", "Review"], "preprint"),
        (["Congress"], "abstract"),
        (["Meeting Abstract"], "abstract"),
        (["Letter"], "article"),
    ],
)
def test_publication_types_say_the_kind(types: list[str], kind: str) -> None:
    record = one("\n".join(f"PT  - {name}" for name in types))
    assert (record.kind, record.publication_types) == (kind, types)


def test_each_malformed_record_is_reported_and_left_out() -> None:
    text = (
        "PMID- 26363985\nTI  - Good.\nDP  - 2015 Oct\n"  # 1, lines 1-3
        "\n"
        "TI  - No PMID.\nDP  - 2015\n"  # 2, lines 5-6
        "\n"
        "PMID- PMC8937009\nTI  - A PMCID for a PMID.\n"  # 3, lines 8-9
        "\n"
        "PMID- 2702641\nTI  - A season only.\nDP  - Spring\n"  # 4, lines 11-13
        "\n"
        "PMID- 31082916\nTI  - A stray line.\nnot a field\n"  # 5, lines 15-17
        "\n"
        "PMID- 29777404\nTI  - Two records\nPMID- 34995128\nTI  - without a blank line.\n"  # 6
        "\n"
        "PMID- 34995128\nTI  - Good too.\n"  # 7, lines 24-25
    )
    records, problems = read_medline(source(text.encode()))
    stray = (
        "not a MEDLINE line: a field is a tag of up to 4 capitals, '- ' at column 5 and its "
        "value; a value goes on over lines indented by 6 spaces"
    )
    assert problems == [
        BadRow("test.nbib", 5, "PMID", "the record has no PMID", 2),
        BadRow("test.nbib", 8, "PMID", "PMID 'PMC8937009' is not a PubMed id (digits)", 3),
        BadRow("test.nbib", 11, "DP", "DP 'Spring' has no year", 4),
        BadRow("test.nbib", 17, None, stray, 5),
        BadRow(
            "test.nbib",
            19,
            "PMID",
            "two PMIDs in one record: a blank line between records is missing",
            6,
        ),
    ]
    assert [(r.number, r.line, r.title) for r in records] == [(1, 1, "Good"), (7, 24, "Good too")]


def test_a_ris_file_is_refused_with_a_hint() -> None:
    assert not sniff((DATA / "rayyan.ris").read_bytes())
    with pytest.raises(UnreadableFile) as refused:
        read_medline(source((DATA / "rayyan.ris").read_bytes(), "rayyan.ris"))
    assert refused.value.problems == [
        BadRow("rayyan.ris", 1, None, "this looks like a RIS file: use --format ris")
    ]


@pytest.mark.parametrize(
    ("data", "line", "reason"),
    [
        (b"PMID- 1\nTI  - Caf\xe9.\n", 2, "not UTF-8 text: save the file as UTF-8"),
        (
            b"oci,citing,cited\n",
            1,
            "not a PubMed MEDLINE file: it should start with 'PMID- ', not 'oci,citing,cited'",
        ),
    ],
)
def test_files_that_cannot_be_read(data: bytes, line: int, reason: str) -> None:
    with pytest.raises(UnreadableFile) as refused:
        read_medline(source(data))
    assert refused.value.problems == [BadRow("test.nbib", line, None, reason)]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"PMID- 34995128\n", True),
        (b"\nPMID- 34995128\nOWN - NLM\n", True),
        (b"\xef\xbb\xbfPMID- 34995128\r\n", True),
        (b"TY  - JOUR\n", False),
        (b"PMID 34995128\n", False),
        (b"", False),
    ],
)
def test_sniff(head: bytes, expected: bool) -> None:
    assert sniff(head) is expected


def test_pubmed_records_sent_out_as_ris_come_back_with_their_facts() -> None:
    records = read_lrt()
    again, problems = read_ris(Source("lrt.ris", io.BytesIO(write_ris(records).encode()), "ris"))
    assert problems == []
    facts = ("title", "authors", "issued", "journal", "volume", "issue", "page_start", "page_end")
    facts += ("abstract", "doi", "pmid", "pmcid", "language", "issn")
    assert [[getattr(r, f) for f in facts] for r in again] == [
        [getattr(r, f) for f in facts] for r in records
    ]
    assert again[0].keywords == records[0].mesh  # RIS has no MeSH: written as keywords
