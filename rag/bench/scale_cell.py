"""One cell of the scale run, in its own process so its load time and peak memory are its own.

    python -m rag.bench.scale_cell new FOLDER QUERIES   the current path on a lazy index
    python -m rag.bench.scale_cell old FOLDER QUERIES   the path before (scale_baseline.py)
    python -m rag.bench.scale_cell add FOLDER POOL      add 1,000 units to a copy of FOLDER

QUERIES is a .npz of real questions (texts) and their vectors (query embedding is timed
apart, by the caller). Each prints one JSON object.
"""

from __future__ import annotations

import os

# One thread per query, for both paths: on a shared 2-core machine a multi-threaded single
# query waits for busy cores at every OpenMP/BLAS barrier (set before numpy and faiss load).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from rag.analysis.query import analyse  # noqa: E402
from rag.bench.run import percentiles  # noqa: E402
from rag.types import Filters  # noqa: E402

FILTER = Filters(kinds=("answers",), date_from="2010-01-01", date_to="2014-12-31")
TOLERANCES = (1e-6, 1e-3, 5e-3)  # a hit counts if its exact score is this close to the 10th
OLD_LOAD_MAX = 100_000  # the old loader is run up to this size (beyond: GBs of objects)


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB: VmHWM, which starts afresh at
    exec (ru_maxrss keeps the launching process's resident size across fork and exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _queries(path: Path, analyzer) -> list:  # noqa: ANN001
    data = np.load(path, allow_pickle=False)
    return [analyse(str(t), analyzer).with_vector(v) for t, v in zip(data["texts"],
            data["vectors"], strict=True)]  # fmt: skip


def _timed(retriever, queries: list, **kw) -> dict:  # noqa: ANN001
    """Wall-clock percentiles, and CPU time per query (what a busy machine cannot inflate)."""
    retriever.search(queries[0], k=10, **kw)  # warm-up
    samples, cpu = [], []
    for q in queries:
        t0, c0 = time.perf_counter(), time.process_time()
        retriever.search(q, k=10, **kw)
        samples.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return {**percentiles(samples), "cpu": percentiles(cpu)}


def _query_figures(retriever, queries: list) -> dict:  # noqa: ANN001
    return {
        "hybrid": _timed(retriever, queries),
        "bm25": _timed(retriever, queries, mode="bm25"),
        "dense": _timed(retriever, queries, mode="dense"),
        "hybrid_filtered": _timed(retriever, queries, filters=FILTER),
    }


def exact_top10(vectors: np.ndarray, queries: np.ndarray, block: int = 100_000) -> np.ndarray:
    """Exact inner-product top-10 scores' 10th value per query, over all vectors (blocked)."""
    best = np.full((len(queries), 10), -np.inf, dtype=np.float32)
    for start in range(0, len(vectors), block):
        scores = queries @ np.asarray(vectors[start : start + block]).T
        both = np.concatenate([best, scores], axis=1)
        best = -np.sort(-both, axis=1)[:, :10]
    return best[:, 9]


def dense_recall(index, queries: np.ndarray, nprobes: list[int]) -> list[dict]:  # noqa: ANN001
    """recall@10 of the FAISS index against exact search, per nprobe (ties count as found)."""
    kth = exact_top10(index.dense.vectors, queries)
    out = []
    for nprobe in nprobes:
        if hasattr(index.dense.index, "nprobe"):
            index.dense.index.nprobe = nprobe
        found, samples = [], []
        for q, k in zip(queries, kth, strict=True):
            t0 = time.perf_counter()
            ids, _ = index.dense.search(q, 10)
            samples.append(time.perf_counter() - t0)
            exact = index.dense.exact(q, np.sort(ids))
            found.append([np.mean(exact >= k - eps) for eps in TOLERANCES])
        shares = np.mean(found, axis=0)
        out.append({"nprobe": nprobe, "recall@10": round(float(shares[0]), 4),
                    "recall@10_within": {str(e): round(float(s), 4)
                                         for e, s in zip(TOLERANCES[1:], shares[1:], strict=True)},
                    "faiss": percentiles(samples)})  # fmt: skip
    return out


def run_new(folder: Path, queries_path: Path) -> dict:
    """Cold load, warm query percentiles, peak memory, then dense recall (after the peak).
    The index is opened as the product opens it (open_query_side: load_index, the
    retriever with the default settings); the queries carry their vectors, so no
    embedder is loaded (mode bm25 only skips loading it)."""
    t0 = time.perf_counter()
    from rag.answering.side import open_query_side
    from rag.settings import Settings

    side = open_query_side(Settings().override("index", dir=str(folder)), mode="bm25")
    index = side.index
    load_s = time.perf_counter() - t0
    queries = _queries(queries_path, index.lexical.analyzer)
    out = {"path": "new", "units": len(index.units), "faiss": index.manifest["dense"],
           "opened_as": type(index).__name__, "load_s": round(load_s, 3),
           "load_peak_mb": peak_mb()}  # fmt: skip
    out["queries"] = _query_figures(side.retriever, queries)
    out["peak_mb"] = peak_mb()
    vectors = np.stack([q.vector for q in queries])
    default = int(getattr(index.dense.index, "nprobe", 0))
    sweep = sorted({default, 64, 128, 256, 512} if default else {0})
    out["dense_recall"] = dense_recall(index, vectors, sweep)
    return out


class ExactDense:
    """The old default FAISS type, flat: exact top-k over vectors held in memory."""

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors, self.kind = vectors, "flat"

    def search(self, q: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple:
        """Exact top-k (among allowed rows)."""
        from rag.index.dense import brute_force_topk

        if allowed is None:
            return brute_force_topk(self.vectors, q, k)
        ids, scores = brute_force_topk(self.vectors[allowed], q, k)
        return allowed[ids], scores


def old_load(folder: Path) -> dict:
    """What load_index did before: every unit and document a Python object, arrays read."""
    from rag.types import DocMeta, Unit

    def read(name: str) -> list[dict]:
        with open(folder / name, encoding="utf-8") as fh:
            return [json.loads(line) for line in fh]

    units = {u.unit_id: u for u in map(Unit.from_dict, read("units.jsonl"))}
    docs = {d["doc"]: DocMeta.from_dict(d) for d in read("docs.jsonl")}
    arrays = [np.load(p, allow_pickle=False) for p in sorted((folder / "bm25").glob("*.npy"))]
    vectors = np.load(folder / "vectors.npy", allow_pickle=False)
    faiss_bytes = len((folder / "dense.faiss").read_bytes())  # the old flat file: as large
    return {"units": len(units), "docs": len(docs), "arrays": len(arrays) + len(vectors),
            "faiss_bytes": faiss_bytes}  # fmt: skip


class OldIndex:
    """The lazy index's records with what the old path held in memory: the vectors, every
    document's metadata and every unit's document key (its per-query filter pass reads them)."""

    def __init__(self, folder: Path) -> None:
        from rag.index.lazy import open_lazy
        from rag.types import DocMeta

        index = open_lazy(folder)
        for name in ("units", "unit_ids", "passage_unit", "lexical", "check_embedder"):
            setattr(self, name, getattr(index, name))
        self.dense = ExactDense(np.load(folder / "vectors.npy", allow_pickle=False))
        with open(folder / "docs.jsonl", encoding="utf-8") as fh:
            self.docs = {d.doc: d for d in (DocMeta.from_dict(json.loads(x)) for x in fh)}
        keys = [bytes(k).decode() for k in index.docs.records.keys]
        self.unit_docs = [keys[r] for r in np.asarray(index.unit_doc_rows)]


def run_old(folder: Path, queries_path: Path) -> dict:
    """The path before: full-scan retrieval (and, up to OLD_LOAD_MAX units, the old load)."""
    from rag.bench.scale_baseline import FullScanRetriever

    class Old(FullScanRetriever):
        def full_mask(self, filters: Filters | None) -> np.ndarray | None:
            if filters is None or filters == Filters():
                return None
            ok = {doc: filters.allows(meta) for doc, meta in self.index.docs.items()}
            return np.array([ok[d] for d in self.index.unit_docs], dtype=bool)

    size = json.loads((folder / "lazy.json").read_text())["counts"]["units"]
    out: dict = {"path": "old", "units": size, "load_s": None, "load_peak_mb": None}
    if size <= OLD_LOAD_MAX:
        t0 = time.perf_counter()
        old_load(folder)
        out["load_s"] = round(time.perf_counter() - t0, 3)
        out["load_peak_mb"] = peak_mb()
    index = OldIndex(folder)
    queries = _queries(queries_path, index.lexical.analyzer)[:50]
    out["queries"] = _query_figures(Old(index, None), queries)  # type: ignore[arg-type]
    out["peak_mb"] = peak_mb()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description="one scale-run cell (used by rag bench)")
    parser.add_argument("what", choices=["new", "old", "add"])
    parser.add_argument("folder", type=Path)
    parser.add_argument("data", type=Path, help="queries .npz (new, old) or the pool cache (add)")
    args = parser.parse_args()
    if args.what == "add":
        from rag.bench.scale_add import run_add

        print(json.dumps(run_add(args.folder, args.data)))
    else:
        run = run_new if args.what == "new" else run_old
        print(json.dumps(run(args.folder, args.data)))


if __name__ == "__main__":
    main()
