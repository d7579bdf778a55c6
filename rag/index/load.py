"""The loaded Index object and load_index (format 2 on disk, see rag/index/format.py).

The data folder named by ``manifest.json`` holds plain files, listed there with size and
sha256:

    docs.jsonl              DocMeta per document (dataclass fields)
    units.jsonl             Unit.to_dict() per unit, documents in key order, units in order
    passages.jsonl          Passage per embedded piece (row i = vector i)
    vectors.npy             float32 passage vectors, L2-normalised
    dense.faiss             the FAISS index over vectors.npy
    bm25/                   bm25s arrays (.npy) and JSON parameters; row i = unit i
    questions.json          unit ids of the units that have question text
    question_vectors.npy    their question vectors (for "asked before?")
    answer_vectors.npy      per unit, its answer (else text) embedded in the query role: the
                            long-question side of the dense score (rag/retrieval/hybrid.py);
                            an index built before it has none and is searched without

A large index (LAZY_FROM units or more, rag/index/lazy_open.py) is opened memory-mapped,
records parsed on access, and so is a folder without manifest.json that holds a lazy index
(``lazy.json``, rag/index/lazy.py: the scale corpus); `rag search`, `ask` and the UI query
them the same way. A smaller index is read whole, as below.

Loading checks the manifest (format version, files, checksums) and says what to run. A
build that commits while a reader loads removes the data folder the reader was reading: the
reader then finds a new manifest and loads again, so it never reports a false damage.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from rag.analysis.terms import Analyzer
from rag.errors import RagError
from rag.index import lazy_open
from rag.index.dense import DenseIndex
from rag.index.format import read_answer_vectors, read_jsonl
from rag.index.lazy import LAZY, LazyIndex, open_lazy
from rag.index.lexical import LexicalIndex
from rag.index.manifest import (
    MANIFEST,
    Manifest,
    check_embedder,
    check_files,
    read_manifest,
    rebuild_command,
)
from rag.types import DocMeta, Passage, Unit

RETRIES = 5


@dataclass(frozen=True, eq=False)
class Index:
    """A loaded index: documents, units, passages and both search sides."""

    dir: Path
    manifest: Manifest
    docs: dict[str, DocMeta]
    units: dict[str, Unit]  # unit_id -> Unit, in document order
    passages: list[Passage]  # row i = dense row i
    lexical: LexicalIndex  # row i = unit i of unit_ids
    dense: DenseIndex
    question_ids: list[str]
    question_vectors: np.ndarray
    answer_vectors: np.ndarray | None = None  # row i = unit i, query role; None: built before
    unit_ids: list[str] = field(init=False)
    passage_unit: np.ndarray = field(init=False)  # unit row of each passage

    def __post_init__(self) -> None:
        row = {uid: i for i, uid in enumerate(self.units)}
        object.__setattr__(self, "unit_ids", list(self.units))
        rows = np.array([row[p.unit_id] for p in self.passages], dtype=np.int64)
        object.__setattr__(self, "passage_unit", rows)

    @property
    def hash(self) -> str:
        """The index hash: identifies the settings and sources that built it."""
        return self.manifest.hash

    @property
    def embedder_name(self) -> str:
        """Name of the embedder that built the dense side."""
        return self.manifest.embedder.name

    def check_embedder(self, name: str, dim: int) -> None:
        """Raise RagError, naming the fix, unless (name, dim) is the embedder that built us."""
        check_embedder(self.manifest, name, dim, self.dir)

    def doc_vectors(self, doc: str) -> tuple[list[Passage], np.ndarray]:
        """Passages of one document and their vectors (for incremental reuse)."""
        rows = [i for i, p in enumerate(self.passages) if p.doc == doc]
        return [self.passages[i] for i in rows], self.dense.vectors[rows]

    def source_sha(self) -> dict[str, str]:
        """doc -> sha256 of the source file it was built from."""
        return self.manifest.source_sha()


def load_index(folder: str | Path, verify: bool = True) -> Index | LazyIndex:
    """Load an index folder; any mismatch is a RagError that says what to run. A large
    index, or a lazy index folder (lazy.json, no manifest.json), is opened memory-mapped."""
    folder = Path(folder)
    if (folder / LAZY).is_file() and not (folder / MANIFEST).is_file():
        return open_lazy(folder)
    for _ in range(RETRIES):
        manifest = read_manifest(folder)
        try:
            return _load(folder, manifest, verify)
        except RagError:
            if _committed_since(folder, manifest):
                continue  # a build replaced the version we were reading: read the new one
            raise
    return _load(folder, read_manifest(folder), verify)


def _committed_since(folder: Path, manifest: Manifest) -> bool:
    try:
        return read_manifest(folder).data != manifest.data
    except RagError:
        return False


def _load(folder: Path, manifest: Manifest, verify: bool) -> Index | LazyIndex:
    large = manifest.counts.units >= lazy_open.LAZY_FROM
    if verify and not large:
        check_files(manifest, folder)
    try:
        if large:
            return lazy_open.open_large(folder, manifest, verify)
        return _read(folder / manifest.data, folder, manifest)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        fix = rebuild_command(manifest, folder)
        raise RagError(f"index in {folder} cannot be read ({exc}); rebuild with `{fix}`") from exc


def _read(data: Path, folder: Path, manifest: Manifest) -> Index:
    analyzer = Analyzer(stemmer_name=manifest.lexical.stemmer)
    questions = json.loads((data / "questions.json").read_text(encoding="utf-8"))
    index = Index(
        dir=folder,
        manifest=manifest,
        docs={d["doc"]: DocMeta.from_dict(d) for d in read_jsonl(data / "docs.jsonl")},
        units={u.unit_id: u for u in map(Unit.from_dict, read_jsonl(data / "units.jsonl"))},
        passages=[Passage(**p) for p in read_jsonl(data / "passages.jsonl")],
        lexical=LexicalIndex.load(data / "bm25", analyzer),
        dense=DenseIndex.load(data / "dense.faiss", data / "vectors.npy", manifest.dense.type),
        question_ids=list(questions["unit_ids"]),
        question_vectors=np.load(data / "question_vectors.npy", allow_pickle=False),
        answer_vectors=read_answer_vectors(data),
    )
    _check_counts(index)
    return index


def _check_counts(index: Index) -> None:
    counts = asdict(index.manifest.counts)
    found = {
        "docs": len(index.docs),
        "units": len(index.units),
        "passages": len(index.passages),
        "questions": len(index.question_ids),
    }
    wrong = {k: v for k, v in found.items() if counts.get(k) != v}
    if (
        wrong
        or index.lexical.size != len(index.units)
        or len(index.dense.vectors) != len(index.passages)
        or (index.answer_vectors is not None and len(index.answer_vectors) != len(index.units))
    ):
        raise ValueError(f"counts differ from the manifest: {wrong or 'row counts'}")
