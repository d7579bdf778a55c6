"""The scale corpus: n units recombined from real sentences, written as a lazy index.

A unit is a window of consecutive real answer sentences (1-4, so it reads like one answer)
with a real question sentence from the same stretch of the benchmark before it; half the
units swap one sentence for a random one, so windows rarely repeat. Its vector is the
normalised mean of its sentences' cached vectors; its BM25 terms are its sentences' terms
(each sentence analysed once). Documents hold 1-8 units, dated over 1999-2024, of the
kinds and with members as the archive has them. Written block by block: the memory needed
does not grow with the vectors (they go straight to a memory-mapped .npy).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.analysis.terms import Analyzer
from rag.bench.scale_write import write_records
from rag.index import bm25_arrays as bm
from rag.index.dense import DenseIndex, make_faiss, make_ivf
from rag.index.lazy import FORMAT, LAZY

BLOCK = 50_000


@dataclass(frozen=True)
class Pool:
    """The cached sentences: text, term ids (CSR), vectors; questions first."""

    texts: list[str]
    n_questions: int
    vectors: np.ndarray
    term_ptr: np.ndarray
    terms: np.ndarray
    vocab: dict[str, int]

    @classmethod
    def make(cls, texts: list[str], roles: np.ndarray, vectors: np.ndarray, an: Analyzer) -> Pool:
        """Analyse every sentence once; term ids in order of first use."""
        vocab: dict[str, int] = {}
        lists = [[vocab.setdefault(t, len(vocab)) for t in an.tokens(s)] for s in texts]
        ptr = np.concatenate([[0], np.cumsum([len(x) for x in lists])]).astype(np.int64)
        terms = np.fromiter((t for x in lists for t in x), dtype=np.int32, count=int(ptr[-1]))
        return cls(texts, int((roles == 0).sum()), vectors, ptr, terms, vocab)


def plan(n: int, pool: Pool, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(sentence ptr per unit, sentence ids, number of question sentences per unit)."""
    rng = np.random.default_rng(seed)
    nq, na = pool.n_questions, len(pool.texts) - pool.n_questions
    length = rng.integers(1, 5, n)
    start = rng.integers(0, na, n)
    qpos = np.clip((start * nq) // na + rng.integers(-3, 4, n), 0, nq - 1)
    has_q = rng.random(n) < 0.85
    count = length + has_q
    ptr = np.concatenate([[0], np.cumsum(count)]).astype(np.int64)
    ids = np.empty(int(ptr[-1]), dtype=np.int32)
    ids[ptr[:-1][has_q]] = qpos[has_q]
    first_a = ptr[:-1] + has_q
    within = np.arange(len(ids)) - np.repeat(first_a, count)
    is_a = within >= 0
    ids[is_a] = nq + (np.repeat(start, count)[is_a] + within[is_a]) % na
    swap = rng.random(n) < 0.5  # one sentence replaced by any other sentence
    at = ptr[:-1][swap] + rng.integers(0, count[swap])
    ids[at] = rng.integers(0, len(pool.texts), len(at))
    return ptr, ids, has_q.astype(np.int8)


def doc_plan(n: int, seed: int) -> np.ndarray:
    """Document row of every unit: documents of 1-8 consecutive units."""
    rng = np.random.default_rng(seed + 1)
    sizes = rng.integers(1, 9, n // 2 + 1)
    return np.repeat(np.arange(len(sizes)), sizes)[:n].astype(np.int32)


def unit_vectors(pool: Pool, ptr: np.ndarray, ids: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Normalised mean of each unit's sentence vectors, units lo..hi."""
    block = pool.vectors[ids[ptr[lo] : ptr[hi]]]
    sums = np.add.reduceat(block, ptr[lo:hi] - ptr[lo], axis=0)
    norms = np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
    return (sums / norms).astype(np.float32)


def unit_tokens(pool: Pool, ptr: np.ndarray, ids: np.ndarray, lo: int, hi: int) -> tuple:
    """(unit row of every token, term id of every token) for units lo..hi."""
    s = ids[ptr[lo] : ptr[hi]]
    unit = np.repeat(np.arange(lo, hi), np.diff(ptr[lo : hi + 1]))
    lens = pool.term_ptr[s + 1] - pool.term_ptr[s]
    total = int(lens.sum())
    shift = np.repeat(pool.term_ptr[s] - (np.cumsum(lens) - lens), lens)
    return np.repeat(unit, lens), pool.terms[shift + np.arange(total)]


def write_corpus(folder: Path, n: int, pool: Pool, embedder: dict, an: Analyzer,
                 faiss_type: str, seed: int = 0) -> dict:  # fmt: skip
    """Write the n-unit lazy index into folder (which must not exist); its description."""
    folder.mkdir(parents=True)
    ptr, ids, n_q = plan(n, pool, seed)
    unit_doc = doc_plan(n, seed)
    docs = write_records(folder, pool, ptr, ids, n_q, unit_doc, seed)
    vectors = np.lib.format.open_memmap(folder / "vectors.npy", "w+", np.float32,
                                        (n, pool.vectors.shape[1]))  # fmt: skip
    postings, dl = [], np.zeros(n, dtype=np.int64)
    for lo in range(0, n, BLOCK):
        hi = min(n, lo + BLOCK)
        vectors[lo:hi] = unit_vectors(pool, ptr, ids, lo, hi)
        units, terms = unit_tokens(pool, ptr, ids, lo, hi)
        dl[lo:hi] = np.bincount(units - lo, minlength=hi - lo)
        postings.append(bm.count_terms(units, terms, len(pool.vocab)))
    vectors.flush()
    u, t, f = (np.concatenate([p[i] for p in postings]) for i in range(3))
    del postings
    st = bm.stats(u, t, f, n, len(pool.vocab))
    bm.save(folder / "bm25", bm.csc(u, t, f, dl, st, len(pool.vocab)), pool.vocab, st)
    del u, t, f
    index = make_ivf(vectors) if faiss_type == "ivf" else make_faiss(faiss_type, vectors.shape[1])
    for lo in range(0, n, BLOCK):
        index.add(np.ascontiguousarray(vectors[lo : lo + BLOCK]))
    DenseIndex(index, vectors, faiss_type).save_faiss(folder / "dense.faiss")
    np.save(folder / "passage_unit.npy", np.arange(n, dtype=np.int32), allow_pickle=False)
    manifest = {"format": FORMAT, "version": 1, "embedder": embedder,
                "lexical": {**an.describe(), "k1": st.k1, "b": st.b},
                "dense": {"type": faiss_type, "faiss": type(index).__name__,
                          "nlist": int(getattr(index, "nlist", 0)),
                          "nprobe": int(getattr(index, "nprobe", 0))},
                "counts": {"units": n, "docs": docs, "passages": n},
                "seed": seed, "hash": f"scale-{n}-{seed}"}  # fmt: skip
    (folder / LAZY).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest
