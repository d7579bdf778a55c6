"""The FAISS side against the brute-force numpy oracle."""

from __future__ import annotations

import numpy as np
import pytest
from index_helpers import HashEmbedder, hand_units

from rag.errors import RagError
from rag.index.dense import DenseIndex, brute_force_topk


@pytest.fixture(scope="module")
def vectors(seed_paths) -> np.ndarray:
    """Stand-in vectors of the real units of 001 and 004 (clustered like real data)."""
    texts = [u.text for name in ("001_f07640d600ade888", "004_cf4a3fa9a5a68e27")
             for u in hand_units(seed_paths[name]).units]  # fmt: skip
    return HashEmbedder(dim=48).embed(texts, "passage")


@pytest.fixture(scope="module")
def random_vectors() -> np.ndarray:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(3000, 64)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_flat_topk_equals_brute_force(vectors) -> None:
    dense = DenseIndex.build(vectors, "flat")
    for q in vectors[::9]:
        ids, scores = dense.search(q, 10)
        want_ids, want_scores = brute_force_topk(vectors, q, 10)
        np.testing.assert_allclose(scores, want_scores, rtol=1e-5, atol=1e-6)
        # ids agree except where two rows tie on score
        for i, (got, want) in enumerate(zip(ids, want_ids, strict=True)):
            assert got == want or abs(scores[i] - vectors[want] @ q) < 1e-6


def test_flat_topk_equals_brute_force_on_random_vectors(random_vectors) -> None:
    dense = DenseIndex.build(random_vectors, "flat")
    queries = random_vectors[:50] + 0.1
    for q in queries:
        ids, _ = dense.search(q, 20)
        want, _ = brute_force_topk(random_vectors, q, 20)
        assert ids.tolist() == want.tolist()


def test_filtered_search_equals_brute_force_on_the_allowed_rows(random_vectors) -> None:
    dense = DenseIndex.build(random_vectors, "flat")
    allowed = np.arange(0, len(random_vectors), 7)
    for q in random_vectors[100:120]:
        ids, _ = dense.search(q, 10, allowed)
        sub, _ = brute_force_topk(random_vectors[allowed], q, 10)
        assert ids.tolist() == allowed[sub].tolist()
    ids, _ = dense.search(random_vectors[0], 50, np.array([3, 5]))
    assert sorted(ids.tolist()) == [3, 5]


def test_hnsw_recall_against_exact(random_vectors) -> None:
    exact = DenseIndex.build(random_vectors, "flat")
    approx = DenseIndex.build(random_vectors, "hnsw")
    shares = []
    for q in random_vectors[:100]:
        a, _ = approx.search(q, 10)
        e, _ = exact.search(q, 10)
        shares.append(len(set(a.tolist()) & set(e.tolist())) / 10)
    assert np.mean(shares) >= 0.9


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
def test_save_then_load_gives_identical_results(random_vectors, tmp_path, kind) -> None:
    dense = DenseIndex.build(random_vectors, kind)
    dense.save(tmp_path / "d.faiss", tmp_path / "v.npy")
    loaded = DenseIndex.load(tmp_path / "d.faiss", tmp_path / "v.npy", kind)
    np.testing.assert_array_equal(loaded.vectors, random_vectors)
    for q in random_vectors[:30]:
        a, sa = dense.search(q, 10)
        b, sb = loaded.search(q, 10)
        assert a.tolist() == b.tolist()
        np.testing.assert_array_equal(sa, sb)


def test_k_larger_than_the_index_and_unknown_type(vectors) -> None:
    dense = DenseIndex.build(vectors[:4], "flat")
    ids, _ = dense.search(vectors[0], 50)
    assert sorted(ids.tolist()) == [0, 1, 2, 3]
    with pytest.raises(RagError, match="use one of flat, hnsw, ivf"):
        DenseIndex.build(vectors, "pq")
