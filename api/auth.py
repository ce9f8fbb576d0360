"""Writes need a bearer token: ``Authorization: Bearer <EVIDENCE_GRAPH_WRITE_TOKEN>``."""

import hmac

from fastapi import Request

from api.problems import Problem

__all__ = ["require_write_token"]

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="evidence-graph"'}


def require_write_token(request: Request) -> None:
    """Refuse the request unless it carries the configured write token (compared in constant
    time); writes are off (403) when no token is configured."""
    expected = request.app.state.settings.write_token
    if expected is None:
        raise Problem(403, "Forbidden", "writes are disabled: set EVIDENCE_GRAPH_WRITE_TOKEN")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    valid = scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), expected.get_secret_value().encode()
    )
    if not valid:
        raise Problem(
            401,
            "Unauthorized",
            "this needs 'Authorization: Bearer <write token>'",
            headers=_CHALLENGE,
        )
