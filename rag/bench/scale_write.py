"""The records of the scale corpus: docs.jsonl and units.jsonl with the lazy index's tables."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from rag.types import DOC_KINDS


def _line(record: dict) -> bytes:
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


def write_records(folder: Path, pool, ptr: np.ndarray, ids: np.ndarray, n_q: np.ndarray,  # noqa: ANN001
                  unit_doc: np.ndarray, seed: int) -> int:  # fmt: skip
    """Write docs.jsonl, units.jsonl and their offset, key and column tables; docs written."""
    from rag.bench.scale_corpus import doc_meta, unit_record

    rng = np.random.default_rng(seed + 2)
    n_docs = int(unit_doc[-1]) + 1 if len(unit_doc) else 0
    metas = [doc_meta(d, rng) for d in range(n_docs)]
    unit_offsets = np.zeros(len(unit_doc) + 1, dtype=np.int64)
    unit_ids = []
    with open(folder / "units.jsonl", "wb") as fh:
        j, last = 0, -1
        for row, doc in enumerate(unit_doc):
            j = j + 1 if doc == last else 1
            last = doc
            sentences = [pool.texts[s] for s in ids[ptr[row] : ptr[row + 1]]]
            record = unit_record(metas[doc], j, sentences, int(n_q[row]))
            data = _line(record)
            fh.write(data)
            unit_offsets[row + 1] = unit_offsets[row] + len(data)
            unit_ids.append(record["unit_id"])
    first = np.searchsorted(unit_doc, np.arange(n_docs))
    for meta, unit in zip(metas, first, strict=True):  # 'Vragen over' its first words
        words = pool.texts[ids[ptr[unit]]].split()[:8]
        meta["title"] = "Vragen over " + " ".join(words).rstrip("?.,")
    doc_offsets = np.zeros(n_docs + 1, dtype=np.int64)
    with open(folder / "docs.jsonl", "wb") as fh:
        for d, meta in enumerate(metas):
            data = _line(meta)
            fh.write(data)
            doc_offsets[d + 1] = doc_offsets[d] + len(data)
    tables = {
        "units.offsets.npy": unit_offsets,
        "unit_ids.npy": np.array(unit_ids, dtype="S"),
        "unit_doc.npy": unit_doc.astype(np.int32),
        "docs.offsets.npy": doc_offsets,
        "doc_keys.npy": np.array([m["doc"] for m in metas], dtype="S"),
        "doc_kind.npy": np.array([DOC_KINDS.index(m["kind"]) for m in metas], dtype=np.uint8),
        "doc_day.npy": np.array([m["date"] or "" for m in metas], dtype="S10"),
    }
    for name, array in tables.items():
        np.save(folder / name, array, allow_pickle=False)
    return n_docs

