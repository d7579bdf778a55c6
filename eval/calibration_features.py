"""Collect, per development question, what the answer rules read: the top hits with their
lexical coverage and dense cosine, and per candidate unit its sentences with their cosine to
the question and their lexical score. eval/calibration_quote.py chooses the gate and the
sentence-choice settings from this file without running retrieval again.

    .venv/bin/python eval/calibration_features.py --index /tmp/answer/index \
        --out /tmp/answer/features.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag.answering.choose import SentenceVectors, sentence_scores  # noqa: E402
from rag.answering.notes import notes_text, sentence_notes  # noqa: E402
from rag.answering.quote import Evidence  # noqa: E402
from rag.answering.side import open_query_side  # noqa: E402
from rag.evaluation.gold import load_gold  # noqa: E402
from rag.index.lexical import unit_text  # noqa: E402
from rag.index.load import Index  # noqa: E402
from rag.settings import Settings  # noqa: E402
from rag.types import Query, Unit  # noqa: E402


def fold(item_id: str) -> str:
    """A for even first byte of the id's SHA-256, else B."""
    return "A" if hashlib.sha256(item_id.encode()).digest()[0] % 2 == 0 else "B"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", required=True)
    parser.add_argument("--gold", default="eval/dev.jsonl")
    parser.add_argument("--out", required=True)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument(
        "--cache", default=str(CACHE), help="sentence vectors of earlier runs (.npz)"
    )
    args = parser.parse_args()
    settings = Settings().override("index", dir=args.index).override("embedder", threads=1)
    side = open_query_side(settings, "hybrid")
    answerer = side.answerer
    args.cache = str(Path(args.cache).with_suffix(".npz"))  # numpy adds it when saving
    vectors = load_vectors(SentenceVectors(side.embedder), Path(args.cache))
    asked = dict(zip(side.index.question_ids, side.index.question_vectors, strict=True))
    passages = np.asarray(side.index.dense.vectors, dtype=np.float32)
    out = []
    for item in load_gold(args.gold):
        query = side.query(item.question)
        hits = side.retriever.search(query, k=args.k)
        rows = []
        for hit in hits:
            unit = answerer.quote_unit(hit.unit)
            sentences, cosine, lexical = sentence_scores(answerer.evidence, vectors, query, unit)
            notes = {p: notes_text(list(n)) for p, n in sentence_notes(unit, sentences).items()}
            rows.append({
                "unit_id": hit.unit.unit_id, "quote_unit": unit.unit_id, "doc": hit.unit.doc,
                "kind": unit.kind, "quote_doc": unit.doc,
                "vraag": list(hit.unit.vraag) if hit.unit.vraag else None,
                "match": item.matches(hit.unit.doc, hit.unit.vraag),
                "coverage": answerer.relevance(query, hit),
                "dense": hit.scores.get("dense", 0.0), "bm25": hit.scores.get("bm25", 0.0),
                "question": float(asked[hit.unit.unit_id] @ query.vector)
                if hit.unit.unit_id in asked else None,
                "sentences": sentences, "cosine": [round(float(c), 5) for c in cosine],
                "lexical": [round(float(x), 5) for x in lexical],
                "notes": {str(p): text for p, text in notes.items()},
                "terms": term_evidence(answerer.evidence, query, hit.unit),
            })  # fmt: skip
        out.append({
            "id": item.id, "fold": fold(item.id), "question": item.question,
            "answerable": item.answerable, "must_mention": [list(g) for g in item.must_mention],
            "lang": query.lang, "names": sorted(query.names), "hits": rows,
            "background": background(side.index, passages, query.vector),
        })  # fmt: skip
        print(item.id, file=sys.stderr, end=" ", flush=True)
    Path(args.out).write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    save_vectors(vectors, Path(args.cache))


def background(index: Index, passages: np.ndarray, vector: np.ndarray) -> dict[str, float]:
    """The question's cosines with the whole corpus (a relative gate's background): the mean
    over all Vraag vectors, and the mean over all units of a unit's best passage."""
    best = np.full(len(index.unit_ids), -1.0, dtype=np.float32)
    np.maximum.at(best, index.passage_unit, passages @ vector)
    vraag = np.asarray(index.question_vectors, dtype=np.float32) @ vector
    asked = vraag if vraag.size else best  # an index without Vraag vectors: the units
    return {"vraag": round(float(asked.mean()), 5), "units": round(float(best.mean()), 5)}


def term_evidence(evidence: Evidence, query: Query, unit: Unit) -> list[list]:
    """Per evidence term of the question: [term, idf, in the unit (BM25 postings), inside a
    longer word of the unit (a compound part: "kamp" in "heropvoedingskampen")]."""
    row = evidence.row.get(unit.unit_id)
    words = set(evidence.analyzer.tokens(unit_text(unit)))
    out = []
    for term in sorted(evidence.query_terms(query)):
        rows = evidence.lexical.rows_with(term)
        have = row is not None and bool(np.isin(row, rows))
        part = len(term) >= 4 and any(term in w for w in words if w != term)
        out.append([term, round(evidence.idf(term), 4), have, part])
    return out


# unit id -> its sentence vectors
CACHE = Path(tempfile.gettempdir(), "rag-calibration", "sentence_vectors.npz")


def load_vectors(vectors: SentenceVectors, path: Path) -> SentenceVectors:
    """The sentence vectors computed by an earlier run (a calibration cache, not the index)."""
    if path.is_file():
        with np.load(path) as data:
            vectors._cache.update({k: data[k] for k in data.files})
    return vectors


def save_vectors(vectors: SentenceVectors, path: Path) -> None:
    """Keep the sentence vectors for the next calibration run."""
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **vectors._cache)


if __name__ == "__main__":
    main()
