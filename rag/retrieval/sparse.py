"""Per-query work proportional to the candidates, not to the corpus.

BM25 sums only the postings of the query's terms. When those are many (a long question at
10^6 units has 10^6 postings), they are added into one array, and only the rows that can
be in the top n leave it: those at or above the n-th best score among the rows of the
rarest terms (n real rows reach it, so the top n are all at or above it). The dense side
keeps FAISS's candidates.
A side's unit scores are a ``SparseScores``: the candidates' scores, and a default for every
other unit (BM25: 0, the unit has none of the terms or is filtered out). The dense side's
``DenseScores`` computes a non-candidate unit's score only when someone reads it (the hit
details of a unit BM25 found): the best of its own passages, exactly as a full scan would.
Both index like the arrays they replace (``scores[row]``, ``scores[list_of_rows]``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from rag.index.bm25_arrays import DENSE_ACCUMULATE, csc_arrays, postings_scores

NO_PASSAGE = -1.0  # the dense score of a unit without passages


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
        super().__init__(rows, values, default=NO_PASSAGE)
        self.exact = exact

    def _missing(self, rows: np.ndarray) -> np.ndarray:
        return np.asarray(self.exact(rows), dtype=np.float32)


Segment = tuple[tuple[np.ndarray, np.ndarray, np.ndarray], list[int], int, int]
ARRAY_SHARE = DENSE_ACCUMULATE  # postings >= rows / this: one array, rows cut at a bound
BOUND_ROWS = 4  # the bound is taken over the rarest terms' rows, at least this many x n


class BM25Scores(SparseScores):
    """The candidate rows' scores; any other row's read from its segment's full array
    (a segment with few postings has all its scoring rows among the candidates)."""

    def __init__(
        self,
        rows: np.ndarray,
        values: np.ndarray,
        arrays: list[tuple[int, np.ndarray | None]],
        mask: np.ndarray | None,
    ) -> None:
        super().__init__(rows, values, default=0.0)
        self.arrays, self.mask = arrays, mask

    def _missing(self, rows: np.ndarray) -> np.ndarray:
        out = np.zeros(len(rows), dtype=np.float32)
        for offset, full in self.arrays:
            mine = (rows >= offset) & (rows < offset + (0 if full is None else len(full)))
            if full is not None:
                out[mine] = full[rows[mine] - offset]
        if self.mask is not None:
            out[~self.mask[rows]] = 0.0
        return out


Found = tuple[np.ndarray, np.ndarray, np.ndarray | None]


def segment_scores(
    arrays: tuple[np.ndarray, ...], ids: list[int], size: int, n: int, mask: np.ndarray | None
) -> Found:
    """(rows, scores, every row's score or None) of one segment: every row that has a term
    when the postings are few, else the rows that can be in the top n (and the array)."""
    indptr, indices, data = arrays
    spans = [(int(indptr[t]), int(indptr[t + 1])) for t in ids]
    if n <= 0 or sum(b - a for a, b in spans) * ARRAY_SHARE < size:
        rows, values = postings_scores(*arrays, ids, size)
        if mask is not None:
            keep = mask[rows]
            rows, values = rows[keep], values[keep]
        return rows, values, None
    full = np.zeros(size, dtype=np.float32)
    for a, b in spans:  # a term's rows are distinct: one fancy add per term is exact
        full[indices[a:b]] += data[a:b]
    bound = nth_bound(full, indices, spans, n, mask)
    keep = full >= bound if bound > 0 else full > 0
    if mask is not None:
        keep &= mask
    rows = np.flatnonzero(keep)
    return rows, full[rows], full


def nth_bound(full: np.ndarray, indices: np.ndarray, spans: list[tuple[int, int]], n: int,
              mask: np.ndarray | None) -> float:  # fmt: skip
    """A score n allowed rows reach: the n-th best among the rarest terms' rows (0: fewer)."""
    seen, count = [], 0
    for a, b in sorted(spans, key=lambda span: span[1] - span[0]):
        rows = np.asarray(indices[a:b])
        seen.append(rows if mask is None else rows[mask[rows]])
        count += len(seen[-1])
        if count >= BOUND_ROWS * n:
            break
    rows = np.unique(np.concatenate(seen)) if seen else np.zeros(0, dtype=np.int64)
    if len(rows) < n:
        return 0.0
    values = full[rows]
    return float(np.partition(values, len(values) - n)[len(values) - n])


def segments(lexical: object, terms: Sequence[str]) -> list[Segment] | None:
    """(CSC arrays, term ids, first row, rows) per BM25 segment; None without CSC arrays."""
    own = getattr(lexical, "segments", None)
    if own is not None:  # a segmented index (main + delta)
        return own(terms)
    arrays = csc_arrays(lexical.bm25)  # type: ignore[attr-defined]
    if arrays is None:
        return None
    ids = lexical.bm25.get_tokens_ids(list(terms))  # type: ignore[attr-defined]
    return [(arrays, ids, 0, int(lexical.size))]  # type: ignore[attr-defined]


def bm25_scores(
    lexical: object, terms: Sequence[str], mask: np.ndarray | None, n: int = 0
) -> SparseScores:
    """A LexicalIndex's BM25 scores for the terms, filtered: every row that has one, or
    with n > 0 and many postings a set of rows that surely holds the top n."""
    parts = segments(lexical, terms)
    if parts is None:  # an index type without CSC arrays: the dense array
        full = lexical.term_scores(terms)  # type: ignore[attr-defined]
        rows = np.flatnonzero(full if mask is None else full * mask)
        return SparseScores(rows, full[rows], default=0.0)
    found, arrays = [], []
    for csc, ids, offset, size in parts:
        part_mask = None if mask is None else mask[offset : offset + size]
        rows, values, full = segment_scores(csc, ids, size, n, part_mask)
        found.append((rows + offset, values))
        arrays.append((offset, full))
    rows = np.concatenate([r for r, _ in found])
    values = np.concatenate([v for _, v in found])
    return BM25Scores(rows, values, arrays, mask)
