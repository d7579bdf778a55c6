"""The scale run: the whole query path at 10^4..10^6 units of real text, beside the old path.

`rag bench --only scale` makes (once, cached in ~/.cache/rag/scale or --cache) the sentence
pool (rag/bench/scale_sentences.py), a lazy index per size (rag/bench/scale_corpus.py) and
200 real questions with their vectors; then per size it runs the current path and the old
one (rag/bench/scale_baseline.py) in their own processes (rag/bench/scale_cell.py), and at
the largest size adds 1,000 units (rag/bench/scale_add.py). docs/SCALE.md reads the figures.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from rag.analysis.terms import Analyzer
from rag.bench.run import percentiles
from rag.bench.scale_corpus import Pool, write_corpus
from rag.bench.scale_sentences import build_pool, load_pool
from rag.embedders.base import Embedder

CACHE = Path.home() / ".cache" / "rag" / "scale"
N_QUERIES = 200
APPROX_FROM = 50_000  # FAISS IVF from this size on; exact (flat) below
TARGETS = {"p95_ms": 100, "recall@10": 0.95, "peak_mb": 3000, "load_s": 3, "add_s": 60}
Progress = Callable[[str, int, int], None]


def faiss_type(n: int) -> str:
    """The FAISS type the scale run uses at n units."""
    return "ivf" if n >= APPROX_FROM else "flat"


def ensure_pool(cache: Path, qa_csv: Path, pdf_dir: Path | None, embedder: Embedder,
                analyzer: Analyzer, progress: Progress | None = None) -> Pool:  # fmt: skip
    """The sentence pool, embedded once and cached."""
    found = load_pool(cache)
    if found is None:
        build_pool(cache, qa_csv, pdf_dir, embedder, progress)
        found = load_pool(cache)
    assert found is not None
    return Pool.make(*found, analyzer)


def ensure_corpus(cache: Path, n: int, pool: Pool, embedder: Embedder,
                  analyzer: Analyzer) -> tuple[Path, float | None]:  # fmt: skip
    """The n-unit lazy index (generated once, atomically); seconds if generated now."""
    codes = "-pq" if faiss_type(n) == "ivf" else ""  # IVF lists of PQ codes (since 2026-12)
    folder = cache / f"units-{n}-{faiss_type(n)}{codes}"
    if (folder / "lazy.json").is_file():
        return folder, None
    tmp = cache / f".tmp-{folder.name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    t0 = time.perf_counter()
    info = {"name": embedder.name, "dim": int(pool.vectors.shape[1])}
    write_corpus(tmp, n, pool, info, analyzer, faiss_type(n))
    tmp.rename(folder)
    return folder, round(time.perf_counter() - t0, 3)


def ensure_queries(cache: Path, qa_csv: Path, embedder: Embedder) -> tuple[Path, dict]:
    """200 real questions and their vectors; each embedded alone and timed (once)."""
    path, timing = cache / "queries.npz", cache / "queries.json"
    if path.is_file() and timing.is_file():
        return path, json.loads(timing.read_text())
    from rag.evaluation.qa_bench import load_pairs

    texts = [p.question for p in load_pairs(qa_csv)[:N_QUERIES]]
    embedder.embed(texts[:1], "query")  # warm-up
    vectors, samples = [], []
    for text in texts:
        t0 = time.perf_counter()
        vectors.append(embedder.embed([text], "query")[0])
        samples.append(time.perf_counter() - t0)
    np.savez(path, texts=np.array(texts), vectors=np.stack(vectors).astype(np.float32))
    figures = {"queries": len(texts), **percentiles(samples)}
    timing.write_text(json.dumps(figures))
    return path, figures


def run_cell(what: str, folder: Path, data: Path) -> dict:
    """One cell in its own process (its peak memory is its own)."""
    cmd = [sys.executable, "-m", "rag.bench.scale_cell", what, str(folder), str(data)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"`{' '.join(cmd)}` failed: {out.stderr.strip()[-500:]}")
    return json.loads(out.stdout)


def scale_run(cache: Path, sizes: list[int], qa_csv: Path, pdf_dir: Path | None,
              embedder: Embedder, analyzer: Analyzer, old: bool = True,
              say: Callable[[str], None] = print) -> dict[str, Any]:  # fmt: skip
    """Every size: the current path and the old one; at the largest, adding 1,000 units."""
    cache.mkdir(parents=True, exist_ok=True)
    pool = ensure_pool(cache, qa_csv, pdf_dir, embedder, analyzer)
    queries, embed = ensure_queries(cache, qa_csv, embedder)
    result: dict[str, Any] = {"cache": str(cache), "targets": TARGETS, "query_embedding": embed,
                              "pool": json.loads((cache / "sentences.stats.json").read_text()),
                              "rows": []}  # fmt: skip
    for n in sizes:
        say(f"scale: {n} units ({faiss_type(n)})")
        folder, generated = ensure_corpus(cache, n, pool, embedder, analyzer)
        row = {"units": n, "generated_s": generated, "new": run_cell("new", folder, queries)}
        if old:
            row["old"] = run_cell("old", folder, queries)
        result["rows"].append(row)
        (cache / "last-run.json").write_text(json.dumps(result, indent=1))  # partial figures
    if sizes:
        say(f"scale: adding 1,000 units to {max(sizes)}")
        folder, _ = ensure_corpus(cache, max(sizes), pool, embedder, analyzer)
        result["add"] = run_cell("add", folder, cache)
        (cache / "last-run.json").write_text(json.dumps(result, indent=1))
    return result


def _ms(row: dict | None, key: str, cpu: bool = False) -> str:
    if not row or "queries" not in row:
        return "-"
    figures = row["queries"][key]
    return f"{(figures['cpu'] if cpu else figures)['p95_ms']:.1f}"


def render_lines(scale: dict[str, Any]) -> list[str]:
    """The figures as text: each size, current path beside the old one, and the targets."""
    t = scale["targets"]
    lines = [f"scale run (whole query path; targets: p95 <= {t['p95_ms']} ms, recall@10 >= "
             f"{t['recall@10']}, peak <= {t['peak_mb']} MB, load <= {t['load_s']} s, "
             f"add 1,000 <= {t['add_s']} s)",
             f"  query embedding alone: p50 {scale['query_embedding']['p50_ms']:.1f} ms, "
             f"p95 {scale['query_embedding']['p95_ms']:.1f} ms (not in the figures below)",
             "  (p95 ms wall clock; cpu: p95 of CPU time per query, which a busy machine does not "
             "inflate)",
             "  units      path  load s  peak MB  hybrid p95  cpu  +filter p95  cpu  bm25 p95"
             "  dense p95  recall@10 exact/within 0.005 (nprobe)"]  # fmt: skip
    for row in scale["rows"]:
        for name in ("new", "old"):
            cell = row.get(name)
            if not cell:
                continue
            recall = " ".join(f"{r['recall@10']:.3f}/{r['recall@10_within']['0.005']:.3f}"
                              f"({r['nprobe']})" for r in cell.get("dense_recall", []))  # fmt: skip
            load = "-" if cell.get("load_s") is None else f"{cell['load_s']:.2f}"
            lines.append(f"  {row['units']:>9,} {name:>5} {load:>7} {cell['peak_mb']:>8.0f} "
                         f"{_ms(cell, 'hybrid'):>11} {_ms(cell, 'hybrid', True):>4} "
                         f"{_ms(cell, 'hybrid_filtered'):>12} "
                         f"{_ms(cell, 'hybrid_filtered', True):>4} "
                         f"{_ms(cell, 'bm25'):>9} {_ms(cell, 'dense'):>10}  {recall}")  # fmt: skip
    if "add" in scale:
        a = scale["add"]
        lines.append(f"  add {a['added']:,} units to {a['before']:,}: {a['seconds']:.1f} s "
                     f"(embedding excluded, estimated {a['embedding_estimate_s']} s); old units "
                     f"found {a['old_findable_top10']:.2f}, new {a['new_findable_top10']:.2f}, "
                     f"old keys unchanged: {a['old_keys_unchanged']}")  # fmt: skip
    return lines
