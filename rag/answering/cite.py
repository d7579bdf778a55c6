"""The sources of one answer: stable citation numbers and the quoted sentences per unit.

A unit gets its [n] the first time it is cited and keeps it; the citations handed to
on_sources while the answer grows and those in the final Answer are built the same way, so
a number never changes between calls.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rag.analysis.sentences import split_sentences
from rag.answering.address import unit_refs
from rag.types import Citation, Hit, Unit

OnSources = Callable[[tuple[Citation, ...]], None]


@dataclass(frozen=True)
class Cited:
    """A piece of the final answer: text and the hits it cites (in citation order)."""

    text: str
    hits: tuple[Hit, ...]
    quotes: tuple[str, ...]


def quotable_text(unit: Unit) -> str:
    """What a quote may come from: the answer, else the question (unanswered), else the text."""
    return unit.answer or unit.question or unit.text


class Ledger:
    """Citation numbers in order of first citation, and the sentences quoted from each unit."""

    def __init__(self, address: Callable[[Unit], str]) -> None:
        self.address = address
        self.units: dict[str, Unit] = {}
        self.quoted: dict[str, set[int]] = {}

    def number(self, unit: Unit) -> int:
        """The unit's [n] in this answer, the next free one on first citation."""
        if unit.unit_id not in self.units:
            self.units[unit.unit_id] = unit
            self.quoted[unit.unit_id] = set()
        return list(self.units).index(unit.unit_id) + 1

    def mark(self, unit: Unit, positions: tuple[int, ...]) -> bool:
        """Note quoted sentence positions of the unit; True when something was new."""
        self.number(unit)
        seen = self.quoted[unit.unit_id]
        new = set(positions) - seen
        seen |= new
        return bool(new)

    def citations(self) -> tuple[Citation, ...]:
        """The citations so far, numbered as cited; quote = the marked sentences in order."""
        out = []
        for n, (uid, unit) in enumerate(self.units.items(), start=1):
            text = quotable_text(unit)
            sentences = split_sentences(text)
            positions = tuple(sorted(p for p in self.quoted[uid] if p < len(sentences)))
            out.append(
                Citation(
                    n=n,
                    doc=unit.doc,
                    unit_id=uid,
                    vraag=unit.vraag,
                    label=unit.label,
                    address=self.address(unit),
                    refs=unit_refs(unit),
                    quote=join_positions(sentences, positions),
                    text=text,
                    quoted=positions,
                )  # fmt: skip
            )
        return tuple(out)


class Sources:
    """The answer's ledger and the caller's on_sources, called when the sources change."""

    def __init__(self, ledger: Ledger, on_sources: OnSources | None) -> None:
        self.ledger, self.on_sources = ledger, on_sources
        self.sent: tuple[Citation, ...] | None = None

    def publish(self) -> None:
        """Hand the citations to on_sources when they differ from what it last got."""
        citations = self.ledger.citations()
        if self.on_sources and citations != self.sent:
            self.sent = citations
            self.on_sources(citations)


def join_positions(sentences: list[str], positions: tuple[int, ...]) -> str:
    """The sentences at the positions, in order, with " … " where they are not adjacent."""
    out = ""
    for i, p in enumerate(positions):
        if i:
            out += " " if p == positions[i - 1] + 1 else " … "
        out += sentences[p]
    return out


_WORD = re.compile(r"\w+")


def repeats(sentence: str, said: str) -> bool:
    """True when the text shown so far has all the sentence's words but at most one in ten."""
    shown = {w.lower() for w in _WORD.findall(said)}
    words = {w.lower() for w in _WORD.findall(sentence)}
    return bool(words) and len(words - shown) <= len(words) // 10
