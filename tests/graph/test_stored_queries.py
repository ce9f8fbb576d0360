"""Stored query files: the header, the parameters, grlc's conventions, binding, and the errors
that stop the service when a file is wrong."""

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

import queries
from graph.stored_queries import CatalogueError, InvalidParameter, StoredQuery, load_catalogue

GRLC = Path(__file__).parents[1] / "grlc_queries"
HEADER = "#+ summary: test\n"


def one(tmp_path: Path, text: str, name: str = "the-query") -> StoredQuery:
    (tmp_path / f"{name}.rq").write_text(text)
    return load_catalogue([tmp_path])[name]


def refused(tmp_path: Path, text: str, name: str = "the-query") -> CatalogueError:
    with pytest.raises(CatalogueError) as error:
        one(tmp_path, text, name)
    assert str(error.value).startswith(str(tmp_path / f"{name}.rq"))
    return error.value


def test_the_built_in_folder_loads() -> None:
    assert load_catalogue([queries.folder()])


def test_params_are_declared_with_types_defaults_enums_and_multiple(tmp_path: Path) -> None:
    query = one(
        tmp_path,
        "#+ summary: Findings\n#+ tags: [evidence]\n#+ pagination: 10\n#+ params:\n"
        "#+   - name: study\n#+     type: iri\n#+     required: true\n"
        "#+   - name: year\n#+     type: integer\n#+     default: 2000\n"
        "#+   - name: arm\n#+     type: string\n#+     enum: [a, b]\n#+     multiple: true\n"
        "SELECT * WHERE { ?study ?p ?arm FILTER(?year > 1) }",
    )
    assert (query.summary, query.tags, query.pagination, query.kind) == (
        "Findings",
        ("evidence",),
        10,
        "SELECT",
    )
    study, year, arm = query.parameters
    assert (study.type, study.required, study.by_values) == ("iri", True, False)
    assert (year.default, year.required) == (2000, False)
    assert (arm.enum, arm.multiple, arm.by_values) == (("a", "b"), True, True)
    bound = query.bind({"study": "http://example.org/s", "arm": ["a", "b"]}, page=3)
    assert bound.bindings == {
        "study": URIRef("http://example.org/s"),
        "year": Literal("2000", datatype=XSD.integer),
    }
    assert '\nSELECT * WHERE { VALUES (?arm) { ("a") ("b") }\n ?study' in bound.sparql
    assert bound.sparql.endswith("\nLIMIT 11 OFFSET 20")


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        ("iri", "http://example.org/x", ["relative/path", "http://a b", "<http://a>", "x:y\n}"]),
        ("integer", "42", ["4.2", "1; DROP ALL", "42 }", ""]),
        ("decimal", "0.95", ["1e3", "0.95'", "nan"]),
        ("boolean", "true", ["yes", "true }"]),
        ("date", "2013-12-11", ["2013-13-01", "11/12/2013", "2013-12-11T00:00:00"]),
    ],
)
def test_values_are_checked_against_their_type(
    tmp_path: Path, kind: str, good: str, bad: list[str]
) -> None:
    query = one(
        tmp_path,
        f"{HEADER}#+ params:\n#+   - name: v\n#+     type: {kind}\n#+     required: true\n"
        "SELECT ?v WHERE { ?s ?p ?v }",
    )
    assert query.bind({"v": good}).bindings["v"]
    for value in bad:
        with pytest.raises(InvalidParameter) as error:
            query.bind({"v": value})
        assert error.value.parameter == "v"


def test_missing_unknown_and_out_of_enum_values_name_the_parameter(tmp_path: Path) -> None:
    query = one(
        tmp_path,
        f"{HEADER}#+ params:\n#+   - name: a\n#+     required: true\n"
        "#+   - name: b\n#+     enum: [x, y]\nSELECT ?a ?b WHERE { ?a ?p ?b }",
    )
    for values, parameter in [({}, "a"), ({"a": "1", "c": "2"}, "c"), ({"a": "1", "b": "z"}, "b")]:
        with pytest.raises(InvalidParameter) as error:
            query.bind(values)
        assert error.value.parameter == parameter
    with pytest.raises(InvalidParameter, match="one value"):
        query.bind({"a": ["1", "2"]})
    assert query.bind({"a": "1"}).bindings == {"a": Literal("1")}  # b left out: unbound


def test_a_parameter_a_select_does_not_project_is_bound_by_values(tmp_path: Path) -> None:
    query = one(
        tmp_path,
        f"{HEADER}#+ params:\n#+   - name: t\n#+     type: iri\n"
        "SELECT ?s WHERE { ?s a ?t } ORDER BY ?s",
    )
    bound = query.bind({"t": "http://example.org/T"})
    assert bound.bindings == {}
    assert "VALUES (?t) { (<http://example.org/T>) }" in bound.sparql
    assert query.bind({}).sparql == query.text  # optional and left out: unbound


def test_grlc_variables_declare_parameters(tmp_path: Path) -> None:
    query = one(
        tmp_path,
        f"{HEADER}SELECT * WHERE {{ ?_a_iri ?_b_en ?__c_integer . ?x ?_d ?__e_xsd_gYear }}",
    )
    found = {p.name: (p.type, p.required, p.lang, p.datatype) for p in query.parameters}
    assert found == {
        "a": ("iri", True, None, None),
        "b": ("lang-string", True, "en", None),
        "c": ("integer", False, None, None),
        "d": ("string", True, None, None),
        "e": ("string", False, None, str(XSD.gYear)),
    }
    bound = query.bind({"a": "http://x.org/", "b": "word", "d": "d", "e": "2013"})
    assert bound.bindings["_b_en"] == Literal("word", lang="en")
    assert bound.bindings["__e_xsd_gYear"] == Literal("2013", datatype=XSD.gYear)
    with pytest.raises(InvalidParameter, match="gYear"):
        query.bind({"a": "http://x.org/", "b": "w", "d": "d", "e": "2013-01"})
    with pytest.raises(CatalogueError, match="not a grlc parameter"):
        one(tmp_path, f"{HEADER}SELECT * WHERE {{ ?s ?p ?_f_xsd_hexBinary }}", name="other")


def test_the_grlc_folder_loads_with_defaults_and_enumerations() -> None:
    catalogue = load_catalogue([GRLC])
    kind = catalogue["publications-of-type"].parameters[0]
    assert (kind.name, kind.type, kind.default, len(kind.enum)) == (
        "type",
        "iri",
        "http://purl.org/spar/fabio/JournalArticle",
        2,
    )
    assert catalogue["publications-of-type"].pagination == 2
    with pytest.raises(InvalidParameter, match="one of"):
        catalogue["publications-of-type"].bind({"type": "http://purl.org/spar/fabio/Book"})


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("#+ summary: [unclosed\nASK {}", 1, "header"),
        ("#+ summary: x\n#+ colour: blue\nASK {}", 2, "unknown header key"),
        (
            "#+ summary: x\n#+ params:\n#+   - name: v\n#+     type: uri\nASK { ?v ?p ?o }",
            3,
            "type",
        ),
        ("#+ summary: x\n#+ params:\n#+   - name: gone\nASK { ?s ?p ?o }", 3, "not used"),
        ("#+ summary: x\n#+ params:\n#+   - name: page\nASK { ?page ?p ?o }", 3, "cannot name"),
        ("#+ summary: x\n#+ defaults:\n#+   - nobody: 1\nASK { ?s ?p ?o }", 2, "not a parameter"),
        ("#+ summary: x\n#+ pagination: 0\nSELECT * { ?s ?p ?o }", 2, "pagination"),
        ("#+ summary: x\n#+ pagination: 5\nASK { ?s ?p ?o }", 2, "only SELECT"),
        (
            "#+ summary: x\n#+ params:\n#+   - name: n\n#+     type: integer\n"
            "#+     default: many\nASK { ?s ?p ?n }",
            3,
            "expected an integer",
        ),
        ("#+ summary: x\nSELECT * WHERE { ?s ?p }", 2, "SPARQL"),
    ],
)
def test_a_wrong_file_stops_the_load_with_its_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    error = refused(tmp_path, text)
    assert error.line == line and message in error.message


def test_file_names_and_clashes_between_folders_are_refused(tmp_path: Path) -> None:
    refused(tmp_path, "ASK {}", name="Bad_Name")
    (tmp_path / "Bad_Name.rq").unlink()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "hazard-ratios.rq").write_text("ASK {}")
    with pytest.raises(CatalogueError, match="also"):
        load_catalogue([queries.folder(), mine])


def test_paging_needs_a_query_without_its_own_limit(tmp_path: Path) -> None:
    error = refused(tmp_path, "#+ pagination: 5\nSELECT * { ?s ?p ?o } LIMIT 3")
    assert "LIMIT for paging" in error.message
