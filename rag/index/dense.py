"""The dense side: FAISS over L2-normalised passage vectors, inner product = cosine.

``flat`` (IndexFlatIP) is exact and the default; ``hnsw`` (IndexHNSWFlat) is approximate
and faster on large corpora. The vectors are also kept as a plain .npy file: they are the
source for incremental builds and for the brute-force oracle the tests compare against.
faiss is imported only inside functions (it is not needed for BM25-only searches).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import RagError

FAISS_TYPES = ("flat", "hnsw")
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 40
HNSW_EF_SEARCH = 128


def brute_force_topk(
    vectors: np.ndarray, query: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k rows by inner product with numpy: (ids, scores), best first."""
    scores = vectors @ query
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k] if k else np.zeros(0, dtype=np.int64)
    order = top[np.lexsort((top, -scores[top]))]
    return order.astype(np.int64), scores[order]


def make_faiss(kind: str, dim: int) -> Any:
    """An empty FAISS index of the named type for inner-product search."""
    import faiss

    if kind == "flat":
        return faiss.IndexFlatIP(dim)
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
        return index
    raise RagError(f"unknown FAISS index type {kind!r}; use one of {', '.join(FAISS_TYPES)}")


class DenseIndex:
    """A FAISS index and the vectors it was built from (row i = passage i)."""

    def __init__(self, index: Any, vectors: np.ndarray, kind: str) -> None:
        self.index = index
        self.vectors = vectors
        self.kind = kind

    @classmethod
    def build(cls, vectors: np.ndarray, kind: str = "flat") -> DenseIndex:
        """Index the vectors (float32, rows L2-normalised)."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        index = make_faiss(kind, vectors.shape[1])
        if len(vectors):
            index.add(vectors)
        return cls(index, vectors, kind)

    @property
    def dim(self) -> int:
        """Vector dimension."""
        return int(self.vectors.shape[1])

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k rows for one query vector, optionally only among allowed row ids."""
        n = len(self.vectors) if allowed is None else len(allowed)
        k = min(k, n)
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        scores, ids = self.index.search(q, k, params=self._params(allowed))
        keep = ids[0] >= 0
        return ids[0][keep].astype(np.int64), scores[0][keep]

    def _params(self, allowed: np.ndarray | None) -> Any:
        if allowed is None:
            return None
        import faiss

        selector = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
        if self.kind == "hnsw":
            return faiss.SearchParametersHNSW(sel=selector, efSearch=HNSW_EF_SEARCH)
        return faiss.SearchParameters(sel=selector)

    def save(self, faiss_path: Path, vectors_path: Path) -> None:
        """Write the FAISS file and the vectors (.npy, no pickle)."""
        import faiss

        faiss.write_index(self.index, str(faiss_path))
        np.save(vectors_path, self.vectors, allow_pickle=False)

    @classmethod
    def load(cls, faiss_path: Path, vectors_path: Path, kind: str) -> DenseIndex:
        """Read what save() wrote; the FAISS file must hold as many rows as the vectors."""
        import faiss

        vectors = np.load(vectors_path, allow_pickle=False)
        index = faiss.read_index(str(faiss_path))
        if index.ntotal != len(vectors) or index.d != vectors.shape[1]:
            raise ValueError(
                f"{faiss_path.name} holds {index.ntotal}x{index.d}, vectors {vectors.shape}"
            )
        if kind == "hnsw":
            index.hnsw.efSearch = HNSW_EF_SEARCH
        return cls(index, vectors, kind)


def library_versions() -> dict[str, str]:
    """faiss version, for the manifest."""
    import faiss

    return {"faiss": faiss.__version__}
