"""Service settings: one object, read from ``EVIDENCE_GRAPH_*`` environment variables.

Every setting is declared once here with its help text; the README's configuration table is
checked against this class by a test.
"""

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Where the data lives, which store holds it, and how its nodes are named."""

    model_config = SettingsConfigDict(env_prefix="EVIDENCE_GRAPH_", extra="forbid")

    data_dir: Path = Field(
        Path("data"), description="Directory of the on-disk store (oxigraph backend)."
    )
    store: Literal["oxigraph", "memory", "sparql"] = Field(
        "oxigraph",
        description="Store backend: `oxigraph` (on disk), `memory` (rdflib, lost on exit) or "
        "`sparql` (an external SPARQL 1.1 engine at the `SPARQL_*` URLs).",
    )
    sparql_query_url: str | None = Field(
        None, description="The external engine's SPARQL query endpoint (`sparql` store)."
    )
    sparql_update_url: str | None = Field(
        None, description="The external engine's SPARQL update endpoint (`sparql` store)."
    )
    sparql_store_url: str | None = Field(
        None, description="The external engine's Graph Store endpoint (`sparql` store)."
    )
    sparql_profile: Literal["oxigraph", "virtuoso", "generic"] = Field(
        "generic",
        description="What the external engine supports: `oxigraph`, `virtuoso` or `generic` "
        "(the conservative choice for any other engine).",
    )
    sparql_auth: Literal["none", "basic", "digest", "bearer"] = Field(
        "none", description="How to authenticate to the external engine."
    )
    sparql_user: str | None = Field(None, description="User for basic or digest auth.")
    sparql_password: SecretStr | None = Field(
        None, description="Password for basic or digest auth, or the bearer token."
    )
    base_iri: str = Field(
        "http://127.0.0.1:8000/id/",
        description="Base under which instance IRIs are minted; the service serves it.",
    )
    write_token: SecretStr | None = Field(
        None, description="Bearer token that HTTP writes need; writes are off without one."
    )
    query_timeout_s: float = Field(
        30.0,
        gt=0,
        description="Seconds a query may run in `serve` before it is stopped (503); with the "
        "`sparql` store, how long to wait for the engine's answer.",
    )
    service_allowlist: list[str] = Field(
        [],
        description="IRI prefixes that a query may call with SERVICE and an update may fetch "
        "with LOAD, as a JSON list; none by default.",
    )
    max_body_bytes: int = Field(
        10_000_000, gt=0, description="Largest request body `serve` accepts (413 beyond)."
    )
    max_query_string_bytes: int = Field(
        65_536, gt=0, description="Largest query string `serve` accepts (413 beyond)."
    )
    max_result_bytes: int = Field(
        512 * 2**20,
        gt=0,
        description="Largest query answer `serve` sends; a larger one is refused whole (422), "
        "never cut short.",
    )
    cors_origins: list[str] = Field(
        [],
        description="Origins allowed to call the service from a browser, as a JSON list "
        '(`["*"]` for any); never with credentials.',
    )
    load_examples: bool = Field(
        True, description="`serve` loads the example evidence when the store is empty."
    )
    queries_dir: Path | None = Field(
        None,
        description="A folder of your own stored queries (`*.rq`), served next to the built-in "
        "ones; none by default.",
    )

    @field_validator("base_iri")
    @classmethod
    def _absolute_with_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or not value.endswith(("/", "#")):
            raise ValueError("must be an absolute http(s) IRI ending in '/' or '#'")
        return value
