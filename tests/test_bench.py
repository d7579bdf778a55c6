"""`rag bench` parts that run fast: warm stage timing, the scale cells, the rendering."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from index_helpers import HashEmbedder

from rag.bench.report import render_text
from rag.bench.run import percentiles, warm_retrieval
from rag.bench.scale import recall_at_10, scale_run, synthetic
from rag.cli.main import main
from rag.index.build import build_index
from rag.index.load import load_index
from rag.retrieval.hybrid import HybridRetriever
from rag.settings import Settings

QUERIES = [
    "Heeft het kabinet testkits van BGI gekocht?",
    "digitale vervolging van religieuze minderheden",
    "export van surveillancetechnologie naar China",
    "Wat doet de provincie Utrecht met Chinese investeringen?",
]


@pytest.fixture(scope="module")
def index(tmp_path_factory, corpus_dir):
    folder = tmp_path_factory.mktemp("bench")
    settings = Settings().override("index", dir=str(folder / "index"))
    build_index([corpus_dir], settings, HashEmbedder())
    return load_index(folder / "index")


def test_warm_retrieval_times_every_stage_without_changing_results(index) -> None:
    embedder = HashEmbedder()
    settings = Settings().retrieval
    figures = warm_retrieval(index, embedder, settings, QUERIES)
    assert figures["queries"] == len(QUERIES)
    for stage in ("embed", "faiss", "bm25", "fusion", "total"):
        assert 0 <= figures[stage]["p50_ms"] <= figures[stage]["p95_ms"]
    sides = sum(figures[s]["p50_ms"] for s in ("embed", "faiss", "bm25"))
    assert sides <= figures["total"]["p95_ms"] * len(QUERIES)
    # the timing proxies see every call: one embedding per query and the warm-up
    assert embedder.calls == len(QUERIES) + 1
    plain = HybridRetriever(index, HashEmbedder(), settings)
    timed = HybridRetriever(index, embedder, settings)
    for q in QUERIES:
        ids = [h.unit.unit_id for h in timed.search(q)]
        assert ids and ids == [h.unit.unit_id for h in plain.search(q)]


def test_percentiles_are_in_milliseconds_and_ordered() -> None:
    p = percentiles([0.001 * i for i in range(1, 101)])
    assert p["p50_ms"] == pytest.approx(50.5)
    assert p["p95_ms"] == pytest.approx(95.0)


def test_scale_cells_measure_exact_against_approximate(index, tmp_path: Path) -> None:
    base = tmp_path / "base.npy"
    np.save(base, index.dense.vectors)
    rows = scale_run(base, [2000], ["flat", "ivf", "hnsw"])
    assert [r["type"] for r in rows] == ["flat", "ivf", "hnsw"]
    assert rows[0]["recall@10"] == 1.0
    assert all(0.0 <= r["recall@10"] <= 1.0 and r["n"] == 2000 for r in rows)
    assert all(r["peak_rss_mb"] > 0 and r["index_mb"] > 0 for r in rows)
    text = render_text({"machine": {"date": "d", "cpus": 2, "python": "3", "platform": "p"},
                        "scale": rows})  # fmt: skip
    assert "2,000" in text and "ivf" in text and "hnsw" in text


def test_synthetic_vectors_are_unit_length_and_recall_counts_overlap() -> None:
    base = np.eye(8, dtype=np.float32)
    vectors = synthetic(base, 50)
    assert vectors.shape == (50, 8)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert recall_at_10([list(range(10))], [list(range(5, 15))]) == 0.5


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--only", "speed"], "unknown bench part 'speed'"),
        (["--sizes", "10"], "--sizes '10' must be"),
        (["--runs", "0"], "--runs 0 must be"),
        (["--qa-csv", "/nonexistent.csv"], "--qa-csv FILE"),
    ],
)
def test_bad_bench_arguments_are_one_line_errors(argv, needle, capsys) -> None:
    assert main(["bench", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and "\n" not in err


def test_bench_needs_no_index_files_to_report_bad_arguments(tmp_path: Path, capsys) -> None:
    shutil.rmtree(tmp_path, ignore_errors=True)
    assert main(["bench", "--index", str(tmp_path / "none"), "--only", "nope"]) == 2
    assert "unknown bench part" in capsys.readouterr().err
