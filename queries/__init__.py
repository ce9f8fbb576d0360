"""The stored queries that ship with the service: one SPARQL query per ``<kebab-name>.rq`` file
in this folder (the format is described in ``graph.stored_queries``)."""

from pathlib import Path

__all__ = ["folder"]


def folder() -> Path:
    """The folder of the built-in stored queries."""
    return Path(__file__).parent
