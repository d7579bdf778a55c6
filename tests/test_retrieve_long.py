"""Long questions: the units' answers embedded in the query role, stored per unit, and the
dense side of a long question blended with them (rag/retrieval/hybrid.py). Real bundled
embedder over the shipped corpus."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from index_helpers import copy_index

from rag.cli.main import main
from rag.errors import RagError
from rag.index.incremental import answer_text
from rag.index.load import load_index
from rag.index.manifest import Manifest
from rag.retrieval.hybrid import HybridRetriever
from rag.settings import Settings

MEMBER = "001_f07640d600ade888#v8"  # a Vraag of at least 18 words: the BGI test kits


@pytest.fixture(scope="module")
def index(shipped_index: Path):
    return load_index(shipped_index)


@pytest.fixture(scope="module")
def embedder(shipped_side):
    return shipped_side.embedder


def long_question(index) -> str:
    text = " ".join(index.units[MEMBER].question.split())
    searched = HybridRetriever(index, None).analyse(text).search_text
    assert len(searched.split()) >= Settings().retrieval.long_question_words
    return text


def retriever(index, embedder, **retrieval) -> HybridRetriever:
    return HybridRetriever(index, embedder, replace(Settings().retrieval, **retrieval))


def test_every_unit_has_its_answer_embedded_in_the_query_role(index, embedder) -> None:
    vectors = index.answer_vectors
    assert vectors is not None and vectors.shape == (len(index.units), embedder.dim)
    unit = index.units[MEMBER]
    row = index.unit_ids.index(MEMBER)
    text = answer_text(unit)
    assert text == unit.answer.strip()
    np.testing.assert_allclose(vectors[row], embedder.embed([text], "query")[0], atol=1e-5)
    passage_role = embedder.embed([text], "passage")[0]
    assert float(vectors[row] @ passage_role) < 0.99  # another role, another vector
    letter = next(u for u in index.units.values() if not u.answer)
    assert answer_text(letter) == (letter.text or letter.question or letter.label).strip()


def test_a_long_question_scores_its_candidates_with_the_answer_side(index, embedder) -> None:
    question = long_question(index)
    on = retriever(index, embedder).search(question, k=10, mode="dense")
    off = retriever(index, embedder, answer_weight=0.0).search(question, k=10, mode="dense")
    vectors = np.asarray(index.answer_vectors, dtype=np.float64)
    mean = vectors.mean(axis=0)
    searched = retriever(index, embedder).analyse(question).search_text  # scaffold taken out
    q = np.asarray(embedder.embed([searched], "query")[0], dtype=np.float64) - mean
    q /= np.linalg.norm(q)
    weight = Settings().retrieval.answer_weight
    for hit in on:  # fused score = best passage cosine + weight x centred answer cosine
        a = vectors[index.unit_ids.index(hit.unit.unit_id)] - mean
        expected = hit.scores["dense"] + weight * float(a @ q) / np.linalg.norm(a)
        assert hit.score == pytest.approx(expected, abs=1e-5)
    assert [h.score for h in on] != [h.score for h in off]
    cosine = {h.unit.unit_id: h.scores["dense"] for h in off}
    for hit in on:  # the dense score a hit reports stays the passage cosine
        if hit.unit.unit_id in cosine:
            assert hit.scores["dense"] == pytest.approx(cosine[hit.unit.unit_id], abs=1e-6)
    hybrid = retriever(index, embedder).search(question, k=5)
    assert MEMBER in [h.unit.unit_id for h in hybrid]


def test_a_short_question_is_searched_as_before(index, embedder) -> None:
    question = "Heeft het kabinet testkits van BGI gekocht?"
    for mode in ("hybrid", "dense"):
        on = retriever(index, embedder).search(question, k=10, mode=mode)
        off = retriever(index, embedder, answer_weight=0.0).search(question, k=10, mode=mode)
        assert [(h.unit.unit_id, h.score) for h in on] == [(h.unit.unit_id, h.score) for h in off]


def test_a_short_follow_up_read_with_a_long_question_is_not_a_long_question(index, embedder):
    from rag.analysis.query import analyse

    follow_up = analyse("En hoeveel kostten ze?", index.lexical.analyzer, long_question(index))
    assert len(follow_up.search_text.split()) >= Settings().retrieval.long_question_words
    on = retriever(index, embedder).search(follow_up, k=10)
    off = retriever(index, embedder, answer_weight=0.0).search(follow_up, k=10)
    assert [(h.unit.unit_id, h.score) for h in on] == [(h.unit.unit_id, h.score) for h in off]


def test_an_index_built_before_answer_vectors_works_and_a_build_adds_them(
    shipped_index, index, embedder, tmp_path, capsys
) -> None:
    old = copy_index(shipped_index, tmp_path / "index")
    manifest_path = old / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    (old / manifest["data"] / "answer_vectors.npy").unlink()
    del manifest["files"]["answer_vectors.npy"]
    manifest["hash"] = Manifest.from_dict(manifest).identity_hash()  # as such a build had it
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    before = load_index(old)
    assert before.answer_vectors is None
    question = long_question(index)
    plain = retriever(index, embedder, answer_weight=0.0).search(question, k=10)
    found = retriever(before, embedder).search(question, k=10)
    assert [(h.unit.unit_id, h.score) for h in found] == [(h.unit.unit_id, h.score) for h in plain]
    capsys.readouterr()
    assert main(["index", "build", "--index", str(old), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["embedded"] == 0  # every passage vector reused; only the answers embedded
    assert result["answers_embedded"] == len({answer_text(u) for u in index.units.values()})
    after = load_index(old)
    np.testing.assert_allclose(after.answer_vectors, index.answer_vectors, atol=1e-6)
    assert after.hash == index.hash != before.hash


def test_the_long_question_settings_are_validated(tmp_path) -> None:
    for key, value in (("answer_weight", -0.5), ("long_question_words", -1)):
        path = tmp_path / f"{key}.toml"
        path.write_text(f"[retrieval]\n{key} = {value}\n", encoding="utf-8")
        with pytest.raises(RagError, match=f"retrieval.{key}"):
            Settings.load(path)
