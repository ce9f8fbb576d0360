"""Screening decisions and provenance in a record's notes, as the screening tools write them.

ASReview writes one token per record into the RIS ``N1`` notes (``ASReview_relevant``,
``ASReview_irrelevant``, ``ASReview_not_seen``, plus ``ASReview_prior`` for prior knowledge).
Rayyan writes one note of ``|``-separated parts::

    RAYYAN-INCLUSION: {"Alice"=>"Included", "Bob"=>"Maybe"} | RAYYAN-LABELS: RCT,stage IV |
    RAYYAN-EXCLUSION-REASONS: wrong population

This service writes a provenance note ``evidence-graph: <IRI> | ...`` that names the record's
node, so a file sent out for screening and read back lands on the same publications.
``read_notes`` takes all three out of the notes; ``write_notes`` puts them back, labels first.
"""

import re
from dataclasses import dataclass, field

from graph.bib_records import BibRecord, Decision, ScreeningLabel

__all__ = ["PROVENANCE_PREFIX", "Notes", "read_notes", "write_notes"]

PROVENANCE_PREFIX = "evidence-graph: "
_ASREVIEW = re.compile(r"\bASReview_(relevant|irrelevant|not_seen|prior)\b")
_ASREVIEW_DECISIONS: dict[str, Decision] = {
    "relevant": "include",
    "irrelevant": "exclude",
    "not_seen": "unseen",
}
_ASREVIEW_TOKENS = {
    decision: f"ASReview_{token}" for token, decision in _ASREVIEW_DECISIONS.items()
}
_RAYYAN_DECISIONS: dict[str, Decision] = {
    "included": "include",
    "excluded": "exclude",
    "maybe": "maybe",
}
_RAYYAN_WORDS = {decision: word.title() for word, decision in _RAYYAN_DECISIONS.items()}
_RAYYAN_PART = re.compile(r"\s*(RAYYAN-[A-Z-]+|USER-NOTES):\s*")
_RAYYAN_VOTE = re.compile(r'"((?:[^"\\]|\\.)*)"\s*=>\s*"([^"]*)"')
_IRI = re.compile(rf"^{re.escape(PROVENANCE_PREFIX)}<([^>\s]+)>")


@dataclass
class Notes:
    """What a record's notes said: its screening labels, its tags, our IRI for it, and the
    notes left when those are taken out."""

    screening: list[ScreeningLabel] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    iri: str | None = None
    notes: list[str] = field(default_factory=list)


def read_notes(notes: list[str]) -> Notes:
    """Take the labels, tags and our provenance out of ``notes``; raise ``ValueError`` when
    they contradict themselves (two ASReview decisions, an unknown Rayyan decision)."""
    found = Notes()
    decisions: list[Decision] = []
    prior = False
    for note in notes:
        text = note.strip()
        if match := _IRI.match(text):
            found.iri = found.iri or match.group(1)
            continue
        for token in _ASREVIEW.findall(text):
            if token == "prior":
                prior = True
            elif _ASREVIEW_DECISIONS[token] not in decisions:
                decisions.append(_ASREVIEW_DECISIONS[token])
        text = _ASREVIEW.sub("", text).strip()
        if "RAYYAN-" in text:
            text = _read_rayyan(text, found)
        if text:
            found.notes.append(text)
    if len(decisions) > 1:
        raise ValueError(f"contradicting ASReview labels: {', '.join(decisions)}")
    if decisions or prior:
        found.screening.insert(
            0, ScreeningLabel("asreview", (decisions or ["unseen"])[0], prior=prior)
        )
    return found


def write_notes(record: BibRecord, provenance: str | None = None) -> list[str]:
    """The record's notes with its labels first, then ``provenance`` (which should start with
    ``PROVENANCE_PREFIX`` and the IRI in angle brackets), then its other notes."""
    front: list[str] = []
    for label in record.screening:
        if label.tool == "asreview":
            front.append(_ASREVIEW_TOKENS[label.decision])
            if label.prior:
                front.append("ASReview_prior")
    rayyan = [label for label in record.screening if label.tool == "rayyan"]
    if rayyan or record.labels:
        front.append(_rayyan_note(rayyan, record.labels))
    if provenance:
        front.append(provenance)
    return front + record.notes


def _read_rayyan(text: str, found: Notes) -> str:
    """Read a Rayyan note into ``found``; what is left of it (user notes, say) is returned."""
    pieces = _RAYYAN_PART.split(text)
    kept = [pieces[0].strip(" |")] if pieces[0].strip(" |") else []
    votes: list[tuple[str, Decision]] = []
    reasons: tuple[str, ...] = ()
    for name, value in zip(pieces[1::2], pieces[2::2], strict=True):
        value = value.strip().rstrip("|").strip()
        if name == "RAYYAN-INCLUSION":
            for reviewer, word in _RAYYAN_VOTE.findall(value):
                if word.lower() not in _RAYYAN_DECISIONS:
                    raise ValueError(f"Rayyan decision {word!r} is not Included, Excluded or Maybe")
                votes.append((reviewer.replace('\\"', '"'), _RAYYAN_DECISIONS[word.lower()]))
        elif name == "RAYYAN-LABELS":
            found.labels += [label.strip() for label in value.split(",") if label.strip()]
        elif name == "RAYYAN-EXCLUSION-REASONS":
            reasons = tuple(reason.strip() for reason in value.split(",") if reason.strip())
        else:
            kept.append(f"{name}: {value}")
    for reviewer, decision in votes:
        given = reasons if decision == "exclude" else ()
        found.screening.append(ScreeningLabel("rayyan", decision, reviewer, given))
    if reasons and not any(decision == "exclude" for _, decision in votes):
        kept.append(f"RAYYAN-EXCLUSION-REASONS: {','.join(reasons)}")
    return " | ".join(kept)


def _rayyan_note(labels: list[ScreeningLabel], tags: list[str]) -> str:
    parts = []
    if labels:
        votes = ", ".join(
            f'"{label.reviewer or "unknown"}"=>"{_RAYYAN_WORDS.get(label.decision, "Maybe")}"'
            for label in labels
        )
        parts.append(f"RAYYAN-INCLUSION: {{{votes}}}")
    if tags:
        parts.append(f"RAYYAN-LABELS: {','.join(tags)}")
    reasons = sorted({reason for label in labels for reason in label.reasons})
    if reasons:
        parts.append(f"RAYYAN-EXCLUSION-REASONS: {','.join(reasons)}")
    return " | ".join(parts)
