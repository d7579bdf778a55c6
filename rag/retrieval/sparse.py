"""Per-query work proportional to the candidates, not to the corpus.

BM25 sums only the postings of the query's terms; the dense side keeps FAISS's candidates.
A side's unit scores are a ``SparseScores``: the candidates' scores, and a default for every
other unit (BM25: 0, the unit has none of the terms or is filtered out). The dense side's
``DenseScores`` computes a non-candidate unit's score only when someone reads it (the hit
details of a unit BM25 found): the best of its own passages, exactly as a full scan would.
Both index like the arrays they replace (``scores[row]``, ``scores[list_of_rows]``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from rag.index.bm25_arrays import csc_arrays, postings_scores


class SparseScores:
    """Scores of some rows (sorted, unique) and a default for the rest."""

    def __init__(self, rows: np.ndarray, values: np.ndarray, default: float = 0.0) -> None:
        order = np.argsort(rows, kind="stable")
        self.rows = np.asarray(rows, dtype=np.int64)[order]
        self.values = np.asarray(values, dtype=np.float32)[order]
        self.default = default

    def __len__(self) -> int:
        return len(self.rows)

    def _missing(self, rows: np.ndarray) -> np.ndarray:
        return np.full(len(rows), self.default, dtype=np.float32)

    def __getitem__(self, key: int | Sequence[int] | np.ndarray) -> float | np.ndarray:
        rows = np.atleast_1d(np.asarray(key, dtype=np.int64))
        at = np.searchsorted(self.rows, rows)
        at_ok = np.minimum(at, max(len(self.rows) - 1, 0))
        found = (at < len(self.rows)) & (self.rows[at_ok] == rows) if len(self.rows) else at < 0
        out = np.empty(len(rows), dtype=np.float32)
        out[found] = self.values[at_ok[found]]
        if not found.all():
            out[~found] = self._missing(rows[~found])
        return float(out[0]) if np.ndim(key) == 0 else out

    def top(self, n: int, positive: bool = True) -> list[int]:
        """Rows of the n best scores, best first, ties by row; only scores > 0 when positive."""
        keep = self.values > 0 if positive else np.isfinite(self.values)
        rows, values = self.rows[keep], self.values[keep]
        if len(rows) > 4 * n > 0:  # cut to the n best (and their ties) before sorting
            kth = np.partition(values, len(values) - n)[len(values) - n]
            rows, values = rows[values >= kth], values[values >= kth]
        order = np.lexsort((rows, -values))
        return [int(r) for r in rows[order][:n]]


class DenseScores(SparseScores):
    """FAISS's candidate units with their best passage score; other units computed on read."""

    def __init__(
        self, rows: np.ndarray, values: np.ndarray, exact: Callable[[np.ndarray], np.ndarray]
    ) -> None:
        super().__init__(rows, values, default=-1.0)
        self.exact = exact

    def _missing(self, rows: np.ndarray) -> np.ndarray:
        return np.asarray(self.exact(rows), dtype=np.float32)


def bm25_scores(lexical: object, terms: Sequence[str], mask: np.ndarray | None) -> SparseScores:
    """A LexicalIndex's BM25 scores for the terms, only the rows that have one, filtered."""
    search = getattr(lexical, "sparse_scores", None)
    if search is not None:  # a segmented index (main + delta) scores itself
        rows, values = search(terms)
    else:
        arrays = csc_arrays(lexical.bm25)  # type: ignore[attr-defined]
        if arrays is None:  # an index type without CSC arrays: the dense array
            full = lexical.term_scores(terms)  # type: ignore[attr-defined]
            rows = np.flatnonzero(full)
            values = full[rows]
        else:
            ids = lexical.bm25.get_tokens_ids(list(terms))  # type: ignore[attr-defined]
            rows, values = postings_scores(*arrays, ids, lexical.size)  # type: ignore[attr-defined]
    if mask is not None:
        keep = mask[rows]
        rows, values = rows[keep], values[keep]
    return SparseScores(rows, values, default=0.0)
