"""Hybrid retrieval over a loaded index: BM25 and dense rankings of units, fused.

Both sides rank UNITS: BM25 scores each unit's text; the dense side scores passages and a
unit takes the best of its passages. The fused ranking is reciprocal rank fusion
(``w / (rrf_k + rank)`` summed over the sides) or, with ``fusion = "weighted"``, a weighted
sum of min-max normalised scores. By default (``normalise = "union"``) every unit either side
proposed is scored on both sides (a BM25 candidate gets its real cosine, a dense candidate
its real BM25 score, 0 when it has none of the terms) and each side is normalised over that
union: a unit's share no longer depends on where the other side's candidate list happened
to end. Filters are applied before either side cuts its
candidates, so a filtered search still returns k hits when k units pass the filter.

A long question (a member's question pasted whole: ``retrieval.long_question_words`` words
or more, formulas taken out; a follow-up counts the words typed) reads more like a unit's
answer than like its Vraag or its pieces, and e5 matches two such texts best when both are
in the query role and centred on their common direction. For such a question the dense
side's candidates keep FAISS's order of proposal, but the score that is fused (and that
orders the dense mode) is the best passage's cosine plus ``answer_weight`` times the cosine
of the centred question with the unit's centred query-role answer vector
(``answer_vectors.npy``, rag/retrieval/answers.py). ``Hit.scores["dense"]`` stays the best
passage's cosine. An index built before those vectors existed is searched without them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rag.analysis.query import analyse
from rag.embedders.base import Embedder
from rag.errors import RagError
from rag.index.load import Index
from rag.retrieval.answers import AnswerSide, Blended
from rag.retrieval.masks import FilterMasks, Selection
from rag.retrieval.sparse import NO_PASSAGE, DenseScores, SparseScores, bm25_scores
from rag.settings import RetrievalSettings
from rag.types import DOC_KINDS as KINDS
from rag.types import RETRIEVAL_MODES as MODES
from rag.types import Filters, Hit, Query

PASSAGES_PER_UNIT = 3  # dense over-fetch: passages fetched per candidate unit


def rrf(rankings: dict[str, Sequence[int]], weights: dict[str, float], k: int) -> dict[int, float]:
    """Reciprocal rank fusion: row -> sum over sides of weight / (k + rank), ranks from 1."""
    fused: dict[int, float] = {}
    for side, rows in rankings.items():
        for rank, row in enumerate(rows, start=1):
            fused[row] = fused.get(row, 0.0) + weights[side] / (k + rank)
    return fused


NORMALISE = ("union", "own")


def weighted(
    rankings: dict[str, Sequence[int]],
    scores: dict[str, np.ndarray],
    weights: dict[str, float],
    over: str = "own",
) -> dict[int, float]:
    """Weighted sum of min-max normalised scores: over each side's own candidates ("own": a
    unit adds nothing for a side that did not propose it) or over the union of both sides'
    candidates, every unit with its real score on each side ("union")."""
    if over not in NORMALISE:
        raise RagError(f"unknown normalisation {over!r}; set retrieval.normalise to union or own")
    union = sorted({row for rows in rankings.values() for row in rows})
    fused: dict[int, float] = dict.fromkeys(union, 0.0) if over == "union" else {}
    for side, own in rankings.items():
        rows = union if over == "union" else list(own)
        if not len(own):
            continue  # a side without candidates has nothing to say about any unit
        values = np.asarray(scores[side][rows], dtype=np.float64)
        real = values[values > NO_PASSAGE]
        values = np.maximum(values, real.min() if len(real) else 0.0)  # no passage: lowest
        low, span = float(values.min()), float(values.max() - values.min()) or 1.0
        for row, value in zip(rows, values, strict=True):
            fused[row] = fused.get(row, 0.0) + weights[side] * (float(value) - low) / span
    return fused


def question_words(query: Query) -> int:
    """How long a question is: the words retrieval reads (formulas taken out), or for a
    follow-up, read with its earlier question, the words the user typed."""
    return len((query.text if query.context else query.search_text).split())


def top_rows(scores: np.ndarray, n: int, positive: bool = True) -> list[int]:
    """Rows of the n best scores, best first, ties by row; only scores > 0 when positive."""
    rows = np.flatnonzero(scores > 0) if positive else np.flatnonzero(np.isfinite(scores))
    order = rows[np.lexsort((rows, -scores[rows]))]
    return [int(r) for r in order[:n]]


def check_filters(index: Index, filters: Filters | None) -> None:
    """Refuse filters that name documents or kinds the index does not have."""
    if filters is None:
        return
    unknown = [d for d in filters.docs if d not in index.docs]
    if unknown:
        raise RagError(
            f"no document {unknown[0]!r} in the index; see `rag index info` for the documents"
        )
    bad = [k for k in filters.kinds if k not in KINDS]
    if bad:
        raise RagError(f"unknown document kind {bad[0]!r}; use one of {', '.join(KINDS)}")


class HybridRetriever:
    """The Retriever of rag.types over an Index; the embedder is needed for dense modes."""

    def __init__(
        self, index: Index, embedder: Embedder | None, settings: RetrievalSettings | None = None
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings or RetrievalSettings()
        if embedder is not None:
            index.check_embedder(embedder.name, embedder.dim)
        self.masks = FilterMasks(index)
        self._spans: tuple[np.ndarray, bool] | None = None
        self._answers: AnswerSide | bool | None = None  # False: the index has none

    def analyse(self, query: Query | str) -> Query:
        """The query as a Query, analysed with the index's own analyzer (once)."""
        return query if isinstance(query, Query) else analyse(query, self.index.lexical.analyzer)

    def search(
        self, query: Query | str, k: int = 5, mode: str = "hybrid", filters: Filters | None = None
    ) -> list[Hit]:
        """Top-k units for the query, best first, ranks from 1; at most one hit per unit."""
        if mode not in MODES:
            raise RagError(f"unknown search mode {mode!r}; use one of {', '.join(MODES)}")
        check_filters(self.index, filters)
        query = self.analyse(query)
        if k <= 0 or not query.search_text.strip():
            return []
        n = max(self.settings.candidates, k)
        sides = ("bm25", "dense") if mode == "hybrid" else (mode,)
        if "dense" in sides and query.vector is None:
            query = query.with_vector(self.query_vector(query))  # embedded once
        rankings, scores = self.rankings(query, sides, n, filters)
        fused = self._fuse(mode, rankings, self._long(query, scores), query.lang)
        return self._hits(fused, rankings, scores, k)

    def _long(self, query: Query, scores: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The scores to fuse: for a long question, the dense side blended with the answer
        side (module docstring); otherwise as they are."""
        s = self.settings
        answers = self._answer_side()
        if (
            "dense" not in scores
            or answers is None
            or s.answer_weight <= 0
            or question_words(query) < s.long_question_words
        ):
            return scores
        blended = Blended(scores["dense"], answers, self.query_vector(query), s.answer_weight)
        return {**scores, "dense": blended}  # type: ignore[dict-item]

    def _answer_side(self) -> AnswerSide | None:
        """The answer side of the index, built once; None when the index has none."""
        if self._answers is None:
            vectors = getattr(self.index, "answer_vectors", None)
            ok = vectors is not None and len(vectors) == len(self.index.unit_ids) > 0
            self._answers = AnswerSide(vectors) if ok else False
        return self._answers or None

    def rankings(
        self, query: Query | str, sides: Sequence[str], n: int, filters: Filters | None = None
    ) -> tuple[dict[str, list[int]], dict[str, np.ndarray]]:
        """Per side: the top-n unit rows, and every unit's score (before fusion)."""
        query = self.analyse(query)
        selection = self.masks.select(filters)
        mask = None if selection is None else selection.units
        rankings: dict[str, list[int]] = {}
        scores: dict[str, SparseScores] = {}
        if "bm25" in sides:
            scores["bm25"] = bm25_scores(self.index.lexical, query.terms, mask, n)
            rankings["bm25"] = scores["bm25"].top(n)
        if "dense" in sides:
            rankings["dense"], scores["dense"] = self._dense(query, selection, n)
        return rankings, scores  # type: ignore[return-value]

    def query_vector(self, query: Query | str) -> np.ndarray:
        """The query's vector: the one it carries, else its search text embedded now."""
        query = self.analyse(query)
        if query.vector is not None:
            return np.asarray(query.vector, dtype=np.float32)
        if self.embedder is None:
            raise RagError("dense and hybrid search need an embedder; pass one, or use mode bm25")
        return np.asarray(self.embedder.embed([query.search_text], "query")[0], dtype=np.float32)

    def _dense(
        self, query: Query, selection: Selection | None, n: int
    ) -> tuple[list[int], DenseScores]:
        """Candidate unit rows by their best passage among FAISS's candidates, and their
        scores; a unit FAISS did not return is scored from its own passages only if read."""
        q = self.query_vector(query)
        index = self.index
        k = n * PASSAGES_PER_UNIT
        if selection is None:
            ids, found = index.dense.search(q, k)
        else:
            ids, found = index.dense.search_selected(q, k, selection.passages, selection.bitmap)
        units = np.asarray(index.passage_unit)[ids]
        first = np.unique(units, return_index=True)[1]  # FAISS orders best first
        ranked = [int(u) for u in units[np.sort(first)][:n]]
        passages_of = self._passages_of()

        def exact(rows: np.ndarray) -> np.ndarray:
            out = np.full(len(rows), NO_PASSAGE, dtype=np.float32)
            for i, row in enumerate(rows):
                mine = passages_of(int(row))
                if len(mine):
                    out[i] = float(index.dense.exact(q, mine).max())
            return out

        return ranked, DenseScores(units[first], found[first], exact)

    def _passages_of(self):  # noqa: ANN202 - unit row -> its passage rows
        """Passage rows of a unit row: a slice when passages are stored in unit order."""
        if self._spans is None:
            pu = np.asarray(self.index.passage_unit)
            ordered = bool(len(pu) < 2 or np.all(pu[1:] >= pu[:-1]))
            self._spans = (pu, ordered)
        pu, ordered = self._spans
        if ordered:
            return lambda row: np.arange(*np.searchsorted(pu, [row, row + 1]))
        return lambda row: np.flatnonzero(pu == row)  # only for hit details

    def _fuse(
        self,
        mode: str,
        rankings: dict[str, list[int]],
        scores: dict[str, np.ndarray],
        lang: str = "nl",
    ) -> list[tuple[int, float]]:
        """(unit row, fused score), best first, ties by row; the dense side's weight
        depends on the question's language (BM25 reads only the corpus's Dutch)."""
        if mode != "hybrid":
            fused = {row: float(scores[mode][row]) for row in rankings[mode]}
        else:
            s = self.settings
            dense = s.dense_weight_en if lang == "en" else s.dense_weight
            weights = {"bm25": s.bm25_weight, "dense": dense}
            if s.fusion == "weighted":
                fused = weighted(rankings, scores, weights, s.normalise)
            elif s.fusion == "rrf":
                fused = rrf(rankings, weights, s.rrf_k)
            else:
                raise RagError(
                    f"unknown fusion {s.fusion!r}; set retrieval.fusion to rrf or weighted"
                )
        return sorted(fused.items(), key=lambda item: (-item[1], item[0]))

    def _hits(
        self,
        fused: list[tuple[int, float]],
        rankings: dict[str, list[int]],
        scores: dict[str, np.ndarray],
        k: int,
    ) -> list[Hit]:
        """Hits with per-side scores and ranks (rank 0: not among that side's candidates)."""
        ranks = {side: {row: r for r, row in enumerate(rows, 1)} for side, rows in rankings.items()}
        hits = []
        for rank, (row, score) in enumerate(fused[:k], start=1):
            detail: dict[str, float] = {}
            for side in rankings:
                detail[side] = round(float(scores[side][row]), 6)
                detail[f"{side}_rank"] = ranks[side].get(row, 0)
            unit = self.index.units[self.index.unit_ids[row]]
            hits.append(Hit(rank=rank, unit=unit, score=round(score, 6), scores=detail))
        return hits
