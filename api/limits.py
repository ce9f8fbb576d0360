"""Request-size limits: a body or a query string over its limit is refused with 413 before it
is read into memory or reaches a handler."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import Problem, problem_response

__all__ = ["SizeLimits"]


class SizeLimits:
    """ASGI middleware that refuses requests whose body or query string is too large."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, max_query_bytes: int) -> None:
        self.app, self.max_body, self.max_query = app, max_body_bytes, max_query_bytes
        self._body_detail = f"the request body is over {max_body_bytes} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > self.max_query:
            detail = f"the query string is over {self.max_query} bytes"
            await problem_response(413, "Content Too Large", detail)(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_body:
            await problem_response(413, "Content Too Large", self._body_detail)(
                scope, receive, send
            )
            return
        seen = 0

        async def counted() -> Message:  # a body sent without Content-Length
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body:
                raise Problem(413, "Content Too Large", self._body_detail)
            return message

        await self.app(scope, counted, send)
