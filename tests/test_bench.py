"""`rag bench` parts that run fast: warm stage timing, the scale cells, the rendering."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from index_helpers import HashEmbedder

from rag.bench.report import render_text
from rag.bench.run import percentiles, warm_retrieval
from rag.bench.scale import faiss_type, scale_run
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
    for stage in ("embed", "faiss", "bm25+fusion", "total"):
        assert 0 <= figures[stage]["p50_ms"] <= figures[stage]["p95_ms"]
    sides = sum(figures[s]["p50_ms"] for s in ("embed", "faiss", "bm25+fusion"))
    assert sides <= figures["total"]["p95_ms"] * len(QUERIES)
    assert figures["faiss"]["p50_ms"] > 0 and figures["embed"]["p50_ms"] > 0
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


def test_scale_run_measures_both_paths_and_the_add(index, tmp_path: Path) -> None:
    import csv

    from rag.analysis.terms import Analyzer

    qa_csv = tmp_path / "qa.csv"
    units = [u for u in index.units.values() if u.question and u.answer]
    with open(qa_csv, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["anchor", "positive", "negative"])
        writer.writerows([u.question, u.answer, ""] for u in units)
    cache = tmp_path / "cache"
    result = scale_run(cache, [2000], qa_csv, None, HashEmbedder(), Analyzer(), say=lambda s: None)
    row = result["rows"][0]
    new, old = row["new"], row["old"]
    assert row["units"] == new["units"] == old["units"] == 2000 and row["generated_s"] > 0
    assert new["faiss"]["type"] == faiss_type(2000) == "flat"
    assert new["dense_recall"][0]["recall@10"] == 1.0  # flat is exact
    for cell in (new, old):
        assert 0 < cell["queries"]["hybrid"]["p50_ms"] <= cell["queries"]["hybrid"]["p95_ms"]
        assert cell["peak_mb"] > 0 and cell["load_s"] > 0
    add = result["add"]
    assert add["after"] == add["before"] + 1000 == 3000 and add["old_keys_unchanged"]
    assert add["old_findable_top10"] >= 0.95 and add["new_findable_top10"] >= 0.95
    assert sorted(p.name for p in cache.iterdir() if p.name.startswith("units-")) == [
        "units-2000-flat"
    ]  # the corpus is cached, the add ran on a copy
    text = render_text({"machine": {"date": "d", "cpus": 2, "python": "3", "platform": "p"},
                        "scale": result})  # fmt: skip
    assert "2,000   new" in text and "2,000   old" in text and "add 1,000 units" in text


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
