"""Deduplication of bibliographic records: identifiers first, then title, year and first author.

Two records are the same work when they share a normalised DOI, PMID or PMCID (see
``graph.identifiers``). A record with none of them is the same work as another when both give
the same year, the same first author's family name, and titles that are alike after
case, accents, punctuation and spacing are set aside: ``rapidfuzz``'s normalised Indel
similarity of at least ``THRESHOLD``, with the same numbers in both (stage III and stage IV
differ by one letter, but are not the same work).

>>> family_name("Badwe, Rajendra A.")
'badwe'
>>> family_name("Badwe RA")
'badwe'
>>> family_name("R. A. Badwe")
'badwe'
>>> title_key("Locoregional treatment versus no treatment: an open-label RCT.")
'locoregional treatment versus no treatment an open label rct'
>>> title_similarity("Surgery in stage IV breast cancer.", "Surgery in Stage-IV breast cancer")
1.0
>>> smith = frozenset({"smith"})
>>> a = Candidate("a", "Surgery in stage IV breast cancer", 2015, smith)
>>> b = Candidate("b", "Surgery in Stage-IV breast cancer.", 2015, smith)
>>> found, score = fuzzy_match(b, [a])
>>> found.key, score
('a', 1.0)
>>> fuzzy_match(Candidate("c", "Surgery in stage III breast cancer", 2015, smith), [a]) is None
True
"""

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz.distance import Indel

__all__ = ["THRESHOLD", "Candidate", "family_name", "fuzzy_match", "title_key", "title_similarity"]

#: The least title similarity (0..1) for two records of the same year and first author to be
#: one work; see docs/decisions/0017 for the figures behind it.
THRESHOLD = 0.93
_INITIALS = re.compile(r"^(?:[A-Z]\.?){1,3}$")
_NUMBER = re.compile(r"^(?:[0-9]+|i{2,3}|iv|vi{0,3}|ix|x)$")


@dataclass(frozen=True)
class Candidate:
    """What fuzzy matching compares: a title, a year and a first author's family name (or,
    for a stored publication whose author order is unknown, any of its authors' names)."""

    key: str  # the record or publication this stands for
    title: str
    year: int
    families: frozenset[str]


def family_name(author: str) -> str:
    """The family name of an author written ``Family, Given``, ``Family GI`` or ``G. Family``,
    case-folded and without accents."""
    text = author.strip()
    if "," in text:
        family = text.split(",", 1)[0]
    else:
        words = text.split()
        if len(words) > 1 and _INITIALS.match(words[-1]):
            family = " ".join(words[:-1])
        else:
            family = words[-1] if words else ""
    return _plain(family).strip()


def title_key(title: str) -> str:
    """A title case-folded, without accents, punctuation or repeated spaces."""
    return " ".join(re.sub(r"[^\w\s]|_", " ", _plain(title)).split())


def title_similarity(a: str, b: str) -> float:
    """How alike two titles are, from 0 to 1, once ``title_key`` has set their form aside."""
    return Indel.normalized_similarity(title_key(a), title_key(b))


def fuzzy_match(record: Candidate, candidates: list[Candidate]) -> tuple[Candidate, float] | None:
    """The candidate of the same year and first author with the most alike title, if it is
    at least ``THRESHOLD`` alike; ties go to the earliest candidate."""
    best: tuple[Candidate, float] | None = None
    for candidate in candidates:
        if candidate.year != record.year or not candidate.families & record.families:
            continue
        if _numbers(record.title) != _numbers(candidate.title):
            continue
        score = title_similarity(record.title, candidate.title)
        if score >= THRESHOLD and (best is None or score > best[1]):
            best = (candidate, score)
    return best


def _numbers(title: str) -> set[str]:
    """The numbers of a title, Arabic or Roman (ii to x)."""
    return {word for word in title_key(title).split() if _NUMBER.match(word)}


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
