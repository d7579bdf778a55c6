"""The footnotes of quoted sentences: the Kamerstuk or source a sentence points to.

Answers name their sources in footnotes ("... naar uw Kamer verzonden.¹⁴" with "¹⁴ Kamerstuk
34 926, nr. 8."). The parser keeps, per footnote, the words just before its marker
(rag.types.Footnote.anchor); here they are found again in the unit's text, so each sentence
knows its footnotes and a quote can carry the references of exactly the sentences it shows.
"""

from __future__ import annotations

import bisect
import re

from rag.types import Footnote, Unit

_NOT_ALNUM = re.compile(r"[\W_]+")


def _squash(text: str) -> str:
    """Lower case letters and digits only: line breaks, hyphens and spacing do not matter."""
    return _NOT_ALNUM.sub("", text.lower())


def sentence_notes(unit: Unit, sentences: list[str]) -> dict[int, tuple[Footnote, ...]]:
    """Sentence position -> the unit's footnotes whose marker stood in that sentence."""
    if not unit.footnotes or not sentences:
        return {}
    squashed = [_squash(s) for s in sentences]
    # the Vraag comes before the Antwoord: a marker found there is the question's, even when
    # the answer repeats its words ("... de Verenigde Arabische Emiraten, is afgeschaft?")
    asked = _squash(unit.question) if unit.question and unit.answer else ""
    if asked and "".join(squashed) == asked:
        asked = ""  # these are the question's own sentences
    ends, total = [], len(asked)
    for s in squashed:
        total += len(s)
        ends.append(total)  # sentence i covers [ends[i-1], ends[i]) of the joined text
    joined = asked + "".join(squashed)
    out: dict[int, list[Footnote]] = {}
    start = 0
    for note in sorted(unit.footnotes, key=lambda f: f.n):
        anchor = _squash(note.anchor)
        if len(anchor) < 8:  # too short to place with confidence
            continue
        at = joined.find(anchor, start)
        if at < 0:
            at = joined.find(anchor)  # markers are in order; tolerate one that is not
            if at < 0:
                continue
        end = at + len(anchor)
        start = end
        if end <= len(asked):
            continue  # a footnote of the question
        position = min(bisect.bisect_left(ends, end), len(sentences) - 1)
        out.setdefault(position, []).append(note)
    return {p: tuple(notes) for p, notes in out.items()}


def notes_text(notes: list[Footnote]) -> str:
    """The footnotes as the answer shows them after a quote: "(Kamerstuk 34 926, nr. 8)"."""
    bodies = list(dict.fromkeys(n.text.strip().rstrip(".") for n in notes if n.text.strip()))
    return f"({'; '.join(bodies)})" if bodies else ""


def quoted_notes(unit: Unit, sentences: list[str], positions: list[int]) -> list[Footnote]:
    """The footnotes of the quoted sentences, in order."""
    by_sentence = sentence_notes(unit, sentences)
    return [n for p in sorted(positions) for n in by_sentence.get(p, ())]
