"""Every /id/ IRI dereferences: content negotiation, the RDF description, the pages and their
links, the citation picture, caps on long lists, and errors; over a real server."""

import doctest
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal, URIRef

import api.html_parts
from graph.namespaces import CITO, DCTERMS, EV, FABIO, RDF, RDFS
from graph.settings import Settings
from tests.api.conftest import problem, running
from tests.conftest import PREFIXES

BASE = "http://127.0.0.1:8000/id/"
BADWE = URIRef(f"{BASE}publication/badwe2013")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RDF_FORMATS = {  # media type -> rdflib parser
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
SVG = "{http://www.w3.org/2000/svg}"
XSD = "http://www.w3.org/2001/XMLSchema#"
DOI_PAPER = "publication/doi/10.1000/abc(2020)01;x"
TOKEN = "resources-token"
CITERS = 120  # of the paper hub: 118 generated, one with a non-ASCII IRI, one with a DOI


class Links(HTMLParser):
    """Every link of a page: (href, text, ids of the elements around it)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, str, tuple[str, ...]]] = []
        self._open: list[tuple[str, str | None]] = []
        self._href: str | None = None
        self._text = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("br", "meta"):  # void elements: never closed
            return
        self._open.append((tag, dict(attrs).get("id")))
        if tag == "a":
            self._href, self._text = dict(attrs).get("href"), ""

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            opened, _ = self._open.pop()
            if opened == "a" and self._href is not None:
                ids = tuple(i for _, i in self._open if i)
                self.found.append((self._href, self._text.strip(), ids))
                self._href = None
            if opened == tag:
                break

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        pass  # <circle/>, <path/>: nothing inside

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text += data

    def within(self, ident: str) -> dict[str, str]:
        """href -> text of the links inside the element with id ``ident``."""
        return {href: text for href, text, ids in self.found if ident in ids}


def get(url: str, accept: str | None = None, **params: str) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    return httpx.get(url, headers=headers, params=params, timeout=30)


def test_a_browser_gets_the_page_and_the_iri_answers_directly(service: str) -> None:
    answer = get(f"{service}/id/publication/badwe2013", BROWSER)
    assert answer.status_code == 200  # no 303: the IRI itself answers
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["vary"] == "Accept"
    assert "<title>Badwe 2013 (SABCS abstract S2-02)</title>" in answer.text
    assert 'rel="alternate"; type="text/turtle"' in answer.headers["link"]


@pytest.mark.parametrize("media_type", RDF_FORMATS)
def test_rdf_clients_get_the_description_in_the_format_they_ask_for(
    service: str, media_type: str
) -> None:
    answer = get(f"{service}/id/publication/badwe2013", media_type)
    assert answer.status_code == 200
    assert answer.headers["content-type"].split(";")[0] == media_type
    assert answer.headers["vary"] == "Accept"
    graph = Graph().parse(data=answer.content, format=RDF_FORMATS[media_type])
    ascopost = URIRef(f"{BASE}publication/ascopost2014")
    study = URIRef(f"{BASE}study/badwe-tmh-trial")
    assert (BADWE, RDF.type, FABIO.Abstract) in graph
    assert (BADWE, DCTERMS.issued, Literal("2013-12-11", datatype=URIRef(f"{XSD}date"))) in graph
    assert (ascopost, CITO.cites, BADWE) in graph  # what points at it
    assert (study, EV.reportedIn, BADWE) in graph
    assert (ascopost, RDFS.label, Literal("ASCO Post 2014 (news item)")) in graph  # a label
    assert (URIRef(f"{BASE}person/badwe-ra"), RDFS.label, Literal("Rajendra A. Badwe")) in graph
    assert not list(graph.triples((ascopost, CITO.cites, URIRef(f"{BASE}publication/fisher1989"))))


def test_every_format_holds_the_same_graph(service: str) -> None:
    graphs = [
        Graph().parse(data=get(f"{service}/id/finding/badwe2015-os", m).content, format=f)
        for m, f in RDF_FORMATS.items()
    ]
    assert all(g.isomorphic(graphs[0]) for g in graphs[1:])


def test_a_finding_is_described_with_its_estimates_and_what_it_links_to(service: str) -> None:
    turtle = get(f"{service}/id/finding/badwe2015-os", "text/turtle").content
    graph = Graph().parse(data=turtle, format="turtle")
    finding, estimate = (
        URIRef(f"{BASE}finding/badwe2015-os"),
        URIRef(f"{BASE}estimate/badwe2015-os-hr"),
    )
    assert (finding, EV.estimate, estimate) in graph
    assert (estimate, EV.ciUpper, Literal("1.34", datatype=URIRef(f"{XSD}decimal"))) in graph
    assert (estimate, EV.ciLevel, Literal("0.95", datatype=URIRef(f"{XSD}decimal"))) in graph
    outcome = URIRef(f"{BASE}concept/outcome/overall-survival")
    assert (outcome, RDFS.label, Literal("overall survival")) in graph
    claim = URIRef(f"{BASE}claim/badwe-no-os-benefit")
    assert (finding, EV.supports, claim) in graph
    assert not list(graph.triples((claim, EV.statement, None)))  # a neighbour: its label only


def test_format_overrides_accept(service: str) -> None:
    url = f"{service}/id/hypothesis/primary-removal-accelerates-metastases"
    answer = get(url, BROWSER, format="ntriples")
    assert answer.headers["content-type"].startswith("application/n-triples")
    graph = Graph().parse(data=answer.content, format="nt")
    supporters = set(graph.subjects(EV.supports, URIRef(url.replace(service + "/id/", BASE))))
    assert {str(s).rsplit("/", 1)[1] for s in supporters} == {
        "badwe-growth-advantage",
        "fisher-growth-factor",
        "badwe2013-distant-pfs",
    }
    assert get(url, "text/turtle", format="html").headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json"),
        ("text/html;q=0.1, application/rdf+xml", "application/rdf+xml"),
        ("application/*;q=0.5, text/turtle;q=0.4", "application/n-triples"),
        ("*/*", "text/turtle"),
        (None, "text/turtle"),
    ],
)
def test_q_values_choose(service: str, accept: str | None, expected: str) -> None:
    answer = get(f"{service}/id/claim/badwe-no-os-benefit", accept)
    assert answer.status_code == 200
    assert answer.headers["content-type"].split(";")[0] == expected


def test_nothing_acceptable_is_406_listing_what_is_offered(service: str) -> None:
    body = problem(get(f"{service}/id/publication/badwe2013", "application/pdf"), 406)
    assert body["offered"] == [*RDF_FORMATS, "text/html", "image/svg+xml"]
    body = problem(get(f"{service}/id/claim/badwe-no-os-benefit", None, format="svg"), 406)
    assert "image/svg+xml" not in body["offered"]  # a picture for publications only
    problem(get(f"{service}/id/study/badwe-tmh-trial", "image/svg+xml"), 406)
    problem(get(f"{service}/id/study/badwe-tmh-trial", None, format="pdf"), 406)


@pytest.mark.parametrize(
    "path",
    ["publication/nobody2099", "", "publication/a%20b", "x%3Cy%3E", "publication/%FF", "%EF%BF%BF"],
)
def test_a_node_the_store_does_not_hold_is_404(service: str, path: str) -> None:
    body = problem(get(f"{service}/id/{path}", "text/turtle"), 404)
    well_formed = path != "%EF%BF%BF"  # U+FFFF: no IRI may hold it
    assert ("not a well-formed IRI" in body["detail"]) != well_formed
    page = get(f"{service}/id/{path}", BROWSER)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Not found" in page.text and "<script" not in page.text


def test_head_answers_the_headers_without_a_body(service: str) -> None:
    url = f"{service}/id/publication/fisher1989"
    answer = httpx.head(url, headers={"Accept": "text/turtle"})
    assert answer.status_code == 200 and answer.content == b""
    assert answer.headers["content-type"].startswith("text/turtle")
    assert answer.headers["vary"] == "Accept"
    assert int(answer.headers["content-length"]) == len(get(url, "text/turtle").content)
    assert httpx.head(f"{service}/id/publication/nobody2099").status_code == 404


def test_the_publication_page_links_its_neighbours(service: str) -> None:
    page = get(f"{service}/id/publication/badwe2013", BROWSER).text
    links = Links(page)
    assert links.within("studies") == {
        "/id/study/badwe-tmh-trial": (
            "Tata Memorial trial of LRT in de novo metastatic breast cancer (Badwe)"
        ),
        "/id/finding/badwe2013-distant-pfs": "Badwe 2013: distant progression-free survival",
        "/id/finding/badwe2013-local-pfs": "Badwe 2013: local progression-free survival",
        "/id/finding/badwe2013-os-72m": "Badwe 2013: overall survival at 72 months",
        "/id/finding/badwe2015-os": "Badwe 2015: overall survival",
    }
    assert links.within("hypotheses") == {
        "/id/hypothesis/primary-removal-accelerates-metastases": (
            "Removal of the primary tumour accelerates distant metastases"
        ),
        "/hypotheses/primary-removal-accelerates-metastases/evidence": "evidence map",
    }
    assert links.within("cited-by") == {
        "/id/publication/ascopost2014": "ASCO Post 2014 (news item)"
    }
    assert "cites" not in {i for _, _, ids in links.found for i in ids}  # it cites nothing
    assert links.within("facts") == {
        "/id/venue/sabcs-2013": "SABCS 2013",
        "/id/person/badwe-ra": "Rajendra A. Badwe",
        "/id/person/hawaldar-r": "Hawaldar R",
        "/id/person/parmar-v": "Parmar V",
    }
    assert links.within("incoming")["/id/citation/ascopost2014-badwe2013"] == (
        "ASCO Post 2014 cites Badwe 2013 as evidence"
    )
    assert set(links.within("neighbourhood")) == {
        "/id/publication/badwe2013",
        "/id/publication/ascopost2014",
        "/id/publication/fisher1989",
    }
    assert all(not href.startswith("http") for href, _, ids in links.found if "formats" not in ids)


def test_the_kind_sections_of_the_other_pages(service: str) -> None:
    hypothesis = get(f"{service}/id/hypothesis/primary-removal-accelerates-metastases", BROWSER)
    links = Links(hypothesis.text)
    assert links.within("evidence")["/id/publication/fisher1989"] == "Fisher 1989 (Cancer Res)"
    assert links.within("evidence")["/id/claim/fisher-growth-factor"].startswith("Fisher: removal")
    assert "growth advantage on distant metastases" in hypothesis.text  # the statement
    finding = get(f"{service}/id/finding/khan2022-os", BROWSER).text
    assert "1.11 (90% CI 0.82 to 1.52), p = 0.57" in finding  # the interval at its level
    assert (
        Links(finding).within("facts")["/id/study/khan-ea2108"] == "ECOG-ACRIN EA2108 trial (Khan)"
    )
    study = Links(get(f"{service}/id/study/fisher-mouse-growth-factor", BROWSER).text)
    assert study.within("facts") == {"/id/publication/fisher1989": "Fisher 1989 (Cancer Res)"}
    claim = get(f"{service}/id/claim/osborne-practice-changing", BROWSER).text
    assert Links(claim).within("facts")["/id/claim/badwe-no-os-benefit"].startswith("Badwe: LRT")
    assert (
        'href="/evidence-map?node=http%3A%2F%2F127.0.0.1%3A8000%2Fid%2Fclaim%2F'
        'osborne-practice-changing&amp;format=html" id="evidence-map"'
    ) in claim


def test_the_picture_is_svg_with_one_link_per_publication_and_the_focus(service: str) -> None:
    answer = get(f"{service}/id/publication/fisher1989", None, format="svg")
    assert answer.headers["content-type"].startswith("image/svg+xml")
    svg = ET.fromstring(answer.content)  # well-formed XML
    assert svg.tag == f"{SVG}svg"
    drawn = svg.findall(f".//{SVG}a")
    assert sorted(a.get("href") for a in drawn) == [
        "/id/publication/ascopost2014",
        "/id/publication/badwe2013",
        "/id/publication/fisher1989",
    ]
    assert all(a.find(f"{SVG}title") is not None for a in drawn)
    [focus] = [a for a in drawn if a.get("id") == "focus"]
    assert focus.get("href") == "/id/publication/fisher1989" and "focus" in focus.get("class")
    assert len(svg.findall(f".//{SVG}path[@class='cn-edge']")) == 2  # ASCO Post cites both
    page = get(f"{service}/id/publication/fisher1989", BROWSER).text
    assert answer.text in page  # the same picture, inline


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A service whose paper ``hub`` is cited by CITERS papers and has an author with a
    non-ASCII IRI."""
    papers = "".join(
        f'<publication/citer-{i:03d}> a fabio:JournalArticle ; dcterms:title "Citer {i}" ; '
        f'rdfs:label "Citer {i:03d}" ; dcterms:issued "{2000 + i % 20}"^^xsd:gYear ; '
        "cito:cites <publication/hub> .\n"
        for i in range(CITERS - 2)
    )
    turtle = (
        PREFIXES
        + "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        + '<publication/hub> a fabio:JournalArticle ; dcterms:title "A much-cited paper" ; '
        'dcterms:issued "1999"^^xsd:gYear ; dcterms:creator <person/müller-k> .\n'
        '<person/müller-k> a foaf:Person ; rdfs:label "K. Müller" .\n'
        '<publication/müller2001> a fabio:JournalArticle ; dcterms:title "Über Zitate" ; '
        'dcterms:issued "2001"^^xsd:gYear ; cito:cites <publication/hub> .\n'
        f'<{DOI_PAPER}> a fabio:JournalArticle ; dcterms:title "Known by its DOI" ; '
        'dcterms:issued "2030"^^xsd:gYear ; cito:cites <publication/hub> .\n' + papers
    )
    data_dir: Path = tmp_path_factory.mktemp("crowded") / "data"
    with running(Settings(data_dir=data_dir, write_token=TOKEN)) as (url, _):
        stored = httpx.post(
            f"{url}/store",
            content=turtle.encode(),
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"},
            timeout=120,
        )
        assert stored.status_code == 201, stored.text
        yield url


def test_a_much_cited_paper_is_capped_with_counts(crowded: str) -> None:
    page = get(f"{crowded}/id/publication/hub", BROWSER).text
    links = Links(page)
    assert f"Cited by ({CITERS})" in page
    assert len(links.within("cited-by")) == 50
    assert f"and {CITERS - 50} more" in page
    incoming = page.split('id="incoming"', 1)[1]
    assert f"{CITERS}:" in incoming and f"and {CITERS - 50} more" in incoming
    svg = ET.fromstring(get(f"{crowded}/id/publication/hub", None, format="svg").content)
    assert len(svg.findall(f".//{SVG}a")) == 24  # the focus and 23 citers
    assert f"Not drawn: {CITERS - 23} one citation away" in page
    turtle = get(f"{crowded}/id/publication/hub", "text/turtle").content
    graph = Graph().parse(data=turtle, format="turtle")
    assert len(set(graph.subjects(CITO.cites, URIRef(f"{BASE}publication/hub")))) == CITERS


def test_iris_with_other_characters_dereference_from_their_links(crowded: str) -> None:
    cited_by = Links(get(f"{crowded}/id/publication/hub", BROWSER).text).within("cited-by")
    [href] = [h for h, text in cited_by.items() if text == "Known by its DOI"]
    assert href == f"/id/{DOI_PAPER}"  # parentheses and semicolons are kept as they are
    doi = Graph().parse(data=get(f"{crowded}{href}", "text/turtle").content, format="turtle")
    assert (URIRef(BASE + DOI_PAPER), CITO.cites, URIRef(f"{BASE}publication/hub")) in doi
    links = Links(get(f"{crowded}/id/publication/hub", BROWSER).text).within("facts")
    [href] = [h for h, text in links.items() if text == "K. Müller"]
    assert href == "/id/person/m%C3%BCller-k"
    answer = get(f"{crowded}{href}", "text/turtle")
    assert answer.status_code == 200
    graph = Graph().parse(data=answer.content, format="turtle")
    author = URIRef(f"{BASE}person/müller-k")
    assert (URIRef(f"{BASE}publication/hub"), DCTERMS.creator, author) in graph
    citer = get(f"{crowded}/id/publication/m%C3%BCller2001", "text/turtle")
    title = (URIRef(f"{BASE}publication/müller2001"), DCTERMS.title, Literal("Über Zitate"))
    assert title in Graph().parse(data=citer.content, format="turtle")


def test_the_evidence_map_page_links_our_nodes_to_their_pages(service: str) -> None:
    page = get(f"{service}/hypotheses/primary-removal-accelerates-metastases/evidence", BROWSER)
    hrefs = {href for href, _, _ in Links(page.text).found}
    assert {
        "/id/hypothesis/primary-removal-accelerates-metastases",
        "/id/claim/fisher-growth-factor",
        "/id/finding/badwe2013-distant-pfs",
        "/id/study/badwe-tmh-trial",
        "/id/publication/fisher1989",
    } <= hrefs


def test_a_base_iri_with_another_path_is_served_there(tmp_path: Path) -> None:
    settings = Settings(store="memory", base_iri="http://example.org/kg/", data_dir=tmp_path)
    with running(settings) as (url, _):
        answer = get(f"{url}/kg/publication/badwe2013", BROWSER)
        assert answer.status_code == 200
        assert 'href="/kg/study/badwe-tmh-trial"' in answer.text
        assert get(f"{url}/id/publication/badwe2013", BROWSER).status_code == 404


def test_the_docstring_examples_of_the_page_parts_run() -> None:
    failures, tried = doctest.testmod(api.html_parts)
    assert tried > 0 and failures == 0
