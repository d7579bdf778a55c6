"""The records of the scale corpus: docs.jsonl and units.jsonl with the lazy index's tables."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from rag.types import DOC_KINDS

KINDS = {"answers": 0.7, "questions": 0.08, "letter": 0.17, "provincial": 0.05}
FIRST_DAY, DAYS = np.datetime64("1999-01-01"), 26 * 365
PARTIES = ("VVD", "PVV", "CDA", "D66", "GroenLinks", "SP", "PvdA", "ChristenUnie", "PvdD",
           "SGP", "DENK", "JA21", "Volt", "NSC", "BBB", "FvD", "50PLUS")  # fmt: skip
NAMES = ("De Vries", "Jansen", "Van den Berg", "Bakker", "Visser", "Smit", "Meijer", "Mulder",
         "De Boer", "Bos", "Vos", "Peters", "Hendriks", "Van Dijk", "Dekker", "Brouwer",
         "De Wit", "Dijkstra", "Smits", "De Graaf", "Van der Meer", "Kok", "Jacobs", "Van Leeuwen",
         "Kuipers", "Veenstra", "Koster", "Prins", "Huisman", "Postma")  # fmt: skip


def _line(record: dict) -> bytes:
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


def write_records(folder: Path, pool, ptr: np.ndarray, ids: np.ndarray, n_q: np.ndarray,  # noqa: ANN001
                  unit_doc: np.ndarray, seed: int) -> int:  # fmt: skip
    """Write docs.jsonl, units.jsonl and their offset, key and column tables; docs written."""
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


def doc_meta(row: int, rng: np.random.Generator) -> dict:
    """One document's metadata (DocMeta fields)."""
    kind = str(rng.choice(list(KINDS), p=list(KINDS.values())))
    day = str(FIRST_DAY + int(rng.integers(0, DAYS)))
    asked = int(rng.integers(1, 3)) if kind in ("answers", "questions") else 0
    members = [{"name": str(rng.choice(NAMES)), "party": str(rng.choice(PARTIES)), "role": None}
               for _ in range(asked)]  # fmt: skip
    kenmerk = f"{day[:4]}Z{int(rng.integers(0, 99999)):05d}" if members else None
    return {"doc": f"s{row:07d}", "kind": kind, "title": "", "date": day, "kenmerk": kenmerk,
            "members": members, "source": f"s{row:07d}.txt"}  # fmt: skip


def unit_record(doc: dict, j: int, sentences: list[str], n_q: int) -> dict:
    """One unit (Unit.to_dict fields): question sentences, then the answer sentences."""
    question, answer = " ".join(sentences[:n_q]), " ".join(sentences[n_q:])
    qa = doc["kind"] in ("answers", "questions")
    kind = "qa" if qa and n_q else "paragraph"
    text = "\n".join(p for p in (question, answer) if p)
    return {"doc": doc["doc"], "unit_id": f"{doc['doc']}#v{j}", "kind": kind,
            "vraag": [j] if kind == "qa" else None,
            "label": f"Vraag {j} / Antwoord {j}" if kind == "qa" else f"Paragraaf {j}",
            "question": question if kind == "qa" else "", "answer": answer if kind == "qa" else "",
            "text": text, "order": j}  # fmt: skip
