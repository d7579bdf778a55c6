""" "Has this been asked before?": earlier questions in the corpus that ask the same thing.

A new question is matched against the QUESTION text of units (not their answers), with
BM25 over the question texts and the question vectors stored in the index, fused by
reciprocal rank fusion as in retrieval. Each match carries the address of its answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rag.analysis.lang import detect
from rag.analysis.terms import Analyzer
from rag.embedders.base import Embedder
from rag.errors import RagError
from rag.index.lexical import LexicalIndex
from rag.index.load import Index
from rag.retrieval.hybrid import MODES, top_rows, weighted
from rag.settings import RetrievalSettings
from rag.types import Unit


@dataclass(frozen=True)
class Asked:
    """An earlier question and where its answer is (if it was answered)."""

    rank: int
    unit: Unit
    score: float
    answered: bool
    kenmerk: str | None = None
    title: str = ""
    date: str | None = None
    scores: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the question, its answer's address and the scores."""
        u = self.unit
        return {
            "rank": self.rank,
            "doc": u.doc,
            "unit_id": u.unit_id,
            "vraag": list(u.vraag) if u.vraag is not None else None,
            "label": u.label,
            "kenmerk": self.kenmerk,
            "title": self.title,
            "date": self.date,
            "answered": self.answered,
            "score": self.score,
            "scores": self.scores,
            "question": u.question,
            "answer": u.answer,
        }


class QuestionFinder:
    """Finds earlier questions like a new one; the embedder is needed for dense modes."""

    def __init__(
        self, index: Index, embedder: Embedder | None, settings: RetrievalSettings | None = None
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings or RetrievalSettings()
        self._lexical: LexicalIndex | None = None
        if embedder is not None:
            index.check_embedder(embedder.name, embedder.dim)

    @property
    def lexical(self) -> LexicalIndex:
        """BM25 over the question texts (built on first use; it takes milliseconds)."""
        if self._lexical is None:
            lex = self.index.manifest.lexical
            texts = [self.index.units[uid].question for uid in self.index.question_ids]
            analyzer = Analyzer(stemmer_name=lex.stemmer)
            self._lexical = LexicalIndex.build(texts, analyzer, lex.k1, lex.b)
        return self._lexical

    def find(self, question: str, k: int = 5, mode: str = "hybrid") -> list[Asked]:
        """The k earlier questions most like this one, best first."""
        if mode not in MODES:
            raise RagError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
        if k <= 0 or not question.strip() or not self.index.question_ids:
            return []
        n = max(self.settings.candidates, k)
        scores: dict[str, np.ndarray] = {}
        if mode in ("bm25", "hybrid"):
            scores["bm25"] = self.lexical.scores(question)
        if mode in ("dense", "hybrid"):
            if self.embedder is None:
                raise RagError("dense and hybrid matching need an embedder; or use mode bm25")
            q = np.asarray(self.embedder.embed([question], "query")[0], dtype=np.float32)
            scores["dense"] = self.index.question_vectors @ q
        rankings = {side: top_rows(s, n, positive=side == "bm25") for side, s in scores.items()}
        if mode == "hybrid":  # the fusion of retrieval, its dense weight by language
            s = self.settings
            dense = s.dense_weight_en if detect(question) == "en" else s.dense_weight
            fused = weighted(rankings, scores, {"bm25": s.bm25_weight, "dense": dense})
        else:
            fused = {row: float(scores[mode][row]) for row in rankings[mode]}
        ordered = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:k]
        return [
            self._asked(rank, row, score, scores) for rank, (row, score) in enumerate(ordered, 1)
        ]

    def _asked(self, rank: int, row: int, score: float, scores: dict[str, np.ndarray]) -> Asked:
        unit = self.index.units[self.index.question_ids[row]]
        meta = self.index.docs.get(unit.doc)
        return Asked(
            rank=rank,
            unit=unit,
            score=round(score, 6),
            answered=bool(unit.answer.strip()),
            kenmerk=meta.kenmerk if meta else None,
            title=meta.title if meta else "",
            date=(meta.date or meta.date_sent) if meta else None,
            scores={side: round(float(s[row]), 6) for side, s in scores.items()},
        )
