"""The citation picture: well-formed SVG, laid out by year, the same bytes for the same input,
every label escaped."""

import doctest
import xml.etree.ElementTree as ET

import graph.citation_picture
from graph.citation_picture import Node, draw

SVG = "{http://www.w3.org/2000/svg}"
NODES = [
    Node("c", "Citer <2020> & co", 2020, "/id/c"),
    Node("f", "Focus", 2015, "/id/f"),
    Node("r", "Reference", 2001, "/id/r"),
    Node("u", "Undated", None, None),
    Node("s", "Same year", 2015, "/id/s"),
]
EDGES = [("c", "f"), ("f", "r"), ("c", "r"), ("s", "f"), ("u", "f"), ("c", "gone")]


def test_the_docstring_example_runs() -> None:
    failures, tried = doctest.testmod(graph.citation_picture)
    assert tried > 0 and failures == 0


def test_columns_by_year_oldest_first_and_undated_last() -> None:
    svg = ET.fromstring(draw(NODES, EDGES, "f"))
    years = [t.text for t in svg.findall(f"{SVG}text")]
    assert years == ["2001", "2015", "2020", "n.d."]
    x = {
        (a.find(f"{SVG}title").text): float(a.find(f"{SVG}circle").get("cx"))
        for a in svg.iter()
        if a.tag in (f"{SVG}a", f"{SVG}g") and a.find(f"{SVG}circle") is not None
    }
    assert x["Reference (2001)"] < x["Focus (2015)"] == x["Same year (2015)"]
    assert x["Focus (2015)"] < x["Citer <2020> & co (2020)"] < x["Undated"]


def test_one_link_per_node_with_a_page_the_focus_marked_and_edges_within_the_picture() -> None:
    text = draw(NODES, EDGES, "f")
    svg = ET.fromstring(text)
    links = svg.findall(f"{SVG}a")
    assert sorted(a.get("href") for a in links) == ["/id/c", "/id/f", "/id/r", "/id/s"]
    [undated] = svg.findall(f"{SVG}g[@class='cn-node']")  # no page: not a link
    assert undated.find(f"{SVG}title").text == "Undated"
    [focus] = [a for a in links if a.get("id") == "focus"]
    assert focus.get("href") == "/id/f" and focus.find(f"{SVG}circle").get("r") == "11"
    assert len(svg.findall(f"{SVG}path[@class='cn-edge']")) == 5  # not the one to "gone"
    assert "Citer &lt;2020&gt; &amp; co" in text
    assert draw(list(reversed(NODES)), list(reversed(EDGES)), "f") == text  # deterministic


def test_a_long_label_is_shortened_in_the_picture_but_whole_in_its_title() -> None:
    label = "A very long label for a publication that would overlap its neighbours"
    svg = ET.fromstring(draw([Node("x", label, 2000, "/id/x")], [], "x", "Its title"))
    assert svg.find(f"{SVG}title").text == "Its title"
    shown = svg.find(f"{SVG}a/{SVG}text").text
    assert shown.endswith("…") and len(shown) == 26
    assert svg.find(f"{SVG}a/{SVG}title").text == f"{label} (2000)"
