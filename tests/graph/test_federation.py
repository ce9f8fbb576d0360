import pytest

from graph.federation import refused_endpoints, service_endpoints
from graph.store import QuerySyntaxError


def test_the_word_service_in_a_string_or_comment_is_not_a_call() -> None:
    query = 'SELECT * WHERE { ?s ?p "SERVICE" } # SERVICE <http://x.org/>'
    assert service_endpoints(query) == []


def test_prefixed_and_nested_endpoints_are_resolved() -> None:
    query = """PREFIX e: <http://a.org/>
    SELECT * WHERE { OPTIONAL { SERVICE SILENT e:sparql { ?s ?p ?o } }
                     SERVICE <http://b.org/q> { ?s ?p ?o } }"""
    assert sorted(service_endpoints(query)) == ["http://a.org/sparql", "http://b.org/q"]


def test_only_allowed_prefixes_pass_and_variables_never() -> None:
    query = "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }"
    assert refused_endpoints(query, []) == ["https://query.wikidata.org/sparql"]
    assert refused_endpoints(query, ["https://query.wikidata.org/"]) == []
    anywhere = "SELECT * WHERE { SERVICE ?e { ?s ?p ?o } }"
    assert refused_endpoints(anywhere, ["https://query.wikidata.org/"]) == ["?e"]


def test_a_query_with_service_that_does_not_parse_is_a_syntax_error() -> None:
    with pytest.raises(QuerySyntaxError):
        service_endpoints("SELECT * WHERE { SERVICE <http://x.org/> { ?s ?p } }")
