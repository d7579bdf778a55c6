"""The lexical side: Dutch BM25 with bm25s and PyStemmer, saved as bm25s' .npy + JSON files.

bm25s builds the index (its eager score matrix: one precomputed BM25 score per term and
row, in CSC arrays). Loading reads those arrays with numpy alone (CscScores): importing bm25s
pulls in scipy, a third of a second of a cold `rag ask`, and a query's scores are just the
sum of its terms' columns, which tests/test_index_lexical.py checks against bm25s.

The terms come from the one analyzer, rag/analysis/terms.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rag.analysis.terms import Analyzer
from rag.types import Unit


class LexicalIndex:
    """BM25 scores over a fixed list of texts (one row per text)."""

    def __init__(self, bm25: Any, analyzer: Analyzer) -> None:
        self.bm25 = bm25
        self.analyzer = analyzer

    @classmethod
    def build(cls, texts: list[str], analyzer: Analyzer, k1: float, b: float) -> LexicalIndex:
        """Index the texts; an empty text gets a row that never scores."""
        import bm25s

        bm25 = bm25s.BM25(k1=k1, b=b)
        bm25.index([analyzer.tokens(t) for t in texts], show_progress=False)
        return cls(bm25, analyzer)

    @property
    def size(self) -> int:
        """Number of rows."""
        return int(self.bm25.scores["num_docs"])

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every row for a text (zeros when no word of it is known)."""
        return self.term_scores(self.analyzer.tokens(query))

    def term_scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every row for already analysed terms (repeats count)."""
        ids = self.bm25.get_tokens_ids(list(terms))
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.bm25.get_scores(ids), dtype=np.float32)

    def rows_with(self, term: str) -> np.ndarray:
        """The rows whose text has the term (sorted), from the index's own postings."""
        csc = self.bm25.scores if isinstance(self.bm25.scores, dict) else {}
        indptr = csc.get("indptr", getattr(self.bm25, "indptr", None))
        indices = csc.get("indices", getattr(self.bm25, "indices", None))
        term_id = self.bm25.vocab_dict.get(term)
        if term_id is None or indptr is None:
            return np.zeros(0, dtype=np.int64)
        return np.sort(indices[indptr[term_id] : indptr[term_id + 1]])

    def save(self, folder: Path) -> None:
        """Write bm25s' .npy arrays and JSON parameters (no pickle)."""
        self.bm25.save(str(folder), allow_pickle=False)

    @classmethod
    def load(cls, folder: Path, analyzer: Analyzer) -> LexicalIndex:
        """Read an index written by save() (numpy only; see CscScores)."""
        return cls(CscScores.load(folder), analyzer)


class CscScores:
    """bm25s' saved eager index, scored with numpy: the part of bm25s.BM25 queries use."""

    METHODS = ("lucene", "robertson", "atire")  # no non-occurrence term (bm25l/bm25+ have one)

    def __init__(self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray,
                 vocab: dict[str, int], num_docs: int) -> None:  # fmt: skip
        self.data, self.indices, self.indptr = data, indices, indptr
        self.vocab_dict = vocab
        self.scores = {"num_docs": num_docs}

    @classmethod
    def load(cls, folder: Path) -> CscScores:
        """The arrays, vocabulary and row count bm25s.BM25.save wrote to folder."""
        import json

        params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
        if params.get("method") not in cls.METHODS:
            raise ValueError(f"bm25 method {params.get('method')!r} is not supported")
        vocab = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))

        def array(name: str) -> np.ndarray:
            return np.load(folder / f"{name}.csc.index.npy", mmap_mode="r", allow_pickle=False)

        return cls(array("data"), array("indices"), array("indptr"), vocab, params["num_docs"])

    def get_tokens_ids(self, tokens: list[str]) -> list[int]:
        """Ids of the tokens in the vocabulary (others left out), repeats kept."""
        return [self.vocab_dict[t] for t in tokens if t in self.vocab_dict]

    def get_scores(self, ids: list[int]) -> np.ndarray:
        """Per row, the sum over the query's term ids of that term's precomputed score."""
        out = np.zeros(self.scores["num_docs"], dtype=self.data.dtype)
        for t in ids:
            start, end = self.indptr[t], self.indptr[t + 1]
            np.add.at(out, self.indices[start:end], self.data[start:end])
        return out


def unit_text(unit: Unit) -> str:
    """What BM25 indexes for a unit: its running text and its footnotes."""
    return "\n".join([unit.text, *(f.text for f in unit.footnotes)])


def library_versions() -> dict[str, str]:
    """bm25s version, for the manifest."""
    import bm25s

    return {"bm25s": bm25s.__version__}
