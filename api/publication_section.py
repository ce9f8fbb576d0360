"""The sections of a publication's page: its bibliography and identifiers, the studies it
reports with their findings, the claims read in it, the hypotheses its evidence bears on, its
citation neighbourhood as a picture, and what it cites and what cites it."""

from urllib.parse import quote

from api.html_parts import View, bullets, e, map_anchor, more, text_of
from graph.namespaces import BIBO, DCTERMS, EV
from graph.resource_context import Entry, Listing, PublicationContext

__all__ = ["identifiers", "publication_section"]

_RESOLVERS = {  # identifier property -> (name, resolver URL prefix)
    BIBO.doi: ("DOI", "https://doi.org/"),
    BIBO.pmid: ("PMID", "https://pubmed.ncbi.nlm.nih.gov/"),
    EV.pmcid: ("PMCID", "https://www.ncbi.nlm.nih.gov/pmc/articles/"),
    EV.nctId: ("NCT", "https://clinicaltrials.gov/study/"),
}
_NAMED = 10  # publications left out of the picture that its caption names


def publication_section(view: View, picture: str | None) -> str:
    """The sections of a publication's page; ``picture`` is its neighbourhood as SVG."""
    found = view.context.publication
    if found is None:
        return ""
    parts = [
        text_of(view, DCTERMS.title, "title", "p"),
        view.facts(
            [("Published", DCTERMS.issued), ("In", DCTERMS.isPartOf), ("Authors", DCTERMS.creator)]
        ),
        identifiers(view),
        bullets("Studies it reports", "studies", [_study(view, s, f) for s, f in found.studies]),
        bullets("Claims read in it", "claims", [view.entry(c) for c in found.claims]),
        bullets(
            "Hypotheses its evidence bears on",
            "hypotheses",
            [
                f"{view.entry(h)} · {map_anchor(view, h.iri, 'evidence map')}"
                for h in found.hypotheses
            ],
        ),
        "" if picture is None else _figure(view, found, picture),
        _listing(view, "Cites", "cites", found.cites),
        _listing(view, "Cited by", "cited-by", found.cited_by),
    ]
    return "\n".join(p for p in parts if p)


def identifiers(view: View) -> str:
    """The node's DOI, PMID, PMCID and NCT id, each linked to its resolver."""
    shown = [
        f'{name} <a href="{e(url + quote(str(value), safe="/()._-;:"))}" rel="external">'
        f"{e(value)}</a>"
        for prop, (name, url) in _RESOLVERS.items()
        for value in view.resource.values(prop)
    ]
    if not shown:
        return ""
    return f'<dl id="identifiers"><dt>Identifiers</dt><dd>{" · ".join(shown)}</dd></dl>'


def _study(view: View, study: Entry, findings: list[Entry]) -> str:
    items = "".join(f"<li>{view.entry(f)}</li>" for f in findings)
    return view.entry(study) + (f'<ul class="findings">{items}</ul>' if items else "")


def _figure(view: View, found: PublicationContext, picture: str) -> str:
    """The neighbourhood picture, with a caption that says what was left out."""
    drawn = {n.iri for n in found.neighbourhood.nodes}
    missing = [n for n in [*found.cites.first, *found.cited_by.first] if n.iri not in drawn]
    left = found.neighbourhood.left_out
    caption = (
        f"{len(drawn)} publications by year, the oldest on the left; arrows point from the "
        "citing to the cited publication."
    )
    if left:
        named = ", ".join(view.entry(n) for n in missing[:_NAMED])
        caption += f" Not drawn: {left:,} one citation away ({named}"
        caption += f"{more(min(len(missing), _NAMED), left)})."
    return (
        '<h2>Citation neighbourhood</h2><figure id="neighbourhood">'
        f'{picture}<figcaption class="small">{caption}</figcaption></figure>'
    )


def _listing(view: View, title: str, ident: str, listing: Listing) -> str:
    if not listing.count:
        return ""
    items = "".join(f"<li>{view.entry(n)}</li>" for n in listing.first)
    heading = f"<h2>{e(title)} ({listing.count:,})</h2>"
    return f'{heading}<ul id="{ident}">{items}</ul>{more(len(listing.first), listing.count)}'
