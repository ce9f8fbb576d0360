"""Stored queries: a folder of ``<kebab-name>.rq`` files, each a SPARQL query with a header of
``#+ key: value`` lines (grlc's decorators, as YAML) that declares its parameters.

Header keys: ``summary``, ``description``, ``tags``, ``method``, ``pagination``, ``defaults``,
``enumerate`` (grlc's), ``endpoint``, ``mime`` and ``transform`` (grlc's, accepted and not used:
the service answers from its own store), and ``params``, a list of parameters::

    #+ params:
    #+   - name: publication
    #+     type: iri            # iri, string, lang-string, integer, decimal, boolean, date
    #+     required: true
    #+     description: the citing publication
    #+   - name: outcome
    #+     type: iri
    #+     multiple: true       # bound by a VALUES block

grlc's variables are shorthand for the same: ``?_name`` (a required string), ``?__name``
(optional), ``?_name_iri``, ``?_name_integer``, ``?_name_en`` (a language), and
``?_name_xsd_date`` (a datatype). A value is checked against its type and bound as an RDF term
after the query is parsed; a ``multiple`` value list becomes a trailing ``VALUES`` block of
checked terms. Nothing a caller sends is pasted into the query text.

Every file is checked when the catalogue loads; a mistake stops the service with the file and
line (``CatalogueError``), never a silent skip.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import product
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
import yaml
from pyparsing import ParseException, ParseResults
from rdflib import Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.term import Node

from graph.terms import to_ox

__all__ = [
    "TYPES",
    "BoundQuery",
    "CatalogueError",
    "InvalidParameter",
    "Parameter",
    "StoredQuery",
    "load_catalogue",
    "ready_examples",
]

TYPES = ("iri", "string", "lang-string", "integer", "decimal", "boolean", "date")
RESERVED = frozenset({"page", "format"})  # the operations' own parameters
_FILE_NAME = re.compile(r"^[a-z][a-z0-9-]{1,63}$")
_PARAM_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*$")
_GRLC_KEYS = {"summary", "description", "tags", "method", "pagination", "defaults", "enumerate"}
_UNUSED_GRLC_KEYS = {"endpoint", "mime", "transform", "endpoint_in_url"}
_PARAM_KEYS = {"name", "type", "required", "default", "enum", "multiple", "description", "lang"}
_DATATYPE_OF = {"integer": XSD.integer, "decimal": XSD.decimal, "boolean": XSD.boolean}
_DATATYPE_OF["date"] = XSD.date
_LEXICAL = {
    "integer": re.compile(r"^[+-]?[0-9]+$"),
    "decimal": re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"),
    "date": re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
}
#: The other datatypes grlc's ``?_name_xsd_type`` may name, with their lexical forms.
_OTHER_DATATYPES = {
    str(XSD.gYear): re.compile(r"^-?[0-9]{4,}(Z|[+-][0-9]{2}:[0-9]{2})?$"),
    str(XSD.string): re.compile(r"^.*$", re.DOTALL),
}
_LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$")
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)


class CatalogueError(ValueError):
    """A stored query file is wrong; says which file and line."""

    def __init__(self, path: Path, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")
        self.path, self.line, self.message = path, line, message


class InvalidParameter(ValueError):
    """A value given for a parameter is missing, of the wrong type, or not allowed."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"parameter '{parameter}': {message}")
        self.parameter, self.message = parameter, message


@dataclass(frozen=True)
class Parameter:
    """One parameter of a stored query, bound to the query variable ``variable``."""

    name: str
    type: str
    variable: str
    required: bool = False
    default: Any = None
    enum: tuple = ()
    multiple: bool = False
    description: str = ""
    lang: str | None = None
    datatype: str | None = None  # a grlc ``_prefix_datatype`` outside our types
    by_values: bool = False  # bound by a VALUES block (multiple, or not projected by a SELECT)

    def term(self, value: Any) -> Node:
        """``value`` as the RDF term this parameter binds; ``InvalidParameter`` if it is not
        one."""
        if isinstance(value, list | dict) or value is None:
            raise InvalidParameter(self.name, f"expected one {self.type} value, got {value!r}")
        if self.type == "iri":
            return _iri(self.name, value)
        if isinstance(value, bool):
            value = "true" if value else "false"
        text = str(value)
        if self.type == "string":
            if self.datatype is None:
                return Literal(text)
            if not _OTHER_DATATYPES[self.datatype].match(text):
                raise InvalidParameter(self.name, f"{text!r} is not a {self.datatype}")
            return Literal(text, datatype=URIRef(self.datatype))
        if self.type == "lang-string":
            return Literal(text, lang=self.lang)
        if self.type == "boolean":
            if text not in ("true", "false", "1", "0"):
                raise InvalidParameter(self.name, f"expected true or false, got {text!r}")
            return Literal(text in ("true", "1"))
        if not _LEXICAL[self.type].match(text):
            raise InvalidParameter(self.name, f"expected {_EXAMPLE[self.type]}, got {text!r}")
        if self.type == "date":
            try:
                date.fromisoformat(text)
            except ValueError as error:
                raise InvalidParameter(self.name, f"not a date: {error}") from None
        return Literal(text, datatype=_DATATYPE_OF[self.type])

    def describe(self) -> dict:
        """The parameter as plain data, for the catalogue."""
        described = {
            "name": self.name,
            "type": self.type,
            "required": self.required,
            "multiple": self.multiple,
            "description": self.description,
        }
        described |= {"default": self.default} if self.default is not None else {}
        described |= {"enum": list(self.enum)} if self.enum else {}
        described |= {"lang": self.lang} if self.lang else {}
        return described


_EXAMPLE = {"integer": "an integer such as 42", "decimal": "a decimal such as 0.95"}
_EXAMPLE["date"] = "a date such as 2013-12-11"


@dataclass(frozen=True)
class BoundQuery:
    """A stored query ready to run: its text and the terms bound to its variables."""

    sparql: str
    bindings: dict[str, Node]
    page_size: int | None = None


@dataclass(frozen=True)
class StoredQuery:
    """One stored query, parsed and checked."""

    name: str
    path: Path
    text: str
    kind: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    summary: str
    description: str = ""
    tags: tuple[str, ...] = ()
    method: str = "GET"
    pagination: int | None = None
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)
    values_at: int | None = None  # where the VALUES block goes: just inside the WHERE group

    def bind(self, values: Mapping[str, Any], page: int = 1) -> BoundQuery:
        """Check ``values`` (parameter name -> value, or a list for a ``multiple`` one) and
        bind them; an optional parameter left out stays unbound."""
        known = {p.name: p for p in self.parameters}
        for name in values:
            if name not in known:
                offered = ", ".join(known) or "no parameters"
                raise InvalidParameter(name, f"not a parameter of {self.name} (it takes {offered})")
        bindings: dict[str, Node] = {}
        rows: list[tuple[str, list[Node]]] = []
        for parameter in self.parameters:
            given = _values(parameter, values.get(parameter.name))
            if not given:
                if parameter.required:
                    raise InvalidParameter(parameter.name, "is required")
                continue
            terms = [parameter.term(v) for v in given]
            for term in terms:
                if parameter.enum and term not in {parameter.term(e) for e in parameter.enum}:
                    allowed = ", ".join(map(str, parameter.enum))
                    raise InvalidParameter(parameter.name, f"must be one of {allowed}")
            if parameter.by_values:
                rows.append((parameter.variable, terms))
            else:
                bindings[parameter.variable] = terms[0]
        if page < 1:
            raise InvalidParameter("page", "pages are numbered from 1")
        return BoundQuery(self._text(rows, page), bindings, self.pagination)

    def _text(self, rows: list[tuple[str, list[Node]]], page: int) -> str:
        """The query with its VALUES block (checked terms only) and its page's LIMIT."""
        sparql = self.text
        if rows and self.values_at is not None:
            at = self.values_at
            sparql = f"{sparql[:at]} {_values_block(rows)}\n{sparql[at:]}"
        if self.pagination:
            sparql += f"\nLIMIT {self.pagination + 1} OFFSET {(page - 1) * self.pagination}"
        return sparql

    def describe(self) -> dict:
        """The query as plain data, for the catalogue."""
        return {
            "name": self.name,
            "summary": self.summary,
            "description": self.description,
            "tags": list(self.tags),
            "method": self.method,
            "form": self.kind,
            "pagination": self.pagination,
            "parameters": [p.describe() for p in self.parameters],
        }


def load_catalogue(folders: Sequence[Path]) -> dict[str, StoredQuery]:
    """Every ``*.rq`` file in ``folders``, parsed and checked, by name."""
    catalogue: dict[str, StoredQuery] = {}
    for folder in folders:
        if not folder.is_dir():
            raise CatalogueError(folder, None, "not a folder of stored queries")
        for path in sorted(folder.glob("*.rq")):
            stat = path.stat()
            query = _load(path.resolve(), stat.st_mtime_ns, stat.st_size)
            if query.name in catalogue:
                raise CatalogueError(
                    path, None, f"{query.name} is also {catalogue[query.name].path}"
                )
            catalogue[query.name] = query
    return catalogue


def ready_examples(catalogue: Mapping[str, StoredQuery]) -> dict[str, str]:
    """The queries that run without any value given, as their text by summary."""
    return {
        query.summary: query.text
        for query in catalogue.values()
        if not any(p.required and p.default is None for p in query.parameters)
    }


@lru_cache(maxsize=1024)
def _load(path: Path, mtime_ns: int, size: int) -> StoredQuery:
    """One stored query, parsed once per version of its file (rdflib's SPARQL parser takes
    about 150 ms a query, and every app a process creates reads the same catalogue)."""
    name = path.stem
    if not _FILE_NAME.match(name):
        raise CatalogueError(
            path, None, "a stored query's file is named <kebab-name>.rq (a-z, 0-9, -)"
        )
    text = path.read_text(encoding="utf-8")
    header, header_lines = _header(path, text)
    kind, variables, projected = _parse(path, text, len(header_lines))
    parameters = [
        Parameter(**{**p.__dict__, "by_values": p.multiple or p.variable not in projected})
        for p in _parameters(path, header, header_lines, variables)
    ]
    pagination = header.get("pagination")
    if pagination is not None and (
        not isinstance(pagination, int) or isinstance(pagination, bool) or pagination < 1
    ):
        raise CatalogueError(path, _line_of(header_lines, "pagination"), "pagination: N, N >= 1")
    if pagination is not None and kind != "SELECT":
        raise CatalogueError(path, _line_of(header_lines, "pagination"), "only SELECT pages")
    method = str(header.get("method", "GET")).upper()
    if method not in ("GET", "POST"):
        raise CatalogueError(path, _line_of(header_lines, "method"), "method is GET or POST")
    tags = header.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise CatalogueError(path, _line_of(header_lines, "tags"), "tags is a list of words")
    query = StoredQuery(
        name=name,
        path=path,
        text=text,
        kind=kind,
        summary=str(header.get("summary") or name),
        description=str(header.get("description") or ""),
        tags=tuple(tags),
        method=method,
        pagination=pagination,
        parameters=tuple(parameters),
        values_at=_where_group(text) if any(p.by_values for p in parameters) else None,
    )
    _prepare(query)
    return query


def _header(path: Path, text: str) -> tuple[dict, list[str]]:
    """The ``#+`` lines at the top of ``text``, as a YAML mapping, and those lines."""
    lines: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#+"):
            break
        lines.append(line[2:].removeprefix(" "))
    try:
        header = yaml.safe_load("\n".join(lines)) if lines else {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        raise CatalogueError(path, mark.line + 1 if mark else None, f"header: {problem}") from None
    if header is None:
        header = {}
    if not isinstance(header, dict):
        raise CatalogueError(path, 1, "the #+ header is `key: value` lines")
    for key in header:
        if key not in _GRLC_KEYS | _UNUSED_GRLC_KEYS | {"params"}:
            known = ", ".join(sorted(_GRLC_KEYS | {"params"}))
            raise CatalogueError(
                path, _line_of(lines, str(key)), f"unknown header key {key!r} (known: {known})"
            )
    return header, lines


def _parse(path: Path, text: str, header_length: int) -> tuple[str, set[str], set[str]]:
    """The query form, the names of every variable in the query, and those a SELECT
    projects."""
    variables: set[str] = set()
    try:
        parsed = parseQuery(text)
        _collect_variables(parsed, variables)  # the query's own (the algebra adds some)
        algebra = translateQuery(parsed).algebra
    except ParseException as error:
        raise CatalogueError(path, error.lineno, f"SPARQL: {error.msg}") from None
    except Exception as error:  # rdflib reports undefined prefixes and such this way
        raise CatalogueError(path, header_length + 1, f"SPARQL: {error}") from None
    kind = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT"}.get(
        algebra.name, "DESCRIBE"
    )
    projected = {str(v) for v in algebra["PV"]} if kind == "SELECT" else variables
    return kind, variables, projected


def _collect_variables(node: object, found: set[str]) -> None:
    if isinstance(node, Variable):
        found.add(str(node))
    elif isinstance(node, list | tuple | ParseResults):  # (pyparsing calls its results a Mapping)
        for value in node:
            _collect_variables(value, found)
    elif isinstance(node, Mapping):
        for value in node.values():
            _collect_variables(value, found)


def _parameters(path: Path, header: dict, lines: list[str], variables: set[str]) -> list[Parameter]:
    declared = header.get("params") or []
    if not isinstance(declared, list):
        raise CatalogueError(path, _line_of(lines, "params"), "params is a list of parameters")
    parameters: dict[str, Parameter] = {}
    for entry in declared:
        parameter = _declared(path, lines, entry, variables)
        if parameter.name in parameters:
            raise CatalogueError(path, _param_line(lines, parameter.name), "declared twice")
        parameters[parameter.name] = parameter
    for variable in sorted(variables):
        shorthand = _grlc(path, variable)
        if shorthand is None:
            continue
        if shorthand.name in parameters:
            raise CatalogueError(
                path, _param_line(lines, shorthand.name), f"also given by ?{variable}"
            )
        parameters[shorthand.name] = shorthand
    _apply_grlc_lists(path, header, lines, parameters)
    return list(parameters.values())


def _declared(path: Path, lines: list[str], entry: object, variables: set[str]) -> Parameter:
    if not isinstance(entry, dict) or "name" not in entry:
        raise CatalogueError(path, _line_of(lines, "params"), "each parameter has a name")
    name = str(entry["name"])
    line = _param_line(lines, name)
    unknown = set(entry) - _PARAM_KEYS
    if unknown:
        raise CatalogueError(path, line, f"unknown parameter keys {sorted(unknown)}")
    if not _PARAM_NAME.match(name) or name in RESERVED:
        raise CatalogueError(path, line, f"{name!r} cannot name a parameter")
    kind = entry.get("type", "string")
    if kind not in TYPES:
        raise CatalogueError(path, line, f"type {kind!r} is not one of {', '.join(TYPES)}")
    if name not in variables:
        raise CatalogueError(path, line, f"parameter {name!r} is not used: no ?{name} in the query")
    lang = entry.get("lang")
    if (kind == "lang-string") != (lang is not None) or (lang and not _LANGUAGE.match(lang)):
        raise CatalogueError(path, line, "a lang-string parameter, and only it, has a lang tag")
    enum = entry.get("enum") or []
    if not isinstance(enum, list):
        raise CatalogueError(path, line, "enum is a list of values")
    parameter = Parameter(
        name=name,
        type=kind,
        variable=name,
        required=bool(entry.get("required", False)),
        default=entry.get("default"),
        enum=tuple(enum),
        multiple=bool(entry.get("multiple", False)),
        description=str(entry.get("description") or ""),
        lang=lang,
    )
    return _checked(path, line, parameter)


def _grlc(path: Path, variable: str) -> Parameter | None:
    """The parameter a grlc-style variable (``_name``, ``__name_iri``...) declares, if any."""
    optional = variable.startswith("__")
    if not variable.startswith("_"):
        return None
    name, *rest = variable.lstrip("_").split("_")
    kind, lang, datatype = "string", None, None
    if rest == ["iri"]:
        kind = "iri"
    elif len(rest) == 1 and rest[0] in _DATATYPE_OF:
        kind = rest[0]
    elif len(rest) == 1 and _LANGUAGE.match(rest[0]):
        kind, lang = "lang-string", rest[0]
    elif len(rest) == 2 and rest[0] == "xsd" and rest[1] in _DATATYPE_OF:
        kind = rest[1]
    elif len(rest) == 2 and rest[0] == "xsd" and str(XSD[rest[1]]) in _OTHER_DATATYPES:
        datatype = str(XSD[rest[1]])
    elif rest:
        raise CatalogueError(path, None, f"?{variable}: not a grlc parameter variable")
    if not _PARAM_NAME.match(name) or name in RESERVED:
        raise CatalogueError(path, None, f"?{variable}: {name!r} cannot name a parameter")
    return Parameter(
        name=name,
        type=kind,
        variable=variable,
        required=not optional,
        lang=lang,
        datatype=datatype,
    )


def _apply_grlc_lists(
    path: Path, header: dict, lines: list[str], parameters: dict[str, Parameter]
) -> None:
    """grlc's ``defaults`` (a list of ``name: value``) and ``enumerate`` (a list of names, or
    of ``name: [values]``) amend the parameters they name."""
    for key in ("defaults", "enumerate"):
        entries = header.get(key) or []
        if not isinstance(entries, list):
            raise CatalogueError(path, _line_of(lines, key), f"{key} is a list")
        for entry in entries:
            if isinstance(entry, str) and key == "enumerate":
                if entry not in parameters:
                    raise CatalogueError(
                        path, _line_of(lines, key), f"enumerate names {entry!r}, not a parameter"
                    )
                continue  # grlc would list the values found in the data; the parameter stays open
            if not isinstance(entry, dict) or len(entry) != 1:
                raise CatalogueError(path, _line_of(lines, key), f"{key} lists `name: value`")
            [(name, value)] = entry.items()
            if name not in parameters:
                raise CatalogueError(
                    path, _line_of(lines, key), f"{key} names {name!r}, which is not a parameter"
                )
            change = {"default": value} if key == "defaults" else {"enum": tuple(value or [])}
            amended = Parameter(**{**parameters[name].__dict__, **change})
            parameters[name] = _checked(path, _line_of(lines, key), amended)


def _checked(path: Path, line: int | None, parameter: Parameter) -> Parameter:
    """``parameter`` if its default and enum values are values of its type."""
    try:
        for value in parameter.enum:
            parameter.term(value)
        if parameter.default is not None:
            for value in _values(parameter, parameter.default):
                parameter.term(value)
                if parameter.enum and value not in parameter.enum:
                    raise InvalidParameter(parameter.name, "the default is not in the enum")
    except InvalidParameter as error:
        raise CatalogueError(path, line, str(error)) from None
    return parameter


def _prepare(query: StoredQuery) -> None:
    """Check that the query, with what binding adds to it, parses in the engine that runs it
    (on an empty store; a query with SERVICE is not run, rdflib has parsed it already)."""
    values = [p for p in query.parameters if p.by_values]
    if values and query.values_at is None:
        raise CatalogueError(query.path, None, "no WHERE group to bind parameters in")
    sparql = query._text([(p.variable, [Variable("undefined")]) for p in values], 1)
    if _SERVICE.search(sparql):
        return
    try:
        ox.Store().query(sparql.replace("?undefined", "UNDEF"))
    except SyntaxError as error:
        added = " and ".join(
            what
            for what, needed in (
                ("a VALUES block in its WHERE group", values),
                ("a LIMIT for paging", query.pagination),
            )
            if needed
        )
        raise CatalogueError(query.path, None, f"SPARQL with {added}: {error}") from None


_TOKENS = re.compile(
    r"""(?P<skip>\#[^\n]*|'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
    |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|<[^<>"{}|^`\\\x00-\x20]*>)
    |(?P<brace>[{}])|(?P<word>\bWHERE\b)""",
    re.IGNORECASE | re.VERBOSE,
)


def _where_group(text: str) -> int | None:
    """The offset just inside the query's WHERE group: after the first ``{`` that follows the
    keyword WHERE at the top level, or the first top-level ``{`` when there is no WHERE (comments,
    strings and IRIs are skipped)."""
    depth, after_where, first = 0, None, None
    for token in _TOKENS.finditer(text):
        if token["word"] and depth == 0:
            after_where = token.end()
        elif token["brace"] == "{":
            if depth == 0:
                if after_where is not None:
                    return token.end()
                first = token.end() if first is None else first
            depth += 1
        elif token["brace"] == "}":
            depth -= 1
    return first


def _values(parameter: Parameter, given: Any) -> list:
    """The values given for ``parameter`` (its default when none), as a list."""
    if given is None or given == [] or given == "":
        given = parameter.default
    if given is None:
        return []
    if isinstance(given, list):
        if not parameter.multiple and len(given) > 1:
            raise InvalidParameter(parameter.name, "takes one value")
        return given
    return [given]


def _values_block(rows: list[tuple[str, list[Node]]]) -> str:
    """``VALUES (?a ?b) { (a1 b1) ... }`` for every combination of the checked terms."""
    names = " ".join(f"?{variable}" for variable, _ in rows)
    lines = [
        "(" + " ".join(_n3(t) for t in combination) + ")"
        for combination in product(*(terms for _, terms in rows))
    ]
    return f"VALUES ({names}) {{ {' '.join(lines)} }}"


def _n3(term: Node) -> str:
    """A checked term in N-Triples syntax, written by pyoxigraph (which escapes it)."""
    return "?undefined" if isinstance(term, Variable) else str(to_ox(term))


def _iri(name: str, value: Any) -> URIRef:
    text = str(value)
    if not urlsplit(text).scheme:
        raise InvalidParameter(name, f"expected an absolute IRI, got {text!r}")
    try:
        return URIRef(ox.NamedNode(text).value)
    except ValueError as error:
        raise InvalidParameter(name, f"not an IRI: {error}") from None


def _line_of(lines: Iterable[str], key: str) -> int | None:
    """The file line of header key ``key``."""
    for number, line in enumerate(lines, 1):
        if line.lstrip().startswith(f"{key}:"):
            return number
    return None


def _param_line(lines: list[str], name: str) -> int | None:
    """The file line that names parameter ``name`` in the params block."""
    pattern = re.compile(rf"^\s*-?\s*name:\s*['\"]?{re.escape(name)}['\"]?\s*$")
    for number, line in enumerate(lines, 1):
        if pattern.match(line):
            return number
    return _line_of(lines, "params")
