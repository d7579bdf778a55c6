"""The dense side: FAISS over L2-normalised passage vectors, inner product = cosine.

``flat`` (IndexFlatIP) is exact and the default; ``hnsw`` (IndexHNSWFlat) and ``ivf``
are approximate and fast on large corpora: docs/SCALE.md has the measured recall and
latency. From PQ_FROM vectors on, ``ivf`` lists hold product-quantised codes scanned with
SIMD (IndexIVFPQFastScan: 4 bits per 2 dimensions, 1/16 of the float bytes) and the best
RESCORE of them are re-scored exactly from the float vectors, so the order and the scores
returned are exact inner products; below PQ_FROM (and in older files) the lists hold the
float vectors (IndexIVFFlat). IVF lists are memory-mapped on load. The vectors are also
kept as a plain .npy file (memory-mapped on load): they are the source for incremental
builds, for the exact score of a unit FAISS did not return, for re-scoring, for small
filtered searches and for the brute-force oracle the tests compare against. faiss is
imported only inside functions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import RagError

FAISS_TYPES = ("flat", "hnsw", "ivf")
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 40
HNSW_EF_SEARCH = 128
IVF_NPROBE = 384  # measured on the scale corpus: the recall/latency sweep in docs/SCALE.md
PQ_FROM = 20_000  # IVF with PQ fast-scan codes from this many vectors on; float lists below
RESCORE = 1000  # PQ candidates re-scored exactly from the vectors (at least k)
IVF_TRAIN_MAX = 50_000  # k-means sample (>= 39 per list up to 10^6 vectors)
EXACT_SELECTION_MAX = 20_000  # a filter allowing fewer passages is searched exactly


def ivf_lists(n: int) -> int:
    """Number of IVF lists for n vectors: ~sqrt(n), at least 1, at most n / 39."""
    return int(max(1, min(np.sqrt(max(n, 1)), n // 39 or 1)))


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


def make_ivf(vectors: np.ndarray, nprobe: int = IVF_NPROBE) -> Any:
    """An IVF inner-product index trained on (a sample of) the vectors, still empty: PQ
    fast-scan codes (2 dimensions a code) from PQ_FROM vectors on, float lists below."""
    import faiss

    dim, lists = vectors.shape[1], ivf_lists(len(vectors))
    quantizer, ip = faiss.IndexFlatIP(dim), faiss.METRIC_INNER_PRODUCT
    if len(vectors) >= PQ_FROM and dim % 2 == 0:
        index = faiss.IndexIVFPQFastScan(quantizer, dim, lists, dim // 2, 4, ip)
    else:
        index = faiss.IndexIVFFlat(quantizer, dim, lists, ip)
    step = max(1, len(vectors) // IVF_TRAIN_MAX)
    sample = vectors[::step][:IVF_TRAIN_MAX] if len(vectors) else np.zeros((1, dim))
    index.train(np.ascontiguousarray(sample, dtype=np.float32))  # an empty index: one list
    index.nprobe = nprobe
    return index


class DenseIndex:
    """A FAISS index and the vectors it was built from (row i = passage i)."""

    def __init__(self, index: Any, vectors: np.ndarray, kind: str) -> None:
        self.index = index
        self.vectors = vectors
        self.kind = kind
        self.rescore = kind == "ivf" and int(index.code_size) < 4 * int(index.d)  # PQ codes

    @classmethod
    def build(cls, vectors: np.ndarray, kind: str = "flat") -> DenseIndex:
        """Index the vectors (float32, rows L2-normalised)."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        index = make_ivf(vectors) if kind == "ivf" else make_faiss(kind, vectors.shape[1])
        for start in range(0, len(vectors), 100_000):  # bounded temporary memory
            index.add(vectors[start : start + 100_000])
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
        return self._faiss(query, k, self._params(allowed))

    def search_selected(
        self, query: np.ndarray, k: int, rows: np.ndarray, bitmap: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k among the allowed rows (sorted), cost independent of the corpus size: a
        small selection is scored exactly from the vectors, a large one through FAISS
        with a bitmap selector (bitmap: the allowed rows packed, little-endian bits)."""
        if len(rows) <= EXACT_SELECTION_MAX:
            found, scores = brute_force_topk(self.vectors[rows], query.astype(np.float32), k)
            return rows[found], scores
        import faiss

        selector = faiss.IDSelectorBitmap(len(bitmap), faiss.swig_ptr(bitmap))
        return self._faiss(query, min(k, len(rows)), self._with(selector))

    def _faiss(self, query: np.ndarray, k: int, params: Any) -> tuple[np.ndarray, np.ndarray]:
        """FAISS's top k (quantised candidates re-scored exactly), best first."""
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        scores, ids = self.index.search(q, max(k, RESCORE) if self.rescore else k, params=params)
        ids = ids[0][ids[0] >= 0].astype(np.int64)
        if not self.rescore:
            return ids, scores[0][: len(ids)]
        rows = np.sort(ids)  # ascending: the vector file read in order
        exact = np.asarray(self.vectors[rows] @ q[0], dtype=np.float32)
        order = np.lexsort((rows, -exact))[:k]
        return rows[order], exact[order]

    def exact(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Exact inner products of the given rows with the query (from the vectors)."""
        return np.asarray(self.vectors[np.asarray(rows, dtype=np.int64)] @ query, np.float32)

    def _params(self, allowed: np.ndarray | None) -> Any:
        if allowed is None:
            return None
        import faiss

        return self._with(faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64)))

    def _with(self, selector: Any) -> Any:
        import faiss

        if self.kind == "hnsw":
            return faiss.SearchParametersHNSW(sel=selector, efSearch=HNSW_EF_SEARCH)
        if self.kind == "ivf":
            return faiss.SearchParametersIVF(sel=selector, nprobe=int(self.index.nprobe))
        return faiss.SearchParameters(sel=selector)

    def save_faiss(self, faiss_path: Path) -> None:
        """Write the FAISS file only (the vectors are already on disk)."""
        import faiss

        faiss.write_index(self.index, str(faiss_path))

    def save(self, faiss_path: Path, vectors_path: Path) -> None:
        """Write the FAISS file and the vectors (.npy, no pickle)."""
        import faiss

        faiss.write_index(self.index, str(faiss_path))
        np.save(vectors_path, self.vectors, allow_pickle=False)

    @classmethod
    def load(cls, faiss_path: Path, vectors_path: Path, kind: str) -> DenseIndex:
        """Read what save() wrote; the FAISS file must hold as many rows as the vectors."""
        import faiss

        vectors = np.load(vectors_path, mmap_mode="r", allow_pickle=False)
        flags = faiss.IO_FLAG_MMAP if kind == "ivf" else 0  # lists paged in as probed
        index = faiss.read_index(str(faiss_path), flags)
        if index.ntotal != len(vectors) or index.d != vectors.shape[1]:
            raise ValueError(
                f"{faiss_path.name} holds {index.ntotal}x{index.d}, vectors {vectors.shape}"
            )
        if kind == "hnsw":
            index.hnsw.efSearch = HNSW_EF_SEARCH
        if kind == "ivf":  # the search parameters are the code's, not the file's
            index.nprobe = min(IVF_NPROBE, index.nlist)
        return cls(index, vectors, kind)


def library_versions() -> dict[str, str]:
    """faiss version, for the manifest."""
    import faiss

    return {"faiss": faiss.__version__}
