"""graph.identifier_list: plain lists of DOIs, PMIDs and PMCIDs, one a line, each read into a
record holding only that identifier."""

import io
from pathlib import Path

import pytest

from graph.bib_records import BibRecord
from graph.identifier_list import FORMAT, read_identifiers, sniff
from graph.import_errors import BadRow, UnreadableFile
from graph.parsing import Source

DATA = Path(__file__).parent / "data"
BADWE = "10.1016/S1470-2045(15)00135-7"


def read(text: str | bytes, name: str = "ids.txt") -> tuple[list[BibRecord], list[BadRow]]:
    data = text.encode() if isinstance(text, str) else text
    return read_identifiers(Source(name, io.BytesIO(data), FORMAT))


@pytest.mark.parametrize(
    ("line", "attribute", "value"),
    [
        (BADWE, "doi", BADWE),
        ("doi:10.1245/s10434-018-6494-6", "doi", "10.1245/s10434-018-6494-6"),
        ("DOI: 10.1200/JCO.21.02006", "doi", "10.1200/JCO.21.02006"),
        (f"https://doi.org/{BADWE}", "doi", BADWE),
        ("http://dx.doi.org/10.1016%2FS1470-2045%2815%2900135-7", "doi", BADWE),
        ("29777404", "pmid", "29777404"),
        ("pmid:29777404", "pmid", "29777404"),
        ("PMID: 34995128", "pmid", "34995128"),
        ("https://pubmed.ncbi.nlm.nih.gov/34995128/", "pmid", "34995128"),
        ("PMC8937009", "pmcid", "PMC8937009"),
        ("pmcid: PMC8937009", "pmcid", "PMC8937009"),
        ("  34995128   # Khan 2022  ", "pmid", "34995128"),
    ],
)
def test_identifier_variants(line: str, attribute: str, value: str) -> None:
    (record,), problems = read(line)
    assert problems == []
    assert getattr(record, attribute) == value
    others = {"doi", "pmid", "pmcid"} - {attribute}
    assert all(getattr(record, other) is None for other in others)
    assert (record.title, record.authors, record.number, record.line) == (None, [], 1, 1)


@pytest.mark.parametrize(
    "line",
    ["Khan 2022 J Clin Oncol", "NCT00193778", "10.1200", "PMID: 0123", "PMC", "34995128, 29777404"],
)
def test_a_line_that_is_no_identifier_is_a_bad_row(line: str) -> None:
    records, problems = read(f"{BADWE}\n{line}\n")
    assert len(records) == 1
    assert [(p.line, p.record, p.column) for p in problems] == [(2, 2, None)]
    assert problems[0].reason == f"{line!r} is not a DOI, PMID or PMCID"


def test_the_list_of_the_trials() -> None:
    records, problems = read((DATA / "trials.identifiers.txt").read_bytes(), "trials.txt")
    found = [(r.line, r.number, r.doi or r.pmid or r.pmcid) for r in records]
    assert found == [
        (2, 1, BADWE),
        (3, 2, "10.1245/s10434-018-6494-6"),
        (4, 3, "10.1200/JCO.21.02006"),
        (6, 4, BADWE),
        (7, 5, BADWE),
        (8, 6, "29777404"),
        (9, 7, "29777404"),
        (10, 8, "34995128"),
        (11, 9, "34995128"),
        (12, 10, "PMC8937009"),
        (13, 11, "PMC8937009"),
    ]  # the comment on line 1 and the blank line 5 are skipped
    assert all(r.source == "trials.txt" for r in records)
    assert [(p.line, p.record) for p in problems] == [(14, 12), (15, 13)]


def test_a_file_of_no_identifiers_is_unreadable() -> None:
    with pytest.raises(UnreadableFile) as refused:
        read("TY  - JOUR\nTI  - Locoregional treatment\nER  - \n", "refs.ris")
    assert [(p.source, p.line) for p in refused.value.problems] == [("refs.ris", 1)]


def test_an_empty_list_has_no_records() -> None:
    assert read("# nothing yet\n\n") == ([], [])


def test_text_that_is_not_utf8_is_unreadable() -> None:
    with pytest.raises(UnreadableFile) as refused:
        read(f"{BADWE}\n29777404 # M\xfcller\n".encode("latin-1"))
    assert refused.value.problems[0].line == 2


def test_sniff() -> None:
    assert sniff((DATA / "trials.identifiers.txt").read_bytes()[:200].rsplit(b"\n", 1)[0])
    assert sniff(f"{BADWE}\n29777404\nPMC8937009\n".encode())
    assert sniff(f"{BADWE}\n10.12".encode())  # the last line may be cut off by the head
    assert not sniff((DATA / "trials.identifiers.txt").read_bytes())  # two lines are not ids
    assert not sniff(b"# only a comment\n\n")
    assert not sniff(b"record_id,title,doi\n1,Locoregional treatment,10.1016/x\n")
