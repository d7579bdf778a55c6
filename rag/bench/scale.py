"""Scale run of the dense side: exact vs approximate FAISS on synthetic corpora.

Each (size, index type) runs in its own subprocess (`python -m rag.bench.scale`) so its
peak memory (ru_maxrss) is its own. Vectors are the real corpus vectors replicated with
noise (clustered like real data; uniform random vectors are an unrealistically hard case).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

N_QUERIES = 200


def synthetic(base: np.ndarray, n: int, seed: int = 0, noise: float = 0.35) -> np.ndarray:
    """n unit vectors: rows of base, replicated, each with Gaussian noise, renormalised."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, base.shape[1]), dtype=np.float32)
    step = 100_000
    for start in range(0, n, step):
        m = min(step, n - start)
        rows = base[rng.integers(0, len(base), m)]
        block = rows + rng.normal(0, noise / np.sqrt(base.shape[1]), rows.shape).astype(np.float32)
        out[start : start + m] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def make_index(kind: str, dim: int, n: int):  # noqa: ANN201 - faiss type
    """The FAISS index the product would use: exact inner product, HNSW, or IVF."""
    import faiss

    if kind == "flat":
        return faiss.IndexFlatIP(dim)
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 40
        index.hnsw.efSearch = 64
        return index
    nlist = max(16, int(4 * np.sqrt(n)))
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
    index.nprobe = max(8, nlist // 32)
    return index


def run_one(kind: str, n: int, base: np.ndarray) -> dict:
    """Build one index over n synthetic vectors; time build and single-query searches."""
    vectors = synthetic(base, n)
    queries = synthetic(base, N_QUERIES, seed=1)
    index = make_index(kind, vectors.shape[1], n)
    t0 = time.perf_counter()
    if not index.is_trained:
        index.train(vectors[: min(n, 100_000)])
    index.add(vectors)
    build_s = time.perf_counter() - t0
    latencies, found = [], []
    for q in queries:
        t = time.perf_counter()
        _, ids = index.search(q[None, :], 10)
        latencies.append(time.perf_counter() - t)
        found.append(ids[0])
    return {
        "type": kind,
        "n": n,
        "build_s": round(build_s, 3),
        "search_p50_ms": round(float(np.percentile(latencies, 50)) * 1000, 3),
        "search_p95_ms": round(float(np.percentile(latencies, 95)) * 1000, 3),
        "index_mb": round(_index_bytes(index) / 1e6, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "found": np.asarray(found).tolist(),
    }


def _index_bytes(index) -> int:  # noqa: ANN001 - faiss type
    import faiss

    return int(faiss.serialize_index(index).nbytes)


def recall_at_10(exact: list[list[int]], approx: list[list[int]]) -> float:
    """Mean share of the exact top-10 that the approximate index also returns."""
    shares = [len(set(e) & set(a)) / 10 for e, a in zip(exact, approx, strict=True)]
    return float(np.mean(shares))


def scale_run(base_path: Path, sizes: list[int], kinds: list[str]) -> list[dict]:
    """Run every (size, kind) in a subprocess and add recall@10 against the exact index."""
    rows = []
    for n in sizes:
        exact_found = None
        for kind in ["flat", *[k for k in kinds if k != "flat"]]:
            cmd = [sys.executable, "-m", "rag.bench.scale", str(base_path), str(n), kind]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True)
            row = json.loads(out.stdout)
            found = row.pop("found")
            if kind == "flat":
                exact_found = found
            row["recall@10"] = round(recall_at_10(exact_found, found), 4)
            rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description="one scale-run cell (used by rag bench)")
    parser.add_argument("base", help=".npy file of real unit vectors to replicate")
    parser.add_argument("n", type=int)
    parser.add_argument("kind", choices=["flat", "hnsw", "ivf"])
    args = parser.parse_args()
    base = np.load(args.base).astype(np.float32)
    print(json.dumps(run_one(args.kind, args.n, base)))


if __name__ == "__main__":
    main()
