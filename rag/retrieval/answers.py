"""The answer side of a long question's dense score (rag/retrieval/hybrid.py): every unit's
answer embedded in the query role (``answer_vectors.npy``), centred on the mean of those
vectors, against the question centred the same way."""

from __future__ import annotations

import numpy as np

from rag.retrieval.sparse import NO_PASSAGE, SparseScores

ANSWER_MEAN_ROWS = 100_000  # the answers' mean from at most this many rows (evenly spaced)


class AnswerSide:
    """The units' query-role answer vectors centred on their mean (rows renormalised)."""

    def __init__(self, vectors: np.ndarray) -> None:
        step = max(1, len(vectors) // ANSWER_MEAN_ROWS)
        self.vectors = vectors
        self.mean = np.asarray(vectors[::step], dtype=np.float64).mean(axis=0).astype(np.float32)

    def cosines(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Centred cosine of the query vector with the answers of the given unit rows."""
        q = _unit(np.asarray(query, dtype=np.float32) - self.mean)
        a = np.asarray(self.vectors[np.asarray(rows, dtype=np.int64)], dtype=np.float32)
        return (_unit(a - self.mean) @ q).astype(np.float32)


def _unit(x: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.where(norm > 0, norm, 1.0)


class Blended:
    """A side's scores plus weight x the answer side's cosine, for the rows asked."""

    def __init__(self, base: SparseScores, answers: AnswerSide, query: np.ndarray, weight: float):
        self.base, self.answers, self.query, self.weight = base, answers, query, weight

    def __getitem__(self, rows):  # noqa: ANN001, ANN204 - as SparseScores
        one = np.isscalar(rows)
        rows = np.atleast_1d(np.asarray(rows, dtype=np.int64))
        base = np.atleast_1d(np.asarray(self.base[rows], dtype=np.float64))
        out = base + self.weight * self.answers.cosines(self.query, rows)
        out = np.where(base > NO_PASSAGE, out, base)  # a unit without passages stays lowest
        return float(out[0]) if one else out
