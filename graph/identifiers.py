"""Normalisation of publication and trial identifiers, so that import can match on them.

>>> normalise_doi(" https://doi.org/10.1016/S1470-2045(15)00135-7 ")
'10.1016/s1470-2045(15)00135-7'
>>> normalise_pmid("PMID: 2702641")
'2702641'
>>> normalise_nct("nct00193778")
'NCT00193778'
>>> normalise_pmcid("pmc8937009")
'PMC8937009'
>>> absolute("claim/badwe-no-os-benefit", "http://127.0.0.1:8000/id/")
'http://127.0.0.1:8000/id/claim/badwe-no-os-benefit'
"""

import re
from collections.abc import Callable

from rdflib import URIRef

from graph.namespaces import BIBO, EV

__all__ = [
    "IDENTIFIER_PROPERTIES",
    "absolute",
    "normalise_doi",
    "normalise_nct",
    "normalise_pmcid",
    "normalise_pmid",
]

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_PMID_PREFIX = re.compile(r"^(?:pmid:?|https?://pubmed\.ncbi\.nlm\.nih\.gov/)\s*", re.IGNORECASE)


def normalise_doi(value: str) -> str:
    """Lower-case, without a resolver prefix or ``doi:``."""
    return _DOI_PREFIX.sub("", value.strip()).strip().lower()


def normalise_pmid(value: str) -> str:
    """Digits only, without ``PMID:`` or a PubMed URL, leading zeros dropped."""
    digits = _PMID_PREFIX.sub("", value.strip()).strip().rstrip("/")
    return digits.lstrip("0") or digits


def normalise_pmcid(value: str) -> str:
    """``PMC`` in capitals followed by the digits."""
    text = value.strip().upper()
    return text if text.startswith("PMC") else f"PMC{text}"


def normalise_nct(value: str) -> str:
    """Upper-case registry number, spaces removed."""
    return value.strip().replace(" ", "").upper()


# In matching priority: a DOI match wins over a PMID match, and so on.
IDENTIFIER_PROPERTIES: dict[URIRef, Callable[[str], str]] = {
    BIBO.doi: normalise_doi,
    BIBO.pmid: normalise_pmid,
    EV.pmcid: normalise_pmcid,
    EV.nctId: normalise_nct,
}


def absolute(name: str, base_iri: str) -> str:
    """A node named by its IRI, or by its path under the base IRI (``claim/x``), as an IRI."""
    return name if "://" in name else base_iri + name.lstrip("/")
