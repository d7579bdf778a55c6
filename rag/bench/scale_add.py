"""Adding 1,000 units to a scale index (a copy of it), timed, then every old unit checked.

The copy hard-links the files an add replaces by rename and copies the ones it appends to,
so the cached corpus stays as generated. The new units come from the same sentence pool
(their vectors from the cached sentence vectors: embedding is excluded, and estimated apart
from the measured embedding speed).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import numpy as np

from rag.analysis.terms import Analyzer
from rag.bench.scale_corpus import Pool, plan, unit_vectors
from rag.bench.scale_sentences import load_pool
from rag.bench.scale_write import doc_meta, unit_record
from rag.types import DocMeta, Unit

ADDED = 1000
APPENDED = ("units.jsonl", "docs.jsonl", "vectors.npy")


def clone(folder: Path, target: Path) -> None:
    """A copy that an add can change without changing folder."""
    for src in folder.rglob("*"):
        dst = target / src.relative_to(folder)
        if src.is_dir():
            dst.mkdir(parents=True, exist_ok=True)
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.name in APPENDED and src.parent == folder:
            shutil.copyfile(src, dst)
        else:
            os.link(src, dst)


def new_units(pool: Pool, n_docs: int, seed: int = 99) -> tuple[list, list, np.ndarray]:
    """ADDED units in new documents (keys after the existing ones), and their vectors."""
    from rag.bench.scale_corpus import doc_plan

    ptr, ids, n_q = plan(ADDED, pool, seed)
    unit_doc = doc_plan(ADDED, seed)
    rng = np.random.default_rng(seed)
    metas = [doc_meta(n_docs + d, rng) for d in range(int(unit_doc[-1]) + 1)]
    units, j, last = [], 0, -1
    for row, d in enumerate(unit_doc):
        j = j + 1 if d == last else 1
        last = d
        texts = [pool.texts[s] for s in ids[ptr[row] : ptr[row + 1]]]
        units.append(Unit.from_dict(unit_record(metas[d], j, texts, int(n_q[row]))))
    docs = [DocMeta.from_dict(m) for m in metas]
    return docs, units, unit_vectors(pool, ptr, ids, 0, ADDED)


def _findable(index, units: list[Unit]) -> float:  # noqa: ANN001
    """Share of units that are in the top 10 for their own text (or an identical text)."""
    from rag.analysis.query import analyse
    from rag.retrieval.hybrid import HybridRetriever

    retriever = HybridRetriever(index, None)
    found = 0
    for u in units:
        vector = index.dense.vectors[index.units.records.row_of(u.unit_id)]
        query = analyse(u.text, index.lexical.analyzer).with_vector(np.asarray(vector))
        found += any(h.unit.text == u.text for h in retriever.search(query, k=10))
    return found / max(len(units), 1)


def run_add(folder: Path, cache: Path) -> dict:
    """Time adding ADDED units to a clone of folder; check old and new units after."""
    from rag.index.lazy import open_lazy
    from rag.index.lazy_add import add_units

    texts, roles, vectors = load_pool(cache) or ([], None, None)
    pool = Pool.make(texts, roles, vectors, Analyzer())
    target = folder.with_name(f"{folder.name}.add-{os.getpid()}")
    try:
        clone(folder, target)
        before = open_lazy(target)
        n, keys = len(before.units), np.array(before.units.records.keys)
        docs, units, vecs = new_units(pool, len(before.docs))
        del before
        t0 = time.perf_counter()
        add_units(target, docs, units, vecs)
        seconds = time.perf_counter() - t0
        after = open_lazy(target)
        rng = np.random.default_rng(5)
        old = [after.units.at(int(r)) for r in rng.integers(0, n, 100)]
        stats = json.loads((cache / "sentences.stats.json").read_text())
        whole = stats["embedded_now"] == stats["sentences"]  # timed in one run
        per_word = stats["embed_seconds"] / stats["words"] if whole else None
        words = sum(len(u.text.split()) for u in units)
        same = np.array_equal(keys, np.asarray(after.units.records.keys)[:n])
        return {
            "added": len(units), "before": n, "after": len(after.units),
            "seconds": round(seconds, 2), "old_keys_unchanged": bool(same),
            "old_findable_top10": _findable(after, old),
            "new_findable_top10": _findable(after, units[:100]),
            "embedding_estimate_s": round(per_word * words, 1) if per_word else None,
        }  # fmt: skip
    finally:
        shutil.rmtree(target, ignore_errors=True)
