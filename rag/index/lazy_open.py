"""A large index built by `rag index build` (format 2) opened memory-mapped, as a lazy index.

From LAZY_FROM units on, ``load_index`` does not read the records into Python objects: the
first such open of a data folder writes the lazy index's tables beside its files (one pass
over units.jsonl, docs.jsonl and passages.jsonl, about what the eager load costs; each table
written to a temporary name and renamed, ``lazy.json`` last), and every open after that
memory-maps them (rag/index/lazy.py). The tables are derived data, not in the manifest, and
go with the data folder when a build replaces it. Files are checked by size (a checksum of
gigabytes would cost more than the load); `rag index info` and a small index still check
every checksum. The passage records stay on disk, parsed when read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict
from functools import cached_property
from pathlib import Path

import numpy as np

from rag.errors import RagError
from rag.index.format import read_answer_vectors
from rag.index.lazy import FORMAT, LAZY, LazyIndex, Records, line_offsets
from rag.index.manifest import Manifest, check_embedder, rebuild_command
from rag.types import DOC_KINDS, Passage

LAZY_FROM = 100_000  # units: an index this large opens memory-mapped


def check_sizes(manifest: Manifest, folder: Path) -> None:
    """Every file the manifest lists exists with its recorded size."""
    data = folder / manifest.data
    for rel, record in manifest.files.items():
        path = data / rel
        if not path.is_file() or path.stat().st_size != record.bytes:
            fix = rebuild_command(manifest, folder)
            raise RagError(
                f"index file {rel} in {data} is missing or changed; rebuild with `{fix}`"
            )


def _save(folder: Path, name: str, array: np.ndarray) -> None:
    tmp = folder / f".{name}.{os.getpid()}.tmp.npy"
    np.save(tmp, array, allow_pickle=False)
    os.replace(tmp, folder / name)


def _keys(data: Path, name: str, keys: list[str]) -> None:
    """Row-order keys, and sorted keys with their rows when the rows are not in key order."""
    array = np.array(keys, dtype="S")
    _save(data, f"{name}.npy", array)
    if len(array) > 1 and not (array[1:] > array[:-1]).all():
        order = np.argsort(array, kind="stable")
        _save(data, f"{name}.sorted.npy", array[order])
        _save(data, f"{name}.order.npy", order.astype(np.int64))


def write_tables(data: Path, manifest: Manifest) -> None:
    """The lazy index's tables and lazy.json for a format-2 data folder (once)."""
    with open(data / "docs.jsonl", encoding="utf-8") as fh:
        docs = [json.loads(line) for line in fh]
    doc_row = {d["doc"]: i for i, d in enumerate(docs)}
    unit_ids, unit_doc = [], []
    with open(data / "units.jsonl", encoding="utf-8") as fh:
        for line in fh:
            unit = json.loads(line)
            unit_ids.append(unit["unit_id"])
            unit_doc.append(doc_row[unit["doc"]])
    unit_row = {uid: i for i, uid in enumerate(unit_ids)}
    with open(data / "passages.jsonl", encoding="utf-8") as fh:
        passage_unit = np.fromiter((unit_row[json.loads(x)["unit_id"]] for x in fh), np.int32)
    _save(data, "units.offsets.npy", line_offsets(data / "units.jsonl"))
    _save(data, "docs.offsets.npy", line_offsets(data / "docs.jsonl"))
    _keys(data, "unit_ids", unit_ids)
    _keys(data, "doc_keys", [d["doc"] for d in docs])
    _save(data, "unit_doc.npy", np.array(unit_doc, dtype=np.int32))
    _save(data, "passage_unit.npy", passage_unit)
    _save(data, "doc_kind.npy", np.array([DOC_KINDS.index(d["kind"]) for d in docs], np.uint8))
    days = [d.get("date") or d.get("date_sent") or "" for d in docs]
    _save(data, "doc_day.npy", np.array(days, dtype="S10"))
    n = manifest.counts
    lazy = {"format": FORMAT, "version": 1, "embedder": asdict(manifest.embedder),
            "lexical": asdict(manifest.lexical), "dense": {"type": manifest.dense.type},
            "counts": {"units": n.units, "docs": n.docs, "passages": n.passages},
            "hash": manifest.hash, "from": "format 2"}  # fmt: skip
    tmp = data / f".{LAZY}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(lazy, indent=1), encoding="utf-8")
    os.replace(tmp, data / LAZY)


class PassageRecords(Sequence):
    """passages.jsonl row -> Passage, parsed when read (line offsets found on first use)."""

    def __init__(self, path: Path, size: int) -> None:
        self.path, self.size = path, size

    @cached_property
    def _records(self) -> Records:
        return Records(self.path, line_offsets(self.path), np.zeros(self.size, dtype="S1"))

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, row: int) -> Passage:  # type: ignore[override]
        if not -self.size <= row < self.size:
            raise IndexError(row)
        return Passage(**self._records[row % self.size])


class BuiltLazyIndex(LazyIndex):
    """A format-2 index over the lazy tables: what load_index's Index offers, memory-mapped."""

    def __init__(self, folder: Path, manifest: Manifest) -> None:
        data = folder / manifest.data
        super().__init__(data)
        self.dir, self.data, self.manifest = folder, data, manifest  # type: ignore[assignment]
        ids = json.loads((data / "questions.json").read_text(encoding="utf-8"))["unit_ids"]
        self.question_ids = list(ids)
        self.question_vectors = np.load(data / "question_vectors.npy", mmap_mode="r")
        self.answer_vectors = read_answer_vectors(data, mmap=True)
        self.passages = PassageRecords(data / "passages.jsonl", len(self.passage_unit))

    @property
    def embedder_name(self) -> str:
        """Name of the embedder that built the dense side."""
        return self.manifest.embedder.name

    def check_embedder(self, name: str, dim: int) -> None:
        """Raise RagError, naming the fix, unless (name, dim) is the embedder that built us."""
        check_embedder(self.manifest, name, dim, self.dir)

    def doc_vectors(self, doc: str) -> tuple[list[Passage], np.ndarray]:
        """Passages of one document and their vectors (for incremental reuse)."""
        row = self.docs.records.row_of(doc)
        units = np.flatnonzero(np.asarray(self.unit_doc_rows) == row)
        rows = np.flatnonzero(np.isin(np.asarray(self.passage_unit), units))
        return [self.passages[int(i)] for i in rows], np.asarray(self.dense.vectors[rows])

    def source_sha(self) -> dict[str, str]:
        """doc -> sha256 of the source file it was built from."""
        return self.manifest.source_sha()


def open_large(folder: Path, manifest: Manifest, verify: bool) -> BuiltLazyIndex:
    """Open a format-2 index memory-mapped, writing its lazy tables on the first open."""
    if verify:
        check_sizes(manifest, folder)
    data = folder / manifest.data
    if not (data / LAZY).is_file():
        try:
            write_tables(data, manifest)
        except OSError as exc:
            raise RagError(
                f"cannot write the lazy tables of the index into {data} ({exc}); make the "
                "folder writable once, or open a copy of the index"
            ) from exc
    return BuiltLazyIndex(folder, manifest)
