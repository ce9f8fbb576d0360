import pytest

from graph.identifiers import normalise_doi, normalise_nct, normalise_pmcid, normalise_pmid


@pytest.mark.parametrize(
    "given",
    [
        "10.1016/S1470-2045(15)00135-7",
        "https://doi.org/10.1016/S1470-2045(15)00135-7",
        "http://dx.doi.org/10.1016/s1470-2045(15)00135-7",
        "doi:10.1016/S1470-2045(15)00135-7",
        "DOI: 10.1016/S1470-2045(15)00135-7 ",
    ],
)
def test_doi_variants_normalise_to_one_form(given: str) -> None:
    assert normalise_doi(given) == "10.1016/s1470-2045(15)00135-7"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2702641", "2702641"),
        ("PMID: 2702641", "2702641"),
        ("pmid:02702641", "2702641"),
        ("https://pubmed.ncbi.nlm.nih.gov/2702641/", "2702641"),
    ],
)
def test_pmid(given: str, expected: str) -> None:
    assert normalise_pmid(given) == expected


def test_pmcid_and_nct() -> None:
    assert normalise_pmcid(" pmc8937009") == "PMC8937009"
    assert normalise_pmcid("8937009") == "PMC8937009"
    assert normalise_nct(" nct 00193778") == "NCT00193778"
