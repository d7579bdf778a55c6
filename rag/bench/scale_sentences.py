"""The sentence pool of the scale corpus: real sentences, embedded once, cached.

Sentences come from the 2,033 real answers and questions (the benchmark CSV) and from the
questions and answers of the PDFs, split with the analyzer's sentence splitter. Each
distinct sentence is embedded once with the index's embedder (passage role) and cached as
``sentences.jsonl`` + ``sentence_vectors.npy`` in the cache folder; a scale unit's vector is
the normalised mean of its sentences' vectors, so the vectors keep the structure of text.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from rag.analysis.sentences import split_sentences
from rag.embedders.base import Embedder

MIN_WORDS, MAX_WORDS = 4, 60
SENTENCES = "sentences.jsonl"
VECTORS = "sentence_vectors.npy"
Progress = Callable[[str, int, int], None]


def _usable(sentence: str) -> bool:
    words = len(sentence.split())
    return MIN_WORDS <= words <= MAX_WORDS and any(c.isalpha() for c in sentence)


def _sentences(texts: list[str]) -> list[str]:
    out: dict[str, None] = {}
    for text in texts:
        for s in split_sentences(" ".join(text.split())):
            if _usable(s):
                out[s] = None
    return list(out)


def collect(qa_csv: Path, pdf_dir: Path | None) -> dict[str, list[str]]:
    """Distinct real sentences by role: 'question' and 'answer' (CSV rows and PDF units)."""
    from rag.evaluation.qa_bench import load_pairs

    pairs = load_pairs(qa_csv)
    questions = [p.question for p in pairs]
    answers = [p.answer for p in pairs]
    if pdf_dir is not None and pdf_dir.is_dir():
        from rag.parsing import parse_file

        for path in sorted(pdf_dir.glob("*.pdf")):
            for unit in parse_file(path).units:
                questions.append(unit.question)
                answers.append(unit.answer if unit.kind == "qa" else unit.text)
    q, a = _sentences(questions), _sentences(answers)
    seen = set(q)
    return {"question": q, "answer": [s for s in a if s not in seen]}


def load_pool(cache: Path) -> tuple[list[str], np.ndarray, np.ndarray] | None:
    """(sentences, roles 0=question 1=answer, vectors) from the cache, or None if absent."""
    text, vec = cache / SENTENCES, cache / VECTORS
    if not (text.is_file() and vec.is_file()):
        return None
    rows = [json.loads(line) for line in text.read_text(encoding="utf-8").splitlines()]
    vectors = np.load(vec, allow_pickle=False)
    if len(vectors) != len(rows):
        return None
    roles = np.array([r["role"] == "answer" for r in rows], dtype=np.int8)
    return [r["text"] for r in rows], roles, vectors


def build_pool(
    cache: Path,
    qa_csv: Path,
    pdf_dir: Path | None,
    embedder: Embedder,
    progress: Progress | None = None,
    batch: int = 64,
) -> dict:
    """Embed every distinct sentence once (resumable: done blocks are kept); return stats."""
    cache.mkdir(parents=True, exist_ok=True)
    by_role = collect(qa_csv, pdf_dir)
    rows = [{"role": r, "text": s} for r in ("question", "answer") for s in by_role[r]]
    parts = cache / "parts"
    parts.mkdir(exist_ok=True)
    t0, embedded = time.perf_counter(), 0
    blocks = []
    for start in range(0, len(rows), batch * 16):
        path = parts / f"{start:07d}.npy"
        chunk = [r["text"] for r in rows[start : start + batch * 16]]
        if not path.is_file():
            np.save(path, embedder.embed(chunk, "passage").astype(np.float32))
            embedded += len(chunk)
        blocks.append(np.load(path))
        if progress:
            progress("embed sentences", min(start + len(chunk), len(rows)), len(rows))
    seconds = time.perf_counter() - t0
    np.save(cache / VECTORS, np.concatenate(blocks), allow_pickle=False)
    with open(cache / SENTENCES, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    stats = {
        "sentences": len(rows),
        "questions": len(by_role["question"]),
        "embedded_now": embedded,
        "embed_seconds": round(seconds, 1),
        "words": sum(len(r["text"].split()) for r in rows),
    }
    count = getattr(embedder, "token_count", None)  # the embedding speed per token
    if count is not None:
        stats["tokens"] = sum(count(r["text"]) for r in rows)
    (cache / "sentences.stats.json").write_text(json.dumps(stats), encoding="utf-8")
    return stats
