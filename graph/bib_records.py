"""One bibliographic record as the systematic-review formats carry it.

Every reader (RIS, PubMed MEDLINE, BibTeX, CSL-JSON, ASReview CSV, identifier lists) turns its
file into ``BibRecord``s, and every writer turns ``BibRecord``s back into a file: the graph is
mapped to and from this one shape, so each format is written once. Screening decisions that
tools write into a record (ASReview's labels, Rayyan's inclusion notes) are read into
``ScreeningLabel``s, apart from the bibliographic facts.
"""

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["DECISIONS", "KINDS", "BibRecord", "Decision", "ScreeningLabel", "consensus"]

#: What a record is, in our words; each format maps its own types to these and back.
KINDS = (
    "article",  # journal article
    "abstract",  # conference abstract
    "conference-paper",
    "book",
    "chapter",
    "report",
    "thesis",
    "preprint",
    "review",  # a review article (PubMed publication type "Review")
    "trial-registration",
    "web-page",
    "dataset",
    "news",
    "other",
)

Decision = Literal["include", "exclude", "maybe", "unseen"]
#: ``unseen``: the tool listed the record as not yet screened (ASReview_not_seen).
DECISIONS: tuple[Decision, ...] = ("include", "exclude", "maybe", "unseen")


@dataclass(frozen=True)
class ScreeningLabel:
    """A screening decision that a tool wrote into a record: which tool, what was decided,
    by whom when the tool says (Rayyan names each reviewer; ASReview does not), the reasons
    for an exclusion, and whether ASReview used the record as prior knowledge."""

    tool: str  # "asreview", "rayyan" or "evidence-graph"
    decision: Decision
    reviewer: str | None = None
    reasons: tuple[str, ...] = ()
    prior: bool = False


@dataclass
class BibRecord:
    """A record of a publication as a file gives it.

    Strings are stripped and ``None`` when absent; lists keep the file's order. ``issued`` is
    ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``. Identifiers are as written (the graph normalises
    them). ``key`` is the record's own id in its file (RIS ``ID``, a BibTeX key, a CSL ``id``,
    ASReview's ``record_id``); ``iri`` is our IRI for it when the file was exported by this
    service. ``extra`` keeps the fields no other attribute holds, by the format's own field
    name, so a record exported in the format it came in loses nothing.
    """

    kind: str = "article"
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    issued: str | None = None
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    page_start: str | None = None
    page_end: str | None = None
    abstract: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    urls: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    mesh: list[str] = field(default_factory=list)  # MeSH headings, as PubMed writes them
    publication_types: list[str] = field(default_factory=list)  # PubMed's, e.g. "Review"
    language: str | None = None
    issn: str | None = None
    publisher: str | None = None
    notes: list[str] = field(default_factory=list)  # free-text notes, labels taken out
    labels: list[str] = field(default_factory=list)  # tags such as Rayyan's RAYYAN-LABELS
    screening: list[ScreeningLabel] = field(default_factory=list)
    key: str | None = None
    iri: str | None = None
    extra: dict[str, list[str]] = field(default_factory=dict)
    # where the record was read: its file, its number in the file (1-based), its first line
    source: str = ""
    number: int = 0
    line: int | None = None

    @property
    def year(self) -> int | None:
        """The year of ``issued``."""
        return int(self.issued[:4]) if self.issued else None

    @property
    def first_author(self) -> str | None:
        """The first author as written."""
        return self.authors[0] if self.authors else None


def consensus(labels: list[ScreeningLabel]) -> Decision | None:
    """The one decision a single-label tool (ASReview's ``included`` column) should see:
    ASReview's own label when there is one; otherwise the reviewers' agreement (include or
    exclude when all agree, maybe when they differ or any said maybe); ``None`` when no one
    decided."""
    for label in labels:
        if label.tool == "asreview":
            return label.decision
    decided = {label.decision for label in labels if label.decision != "unseen"}
    if not decided:
        return "unseen" if labels else None
    return decided.pop() if len(decided) == 1 else "maybe"
