"""The query path as it was before the scale work (commit f111028), kept as the baseline.

Per query it builds a full score array per side: BM25 sums postings into an array of all
units and masks it with np.where; the dense side scores every passage (vectors @ q) and
takes each unit's best with np.maximum.at; a filter is a Python pass over every unit.
`rag bench --only scale` prints its figures beside the current path's, and the tests use it
as the oracle the candidates-only path must agree with.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rag.retrieval.hybrid import PASSAGES_PER_UNIT, HybridRetriever, top_rows
from rag.types import Filters, Query


class FullScanRetriever(HybridRetriever):
    """HybridRetriever with the old per-query full scans (same fusion and hit assembly)."""

    def rankings(
        self, query: Query | str, sides: Sequence[str], n: int, filters: Filters | None = None
    ) -> tuple[dict[str, list[int]], dict[str, np.ndarray]]:
        """Per side: the top-n unit rows, and every unit's score (full arrays)."""
        query = self.analyse(query)
        mask = self.full_mask(filters)
        rankings: dict[str, list[int]] = {}
        scores: dict[str, np.ndarray] = {}
        if "bm25" in sides:
            scores["bm25"] = self.index.lexical.term_scores(query.terms)
            if mask is not None:
                scores["bm25"] = np.where(mask, scores["bm25"], 0.0)
            rankings["bm25"] = top_rows(scores["bm25"], n)
        if "dense" in sides:
            rankings["dense"], scores["dense"] = self.full_dense(query, mask, n)
        return rankings, scores

    def full_mask(self, filters: Filters | None) -> np.ndarray | None:
        """The old mask: every unit's document checked, per query."""
        if filters is None or filters == Filters():
            return None
        ok = {doc: filters.allows(meta) for doc, meta in self.index.docs.items()}
        return np.array([ok[u.doc] for u in self.index.units.values()], dtype=bool)

    def full_dense(
        self, query: Query, mask: np.ndarray | None, n: int
    ) -> tuple[list[int], np.ndarray]:
        """The old dense side: FAISS for the ranking, a full scan for every unit's score."""
        q = self.query_vector(query)
        index = self.index
        allowed = None if mask is None else np.flatnonzero(mask[index.passage_unit])
        ids, _ = index.dense.search(q, n * PASSAGES_PER_UNIT, allowed)
        ranked = list(dict.fromkeys(int(index.passage_unit[i]) for i in ids))[:n]
        unit_scores = np.full(len(index.units), -1.0, dtype=np.float32)
        np.maximum.at(unit_scores, index.passage_unit, index.dense.vectors @ q)
        return ranked, unit_scores
