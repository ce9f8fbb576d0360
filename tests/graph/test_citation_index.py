"""A publication's citations in the OpenCitations Index API's row shape: what an imported
citation's index said is kept; otherwise dates, time span and self-citation are computed."""

from pathlib import Path

from rdflib import URIRef

from graph.citation_index import citation_count, citation_rows
from graph.opencitations import import_opencitations
from tests.conftest import BASE

KHAN = URIRef(BASE + "publication/khan2022")
HEADER = "oci,citing,cited,creation,timespan,journal_sc,author_sc"


def test_an_imported_citation_keeps_what_its_index_said(examples, tmp_path: Path) -> None:
    path = tmp_path / "coci.csv"
    citing, cited = "doi:10.1234/later-review pmid:39000001", "doi:10.1200/JCO.21.02006"
    row = f"0610-0620,{citing},{cited},2024-05,P2Y4M,no,yes"
    path.write_text(f"{HEADER}\n{row}\n", encoding="utf-8")
    import_opencitations(examples, path, BASE, "reviewer")
    [cited_by] = citation_rows(examples, KHAN, "citations")
    assert cited_by == {
        "oci": "0610-0620",
        "citing": f"{citing} {BASE}publication/doi/10.1234/later-review",
        "cited": f"doi:10.1200/jco.21.02006 pmcid:PMC8937009 pmid:34995128 {KHAN}",
        "creation": "2024-05",
        "timespan": "P2Y4M",
        "journal_sc": "no",
        "author_sc": "yes",
    }
    assert citation_count(examples, KHAN, "citations") == 1


def test_a_citation_in_the_examples_is_computed_from_the_two_works(examples) -> None:
    rows = citation_rows(examples, URIRef(BASE + "publication/ascopost2014"), "references")
    fisher = next(r for r in rows if r["cited"].endswith("/fisher1989"))
    assert fisher["cited"] == f"pmid:2702641 {BASE}publication/fisher1989"
    assert fisher["creation"] == "2014"  # the citation's own creation date, as stated
    assert fisher["timespan"].startswith("P25Y")
    assert (fisher["oci"], fisher["author_sc"], fisher["journal_sc"]) == ("", "no", "no")
    assert citation_count(examples, URIRef(BASE + "publication/ascopost2014"), "references") == 2
