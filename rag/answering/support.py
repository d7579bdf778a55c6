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
  way, against a lower bar (its cosine is cross-lingual and few of its words can be found
  in a Dutch source).
The passage that supports the sentence is what the answer highlights. The thresholds are
chosen on fold A of the calibration set of eval/calibration_support.py (eval/RESULTS.md).

Attribution (`attributed`): when the sentence is also checked against the other sources of
the prompt, a marker is kept only while its source supports the sentence about as well as
the best of them (within a margin): a sentence another source says better is a mix-up of
markers, not a claim of the source it cites.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from rag.analysis.lang import detect
from rag.analysis.sentences import split_sentences
from rag.answering.choose import SentenceVectors
from rag.answering.cite import quotable_text
from rag.answering.support_clauses import shared, source_words, terms
from rag.answering.support_facts import PARTICLE, garbled, missing_fact, unit_facts
from rag.answering.support_form import known_words
from rag.answering.support_polarity import negation_agrees
from rag.types import DocMeta, Unit


@dataclass(frozen=True)
class SupportSettings:
    """Thresholds of the check (chosen on fold A of the calibration set)."""

    score: float = 1.505  # cosine + lexical_weight * lexical share, sentence vs its passage
    lexical_weight: float = 1.0
    # an English sentence about a Dutch source: its cosine is cross-lingual and few of its
    # words can be found in the source, so the same bar would hold it to more evidence
    english_score: float = 1.14
    attribution_margin: float = 0.02  # how far below the best source a cited one may score


# The check per cited source alone (the default), and with attribution (every prompt source
# checked, `attributed`): each chosen on fold A of eval/calibration_support.py.
PER_SOURCE = SupportSettings()
WITH_ATTRIBUTION = SupportSettings(1.365, 1.0, 1.14, 0.02)
CLAUSE_CACHE = 4096  # source clauses whose vectors the negation check keeps


@dataclass(frozen=True)
class Support:
    """The verdict for one sentence and one source, with the passage that supports it."""

    ok: bool
    positions: tuple[int, ...] = ()  # sentences of the source's quotable text
    cosine: float = 0.0
    lexical: float = 0.0
    reason: str = ""
    score: float = 0.0  # cosine + weight * lexical when facts and negation pass, else 0
    english: bool = False  # the sentence is English (its bar is english_score)


def strength(signals: Support, s: SupportSettings) -> float:
    """The closeness score of the signals (facts and negation already passed)."""
    return signals.cosine + s.lexical_weight * signals.lexical


def accepts(signals: Support, s: SupportSettings) -> bool:
    """The verdict from the signals (facts and negation already passed)."""
    return strength(signals, s) >= (s.english_score if signals.english else s.score)


def attributed(
    cited: list[Support], rivals: list[Support], settings: SupportSettings | None = None
) -> list[bool]:
    """Per cited source: does its marker stay? It must support the sentence and score within
    the margin of the best score among the cited and the rival sources (the prompt's other
    sources, checked the same way)."""
    margin = (settings or SupportSettings()).attribution_margin
    best = max((b.score for b in cited + rivals if b.ok), default=0.0)
    return [b.ok and b.score >= best - margin for b in cited]


def windows(n: int, width: int = 3) -> list[tuple[int, ...]]:
    """Runs of 1..width adjacent sentence positions."""
    return [tuple(range(i, i + w)) for w in range(1, width + 1) for i in range(n - w + 1)]


def is_english(sentence: str, question: str = "") -> bool:
    """Is the sentence English? Its function words decide; where they tie (a date, an
    amount: "125 million euros in 2024."), the question's language does."""
    return detect(sentence, detect(question) if question else "nl") == "en"


def content(sentence: str, question: str = "") -> tuple[set[str], bool]:
    """The sentence's content words that count as evidence (not the question's, not an
    answer particle), and whether it is English."""
    english = is_english(sentence, question)
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
        self._last: tuple[str, np.ndarray] = ("", np.zeros(0, dtype=np.float32))
        self._clauses: dict[str, np.ndarray] = {}  # passage vectors of source clauses

    def check(self, sentence: str, unit: Unit, question: str = "") -> Support:
        """Is the sentence supported by the unit? (see the module docstring)"""
        signals = self.signals(sentence, unit, question)
        if signals.reason:
            return signals
        ok = accepts(signals, self.settings)
        score = strength(signals, self.settings)
        return replace(signals, ok=ok, score=score, reason="" if ok else "not close enough")

    def signals(self, sentence: str, unit: Unit, question: str = "") -> Support:
        """The facts and negation verdicts (reason set when one fails), else the closeness
        signals with the passage that supports the sentence."""
        english = is_english(sentence, question)
        source = quotable_text(unit)
        facts = unit_facts(unit, self.docs.get(unit.doc))
        fact = missing_fact(sentence, facts, english) or (
            "" if english else garbled(sentence, source, self.vocabulary, known_words())
        )
        if fact:
            return Support(False, reason=f"not in source: {fact}")
        parts = split_sentences(source)
        matrix = self.vectors.of(unit.unit_id, parts)
        if matrix is None or self.vectors.embedder is None:
            return Support(False, reason="no embedder")
        q = self._vector(sentence)
        best, cos, lex = SupportChecker._best(sentence, question, digits(facts), parts, matrix, q)
        closest = self._closest(parts, matrix)
        if not negation_agrees(sentence, parts, closest, english, self._nearest):
            return Support(False, best, cos, lex, reason="negation differs", english=english)
        return Support(False, best, cos, lex, english=english)

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

    def _vector(self, sentence: str) -> np.ndarray:
        """The sentence in the query role; kept while it is checked against several sources."""
        last = self._last  # read once: another thread may replace it
        if last[0] == sentence:
            return last[1]
        embedder = self.vectors.embedder
        v = np.asarray(embedder.embed([sentence], "query"), dtype=np.float32)[0]  # type: ignore[union-attr]
        self._last = (sentence, v)
        return v

    def _closest(self, parts: list[str], matrix: np.ndarray) -> Callable[[str], str]:
        """The source sentence closest in meaning to a piece of text."""

        def closest(text: str) -> str:
            embedder = self.vectors.embedder
            v = np.asarray(embedder.embed([text], "query"), dtype=np.float32)[0]  # type: ignore[union-attr]
            return parts[int(np.argmax(matrix @ v))]

        return closest

    def _nearest(self, text: str, candidates: Sequence[str]) -> int:
        """Which candidate (a clause of a source sentence, in the passage role) is closest
        in meaning to the text (in the query role)."""
        embedder = self.vectors.embedder
        v = np.asarray(embedder.embed([text], "query"), dtype=np.float32)[0]  # type: ignore[union-attr]
        if len(self._clauses) > CLAUSE_CACHE:
            self._clauses = {}  # bounded: a long-running assistant sees many units
        clauses = self._clauses  # read once: another thread may replace it
        todo = [c for c in candidates if c not in clauses]
        if todo:
            rows = embedder.embed(todo, "passage")  # type: ignore[union-attr]
            clauses.update(zip(todo, np.asarray(rows, dtype=np.float32), strict=True))
        m = np.stack([clauses[c] for c in candidates])
        return int(np.argmax(m @ v))
