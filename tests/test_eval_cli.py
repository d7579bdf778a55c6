"""`rag eval` end to end: a real index of the shipped corpus, the development gold file,
the stored development figures (eval/dev_figures.json) and the 2,033-pair benchmark on a
slice of the real CSV."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest

from rag.cli.main import main
from rag.evaluation.evaluate import METRIC_KEYS

REPO = Path(__file__).resolve().parent.parent
DEV = REPO / "eval" / "dev.jsonl"
FIGURES = REPO / "eval" / "dev_figures.json"
QA_CSV = REPO.parent / "shared" / "data" / "kamervragen-qa-2033.csv"
RATES = [k for k in METRIC_KEYS if "latency" not in k]


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    """Run the CLI in this process (models load once) and parse its one JSON line."""
    capsys.readouterr()
    assert main([*argv, "--json"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1, "--json prints exactly one line"
    return json.loads(out[0])


def stored(key: str) -> tuple[dict, float]:
    """The stored development figures of one configuration and the file's tolerance."""
    data = json.loads(FIGURES.read_text(encoding="utf-8"))
    return data["runs"][key], float(data["tolerance"])


def assert_near_stored(result: dict, key: str) -> None:
    """Every measured rate is within the tolerance of the stored figure; None stays None."""
    figures, tol = stored(key)
    assert result["items"] == figures["items"]
    for name in RATES:
        got, want = result["metrics"][name], figures["metrics"][name]
        if want is None:
            assert got is None, f"{name} measured now ({got}) but not in the stored figures"
        else:
            assert got is not None and abs(got - want) <= tol, f"{name}: {got} vs stored {want}"


@pytest.fixture(scope="module")
def index(shipped_index: Path) -> Path:
    """The shipped corpus indexed with the real embedder (once per session)."""
    return shipped_index


def test_malformed_gold_is_a_one_line_error(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "gold.jsonl"
    bad.write_text('{"id": "x"}\n', encoding="utf-8")
    assert main(["eval", "--gold", str(bad), "--mode", "retrieval", "--json"]) == 2
    captured = capsys.readouterr()
    error = json.loads(captured.out)["error"]
    assert f"{bad}, line 1: missing keys" in error and "fix that line" in error
    assert captured.err.startswith("rag: error:") and captured.err.count("\n") == 1


@pytest.mark.slow
def test_retrieval_eval_matches_stored_figures(index: Path, capsys) -> None:
    result = run_json(
        capsys,
        "eval",
        "--gold",
        str(DEV),
        "--mode",
        "retrieval",
        "--limit",
        "8",
        "--index",
        str(index),
    )
    assert list(result["metrics"]) == list(METRIC_KEYS)
    assert result["index_hash"] == json.loads((index / "manifest.json").read_text())["hash"]
    assert result["settings"]["retrieval"]["mode"] == result["retrieval"] == "hybrid"
    assert len(result["per_question"]) == 8
    for q in result["per_question"]:
        assert len(q["retrieved"]) == 10 and q["refused"] is None
        if q["first_match"] is not None:
            assert q["retrieved_match"][q["first_match"] - 1]
            assert not any(q["retrieved_match"][: q["first_match"] - 1])
    assert result["metrics"]["answer_latency_p50_s"] is None
    assert_near_stored(result, "retrieval/hybrid/limit=8")


@pytest.mark.slow
def test_report_has_tables_and_a_png_of_all_three_modes(
    index: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "report"
    argv = ["eval", "--gold", str(DEV), "--mode", "retrieval", "--retrieval", "bm25"]
    result = run_json(capsys, *argv, "--limit", "6", "--index", str(index), "--report", str(out))
    md = (out / "report.md").read_text(encoding="utf-8")
    assert (out / "recall_at_k.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for mode in ("hybrid", "bm25", "dense"):
        assert f"\n| {mode} | " in md
    bm25_row = next(line for line in md.splitlines() if line.startswith("| bm25 | "))
    assert bm25_row.split(" | ")[-1].strip(" |") == f"{result['metrics']['recall@10']:.2f}"
    for q in result["per_question"]:
        assert f"\n| {q['id']} | " in md
    assert result["index_hash"] in md


@pytest.mark.slow
def test_qa_benchmark_builds_once_and_scores_three_modes(tmp_path: Path, capsys) -> None:
    if not QA_CSV.is_file():
        pytest.skip("../shared/data is not beside the repo")
    rows = list(csv.DictReader(QA_CSV.open(encoding="utf-8", newline="")))[:60]
    small = tmp_path / "qa60.csv"
    with small.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    folder = tmp_path / "qa-index"
    argv = ["eval", "--qa-csv", str(small), "--retrieval", "all", "--index", str(folder)]
    first = run_json(capsys, *argv)
    assert first["index_built"] is True and first["items"] == 60
    assert set(first["metrics"]) == {"hybrid", "bm25", "dense"}
    for figures in first["metrics"].values():
        assert list(figures) == ["recall@1", "recall@5", "recall@10", "mrr@10"]
        assert 0 <= figures["recall@1"] <= figures["recall@5"] <= figures["recall@10"] <= 1
    assert first["metrics"]["bm25"]["recall@10"] >= 0.6  # 60 candidates: BM25 finds most
    again = run_json(capsys, *argv)
    assert again["index_built"] is False and again["metrics"] == first["metrics"]
    assert again["index_hash"] == first["index_hash"]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["counts"]["units"] == 60 and not math.isnan(first["metrics"]["dense"]["mrr@10"])
