"""Evidence strength and the quoting answer: verbatim sentences of the best units.

Coverage of a question by a unit is the IDF-weighted share of the question's terms that
occur in the unit; a term the corpus has never seen gets the highest weight, because a topic
word the corpus lacks ("kernfysica", "TikTok") is strong evidence that the question is about
something else. The corpus is Dutch, so for an English question only the terms the corpus
knows and name-like words (capitalised or with digits: "TikTok", "ASML") count; its everyday
English words would count as unseen. The threshold (AnswerSettings.min_relevance) is chosen
on the development set (eval/RESULTS.md).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rag.lang import detect
from rag.lexical import Analyzer, fold
from rag.types import Unit
from rag.verify import split_sentences

_ENGLISH_STOPWORDS_TEXT = (
    "the a an and of in is on that this with for are there what who which how why has have "
    "can could does do did was were be been by to from about it its as or but they we you "
    "your their any did dutch netherlands government cabinet minister"
)
ENGLISH_STOPWORDS = frozenset(_ENGLISH_STOPWORDS_TEXT.split())
NAME_LIKE = re.compile(r"\b(?:[A-Z][\w-]*[A-Z0-9][\w-]*|[A-Z][a-z]+|\w*\d\w*)\b")


@dataclass(frozen=True)
class Quote:
    """A verbatim sentence of a unit and how well it matches the question."""

    unit_id: str
    sentence: str
    score: float
    position: int


class Evidence:
    """Term statistics of the indexed units, for coverage and sentence scoring."""

    def __init__(self, units: Iterable[Unit], analyzer: Analyzer | None = None) -> None:
        self.analyzer = analyzer or Analyzer()
        self.terms: dict[str, frozenset[str]] = {}
        df: Counter[str] = Counter()
        for unit in units:
            terms = frozenset(self.analyzer.tokens(unit.text))
            self.terms[unit.unit_id] = terms
            df.update(terms)
        self.n = max(len(self.terms), 1)
        self.df = df

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency (unseen terms get the highest value)."""
        return math.log(1 + self.n / (1 + self.df.get(term, 0)))

    def question_terms(self, question: str) -> set[str]:
        """The question's terms that count as evidence (see the module docstring)."""
        words = [w for w in re.findall(r"\w\w+", question) if fold(w) not in ENGLISH_STOPWORDS]
        terms = set(self.analyzer.tokens(" ".join(words)))
        if detect(question) == "nl":
            return terms
        names = {t for w in NAME_LIKE.findall(question) for t in self.analyzer.tokens(w)}
        return {t for t in terms if t in self.df or t in names}

    def coverage(self, question: str, unit_id: str) -> float:
        """IDF-weighted share of the question's terms found in the unit (0..1)."""
        terms = self.question_terms(question)
        total = sum(self.idf(t) for t in terms)
        if not total:
            return 0.0
        have = self.terms.get(unit_id, frozenset())
        return sum(self.idf(t) for t in terms if t in have) / total

    def sentence_score(self, question: str, sentence: str) -> float:
        """IDF-weighted overlap of a sentence with the question's terms."""
        terms = self.question_terms(question)
        words = set(self.analyzer.tokens(sentence))
        return sum(self.idf(t) for t in terms & words)


def quotable_text(unit: Unit) -> str:
    """What a quote may come from: the answer, else the question (unanswered), else the text."""
    return unit.answer or unit.question or unit.text


def best_sentences(evidence: Evidence, question: str, unit: Unit, n: int) -> list[Quote]:
    """The unit's n sentences that best match the question, in document order, verbatim."""
    sentences = [s for s in split_sentences(quotable_text(unit)) if len(s) > 3]
    scored = [
        Quote(unit.unit_id, s, evidence.sentence_score(question, s), i)
        for i, s in enumerate(sentences)
    ]
    top = sorted(scored, key=lambda q: (-q.score, q.position))[:n]
    if top and top[0].score == 0:  # nothing matches: the opening sentences carry the answer
        top = scored[:n]
    return sorted(top, key=lambda q: q.position)
