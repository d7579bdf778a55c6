"""An index opened without reading it into Python objects: arrays memory-mapped, unit and
document records parsed from their JSONL line only when asked for.

A lazy index folder holds the usual files (``units.jsonl``, ``docs.jsonl``, ``vectors.npy``,
``dense.faiss``, ``bm25/``) plus tables that make that possible (all ``.npy``, mmapped):

    units.offsets.npy   byte offset of every line of units.jsonl (and the end)
    unit_ids.npy        unit ids as fixed-width bytes, ascending (a lookup is a bisection)
    unit_doc.npy        document row of every unit
    passage_unit.npy    unit row of every passage (passages stored in unit order)
    docs.offsets.npy, doc_keys.npy, doc_kind.npy, doc_day.npy   the same for documents
    bm25_delta/         BM25 of units added since the build (rows after the main ones)
    lazy.json           what built it (embedder, analyzer, FAISS type) and the counts

It offers what retrieval reads of an Index (docs, units, unit_ids, passage_unit, lexical,
dense, check_embedder, manifest.embedder), so HybridRetriever runs on it unchanged and
``load_index`` opens such a folder this way (docs/SCALE.md). It has no question vectors
(``rag similar`` finds nothing in it) and no passage records (it is not built incrementally
by ``rag index build``: units are added with rag/index/lazy_add.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rag.analysis.terms import Analyzer
from rag.errors import RagError
from rag.index.bm25_arrays import csc_arrays, postings_scores
from rag.index.dense import DenseIndex
from rag.index.lexical import CscScores, LexicalIndex
from rag.index.manifest import EmbedderInfo, LexicalInfo
from rag.types import DOC_KINDS, DocMeta, Filters, Unit

LAZY = "lazy.json"
FORMAT = "rag-lazy-index"


def line_offsets(path: Path, block: int = 1 << 24) -> np.ndarray:
    """Byte offset of every line start of a file, and its size at the end (int64)."""
    starts = [np.zeros(1, dtype=np.int64)]
    done = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(block):
            ends = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 10) + done + 1
            starts.append(ends.astype(np.int64))
            done += len(chunk)
    out = np.concatenate(starts)
    return out if out[-1] == done else np.append(out, done)


class Records(Sequence):
    """Row -> parsed JSON line, read with one seek. A key's row is bisected in the keys
    (ascending), or, when the rows are not in key order, in by_key (sorted keys, their rows)."""

    def __init__(self, path: Path, offsets: np.ndarray, keys: np.ndarray,
                 by_key: tuple[np.ndarray, np.ndarray] | None = None) -> None:  # fmt: skip
        self.path, self.offsets, self.keys, self.by_key = path, offsets, keys, by_key
        self._fh = open(path, "rb")  # noqa: SIM115 - kept open for the index's lifetime

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, row: int) -> dict[str, Any]:  # type: ignore[override]
        start, end = int(self.offsets[row]), int(self.offsets[row + 1])
        self._fh.seek(start)
        return json.loads(self._fh.read(end - start))

    def row_of(self, key: str) -> int | None:
        """The row of a key, or None."""
        k = key.encode("utf-8")
        keys = self.keys if self.by_key is None else self.by_key[0]
        at = int(np.searchsorted(keys, k))
        if at >= len(keys) or keys[at] != k:
            return None
        return at if self.by_key is None else int(self.by_key[1][at])

    def key(self, row: int) -> str:
        """The key of a row."""
        return bytes(self.keys[row]).decode("utf-8")


class LazyMapping(Mapping):
    """key -> record object, built from its JSON line on access (nothing cached)."""

    def __init__(self, records: Records, make: Any) -> None:
        self.records, self.make = records, make

    def __getitem__(self, key: str) -> Any:
        row = self.records.row_of(key) if isinstance(key, str) else None
        if row is None:
            raise KeyError(key)
        return self.make(self.records[row])

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.records.row_of(key) is not None

    def __iter__(self) -> Iterator[str]:
        return (self.records.key(i) for i in range(len(self.records)))

    def __len__(self) -> int:
        return len(self.records)

    def at(self, row: int) -> Any:
        """The record of a row (no key lookup)."""
        return self.make(self.records[row])


class RowKeys(Sequence):
    """row -> key, decoded on access."""

    def __init__(self, records: Records) -> None:
        self.records = records

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, row: int) -> str:  # type: ignore[override]
        return self.records.key(row)


class SegmentedLexical:
    """BM25 of the main segment and of the units added since (rows after the main ones)."""

    def __init__(self, main: LexicalIndex, delta: CscScores | None) -> None:
        self.main, self.delta = main, delta
        self.analyzer = main.analyzer
        self.bm25 = main.bm25

    @property
    def size(self) -> int:
        """Rows of both segments."""
        return self.main.size + (int(self.delta.scores["num_docs"]) if self.delta else 0)

    def segments(self, terms: Sequence[str]) -> list[tuple]:
        """(CSC arrays, term ids, first row, rows) of each segment (rag/retrieval/sparse.py)."""
        out, offset = [], 0
        for seg in (self.main.bm25, self.delta):
            if seg is None:
                continue
            n = int(seg.scores["num_docs"])
            out.append((csc_arrays(seg), seg.get_tokens_ids(list(terms)), offset, n))
            offset += n
        return out

    def sparse_scores(self, terms: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(rows, scores) of the rows that have any of the terms, both segments."""
        out = []
        for arrays, ids, offset, n in self.segments(terms):
            rows, values = postings_scores(*arrays, ids, n)
            out.append((rows + offset, values))
        return np.concatenate([r for r, _ in out]), np.concatenate([v for _, v in out])

    def rows_with(self, term: str) -> np.ndarray:
        """The rows whose text has the term (sorted), both segments (the evidence gate)."""
        parts = [np.asarray(ix[ptr[t] : ptr[t + 1]], np.int64) + at
                 for (ptr, ix, _), ids, at, _ in self.segments([term]) for t in ids]  # fmt: skip
        return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)

    def term_scores(self, terms: Sequence[str]) -> np.ndarray:
        """Every row's score (the old full-array interface)."""
        full = np.zeros(self.size, dtype=np.float32)
        rows, values = self.sparse_scores(terms)
        full[rows] = values
        return full

    def scores(self, query: str) -> np.ndarray:
        """Every row's score for a text."""
        return self.term_scores(self.analyzer.tokens(query))


class LazyManifest(dict):
    """lazy.json as a dict, with the typed parts the query side reads of a Manifest."""

    @property
    def embedder(self) -> EmbedderInfo:
        """The embedder that built the vectors."""
        return EmbedderInfo(**self["embedder"])

    @property
    def lexical(self) -> LexicalInfo:
        """The analyzer and BM25 parameters."""
        return LexicalInfo(**self["lexical"])

    @property
    def hash(self) -> str:
        """Identifies the build."""
        return str(self.get("hash", ""))


class LazyIndex:
    """What retrieval needs of an index, memory-mapped (see the module docstring)."""

    def __init__(self, folder: Path) -> None:
        self.dir = Path(folder)
        self.manifest = LazyManifest(read_lazy(self.dir))

        def arr(name: str) -> np.ndarray:
            return np.load(self.dir / name, mmap_mode="r", allow_pickle=False)

        def by_key(name: str) -> tuple[np.ndarray, np.ndarray] | None:  # rows not in key order
            found = (self.dir / f"{name}.sorted.npy").is_file()
            return (arr(f"{name}.sorted.npy"), arr(f"{name}.order.npy")) if found else None

        units = Records(self.dir / "units.jsonl", arr("units.offsets.npy"), arr("unit_ids.npy"),
                        by_key("unit_ids"))  # fmt: skip
        docs = Records(self.dir / "docs.jsonl", arr("docs.offsets.npy"), arr("doc_keys.npy"),
                       by_key("doc_keys"))  # fmt: skip
        self.units = LazyMapping(units, Unit.from_dict)
        self.docs = LazyMapping(docs, DocMeta.from_dict)
        self.unit_ids = RowKeys(units)
        self.unit_doc_rows = arr("unit_doc.npy")
        self.passage_unit = arr("passage_unit.npy")
        self.doc_kind, self.doc_day = arr("doc_kind.npy"), arr("doc_day.npy")
        analyzer = Analyzer(stemmer_name=self.manifest["lexical"]["stemmer"])
        delta = self.dir / "bm25_delta"
        self.lexical = SegmentedLexical(
            LexicalIndex(CscScores.load(self.dir / "bm25"), analyzer),
            CscScores.load(delta) if (delta / "params.index.json").is_file() else None,
        )
        dense = self.manifest["dense"]
        self.dense = DenseIndex.load(self.dir / "dense.faiss", self.dir / "vectors.npy",
                                     dense["type"])  # fmt: skip
        self.question_ids: list[str] = []
        self.question_vectors = np.zeros((0, self.dense.dim), dtype=np.float32)
        self.answer_vectors: np.ndarray | None = None  # none in the scale corpus's tables
        _check_counts(self)

    @property
    def hash(self) -> str:
        """Identifies the build."""
        return self.manifest.hash

    @property
    def embedder_name(self) -> str:
        """Name of the embedder that built the dense side."""
        return str(self.manifest["embedder"]["name"])

    def check_embedder(self, name: str, dim: int) -> None:
        """Refuse a query embedder other than the one that built the vectors."""
        built = self.manifest["embedder"]
        if built["name"] != name or int(built["dim"]) != int(dim):
            raise RagError(
                f"index in {self.dir} was built with {built['name']} (dim {built['dim']}), "
                f"not {name} (dim {dim}); query it with the embedder that built it"
            )

    def docs_allowed(self, filters: Filters) -> np.ndarray:
        """Per document row: does it pass the filters (vectorised over the doc tables)?"""
        ok = np.ones(len(self.doc_kind), dtype=bool)
        if filters.docs:
            rows = [self.docs.records.row_of(d) for d in filters.docs]
            only = np.zeros_like(ok)
            only[[r for r in rows if r is not None]] = True
            ok &= only
        if filters.kinds:
            ok &= np.isin(self.doc_kind, [DOC_KINDS.index(k) for k in filters.kinds])
        if filters.date_from or filters.date_to:
            ok &= self.doc_day != b""
        if filters.date_from:
            ok &= self.doc_day >= filters.date_from.encode()
        if filters.date_to:
            ok &= self.doc_day <= filters.date_to.encode()
        return ok


def read_lazy(folder: Path) -> dict[str, Any]:
    """The lazy index's description, checked."""
    path = Path(folder) / LAZY
    if not path.is_file():
        raise RagError(f"{folder} holds no lazy index ({LAZY} missing); generate it again")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise RagError(f"{path} is not a {FORMAT} description; generate the index again")
    return manifest


def _check_counts(index: LazyIndex) -> None:
    counts = index.manifest["counts"]
    found = {"units": len(index.units), "docs": len(index.docs),
             "passages": len(index.passage_unit), "vectors": len(index.dense.vectors),
             "bm25 rows": index.lexical.size, "unit_doc": len(index.unit_doc_rows)}  # fmt: skip
    want = {"units": counts["units"], "docs": counts["docs"], "passages": counts["passages"],
            "vectors": counts["passages"], "bm25 rows": counts["units"],
            "unit_doc": counts["units"]}  # fmt: skip
    wrong = {k: (v, want[k]) for k, v in found.items() if v != want[k]}
    if wrong or index.dense.index.ntotal != counts["passages"]:
        raise RagError(f"lazy index in {index.dir} is inconsistent {wrong}; generate it again")


def open_lazy(folder: str | Path) -> LazyIndex:
    """Open a lazy index folder (memory-mapped; parses nothing up front)."""
    return LazyIndex(Path(folder))
