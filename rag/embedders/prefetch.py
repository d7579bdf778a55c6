"""An embedder wrapper that embeds a known list of queries in batches up front (evaluation)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rag.embedders.base import Embedder, Kind


class PrefetchedQueries:
    """An Embedder that embeds a known list of queries in batches up front, then serves them.

    Evaluation asks thousands of single-query searches; one batched pass is many times
    faster on a CPU than one model call per query. Other texts go to the wrapped embedder.
    """

    def __init__(self, inner: Embedder, queries: Sequence[str], batch: int = 64) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        unique = list(dict.fromkeys(queries))
        vectors = [
            inner.embed(unique[i : i + batch], "query") for i in range(0, len(unique), batch)
        ]
        rows = np.concatenate(vectors) if vectors else np.zeros((0, self.dim), np.float32)
        self.cache = {q: rows[i] for i, q in enumerate(unique)}

    def embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        """Cached vectors for known queries, the wrapped embedder for anything else."""
        if kind == "query" and all(t in self.cache for t in texts):
            return (
                np.stack([self.cache[t] for t in texts]) if texts else self.inner.embed(texts, kind)
            )
        return self.inner.embed(texts, kind)
