"""The SPARQL 1.1 Protocol: queries at ``/sparql`` (GET, POST form, POST query), updates at
``/sparql/update`` (POST form, POST update; with the write token)."""

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from rdflib.term import Node
from starlette.concurrency import run_in_threadpool

from api.auth import require_write_token
from api.deps import SettingsDep, StoreDep
from api.negotiation import acceptable, choose, content_type
from api.problems import Problem
from api.query_page import query_page
from api.writing import AGENT, problem_for, run_write
from graph.federation import dataset_graphs, fetch, not_allowed, refused_endpoints
from graph.parsing import ParseError
from graph.query_output import FORMAT_OF_MEDIA_TYPE, serialize_graph
from graph.service_description import describe_service
from graph.settings import Settings
from graph.store import RESULT_MEDIA_TYPES, QueryKind, Store, StoreError, Triple
from graph.stored_queries import ready_examples
from graph.update_plan import parse_update
from graph.writes import ChangeResult, commit_change, prepare_update

__all__ = ["answer_query", "check_reach", "router"]

router = APIRouter(tags=["sparql"])

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
#: What the service description is offered as: RDF, or a query page for a browser.
DESCRIPTION_TYPES = ("text/turtle", "application/ld+json", "application/rdf+xml", "text/html")


@router.get("/sparql", summary="SPARQL query (GET)")
async def query_by_get(request: Request, store: StoreDep) -> Response:
    """Run ``query`` from the query string; ``default-graph-uri`` and ``named-graph-uri`` may
    name the dataset (by default the default graph is the union of all graphs). Without a
    query: the service description, or a query page for a browser."""
    params = request.query_params.multi_items()
    if not any(key in ("query", "update") for key, _ in params):
        return await _describe(request, store)
    return await _answer(request, store, params)


@router.post(
    "/sparql",
    summary="SPARQL query (POST)",
    openapi_extra={"requestBody": {"content": {FORM: {}, QUERY: {}}}},
)
async def query_by_post(request: Request, store: StoreDep) -> Response:
    """Run a query sent as a form (``query=...``) or directly as ``application/sparql-query``."""
    return await _answer(request, store, await _posted(request, "query", QUERY))


async def _answer(request: Request, store: Store, params: Sequence[tuple[str, str]]) -> Response:
    return await answer_query(
        request,
        store,
        _one(params, "query", "update", "/sparql/update"),
        default_graphs=[v for k, v in params if k == "default-graph-uri"],
        named_graphs=[v for k, v in params if k == "named-graph-uri"],
        format_name=next((v for k, v in params if k == "format"), None),
    )


async def answer_query(
    request: Request,
    store: Store,
    sparql: str,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
    bindings: Mapping[str, Node] | None = None,
    format_name: str | None = None,
) -> Response:
    """Run ``sparql`` and answer in the media type the request negotiates (``format_name``, a
    browser's override, wins over ``Accept``): the whole answer, or a problem."""
    accept = request.headers.get("accept")
    media_types = {
        kind: acceptable(accept, offered, format_name)
        for kind, offered in RESULT_MEDIA_TYPES.items()
    }
    settings = request.app.state.settings

    def run() -> tuple[QueryKind, str | None, bytes]:
        check_reach(store, settings, sparql, [*default_graphs, *named_graphs])
        return store.answer(
            sparql,
            media_types,
            default_graphs,
            named_graphs,
            settings.max_result_bytes,
            bindings,
        )

    try:
        kind, media_type, body = await run_in_threadpool(run)
    except StoreError as error:
        raise problem_for(error) from None
    if media_type is None:
        choose(accept, RESULT_MEDIA_TYPES[kind], format_name)  # raises the 406 problem
    return Response(body, media_type=media_type, headers={"Vary": "Accept"})


@router.post(
    "/sparql/update",
    summary="SPARQL update",
    dependencies=[Depends(require_write_token)],
    openapi_extra={"requestBody": {"content": {FORM: {}, UPDATE: {}}}},
)
async def update(request: Request, store: StoreDep, settings: SettingsDep) -> JSONResponse:
    """Run an update sent as a form (``update=...``) or as ``application/sparql-update``, with
    ``using-graph-uri`` and ``using-named-graph-uri``. It is validated on the data it would
    leave, and applied in one transaction or not at all (422 with the SHACL report)."""
    params = await _posted(request, "update", UPDATE)
    sparql = _one(params, "update", "query", "/sparql")
    using = [v for k, v in params if k == "using-graph-uri"]
    using_named = [v for k, v in params if k == "using-named-graph-uri"]
    allowed = settings.service_allowlist

    def reach() -> dict[str, list[Triple]]:
        """Refuse what the update may not reach; fetch what its allowed LOADs name."""
        parsed = parse_update(sparql, settings.base_iri, using, using_named)
        _refuse_reach("SERVICE", not_allowed(parsed.service_endpoints, allowed))
        _refuse_reach("LOAD", not_allowed([iri for iri, _ in parsed.loads], allowed))
        return {
            iri: list(fetch(iri, settings.base_iri, settings.max_body_bytes, 30))
            for iri, _ in parsed.loads
        }

    try:
        fetched = await run_in_threadpool(reach)
    except (StoreError, ParseError) as error:
        raise problem_for(error) from None

    def write() -> ChangeResult:
        planned = prepare_update(store, sparql, settings.base_iri, using, using_named, fetched)
        return commit_change(store, planned, settings.base_iri, AGENT)

    return JSONResponse(asdict(await run_write(request, write)))


def check_reach(store: Store, settings: Settings, sparql: str, graphs: Sequence[str]) -> None:
    """Refuse (403) a query that would call an endpoint the allow-list does not cover, or that
    names, with FROM or the protocol's ``graphs``, a graph this store does not hold."""
    _refuse_reach("SERVICE", refused_endpoints(sparql, settings.service_allowlist))
    named = [*dataset_graphs(sparql), *graphs]
    if not named:
        return
    stored = {str(g) for g in store.named_graphs()}
    elsewhere = sorted({g for g in named if g not in stored})
    if elsewhere:
        raise Problem(
            403,
            "Forbidden",
            "FROM, FROM NAMED, default-graph-uri and named-graph-uri name graphs of "
            f"this store, and {', '.join(elsewhere)} is not one: this service does not "
            "fetch graphs from elsewhere (GET /sparql describes the ones it has)",
            graphs=elsewhere,
        )


def _refuse_reach(keyword: str, refused: list[str]) -> None:
    """403 when a request would make the service fetch from places it is not allowed to."""
    if refused:
        raise Problem(
            403,
            "Forbidden",
            f"this service does not fetch from other places with {keyword} "
            f"({', '.join(refused)}); an administrator can allow IRI prefixes in "
            "EVIDENCE_GRAPH_SERVICE_ALLOWLIST",
            endpoints=refused,
        )


async def _describe(request: Request, store: Store) -> Response:
    endpoint = str(request.url.replace(query=""))
    media_type = choose(
        request.headers.get("accept"), DESCRIPTION_TYPES, request.query_params.get("format")
    )
    if media_type == "text/html":
        examples = ready_examples(request.app.state.catalogue)
        return HTMLResponse(query_page(endpoint, examples), headers={"Vary": "Accept"})
    description = await run_in_threadpool(describe_service, store, endpoint)
    body = serialize_graph(description, FORMAT_OF_MEDIA_TYPE[media_type])
    return Response(body, media_type=media_type, headers={"Vary": "Accept"})


async def _posted(request: Request, name: str, direct: str) -> list[tuple[str, str]]:
    """The parameters of a protocol POST: a form, or the ``name`` operation sent directly as
    ``direct`` with the other parameters in the query string (415 for anything else)."""
    media_type = content_type(request)
    text = _decode(await request.body())
    if media_type == FORM:
        return _pairs(text)
    if media_type == direct:
        return [(name, text), *request.query_params.multi_items()]
    raise Problem(
        415,
        "Unsupported Media Type",
        f"'{name}' is sent as {FORM} or {direct}, not {media_type or 'no content type'}",
        accepted=[FORM, direct],
    )


def _one(params: Sequence[tuple[str, str]], name: str, other: str, other_path: str) -> str:
    """The one ``name`` parameter (400 for none, several, or the ``other`` operation too)."""
    if any(k == other for k, _ in params):
        raise Problem(400, "Bad Request", f"'{other}' goes to {other_path}, not here")
    given = [v for k, v in params if k == name]
    if len(given) != 1:
        raise Problem(400, "Bad Request", f"give exactly one '{name}' parameter")
    return given[0]


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Problem(400, "Bad Request", f"the request body is not UTF-8: {error}") from None


def _pairs(form: str) -> list[tuple[str, str]]:
    return [(k, v) for k, values in parse_qs(form, keep_blank_values=True).items() for v in values]
