"""Does one cited source support one written sentence? Meaning, with the facts checked.

A sentence is supported by a source unit when
- every fact in it occurs in the unit (support_facts.py: numbers, dates, amounts, Kamerstuk
  and kenmerk numbers, proper names; looked up in the answer, the Vraag, the footnotes and
  the document's header) and, in a Dutch sentence, no word is a garbled copy of a source
  word (a small model's "testkitts");
- its negation agrees with the source segment each part of it says again
  (support_polarity.py);
- it is close in meaning to a passage of the answer (one to three adjacent sentences): the
  multilingual embedder's cosine (the sentence in the query role, source sentences in the
  passage role) plus a weight times the lexical share of its content words in that passage
  (the second signal; words of the question and an answer particle do not count, a number
  counts when the unit's facts have it, an English word counts through its Dutch
  translation or stem), so an English sentence about a Dutch source is checked the same
  way.
The passage that supports the sentence is what the answer highlights. The thresholds are
chosen on fold A of the calibration set of eval/calibration_support.py (eval/RESULTS.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import numpy as np

from rag.analysis.lang import detect
from rag.analysis.sentences import split_sentences
from rag.answering.choose import SentenceVectors
from rag.answering.cite import quotable_text
from rag.answering.support_facts import PARTICLE, garbled, missing_fact, unit_facts
from rag.answering.support_polarity import negation_agrees, shared, source_words, terms
from rag.types import DocMeta, Unit


@dataclass(frozen=True)
class SupportSettings:
    """Thresholds of the check (chosen on fold A of the calibration set)."""

    score: float = 1.43  # cosine + lexical_weight * lexical share, sentence vs its passage
    lexical_weight: float = 1.0


@dataclass(frozen=True)
class Support:
    """The verdict for one sentence and one source, with the passage that supports it."""

    ok: bool
    positions: tuple[int, ...] = ()  # sentences of the source's quotable text
    cosine: float = 0.0
    lexical: float = 0.0
    reason: str = ""


def accepts(signals: Support, s: SupportSettings) -> bool:
    """The verdict from the signals (facts and negation already passed)."""
    return signals.cosine + s.lexical_weight * signals.lexical >= s.score


def windows(n: int, width: int = 3) -> list[tuple[int, ...]]:
    """Runs of 1..width adjacent sentence positions."""
    return [tuple(range(i, i + w)) for w in range(1, width + 1) for i in range(n - w + 1)]


def content(sentence: str, question: str = "") -> tuple[set[str], bool]:
    """The sentence's content words that count as evidence (not the question's, not an
    answer particle), and whether it is English."""
    english = detect(sentence) == "en"
    return terms(PARTICLE.sub("", sentence), english) - terms(question, english), english


def lexical_share(sentence: str, source: str, question: str = "", facts: str = "") -> float:
    """Share of the sentence's content words in the source; English words are read through
    their Dutch translation or stem, and a number counts when the unit's facts have it (a
    Kamerstuk in a footnote)."""
    mine, english = content(sentence, question)
    return shared(mine, source_words(source, english) | digits(facts), english)


def digits(text: str) -> set[str]:
    """The numbers among the text's terms."""
    return {w for w in terms(text, False) if w.isdigit()}


class SupportChecker:
    """The check of one sentence against one source unit (sentence vectors cached per unit)."""

    def __init__(
        self,
        vectors: SentenceVectors,
        settings: SupportSettings | None = None,
        vocabulary: frozenset[str] = frozenset(),
        docs: Mapping[str, DocMeta] | None = None,
    ) -> None:
        self.vectors = vectors
        self.settings = settings or SupportSettings()
        self.vocabulary = vocabulary  # the corpus's words (folded): not garbled
        self.docs = docs or {}  # document headers: members, title, kenmerk (facts)

    def check(self, sentence: str, unit: Unit, question: str = "") -> Support:
        """Is the sentence supported by the unit? (see the module docstring)"""
        signals = self.signals(sentence, unit, question)
        if signals.reason:
            return signals
        ok = accepts(signals, self.settings)
        return replace(signals, ok=ok, reason="" if ok else "not close enough")

    def signals(self, sentence: str, unit: Unit, question: str = "") -> Support:
        """The facts and negation verdicts (reason set when one fails), else the closeness
        signals with the passage that supports the sentence."""
        english = detect(sentence) == "en"
        source = quotable_text(unit)
        facts = unit_facts(unit, self.docs.get(unit.doc))
        fact = missing_fact(sentence, facts, english) or (
            "" if english else garbled(sentence, source, self.vocabulary)
        )
        if fact:
            return Support(False, reason=f"not in source: {fact}")
        parts = split_sentences(source)
        matrix = self.vectors.of(unit.unit_id, parts)
        if matrix is None or self.vectors.embedder is None:
            return Support(False, reason="no embedder")
        q = np.asarray(self.vectors.embedder.embed([sentence], "query"), dtype=np.float32)[0]
        best, cos, lex = SupportChecker._best(sentence, question, digits(facts), parts, matrix, q)
        if not negation_agrees(sentence, parts, self._closest(parts, matrix), english):
            return Support(False, best, cos, lex, reason="negation differs")
        return Support(False, best, cos, lex)

    @staticmethod
    def _best(
        sentence: str,
        question: str,
        known: set[str],
        parts: list[str],
        matrix: np.ndarray,
        v: np.ndarray,
    ) -> tuple[tuple[int, ...], float, float]:
        """The window of adjacent source sentences that best supports the sentence (cosine
        plus lexical share; known: the unit's numbers, which count wherever the window
        is), with its cosine and lexical share."""
        mine, english = content(sentence, question)
        words = [source_words(p, english) for p in parts]
        best: tuple[float, tuple[int, ...], float, float] = (-9.0, (0,), 0.0, 0.0)
        for window in windows(len(matrix)):
            mean = matrix[list(window)].mean(axis=0)
            cos = float(mean @ v / (np.linalg.norm(mean) or 1.0))
            lex = shared(mine, known.union(*(words[i] for i in window)), english)
            if cos + lex > best[0]:  # the window: meaning and words weighed alike
                best = (cos + lex, window, cos, lex)
        return best[1], best[2], best[3]

    def _closest(self, parts: list[str], matrix: np.ndarray) -> Callable[[str], str]:
        """The source sentence closest in meaning to a piece of text."""

        def closest(text: str) -> str:
            embedder = self.vectors.embedder
            v = np.asarray(embedder.embed([text], "query"), dtype=np.float32)[0]  # type: ignore[union-attr]
            return parts[int(np.argmax(matrix @ v))]

        return closest
