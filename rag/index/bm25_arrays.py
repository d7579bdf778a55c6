"""BM25 arrays built with numpy from term ids, in bm25s' saved layout (CscScores reads it).

bm25s tokenises and scores in Python lists, which at 10^6 units takes long and needs many
GB. Here a corpus arrives as (unit row, term id, tf) triples, built in blocks, and the
score of each posting is bm25s' ``lucene`` score: idf = ln(1 + (N - df + 0.5) / (df + 0.5)),
tf / (tf + k1 (1 - b + b dl / avgdl)) (tests/test_scale_index.py checks it against bm25s).
A delta segment (units added later) is scored with the statistics of main + delta, so its
scores sit on the main segment's scale.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DENSE_ACCUMULATE = 8  # postings >= rows / this: sum into one array (cheaper than sorting)


@dataclass(frozen=True)
class Stats:
    """What a BM25 score depends on beyond the posting itself."""

    num_docs: int
    avgdl: float
    df: np.ndarray  # per term id
    k1: float = 1.5
    b: float = 0.75


def count_terms(unit_of_token: np.ndarray, terms: np.ndarray, vocab: int) -> tuple[np.ndarray, ...]:
    """(unit, term, tf) of one block of tokens, sorted by unit then term."""
    key = unit_of_token.astype(np.int64) * vocab + terms
    uniq, tf = np.unique(key, return_counts=True)
    return (uniq // vocab).astype(np.int32), (uniq % vocab).astype(np.int32), tf.astype(np.int32)


def stats(units: np.ndarray, terms: np.ndarray, tf: np.ndarray, num_docs: int,
          vocab: int, k1: float = 1.5, b: float = 0.75) -> Stats:  # fmt: skip
    """Document frequencies and mean length of one segment's postings."""
    df = np.bincount(terms, minlength=vocab)
    return Stats(num_docs, float(tf.sum()) / max(num_docs, 1), df, k1, b)


def csc(units: np.ndarray, terms: np.ndarray, tf: np.ndarray, dl: np.ndarray, st: Stats,
        vocab: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """(data, indices, indptr): one column per term id, rows ascending within a column."""
    df = st.df.astype(np.float64)
    idf = np.log1p((st.num_docs - df + 0.5) / (df + 0.5))
    norm = st.k1 * (1 - st.b + st.b * dl.astype(np.float64) / st.avgdl)
    order = np.argsort(terms, kind="stable")  # postings arrive unit-major
    t, u, f = terms[order], units[order], tf[order].astype(np.float64)
    data = (idf[t] * f / (f + norm[u])).astype(np.float32)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(t, minlength=vocab))]).astype(np.int64)
    return data, u.astype(np.int32), indptr


def save(folder: Path, arrays: tuple[np.ndarray, np.ndarray, np.ndarray], vocab: dict[str, int],
         st: Stats) -> None:  # fmt: skip
    """Write what bm25s.BM25.save writes (arrays, vocabulary, parameters), plus avgdl."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in zip(("data", "indices", "indptr"), arrays, strict=True):
        np.save(folder / f"{name}.csc.index.npy", array, allow_pickle=False)
    (folder / "vocab.index.json").write_text(json.dumps(vocab, ensure_ascii=False), "utf-8")
    params = {"k1": st.k1, "b": st.b, "method": "lucene", "idf_method": "lucene",
              "dtype": "float32", "int_dtype": "int32", "num_docs": st.num_docs,
              "avgdl": st.avgdl, "backend": "numpy"}  # fmt: skip
    (folder / "params.index.json").write_text(json.dumps(params, indent=1), "utf-8")
    np.save(folder / "df.npy", st.df.astype(np.int64), allow_pickle=False)


def load_stats(folder: Path) -> Stats:
    """The statistics save() wrote (for scoring a delta segment on the same scale)."""
    params = json.loads((folder / "params.index.json").read_text("utf-8"))
    df = np.load(folder / "df.npy", allow_pickle=False)
    return Stats(int(params["num_docs"]), float(params["avgdl"]), df, params["k1"], params["b"])


def postings_scores(
    indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, ids: Sequence[int], size: int
) -> tuple[np.ndarray, np.ndarray]:
    """(rows, summed scores) over the CSC columns of the term ids (repeats count twice)."""
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    spans = [(int(indptr[t]), int(indptr[t + 1])) for t in ids]
    rows = np.concatenate([indices[a:b] for a, b in spans])
    weights = np.concatenate([data[a:b] for a, b in spans]).astype(np.float64)
    if len(rows) * DENSE_ACCUMULATE >= size:
        total = np.bincount(rows, weights=weights, minlength=size)
        hit = np.flatnonzero(total)
        return hit, total[hit].astype(np.float32)
    uniq, inverse = np.unique(rows, return_inverse=True)
    return uniq.astype(np.int64), np.bincount(inverse, weights=weights).astype(np.float32)


def csc_arrays(bm25: object) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(indptr, indices, data) of a loaded CscScores or a freshly built bm25s.BM25."""
    csc = bm25.scores if isinstance(getattr(bm25, "scores", None), dict) else {}
    arrays = [csc.get(k, getattr(bm25, k, None)) for k in ("indptr", "indices", "data")]
    return None if any(a is None for a in arrays) else (arrays[0], arrays[1], arrays[2])
