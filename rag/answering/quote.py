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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from rag.analysis.sentences import split_sentences
from rag.index.lexical import LexicalIndex
from rag.types import Query, Unit


@dataclass(frozen=True)
class Quote:
    """A verbatim sentence of a unit and how well it matches the question."""

    unit_id: str
    sentence: str
    score: float
    position: int


class Evidence:
    """Coverage of a query by the indexed units, read from the BM25 index's own postings:
    the gate sees exactly the terms BM25 indexed (text and footnotes, the index's analyzer)."""

    def __init__(self, lexical: LexicalIndex, rows: Sequence[str] | Mapping[str, int]) -> None:
        """rows: the unit ids in index order, or a lookup unit id -> row (``.get``)."""
        self.lexical = lexical
        self.analyzer = lexical.analyzer
        self.row = rows if hasattr(rows, "get") else {uid: i for i, uid in enumerate(rows)}
        self.n = max(lexical.size, 1)

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency (unseen terms get the highest value)."""
        return math.log(1 + self.n / (1 + len(self.lexical.rows_with(term))))

    def query_terms(self, query: Query) -> set[str]:
        """The query's terms that count as evidence (see the module docstring)."""
        if query.lang == "nl":
            return set(query.evidence_terms)
        known = {t for t in query.evidence_terms if len(self.lexical.rows_with(t))}
        return known | (set(query.evidence_terms) & query.names)

    def coverage(self, query: Query, unit_id: str) -> float:
        """IDF-weighted share of the query's terms found in the unit (0..1)."""
        terms = self.query_terms(query)
        total = sum(self.idf(t) for t in terms)
        row = self.row.get(unit_id)
        if not total or row is None:
            return 0.0
        have = [t for t in terms if _contains(self.lexical.rows_with(t), row)]
        return sum(self.idf(t) for t in have) / total

    def sentence_score(self, query: Query, sentence: str) -> float:
        """IDF-weighted overlap of a sentence with the query's terms."""
        words = set(self.analyzer.tokens(sentence))
        return sum(self.idf(t) for t in self.query_terms(query) & words)


def _contains(rows: np.ndarray, row: int) -> bool:
    i = int(np.searchsorted(rows, row))
    return i < len(rows) and int(rows[i]) == row


def quotable_text(unit: Unit) -> str:
    """What a quote may come from: the answer, else the question (unanswered), else the text."""
    return unit.answer or unit.question or unit.text


def best_sentences(evidence: Evidence, query: Query, unit: Unit, n: int) -> list[Quote]:
    """The unit's n sentences that best match the question, in document order, verbatim."""
    scored = [
        Quote(unit.unit_id, s, evidence.sentence_score(query, s), i)
        for i, s in enumerate(split_sentences(quotable_text(unit)))
        if len(s) > 3
    ]
    top = sorted(scored, key=lambda q: (-q.score, q.position))[:n]
    if top and top[0].score == 0:  # nothing matches: the opening sentences carry the answer
        top = scored[:n]
    return sorted(top, key=lambda q: q.position)
