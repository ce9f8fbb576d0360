"""graph.ris_format: RIS files of screening tools read into BibRecords (with their line numbers
and per-record problems) and written back through rispy.

Fixtures in tests/graph/data: rayyan.ris (a Rayyan export: reviewers' decisions, tags and
exclusion reasons in N1), asreview-labelled.ris (an ASReview export written by rispy, with its
"1." line before each record), malformed.ris (one record for each per-record problem) and
pubmed-lrt.nbib (a PubMed MEDLINE file, which the RIS reader must refuse).
"""

import io
from dataclasses import replace
from pathlib import Path

import pytest

from graph.bib_records import BibRecord, ScreeningLabel
from graph.import_errors import BadRow, UnreadableFile
from graph.parsing import Source
from graph.ris_format import FORMAT, read_ris, sniff, write_ris
from graph.screening_labels import PROVENANCE_PREFIX
from tests.conftest import BASE

DATA = Path(__file__).parent / "data"
SORAN = (
    "Randomized Trial Comparing Resection of Primary Tumor with No Surgery in Stage IV Breast "
    "Cancer at Presentation: Protocol MF07-01"
)


def source(data: bytes, name: str = "test.ris") -> Source:
    return Source(name, io.BytesIO(data), FORMAT)


def read_file(name: str) -> tuple[list[BibRecord], list[BadRow]]:
    return read_ris(source((DATA / name).read_bytes(), name))


def read_text(text: str) -> tuple[list[BibRecord], list[BadRow]]:
    return read_ris(source(text.encode()))


def one(text: str) -> BibRecord:
    """The one record of ``text``, a record's fields without its TY and ER lines."""
    records, problems = read_text(f"TY  - JOUR\n{text}\nER  - \n")
    assert problems == []
    (record,) = records
    return record


def n1_lines(text: str) -> list[str]:
    return [line[6:] for line in text.splitlines() if line.startswith("N1  - ")]


# ---------------------------------------------------------------------------------------------
# Reading: every field, labels, line numbers
# ---------------------------------------------------------------------------------------------


def test_a_rayyan_record_is_read_field_by_field() -> None:
    records, problems = read_file("rayyan.ris")
    assert problems == []
    assert records[0] == BibRecord(
        kind="article",
        title=SORAN,
        authors=["Soran, A.", "Ozmen, V.", "Ozbas, S."],
        issued="2018-10",
        journal="Annals of surgical oncology",
        volume="25",
        issue="11",
        page_start="3141",  # "SP  - 3141-3149"
        page_end="3149",
        abstract=(
            "BACKGROUND: The benefit of resecting the primary tumor in women presenting with "
            "stage IV breast cancer is unknown."
        ),
        doi="10.1245/s10434-018-6494-6",  # "https://doi.org/" taken off
        pmid="29777404",  # "AN  - PMID: 29777404"
        urls=["https://pubmed.ncbi.nlm.nih.gov/29777404/"],
        keywords=["Breast Neoplasms", "Mastectomy"],
        language="eng",
        issn="1534-4681",
        publisher="Springer",
        notes=["Protocol MF07-01, registered as NCT00557986"],  # a continuation line joined
        screening=[
            ScreeningLabel("rayyan", "include", "Alice"),
            ScreeningLabel("rayyan", "exclude", "Bob", ("wrong population",)),
        ],
        key="1001",
        extra={"DB": ["PubMed"]},
        source="rayyan.ris",
        number=1,
        line=1,
    )


def test_rayyan_tags_user_notes_and_a_conference_abstract() -> None:
    records, _ = read_file("rayyan.ris")
    fitzal, khan, badwe = records[1:]
    assert fitzal.labels == ["RCT", "surgery"]
    assert fitzal.screening == [
        ScreeningLabel("rayyan", "maybe", "Alice"),
        ScreeningLabel("rayyan", "include", "Bob"),
    ]
    assert fitzal.journal == "Annals of surgery"  # JO before JA, which is kept
    assert fitzal.extra == {
        "JA": ["Ann Surg"],
        "M3": ["Randomized Controlled Trial"],
        "Y2": ["2024/05/02/"],
    }
    assert fitzal.abstract == (
        "OBJECTIVE: To test whether surgery of the primary tumor improves survival in primary "
        "metastasized breast cancer. METHODS: Ninety patients were randomized, 45 per arm."
    )
    assert khan.pmcid == "PMC8937009"
    assert khan.notes == ['USER-NOTES: {"Alice"=>["90% CI, not 95%"]}']
    assert (badwe.kind, badwe.journal, badwe.issued) == (
        "conference-paper",
        "San Antonio Breast Cancer Symposium 2013",
        "2013-12-11",
    )
    assert badwe.extra == {"TY": ["CONF"], "M1": ["S2-02"]}
    reasons = ("conference abstract", "duplicate")
    assert badwe.screening == [
        ScreeningLabel("rayyan", "exclude", "Alice", reasons),
        ScreeningLabel("rayyan", "exclude", "Bob", reasons),
    ]
    assert [(r.number, r.line) for r in records] == [(1, 1), (2, 28), (3, 50), (4, 69)]


def test_asreview_labels_and_its_numbered_records() -> None:
    records, problems = read_file("asreview-labelled.ris")
    assert problems == []
    assert [r.screening for r in records] == [
        [ScreeningLabel("asreview", "include", prior=True)],
        [ScreeningLabel("asreview", "include")],
        [ScreeningLabel("asreview", "exclude")],
        [ScreeningLabel("asreview", "unseen")],
    ]
    assert [r.notes for r in records] == [["asreview_ranking: 1"], ["Full text checked."], [], []]
    assert [(r.number, r.line) for r in records] == [(1, 2), (2, 29), (3, 47), (4, 61)]
    badwe = records[0]
    assert (badwe.issued, badwe.page_start, badwe.page_end) == ("2015-09-09", "1380", "1388")
    assert badwe.urls == ["https://pubmed.ncbi.nlm.nih.gov/26363985/"]
    assert badwe.extra == {
        "J2": ["Lancet Oncol"],
        "L1": ["internal-pdf://1234567890/Badwe-2015.pdf"],  # a file, not a URL
    }
    assert [r.pmid for r in records] == ["26363985", "29777404", "31082916", "34995128"]
    assert records[3].pmcid == "PMC8937009"


def test_a_bom_and_windows_line_ends() -> None:
    text = "\ufeff\r\nTY  - JOUR\r\nTI  - A title\r\nAB  - An abstract\r\n  goes on\r\nER  - \r\n"
    (record,), problems = read_ris(source(text.encode()))
    assert problems == []
    assert (record.title, record.abstract, record.line) == ("A title", "An abstract goes on", 2)


def test_every_value_of_a_repeated_tag_is_kept() -> None:
    record = one("TI  - First title\nTI  - Second title\nT1  - Third\nJO  - J One\nT2  - J Two")
    assert (record.title, record.journal) == ("First title", "J One")
    assert record.extra == {"TI": ["Second title"], "T1": ["Third"], "T2": ["J Two"]}


def test_authors_in_a1_when_there_is_no_au() -> None:
    assert one("TI  - T\nA1  - Fisher, B.\nA1  - Gunduz, N.").authors == [
        "Fisher, B.",
        "Gunduz, N.",
    ]
    both = one("TI  - T\nAU  - Khan, S. A.\nA1  - Other, O.")
    assert (both.authors, both.extra) == (["Khan, S. A."], {"A1": ["Other, O."]})


@pytest.mark.parametrize(
    ("fields", "issued", "extra"),
    [
        ("PY  - 2015", "2015", {}),
        ("PY  - 2015///", "2015", {}),
        ("Y1  - 2014//", "2014", {}),
        ("PY  - 2015\nDA  - 2015/09/09/", "2015-09-09", {}),
        ("DA  - 2019/10//undefined\nPY  - 2019", "2019-10", {}),  # Zotero
        ("DA  - 2015-09-09", "2015-09-09", {}),
        ("PY  - 2015\nDA  - Sep 9", "2015", {"DA": ["Sep 9"]}),  # EndNote: kept
        ("PY  - 2015/02/30/", "2015-02", {}),  # no such day
        ("PY  - 2015/13/01/", "2015", {}),  # no such month
        ("VL  - 3", None, {}),  # no date at all
    ],
)
def test_dates(fields: str, issued: str | None, extra: dict) -> None:
    record = one(f"TI  - T\n{fields}")
    assert (record.issued, record.extra) == (issued, extra)


@pytest.mark.parametrize(
    ("fields", "doi", "pmid", "pmcid", "extra"),
    [
        ("DO  - https://doi.org/10.1200/JCO.21.02006", "10.1200/JCO.21.02006", None, None, {}),
        ("DO  - doi:10.1200/JCO.21.02006", "10.1200/JCO.21.02006", None, None, {}),
        ("AN  - 34995128", None, "34995128", None, {}),
        ("AN  - PMID:34995128", None, "34995128", None, {}),
        ("AN  - 2001234567", None, None, None, {"AN": ["2001234567"]}),  # Embase's
        ("AN  - WOS:000361036800038", None, None, None, {"AN": ["WOS:000361036800038"]}),
        (
            "AN  - WOS:000361036800038\nAN  - 34995128",
            None,
            "34995128",
            None,
            {"AN": ["WOS:000361036800038"]},
        ),
        ("C2  - PMC8937009", None, None, "PMC8937009", {}),
        ("C2  - PMCID: PMC8937009", None, None, "PMC8937009", {}),
        ("C2  - Custom 2", None, None, None, {"C2": ["Custom 2"]}),
    ],
)
def test_identifiers(fields: str, doi, pmid, pmcid, extra: dict) -> None:
    record = one(f"TI  - T\n{fields}")
    assert (record.doi, record.pmid, record.pmcid, record.extra) == (doi, pmid, pmcid, extra)


@pytest.mark.parametrize(
    ("fields", "pages"),
    [
        ("SP  - 1380-1388", ("1380", "1388")),
        ("SP  - 1380-8", ("1380", "1388")),  # PubMed's abbreviation, through EndNote
        ("SP  - 1163\nEP  - 1169", ("1163", "1169")),
        ("SP  - e0815", ("e0815", None)),
    ],
)
def test_pages(fields: str, pages: tuple) -> None:
    record = one(f"TI  - T\n{fields}")
    assert (record.page_start, record.page_end) == pages


@pytest.mark.parametrize(
    ("ty", "kind"),
    [
        ("JOUR", "article"),
        ("ABST", "abstract"),
        ("CONF", "conference-paper"),
        ("CPAPER", "conference-paper"),
        ("BOOK", "book"),
        ("CHAP", "chapter"),
        ("RPRT", "report"),
        ("THES", "thesis"),
        ("ELEC", "web-page"),
        ("WEB", "web-page"),
        ("DATA", "dataset"),
        ("NEWS", "news"),
        ("GEN", "other"),
        ("PAT", "other"),
    ],
)
def test_types_are_read_as_kinds_and_written_back(ty: str, kind: str) -> None:
    (record,), _ = read_text(f"TY  - {ty}\nTI  - T\nER  - \n")
    assert record.kind == kind
    assert write_ris([record]).splitlines()[0] == f"TY  - {ty}"


@pytest.mark.parametrize(
    ("kind", "ty"),
    [
        ("article", "JOUR"),
        ("review", "JOUR"),
        ("conference-paper", "CPAPER"),
        ("preprint", "UNPB"),
        ("trial-registration", "ELEC"),
        ("other", "GEN"),
    ],
)
def test_kinds_of_other_formats_are_written_as_types(kind: str, ty: str) -> None:
    assert write_ris([BibRecord(kind=kind, title="T")]).splitlines()[0] == f"TY  - {ty}"


def test_a_kept_type_of_another_kind_is_not_written() -> None:
    record = replace(one("TI  - T"), kind="book", extra={"TY": ["CONF"]})
    assert write_ris([record]).splitlines()[0] == "TY  - BOOK"


# ---------------------------------------------------------------------------------------------
# Problems: per record, or the whole file
# ---------------------------------------------------------------------------------------------


def test_each_malformed_record_is_reported_and_left_out() -> None:
    records, problems = read_file("malformed.ris")
    no_er = "the record has no ER line: it runs into the next one or the end"
    assert problems == [
        BadRow(
            "malformed.ris",
            7,
            "TI",
            "the record has no title (TI or T1) and no DOI, PMID or PMCID",
            2,
        ),
        BadRow("malformed.ris", 13, "PY", "PY 'in press' is not a year", 3),
        BadRow("malformed.ris", 18, "ER", no_er, 4),
        BadRow(
            "malformed.ris",
            28,
            "N1",
            "Rayyan decision 'Undecided' is not Included, Excluded or Maybe",
            6,
        ),
        BadRow("malformed.ris", 34, "ER", no_er, 7),
    ]
    # the record after the one without ER is read whole, not merged into it
    assert [(r.number, r.line, r.pmid) for r in records] == [(1, 1, None), (5, 22, "31082916")]
    assert records[1].title.startswith("Impact of Breast Surgery")


def test_a_year_that_is_not_a_year_in_y1() -> None:
    _, problems = read_text("TY  - JOUR\nTI  - T\nY1  - n.d.\nER  - \n")
    assert problems == [BadRow("test.ris", 1, "Y1", "Y1 'n.d.' is not a year", 1)]


def test_a_pubmed_file_is_refused_with_a_hint() -> None:
    assert not sniff((DATA / "pubmed-lrt.nbib").read_bytes())
    with pytest.raises(UnreadableFile) as refused:
        read_file("pubmed-lrt.nbib")
    assert refused.value.problems == [
        BadRow(
            "pubmed-lrt.nbib", 2, None, "this looks like a PubMed MEDLINE file: use --format pubmed"
        )
    ]


@pytest.mark.parametrize(
    ("data", "line", "reason"),
    [
        (b"TY  - JOUR\nTI  - Caf\xe9\nER  - \n", 2, "not UTF-8 text: save the file as UTF-8"),
        (b"", 1, "the file is empty"),
        (
            b"\n@article{khan2022,\n",
            2,
            "not a RIS file: a record starts with a line 'TY  - JOUR', not '@article{khan2022,'",
        ),
    ],
)
def test_files_that_cannot_be_read(data: bytes, line: int, reason: str) -> None:
    with pytest.raises(UnreadableFile) as refused:
        read_ris(source(data))
    assert refused.value.problems == [BadRow("test.ris", line, None, reason)]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"TY  - JOUR\n", True),
        (b"\xef\xbb\xbfTY  - JOUR\r\n", True),  # a BOM
        (b"\n\nTY  - JOUR\n", True),
        (b"1.\nTY  - JOUR\n", True),  # rispy's numbering, in ASReview's exports
        (b"TY  -\n", True),
        (b"PMID- 34995128\n", False),
        (b"TY - JOUR\n", False),
        (b"@article{x,\n", False),
        (b"", False),
    ],
)
def test_sniff(head: bytes, expected: bool) -> None:
    assert sniff(head) is expected


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["rayyan.ris", "asreview-labelled.ris"])
def test_read_write_read_gives_the_same_records(name: str) -> None:
    records, _ = read_file(name)
    for record in records:
        record.iri = f"{BASE}publication/{record.number}"
    text = write_ris(records, lambda record: f"{PROVENANCE_PREFIX}<{record.iri}>")
    again, problems = read_ris(source(text.encode(), name))
    assert problems == []
    assert [replace(r, line=None) for r in again] == [replace(r, line=None) for r in records]


def test_labels_and_provenance_are_the_first_notes() -> None:
    record = BibRecord(
        title="T",
        notes=["Full text checked."],
        labels=["RCT"],
        screening=[
            ScreeningLabel("asreview", "include", prior=True),
            ScreeningLabel("rayyan", "exclude", "Bob", ("wrong population",)),
        ],
    )
    text = write_ris([record], lambda r: f"{PROVENANCE_PREFIX}<{BASE}publication/soran2018>")
    assert n1_lines(text) == [
        "ASReview_relevant",
        "ASReview_prior",
        'RAYYAN-INCLUSION: {"Bob"=>"Excluded"} | RAYYAN-LABELS: RCT | '
        "RAYYAN-EXCLUSION-REASONS: wrong population",
        f"evidence-graph: <{BASE}publication/soran2018>",
        "Full text checked.",
    ]


def test_a_record_is_written_tag_by_tag() -> None:
    record = BibRecord(
        title=SORAN,
        authors=["Soran, Atilla", "Ozmen, Vahit"],
        issued="2018-10",
        journal="Annals of surgical oncology",
        volume="25",
        issue="11",
        page_start="3141",
        page_end="3149",
        abstract="BACKGROUND: first line\nsecond line",
        doi="10.1245/s10434-018-6494-6",
        pmid="29777404",
        pmcid="PMC0000001",
        urls=["https://pubmed.ncbi.nlm.nih.gov/29777404/"],
        keywords=["metastatic"],
        mesh=["Breast Neoplasms/*surgery"],
        language="eng",
        issn="1534-4681",
        publisher="Springer",
        key="soran2018",
        extra={"J2": ["Ann Surg Oncol"], "OWN": ["NLM"], "note": ["BibTeX's"], "TY": ["PAT"]},
    )
    assert write_ris([record]) == (
        "TY  - JOUR\n"
        "ID  - soran2018\n"
        f"TI  - {SORAN}\n"
        "AU  - Soran, Atilla\n"
        "AU  - Ozmen, Vahit\n"
        "PY  - 2018\n"
        "DA  - 2018/10//\n"
        "JO  - Annals of surgical oncology\n"
        "VL  - 25\n"
        "IS  - 11\n"
        "SP  - 3141\n"
        "EP  - 3149\n"
        "AB  - BACKGROUND: first line second line\n"
        "DO  - 10.1245/s10434-018-6494-6\n"
        "AN  - 29777404\n"
        "C2  - PMC0000001\n"
        "UR  - https://pubmed.ncbi.nlm.nih.gov/29777404/\n"
        "KW  - metastatic\n"
        "KW  - Breast Neoplasms/*surgery\n"
        "LA  - eng\n"
        "SN  - 1534-4681\n"
        "PB  - Springer\n"
        "J2  - Ann Surg Oncol\n"
        "ER  - \n"
    )


def test_records_are_separated_by_a_blank_line() -> None:
    text = write_ris([BibRecord(title="One"), BibRecord(title="Two")])
    assert text == "TY  - JOUR\nTI  - One\nER  - \n\nTY  - JOUR\nTI  - Two\nER  - \n"
    assert write_ris([]) == ""
