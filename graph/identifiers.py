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
>>> parse_identifier("doi:10.1200/JCO.21.02006")
(rdflib.term.URIRef('http://purl.org/ontology/bibo/doi'), '10.1200/jco.21.02006')
>>> identified_iri(BIBO.doi, "10.1200/jco.21.02006", "http://127.0.0.1:8000/id/")
'http://127.0.0.1:8000/id/publication/doi/10.1200/jco.21.02006'
>>> slug("Özmen: Overall survival (OS)")
'ozmen-overall-survival-os'
"""

import re
import unicodedata
from collections.abc import Callable
from urllib.parse import quote

from rdflib import URIRef

from graph.namespaces import BIBO, EV

__all__ = [
    "IDENTIFIER_PROPERTIES",
    "PUBLICATION_SCHEMES",
    "absolute",
    "identified_iri",
    "normalise_doi",
    "normalise_nct",
    "normalise_pmcid",
    "normalise_pmid",
    "parse_identifier",
    "slug",
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


#: Publication identifiers written ``scheme:value``, as OpenCitations writes them.
PUBLICATION_SCHEMES: dict[str, URIRef] = {"doi": BIBO.doi, "pmid": BIBO.pmid, "pmcid": EV.pmcid}
# The forms the shapes accept (ontology/shapes.ttl), checked after normalising.
_WELL_FORMED = {
    BIBO.doi: re.compile(r"^10\.[0-9]{4,9}/[^\sA-Z]+$"),
    BIBO.pmid: re.compile(r"^[1-9][0-9]{0,8}$"),
    EV.pmcid: re.compile(r"^PMC[0-9]{1,9}$"),
}


def parse_identifier(token: str) -> tuple[URIRef, str] | None:
    """``doi:...``, ``pmid:...`` or ``pmcid:...`` as its property and normalised value; None
    for another scheme (OpenCitations' ``omid:``...). A malformed value raises ValueError."""
    scheme, colon, value = token.strip().partition(":")
    prop = PUBLICATION_SCHEMES.get(scheme.lower()) if colon else None
    if prop is None:
        return None
    normalised = IDENTIFIER_PROPERTIES[prop](value)
    if not _WELL_FORMED[prop].match(normalised):
        raise ValueError(f"{token.strip()!r} is not a well-formed {scheme.lower()}")
    return prop, normalised


def identified_iri(prop: URIRef, value: str, base_iri: str) -> str:
    """The IRI given to a publication known only by an identifier (as a citation index names
    it): ``{base}publication/doi/10.1200/jco.21.02006``, ``{base}publication/pmid/34995128``."""
    scheme = next(name for name, p in PUBLICATION_SCHEMES.items() if p == prop)
    return f"{base_iri}publication/{scheme}/{quote(value, safe='/()._-;:~')}"


def slug(text: str) -> str:
    """``text`` as the last segment of a minted IRI: ASCII, lower case, words joined by ``-``,
    at most 60 characters; empty when nothing is left."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:60].strip("-")
