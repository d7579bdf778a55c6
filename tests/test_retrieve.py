"""Hybrid retrieval: fusion, one hit per unit, filters before the cut, modes."""

from __future__ import annotations

import shutil
from dataclasses import replace

import numpy as np
import pytest
from index_helpers import HashEmbedder

from rag.errors import RagError
from rag.index.build import build_index
from rag.index.load import load_index
from rag.parsing import parse_file
from rag.retrieval.hybrid import HybridRetriever, rrf, top_rows, weighted
from rag.settings import RetrievalSettings, Settings
from rag.types import Filters

DOCS = ("001_f07640d600ade888", "002_6ae4c03786fa8873", "003_54dab813ef9c6552",
        "004_cf4a3fa9a5a68e27")  # fmt: skip


@pytest.fixture(scope="module")
def index(tmp_path_factory, seed_paths):
    root = tmp_path_factory.mktemp("retrieve")
    for name in DOCS:
        shutil.copy(seed_paths[name], root)
    settings = Settings().override("index", dir=str(root / "index"))
    build_index([root], settings, HashEmbedder(), parse=parse_file)
    return load_index(root / "index")


@pytest.fixture(scope="module")
def retriever(index) -> HybridRetriever:
    return HybridRetriever(index, HashEmbedder())


def test_rrf_sums_weighted_reciprocal_ranks() -> None:
    fused = rrf({"bm25": [7, 3], "dense": [3, 9]}, {"bm25": 1.0, "dense": 0.5}, k=60)
    assert fused[3] == pytest.approx(1 / 62 + 0.5 / 61)
    assert fused[7] == pytest.approx(1 / 61) and fused[9] == pytest.approx(0.5 / 62)
    assert max(fused, key=fused.get) == 3  # second on one side, first on the other


def test_weighted_fusion_normalises_each_side() -> None:
    scores = {"bm25": np.array([10.0, 0, 5, 0]), "dense": np.array([0.1, 0.9, 0.5, 0.2])}
    fused = weighted({"bm25": [0, 2], "dense": [1, 2, 0]}, scores, {"bm25": 1, "dense": 1})
    assert fused == pytest.approx({0: 1.0, 1: 1.0, 2: 0.5})


def test_union_fusion_scores_every_candidate_on_both_sides() -> None:
    scores = {"bm25": np.array([10.0, 0, 5, 0]), "dense": np.array([0.1, 0.9, 0.5, -1.0])}
    rankings = {"bm25": [0, 2], "dense": [1, 2]}
    fused = weighted(rankings, scores, {"bm25": 1, "dense": 2}, over="union")
    # union {0, 1, 2}: bm25 10/0/5 -> 1/0/0.5; dense 0.1/0.9/0.5 -> 0/1/0.5 (x2)
    assert fused == pytest.approx({0: 1.0, 1: 2.0, 2: 1.5})
    own = weighted(rankings, scores, {"bm25": 1, "dense": 2})
    assert own[2] == 0.0  # own: unit 2 is the worst of both sides' own lists, 0 on each
    # a unit without passages (-1) counts as the dense side's lowest, not below it
    fused = weighted({"bm25": [0, 3], "dense": [1]}, scores, {"bm25": 1, "dense": 1}, "union")
    assert fused == pytest.approx({0: 1.0, 1: 1.0, 3: 0.0})
    with pytest.raises(RagError, match="retrieval.normalise"):
        weighted(rankings, scores, {"bm25": 1, "dense": 1}, over="z")


def test_top_rows_orders_by_score_then_row() -> None:
    assert top_rows(np.array([0.0, 2.0, 1.0, 2.0, -1.0]), 10) == [1, 3, 2]
    assert top_rows(np.array([0.0, 2.0, 1.0]), 10, positive=False) == [1, 2, 0]


def test_hits_are_units_ranked_from_one_without_repeats(retriever) -> None:
    for mode in ("hybrid", "bm25", "dense"):
        hits = retriever.search("mensenrechten en surveillance in China", k=10, mode=mode)
        assert [h.rank for h in hits] == list(range(1, 11))
        assert len({h.unit.unit_id for h in hits}) == 10
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
        assert f"{mode if mode != 'hybrid' else 'bm25'}_rank" in hits[0].scores


def test_rrf_hybrid_scores_are_the_fusion_of_the_side_ranks(retriever) -> None:
    settings = RetrievalSettings(fusion="rrf", rrf_k=20, bm25_weight=1.0, dense_weight=0.5)
    rrf_retriever = HybridRetriever(retriever.index, retriever.embedder, settings)
    hits = rrf_retriever.search("testkits van BGI Group", k=5)
    weight = {"bm25": 1.0, "dense": 0.5}
    for h in hits:
        s = h.scores
        sides = [side for side in ("bm25", "dense") if s[f"{side}_rank"]]
        want = sum(weight[side] / (20 + s[f"{side}_rank"]) for side in sides)
        assert h.score == pytest.approx(want, abs=1e-6)
    assert "BGI" in hits[0].unit.text


def test_default_hybrid_is_the_weighted_sum_of_normalised_side_scores(retriever) -> None:
    s = retriever.settings
    assert (s.fusion, s.normalise) == ("weighted", "union")
    query = "testkits van BGI Group"
    rankings, scores = retriever.rankings(query, ("bm25", "dense"), s.candidates)
    union = sorted(set(rankings["bm25"]) | set(rankings["dense"]))
    assert len(union) > max(len(rows) for rows in rankings.values())  # the sides disagree
    span = {}
    for side in rankings:
        values = scores[side][union]  # every candidate's real score on this side
        span[side] = (float(values.min()), float(values.max() - values.min()))
    weight = {"bm25": s.bm25_weight, "dense": s.dense_weight}
    hits = retriever.search(query, k=5)
    for h in hits:  # a side's term counts even when that side did not propose the unit
        want = sum(
            weight[side] * (h.scores[side] - span[side][0]) / span[side][1]
            for side in ("bm25", "dense")
        )
        assert h.score == pytest.approx(want, abs=1e-4)
    assert "BGI" in hits[0].unit.text
    own = HybridRetriever(retriever.index, retriever.embedder, replace(s, normalise="own"))
    assert [h.score for h in own.search(query, k=5)] != [h.score for h in hits]


def test_bm25_words_and_dense_scores_are_real(retriever, index) -> None:
    hit = retriever.search("Xinjiang", k=1, mode="hybrid")[0]
    assert "Xinjiang" in hit.unit.text
    q = retriever.query_vector("Xinjiang")
    rows = [i for i, p in enumerate(index.passages) if p.unit_id == hit.unit.unit_id]
    assert hit.scores["dense"] == pytest.approx(float(np.max(index.dense.vectors[rows] @ q)))


def test_filters_apply_before_the_cut(retriever, index) -> None:
    doc = "004_cf4a3fa9a5a68e27"
    only = Filters(docs=(doc,))
    with_word = [u for u in index.units.values() if u.doc == doc and "China" in u.text]
    for mode, want in (("hybrid", 8), ("dense", 8), ("bm25", min(8, len(with_word)))):
        unfiltered = retriever.search("China", k=8, mode=mode)
        hits = retriever.search("China", k=8, mode=mode, filters=only)
        assert len(hits) == want > sum(h.unit.doc == doc for h in unfiltered)
        assert {h.unit.doc for h in hits} == {doc}
    letters = retriever.search("China", k=5, filters=Filters(kinds=("letter",)))
    assert letters and {h.unit.doc for h in letters} == {"003_54dab813ef9c6552"}
    window = Filters(date_from="2020-01-01", date_to="2020-12-31")
    docs = {h.unit.doc for h in retriever.search("China", k=50, filters=window)}
    assert docs == {"002_6ae4c03786fa8873", "003_54dab813ef9c6552"}


def test_bad_requests_say_what_to_do(retriever, index) -> None:
    with pytest.raises(RagError, match="no document 'nope' in the index"):
        retriever.search("China", filters=Filters(docs=("nope",)))
    with pytest.raises(RagError, match="unknown document kind"):
        retriever.search("China", filters=Filters(kinds=("memo",)))
    with pytest.raises(RagError, match="use one of hybrid, bm25, dense"):
        retriever.search("China", mode="semantic")
    with pytest.raises(RagError, match="need an embedder"):
        HybridRetriever(index, None).search("China", mode="hybrid")
    assert retriever.search("   ") == [] and retriever.search("China", k=0) == []
    assert retriever.search("qwxyzzy onbekendwoord", mode="bm25") == []


def test_weights_move_the_ranking(index) -> None:
    query = "Welke stappen zet het kabinet tegen digitale surveillance van minderheden?"
    lexical_only = HybridRetriever(index, HashEmbedder(), RetrievalSettings(dense_weight=0.0))
    bm25 = HybridRetriever(index, None).search(query, k=5, mode="bm25")
    assert [h.unit.unit_id for h in lexical_only.search(query, k=5)] == [
        h.unit.unit_id for h in bm25
    ]
