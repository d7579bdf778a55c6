"""The bundled multilingual e5 against MiniLM, in one run: the engine's own single-call speed,
from-scratch builds of the shipped corpus with each (tokens/s, passages/s, peak memory), and
the MiniLM indexes that serve as the baseline of the cold and warm figures."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from rag.bench.run import RAG, run_measured
from rag.embedders.e5 import E5Embedder
from rag.index.chunk import embed_text
from rag.index.incremental import answer_text
from rag.index.load import load_index

MINILM = "minilm"


def texts_of(folder: Path) -> list[tuple[str, str]]:
    """What the index in folder embedded, with the role: the embed texts of its passages,
    and each distinct answer of its units in the query role (rag/retrieval/hybrid.py)."""
    index = load_index(folder)
    units, docs = index.units, index.docs
    out = [(embed_text(p, units[p.unit_id], docs.get(p.doc)), "passage") for p in index.passages]
    if index.answer_vectors is not None:
        out += [(t, "query") for t in dict.fromkeys(answer_text(u) for u in units.values())]
    return out


def engine_speed(texts: list[str], e5: E5Embedder | None = None, limit: int = 120) -> dict:
    """The e5 engine alone, one text per call (its own speed): tokens/s over real texts."""
    e5 = e5 or E5Embedder()
    sample = texts[:limit]
    tokens = sum(e5.token_count(t) for t in sample)
    t0 = time.perf_counter()
    for text in sample:
        e5.embed([text], "passage")
    seconds = time.perf_counter() - t0
    return {"texts": len(sample), "tokens": tokens, "tokens_per_s": round(tokens / seconds, 1)}


def build(corpus: str, embedder: str = "") -> dict:
    """A from-scratch build of corpus in a subprocess with the embedder named (default e5):
    seconds, passages/s, e5 tokens/s (the same count for both embedders, over passages and
    query-role answers) and peak memory."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "index"
        flags = ["--embedder", embedder] if embedder else []
        cmd = [*RAG, "index", "build", corpus, "--index", str(folder), *flags, "--json"]
        t0 = time.perf_counter()
        code, peak_kb, err = run_measured(cmd)
        seconds = time.perf_counter() - t0
        if code != 0:
            raise RuntimeError(f"`{' '.join(cmd)}` failed: {err.strip()[-300:]}")
        texts = texts_of(folder)
    e5 = E5Embedder()
    tokens = sum(e5.token_count(t, kind) for t, kind in texts)  # every text it embedded
    passages = [t for t, kind in texts if kind == "passage"]
    return {
        "embedder": embedder or "e5",
        "passages": len(passages),
        "answers": len(texts) - len(passages),
        "tokens": tokens,
        "seconds": round(seconds, 2),
        "passages_per_s": round(len(passages) / seconds, 1),
        "tokens_per_s": round(tokens / seconds, 1),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "engine": engine_speed(passages, e5),
    }


def ensure_minilm_index(corpus: str, folder: Path) -> Path:
    """The shipped corpus indexed with MiniLM in folder (an incremental build: fast when
    current), the baseline of the cold and warm figures."""
    cmd = [*RAG, "index", "build", corpus, "--index", str(folder), "--embedder", MINILM]
    code, _, err = run_measured(cmd)
    if code != 0:
        raise RuntimeError(f"`{' '.join(cmd)}` failed: {err.strip()[-300:]}")
    return folder
