"""Adding units to a lazy index without rebuilding the rest.

The records and vectors are appended (units.jsonl, docs.jsonl, vectors.npy: the .npy header
is rewritten in place with the new row count), the IVF index takes the new vectors in their
lists (written to a temporary file, then renamed), and BM25 gets a delta segment: the added
units scored with the statistics of main + delta (``bm25_delta/``, rebuilt from the added
units on every add; the main segment keeps its arrays). The tables and ``lazy.json`` are
replaced last, each by rename: an add killed before that leaves counts that do not match,
and the index refuses to open (regenerate it). Keys must sort after the existing ones.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import numpy as np

from rag.errors import RagError
from rag.index import bm25_arrays as bm
from rag.index.lazy import LAZY, LazyIndex, read_lazy
from rag.types import DOC_KINDS, DocMeta, Unit


def _replace(path: Path, array: np.ndarray) -> None:
    tmp = path.with_name(path.name + ".tmp.npy")
    np.save(tmp, array, allow_pickle=False)
    os.replace(tmp, path)


def append_rows(path: Path, rows: np.ndarray) -> None:
    """Append rows to a C-order .npy file in place (the header keeps its length)."""
    with open(path, "r+b") as fh:
        version = np.lib.format.read_magic(fh)
        fmt = np.lib.format
        read = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
        shape, fortran, dtype = read(fh)
        data_at = fh.tell()
        if fortran or rows.shape[1:] != shape[1:]:
            raise RagError(f"cannot append {rows.shape} rows to {path} of shape {shape}")
        header = io.BytesIO()
        new = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False,
               "shape": (shape[0] + len(rows), *shape[1:])}  # fmt: skip
        write = fmt.write_array_header_1_0 if version == (1, 0) else fmt.write_array_header_2_0
        write(header, new)
        if header.tell() != data_at:
            raise RagError(f"the header of {path} cannot grow in place; regenerate the index")
        fh.seek(0, os.SEEK_END)
        fh.write(np.ascontiguousarray(rows, dtype=dtype).tobytes())
        fh.seek(0)
        fh.write(header.getvalue())


def _append_lines(path: Path, records: list[dict]) -> np.ndarray:
    """Append JSON lines; the byte offsets of the new line ends."""
    data = [(json.dumps(r, ensure_ascii=False) + "\n").encode("utf-8") for r in records]
    with open(path, "ab") as fh:
        start = fh.tell()
        fh.write(b"".join(data))
    return start + np.cumsum([len(d) for d in data]).astype(np.int64)


def _keys(old: np.ndarray, new: list[str], what: str) -> np.ndarray:
    keys = np.array(new, dtype="S")
    both = np.concatenate([np.asarray(old).astype(keys.dtype if keys.itemsize > old.itemsize
                                                   else old.dtype), keys])  # fmt: skip
    if len(both) > 1 and not (both[1:] > both[:-1]).all():
        raise RagError(f"added {what} must have new keys sorting after the existing ones")
    return both


def add_units(folder: Path, docs: list[DocMeta], units: list[Unit], vectors: np.ndarray) -> dict:
    """Append documents, their units and one vector per unit; returns the new counts."""
    index = LazyIndex(folder)
    manifest = read_lazy(folder)
    if len(vectors) != len(units):
        raise RagError(f"{len(units)} units need as many vectors, not {len(vectors)}")
    n_units, n_docs = len(index.units), len(index.docs)
    doc_row = {d.doc: n_docs + i for i, d in enumerate(docs)}
    tables = _tables(index, docs, units, doc_row, n_units)
    unit_ends = _append_lines(folder / "units.jsonl", [u.to_dict() for u in units])
    doc_ends = _append_lines(folder / "docs.jsonl", [_doc_dict(d) for d in docs])
    tables["units.offsets.npy"] = np.concatenate([index.units.records.offsets, unit_ends])
    tables["docs.offsets.npy"] = np.concatenate([index.docs.records.offsets, doc_ends])
    append_rows(folder / "vectors.npy", vectors.astype(np.float32))
    _add_faiss(folder, vectors)
    _delta_bm25(folder, index, units)
    for name, array in tables.items():
        _replace(folder / name, array)
    counts = {"units": n_units + len(units), "docs": n_docs + len(docs),
              "passages": n_units + len(units)}  # fmt: skip
    manifest = {**manifest, "counts": counts}
    manifest.setdefault("main_units", n_units)
    tmp = folder / (LAZY + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    os.replace(tmp, folder / LAZY)
    return counts


def _doc_dict(d: DocMeta) -> dict:
    from dataclasses import asdict

    return asdict(d)


def _tables(index: LazyIndex, docs: list[DocMeta], units: list[Unit], doc_row: dict[str, int],
            n_units: int) -> dict[str, np.ndarray]:  # fmt: skip
    rows = []
    for u in units:
        row = doc_row.get(u.doc, index.docs.records.row_of(u.doc))
        if row is None:
            raise RagError(f"unit {u.unit_id} names document {u.doc!r}, which is not added")
        rows.append(row)
    return {
        "unit_ids.npy": _keys(index.units.records.keys, [u.unit_id for u in units], "units"),
        "unit_doc.npy": np.concatenate([index.unit_doc_rows, np.array(rows, dtype=np.int32)]),
        "passage_unit.npy": np.concatenate(
            [index.passage_unit, np.arange(n_units, n_units + len(units), dtype=np.int32)]),
        "doc_keys.npy": _keys(index.docs.records.keys, [d.doc for d in docs], "documents"),
        "doc_kind.npy": np.concatenate(
            [index.doc_kind, np.array([DOC_KINDS.index(d.kind) for d in docs], np.uint8)]),
        "doc_day.npy": np.concatenate(
            [index.doc_day, np.array([d.date or d.date_sent or "" for d in docs], "S10")]),
    }  # fmt: skip


def _add_faiss(folder: Path, vectors: np.ndarray) -> None:
    """Read the FAISS index whole, add the vectors to its lists, write it back by rename."""
    import faiss

    index = faiss.read_index(str(folder / "dense.faiss"))
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    tmp = folder / "dense.faiss.tmp"
    faiss.write_index(index, str(tmp))
    os.replace(tmp, folder / "dense.faiss")


def _delta_bm25(folder: Path, index: LazyIndex, units: list[Unit]) -> None:
    """BM25 of every unit added since the build, on the statistics of main + delta."""
    from rag.index.lexical import unit_text

    main = bm.load_stats(folder / "bm25")
    main_units = int(main.num_docs)
    added = [index.units.at(r) for r in range(main_units, len(index.units))] + list(units)
    vocab = dict(index.lexical.main.bm25.vocab_dict)
    tokens = [[vocab.setdefault(t, len(vocab)) for t in index.lexical.analyzer.tokens(
        unit_text(u))] for u in added]  # fmt: skip
    lens = np.array([len(t) for t in tokens], dtype=np.int64)
    unit_of = np.repeat(np.arange(len(added)), lens)
    terms = np.fromiter((t for ts in tokens for t in ts), np.int32, int(lens.sum()))
    u, t, f = bm.count_terms(unit_of, terms, len(vocab))
    delta = bm.stats(u, t, f, len(added), len(vocab), main.k1, main.b)
    df = np.zeros(len(vocab), dtype=np.int64)
    df[: len(main.df)] = main.df
    df += delta.df
    n = main.num_docs + len(added)
    both = bm.Stats(n, (main.avgdl * main.num_docs + lens.sum()) / n, df, main.k1, main.b)
    out = folder / "bm25_delta.tmp"
    bm.save(out, bm.csc(u, t, f, lens, both, len(vocab)), vocab,
            bm.Stats(len(added), both.avgdl, delta.df, main.k1, main.b))  # fmt: skip
    old = folder / "bm25_delta"
    if old.exists():
        os.replace(old, folder / "bm25_delta.old")
    os.replace(out, old)
    if (folder / "bm25_delta.old").exists():
        import shutil

        shutil.rmtree(folder / "bm25_delta.old")
