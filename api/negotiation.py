"""Content negotiation: pick the offered media type an ``Accept`` header prefers (RFC 9110).

>>> from graph.store import RESULT_MEDIA_TYPES
>>> select = RESULT_MEDIA_TYPES["SELECT"]
>>> choose("application/sparql-results+xml;q=0.9, */*;q=0.1", select, None)
'application/sparql-results+xml'
>>> choose(None, select, "csv")
'text/csv'
"""

from starlette.requests import Request

from api.problems import Problem
from graph.query_output import FORMAT_OF_MEDIA_TYPE

__all__ = ["FORMAT_NAMES", "acceptable", "choose", "content_type", "format_links"]

#: Short names for the ``format=`` override a browser can put in a link (``format=csv``).
FORMAT_NAMES = {name: media_type for media_type, name in FORMAT_OF_MEDIA_TYPE.items()}


def choose(accept: str | None, offered: tuple[str, ...], format_name: str | None) -> str:
    """The media type to answer with; a 406 problem naming what is offered when none fits."""
    chosen = acceptable(accept, offered, format_name)
    if chosen is None:
        asked = f"format={format_name}" if format_name is not None else f"Accept: {accept}"
        raise Problem(
            406,
            "Not Acceptable",
            f"nothing offered here matches {asked}; offered: {', '.join(offered)}",
            offered=list(offered),
        )
    return chosen


def acceptable(accept: str | None, offered: tuple[str, ...], format_name: str | None) -> str | None:
    """The offered media type the request prefers, or None when it accepts none of them."""
    if format_name is not None:
        wanted = FORMAT_NAMES.get(format_name, format_name)
        return wanted if wanted in offered else None
    if not accept or not accept.strip():
        return offered[0]
    best, best_rank = None, (0.0, 0, 0)
    for position, media_type in enumerate(offered):
        q, specificity = _quality(accept, media_type)
        rank = (q, specificity, -position)
        if q > 0 and rank > best_rank:
            best, best_rank = media_type, rank
    return best


def _quality(accept: str, media_type: str) -> tuple[float, int]:
    """The q-value the most specific matching range gives ``media_type``, and how specific."""
    kind, _, subtype = media_type.partition("/")
    found: tuple[int, float] | None = None
    for item in accept.split(","):
        range_, *params = (part.strip() for part in item.split(";"))
        r_kind, _, r_sub = range_.lower().partition("/")
        if range_ == "*/*" or range_ == "*":
            specificity = 0
        elif r_kind == kind and r_sub == "*":
            specificity = 1
        elif r_kind == kind and r_sub == subtype:
            specificity = 2
        else:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        if found is None or specificity > found[0]:
            found = (specificity, q)
    return (0.0, -1) if found is None else (found[1], found[0])


def content_type(request: Request) -> str:
    """The media type a request's body is sent as, without parameters, in lower case."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def format_links(request: Request, names: dict[str, str]) -> dict[str, str]:
    """Links to this same request in other formats: label -> URL with ``format=`` set (for a
    page's "JSON · Turtle" links)."""
    return {
        label: str(request.url.include_query_params(format=name)) for label, name in names.items()
    }
